/**
 * The cluster-mode benchmark (runs `cluster…` of bench/run.ts): the Flux HTTP API of the replica
 * holding the daemon ("local") against another replica, which forwards each call over NATS
 * ("forwarded"). Processes, all on loopback: nats-server (JetStream, a temporary store), hub
 * replicas A and B (`fluxrpc hub --nats …`), the daemon (bench/flux-peer.js serve, registered with
 * A, ListServices answering the 50 statuses of bench/fixtures/statuses-50.json, Export 32 MiB), and
 * this process as the HTTP client (node's http, keep-alive, one socket per call in flight).
 *
 * Runs:
 *   cluster.listServices50@1, @16   GET /api/flux/v6/services on A, then on B (same window each)
 *   cluster.export32MiB              GET /api/flux/v6/export on A, then on B, one at a time
 * Every reply must be 200 with the same body as A's first (a different one counts as an error).
 *
 * Targets: forwarded calls/s ≥ 70 % of local at 16 in flight; added p50 (forwarded − local) at 1 in
 * flight ≤ 2 ms.
 */
import http from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NatsServer, NATS_SERVER } from '../test/cluster/nats-server.js';
import { Replica } from '../test/cluster/processes.js';
import { Peer } from './lib/children.js';
import { runBenchLoop, type LoopResult } from './lib/loop.js';
import type { ResultRow } from './lib/report.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const TOKEN = 'bench-token';

export interface ClusterBenchOptions {
  /** Which runs: `listServices50@1`, `listServices50@16`, `export32MiB` (names without `cluster.`). */
  runs: string[];
  durationMs: number;
  warmupMs: number;
  blobDurationMs: number;
  log(line: string): void;
}

export interface ClusterRun {
  label: string;
  local: LoopResult;
  forwarded: LoopResult;
}

export const CLUSTER_RUNS = ['listServices50@1', 'listServices50@16', 'export32MiB'];

/** GET `path` on `base` with a keep-alive agent; resolves with the body (rejects on a non-200). */
function get(agent: http.Agent, base: string, path: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const req = http.get(new URL(path, base), { agent, headers: { Authorization: `Scope-Probe token=${TOKEN}` } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        if (res.statusCode !== 200 && res.statusCode !== 204) reject(new Error(`${res.statusCode}: ${body.subarray(0, 300).toString()}`));
        else resolve(body);
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(60_000, () => req.destroy(new Error('no answer within 60 s')));
  });
}

async function measure(base: string, path: string, inflight: number, durationMs: number, warmupMs: number, expected: Buffer, method: string): Promise<LoopResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: inflight });
  try {
    return await runBenchLoop(
      { method, inflight, durationMs, warmupMs, secondsPerCall: method === 'export' },
      {
        call: async () => {
          const body = await get(agent, base, path);
          if (!body.equals(expected)) throw new Error(`${method}: a reply that differs from the local one (${body.length} bytes)`);
        },
        isFatal: () => false,
        isServerError: () => false,
      },
    );
  } finally {
    agent.destroy();
  }
}

