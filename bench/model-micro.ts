/**
 * Micro-benchmark of the Flux model layer on bench/fixtures/statuses-50.json (50 workload
 * statuses, about 240 KB): decoding (`decodeControllerStatusList` of the parsed JSON, and the same
 * including `JSON.parse`) and encoding (`encodeControllerStatusList`, and the same including the
 * UTF-8 conversion a send does). Each is run in several rounds after a warm-up; the median and
 * best ms per operation are reported.
 *
 *   node dist/bench/model-micro.js [--rounds 9] [--ms 400] [--json]
 *
 * Also checks that encoding the decoded fixture reproduces the fixture text byte for byte.
 */
import { Buffer } from 'node:buffer';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { decodeControllerStatusList, encodeControllerStatusList } from '../src/flux/model/controller-status.js';

const fixturePath = fileURLToPath(new URL('../../bench/fixtures/statuses-50.json', import.meta.url));

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? Number(process.argv[i + 1]) : fallback;
}

const rounds = flag('--rounds', 9);
const roundMs = flag('--ms', 400);
const asJson = process.argv.includes('--json');

const text = readFileSync(fixturePath, 'utf8').trim();
const parsed: unknown = JSON.parse(text);
const list = decodeControllerStatusList(parsed);
const encoded = encodeControllerStatusList(list);
if (encoded !== text) {
  console.error('WARNING: encoding the decoded fixture does not reproduce the fixture text');
}

/** A sink so the optimiser cannot drop the work. */
let sink = 0;

/** Runs `op` repeatedly for about `ms` milliseconds; returns ms per op. */
function timeRound(op: () => number, ms: number): number {
  // Batch size: enough calls per clock read.
  let n = 0;
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(Math.round(ms * 1e6));
  let now = start;
  while (now < deadline) {
    for (let i = 0; i < 4; i++) sink += op();
    n += 4;
    now = process.hrtime.bigint();
  }
  return Number(now - start) / 1e6 / n;
}

interface Result {
  name: string;
  medianMs: number;
  bestMs: number;
}

function measure(name: string, op: () => number): Result {
  timeRound(op, Math.max(200, roundMs)); // warm-up
  const samples: number[] = [];
  for (let r = 0; r < rounds; r++) samples.push(timeRound(op, roundMs));
  samples.sort((a, b) => a - b);
  return { name, medianMs: samples[Math.floor(samples.length / 2)]!, bestMs: samples[0]! };
}

const results: Result[] = [
  measure('decode (parsed JSON → model)', () => decodeControllerStatusList(parsed)!.length),
  measure('parse+decode (text → model)', () => decodeControllerStatusList(JSON.parse(text))!.length),
  measure('encode (model → text)', () => encodeControllerStatusList(list).length),
  // As sent: the (possibly rope-shaped) text flattened and written out as UTF-8.
  measure('encode+utf8 (model → bytes)', () => Buffer.from(encodeControllerStatusList(list), 'utf8').length),
];

if (asJson) {
  console.log(JSON.stringify({ fixtureBytes: text.length, rounds, roundMs, results }, null, 2));
} else {
  console.log(`fixture: ${text.length} chars, ${list?.length ?? 0} statuses; ${rounds} rounds of ${roundMs} ms (node ${process.version})`);
  for (const r of results) {
    console.log(`  ${r.name.padEnd(32)} median ${r.medianMs.toFixed(3).padStart(8)} ms/op   best ${r.bestMs.toFixed(3).padStart(8)} ms/op`);
  }
}
if (sink === -1) console.log(sink);
