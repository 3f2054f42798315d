/**
 * Micro-benchmark of the hub's token lookup (`TokenAuth.authenticate`), with 1 and 10,000 tokens,
 * for a known token and an unknown one; and, for comparison, the scheme it replaced (a SHA-256 of
 * the presented token compared in constant time with every configured token's, a loop over all of
 * them). Median of several rounds, µs per lookup.
 *
 *   node dist/bench/token-lookup.js [--rounds 7] [--ms 200]
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { TokenAuth } from '../src/hub/auth.js';

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? Number(process.argv[i + 1]) : fallback;
}
const rounds = flag('--rounds', 7);
const roundMs = flag('--ms', 200);

/** The previous lookup: linear in the number of tokens. */
function linearLookup(tokens: ReadonlyMap<string, string>) {
  const digest = (t: string) => createHash('sha256').update(t, 'utf8').digest();
  const entries = [...tokens].map(([t, instance]) => ({ digest: digest(t), instance }));
  return (header: string) => {
    const m = /^scope-probe\s+token=(.+)$/i.exec(header.trim());
    const presented = digest(m ? m[1]! : '');
    let found: string | undefined;
    for (const e of entries) if (timingSafeEqual(e.digest, presented) && m) found ??= e.instance;
    return found;
  };
}

let sink = 0;
function microsPerOp(op: () => string | undefined): number {
  const samples: number[] = [];
  for (let r = 0; r < rounds; r++) {
    let n = 0;
    const start = performance.now();
    let now = start;
    while (now - start < roundMs) {
      for (let i = 0; i < 50; i++) sink += op()?.length ?? 0;
      n += 50;
      now = performance.now();
    }
    samples.push(((now - start) * 1000) / n);
  }
  return samples.sort((a, b) => a - b)[Math.floor(samples.length / 2)]!;
}

const rows: [string, number, number, number][] = [];
for (const size of [1, 10_000]) {
  const tokens = new Map<string, string>();
  for (let i = 0; i < size; i++) tokens.set(`token-${i.toString().padStart(6, '0')}-${'x'.repeat(20)}`, `i${i}`);
  const known = `Scope-Probe token=${[...tokens.keys()][size - 1]}`;
  const unknown = 'Scope-Probe token=not-a-configured-token-at-all';
  const auth = new TokenAuth(tokens);
  const linear = linearLookup(tokens);
  rows.push([`${size} token(s)`, microsPerOp(() => auth.authenticate(known)), microsPerOp(() => auth.authenticate(unknown)), microsPerOp(() => linear(known))]);
}
console.log('tokens        keyed lookup, hit µs   keyed lookup, miss µs   previous linear scan µs');
for (const [name, hit, miss, old] of rows) console.log(`${name.padEnd(14)}${hit.toFixed(2).padStart(20)}${miss.toFixed(2).padStart(24)}${old.toFixed(2).padStart(26)}`);
if (sink === -1) console.log('');