/** Runs the cluster benchmark; returns each run's local and forwarded results. */
export async function runClusterBench(o: ClusterBenchOptions): Promise<ClusterRun[]> {
  if (NATS_SERVER === undefined) throw new Error('nats-server is not installed (scripts/install-nats-server.sh): the cluster runs need it');
  const dir = mkdtempSync(join(tmpdir(), 'fluxrpc-bench-cluster-'));
  const tokens = join(dir, 'tokens.json');
  writeFileSync(tokens, JSON.stringify({ [TOKEN]: 'bench' }));
  const nats = await NatsServer.start();
  const replicas: Replica[] = [];
  let daemon: Peer | undefined;
  try {
    for (const id of ['A', 'B']) replicas.push(await Replica.start(id, nats.url, tokens, ['--log-level', 'error']));
    const [a, b] = replicas as [Replica, Replica];
    daemon = new Peer('daemon', process.execPath, [`${root}dist/bench/flux-peer.js`, 'serve', '--transport', 'ws', '--dial', `ws://127.0.0.1:${a.port}/api/flux/v11/daemon`, '--token', TOKEN, '--export-bytes', String(32 * 1024 * 1024)], 30 * 60_000);
    await daemon.waitFor('CONNECTED', 15_000);
    // Wait until B forwards to A (its NATS server knows A's subscription).
    const agent = new http.Agent({ keepAlive: true });
    for (let i = 0; ; i++) {
      const ok = await get(agent, b.url, '/api/flux/v11/ping').then(() => true, () => false);
      if (ok) break;
      if (i > 500) throw new Error('replica B never reached the daemon on A');
      await new Promise((r) => setTimeout(r, 20));
    }
    agent.destroy();

    const out: ClusterRun[] = [];
    for (const run of o.runs) {
      const [name, at] = run.split('@') as [string, string | undefined];
      const inflight = Number(at ?? 1);
      const path = name === 'export32MiB' ? '/api/flux/v6/export' : '/api/flux/v6/services?namespace=';
      const method = name === 'export32MiB' ? 'export' : 'listServices';
      const duration = name === 'export32MiB' ? o.blobDurationMs : o.durationMs;
      const expected = await get(new http.Agent(), a.url, path);
      o.log(`bench: cluster.${run} local (on A, ${((o.warmupMs + duration) / 1000).toFixed(1)} s)... `);
      const local = await measure(a.url, path, inflight, duration, o.warmupMs, expected, method);
      o.log(`${describe(local)}\nbench: cluster.${run} forwarded (on B → NATS → A)... `);
      const forwarded = await measure(b.url, path, inflight, duration, o.warmupMs, expected, method);
      o.log(`${describe(forwarded)}\n`);
      out.push({ label: `cluster.${run}`, local, forwarded });
    }
    return out;
  } finally {
    daemon?.kill('SIGKILL');
    for (const r of replicas) await r.kill9();
    await nats.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}

function describe(r: LoopResult): string {
  const parts = [`${r.calls} calls`, `${r.callsPerSec.toFixed(1)} calls/s`, `p50 ${r.p50ms} ms`, `p99 ${r.p99ms} ms`];
  if (r.secondsPerCall !== undefined) parts.push(`${r.secondsPerCall.toFixed(3)} s/call`);
  if (r.errors > 0) parts.push(`${r.errors} ERRORS (first: ${r.firstError?.error})`);
  return parts.join(', ');
}

/** bench/results.json rows (stack `ts`; names `cluster.<run>.<local|forwarded>.<metric>`). */
export function clusterRows(runs: ClusterRun[]): ResultRow[] {
  const rows: ResultRow[] = [];
  for (const run of runs) {
    for (const side of ['local', 'forwarded'] as const) {
      const r = run[side];
      const base = `${run.label.replace(/@\d+$/, '')}.${side}`;
      if (r.secondsPerCall !== undefined) rows.push({ name: `${base}.secondsPerCall`, stack: 'ts', inflight: r.inflight, value: r.secondsPerCall, unit: 's' });
      else rows.push({ name: `${base}.callsPerSec`, stack: 'ts', inflight: r.inflight, value: r.callsPerSec, unit: 'calls/s' });
      rows.push({ name: `${base}.p50`, stack: 'ts', inflight: r.inflight, value: r.p50ms, unit: 'ms' });
      rows.push({ name: `${base}.p99`, stack: 'ts', inflight: r.inflight, value: r.p99ms, unit: 'ms' });
    }
  }
  return rows;
}

/** The table (local | forwarded | ratio) and the two targets. */
export function clusterReport(runs: ClusterRun[]): string {
  const lines = ['run'.padEnd(28) + 'local'.padEnd(34) + 'forwarded'.padEnd(34) + 'forwarded/local'];
  const show = (r: LoopResult) => (r.secondsPerCall !== undefined ? `${r.secondsPerCall.toFixed(3)} s/call` : `${r.callsPerSec.toFixed(1)} calls/s`) + `, p50 ${r.p50ms.toFixed(2)} ms`;
  for (const run of runs) {
    const ratio = run.local.secondsPerCall !== undefined ? run.forwarded.secondsPerCall! / run.local.secondsPerCall! : run.forwarded.callsPerSec / run.local.callsPerSec;
    lines.push(`${run.label.padEnd(28)}${show(run.local).padEnd(34)}${show(run.forwarded).padEnd(34)}${ratio.toFixed(2)}x`);
  }
  const at16 = runs.find((r) => r.label === 'cluster.listServices50@16');
  const at1 = runs.find((r) => r.label === 'cluster.listServices50@1');
  lines.push('', 'cluster targets:');
  lines.push(at16 ? `  ${at16.forwarded.callsPerSec >= 0.7 * at16.local.callsPerSec ? 'PASS' : 'FAIL'}  ListServices(50) @16: forwarded calls/s >= 70% of local: ${at16.forwarded.callsPerSec.toFixed(1)} vs ${at16.local.callsPerSec.toFixed(1)} (${((100 * at16.forwarded.callsPerSec) / at16.local.callsPerSec).toFixed(0)} %)` : '  n/a   ListServices(50) @16 not run');
  lines.push(at1 ? `  ${at1.forwarded.p50ms - at1.local.p50ms <= 2 ? 'PASS' : 'FAIL'}  ListServices(50) @1: added p50 <= 2 ms: ${(at1.forwarded.p50ms - at1.local.p50ms).toFixed(2)} ms (${at1.forwarded.p50ms.toFixed(2)} vs ${at1.local.p50ms.toFixed(2)})` : '  n/a   ListServices(50) @1 not run');
  return lines.join('\n');
}
