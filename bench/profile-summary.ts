/**
 * Summarizes V8 `.cpuprofile` files (from `node --cpu-prof`, e.g. via
 * `BENCH_TS_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" npm run bench`): the functions with the
 * most self time and the most inclusive time, as file:line function.
 *
 *   node dist/bench/profile-summary.js /tmp/prof/*.cpuprofile [--top 25]
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function frameName(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const file = url ? relative(process.cwd(), url.replace(/^file:\/\//, '')) : '';
  return `${functionName || '(anonymous)'}${file ? ` ${file}:${lineNumber + 1}` : ''}`;
}

function summarize(path: string, top: number): void {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const selfUs = new Map<string, number>();
  const totalUs = new Map<string, number>();
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = profile.timeDeltas[i] ?? 0;
    let node = byId.get(profile.samples[i]!);
    if (!node) continue;
    total += dt;
    const self = frameName(node);
    selfUs.set(self, (selfUs.get(self) ?? 0) + dt);
    const seen = new Set<string>();
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      node = byId.get(id)!;
      const name = frameName(node);
      if (seen.has(name)) continue;
      seen.add(name);
      totalUs.set(name, (totalUs.get(name) ?? 0) + dt);
    }
  }
  const show = (title: string, m: Map<string, number>) => {
    console.log(`  ${title}:`);
    for (const [name, us] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) {
      console.log(`    ${((100 * us) / total).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(6)} ms  ${name}`);
    }
  };
  console.log(`${path}: ${(total / 1000).toFixed(0)} ms sampled`);
  show('self time', selfUs);
  show('inclusive time', totalUs);
}

const args = process.argv.slice(2);
const topAt = args.indexOf('--top');
const top = topAt >= 0 ? Number(args.splice(topAt, 2)[1]) : 25;
for (const path of args) summarize(path, top);
