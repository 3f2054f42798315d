/**
 * The fluxrpc benchmark: the TypeScript stack against Go's net/rpc + jsonrpc over Flux's websocket,
 * each run as two processes on loopback, as in production: the daemon (`serve`, dials out and
 * serves) and the upstream (`client`, accepts the websocket and calls).
 *
 * The RPC layer (the "Test" service):
 *   ts: node dist/bench/ts-peer.js …     go: test/interop/go/bin/rpcpeer …     (same CLI and lines)
 * The Flux API layer (RPCServer.ListServices through the V11 clients):
 *   ts: node dist/bench/flux-peer.js …   go: test/interop/go/bin/fluxbench …   (same CLI and lines)
 *   (ts: serveFlux + createFluxClient(11); go: flux's rpc.NewServer + rpc.NewClientV11)
 *
 * The fleet (bench/fleet.ts, run "fleet"): one hub holding N daemons, ours against a Go hub made of
 * flux's websocket.Upgrade + rpc.NewClientV11 (test/interop/go/bin/fleethub), both loaded by the
 * same Go program (fleetload: flux's websocket.Dial + rpc.NewServer per daemon): time to register
 * all, time to call every instance once over HTTP, single-call latency, RSS per connection, idle CPU.
 * Cluster mode (bench/cluster.ts, runs `cluster.…`): ListServices(50) through the Flux HTTP API of
 * the hub replica holding the daemon and of another replica (forwarded over NATS), at 1 and 16 in
 * flight, and a 32 MiB Export both ways; needs nats-server.
 *
 * Scenarios: Test.Statuses(50) (about 240 KB of Flux workload statuses per reply) at 1, 16 and 64
 * calls in flight; ListServices returning the same 50 statuses (bench/fixtures/statuses-50.json,
 * encoded from model values by the daemon and decoded into them by the client on every call) at 1,
 * 16 and 64 in flight; Test.Blob(32 MiB) one at a time, with the peak RSS of both processes;
 * Test.Echo("ping") one at a time (ping@1: the latency of the smallest call, p50/p99).
 * `stall60MB` (TS only, bench/stall.ts): pings to one daemon while another's 60 MB ListServices
 * reply is delivered to the same upstream.
 *
 * Environment:
 *   BENCH_DURATION_MS       measured time per statuses run (default 5000)
 *   BENCH_WARMUP_MS         warm-up before measuring (default 1000)
 *   BENCH_BLOB_DURATION_MS  measured time per blob run (default 8000)
 *   BENCH_ONLY              comma list of runs to keep, e.g. "statuses50@64,blob32MiB,listServices50,ping,fleet,stall60MB"
 *                           ("cluster" for all cluster runs, or e.g. "cluster.listServices50@16")
 *   BENCH_STACKS            "ts", "go" or "ts,go" (default)
 *   BENCH_TS_NODE_ARGS      extra node flags for the TS processes (the fleet's hub too), e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"
 *   BENCH_FLEET_N           daemons in the fleet run (default 10000)
 *   BENCH_FLEET_IDLE_MS     the fleet's idle window for CPU and RSS (default 60000)
 *   BENCH_FLEET_CONCURRENCY fan-out requests at a time (default 64)
 *   BENCH_FLEET_DIAL_CONCURRENCY  dials at a time (default 64)
 *   BENCH_FLEET_LATENCY_CALLS     sequential single calls (default 2000)
 *
 * Writes bench/results.json: the rows of this run replace those of the same name, stack and number in
 * flight; rows of runs not made this time are kept. Exit status 1 if a run failed to produce a result.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { LoopResult } from './lib/loop.js';
import { FLEET_PROGRAMS, describeFleet, recordFleet, runFleet, type FleetOptions } from './fleet.js';
import { Peer, killAll, track } from './lib/children.js';
import { PAYLOAD_BYTES, Results, type ResultRow, type Stack, mergeRows, mib } from './lib/report.js';
import { CLUSTER_RUNS, clusterReport, clusterRows, runClusterBench } from './cluster.js';
import { describeStall, runStall } from './stall.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
/** The peer programs by layer: the RPC layer's and the Flux API layer's. */
const peers = {
  rpc: { go: `${root}test/interop/go/bin/rpcpeer`, ts: `${root}dist/bench/ts-peer.js` },
  flux: { go: `${root}test/interop/go/bin/fluxbench`, ts: `${root}dist/bench/flux-peer.js` },
} as const;
type Layer = keyof typeof peers;
const fixturePath = `${root}bench/fixtures/statuses-50.json`;
const resultsPath = `${root}bench/results.json`;

function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got ${JSON.stringify(raw)}`);
  return n;
}

const durationMs = envInt('BENCH_DURATION_MS', 5000);
const warmupMs = envInt('BENCH_WARMUP_MS', 1000);
const blobDurationMs = envInt('BENCH_BLOB_DURATION_MS', 8000);
const only = (process.env['BENCH_ONLY'] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
const stacksWanted = (process.env['BENCH_STACKS'] ?? 'ts,go').split(',').map((s) => s.trim());
const tsNodeArgs = (process.env['BENCH_TS_NODE_ARGS'] ?? '').split(/\s+/).filter(Boolean);
const fleetWanted = only.length === 0 || only.includes('fleet');
const fleetOptions: FleetOptions = {
  n: envInt('BENCH_FLEET_N', 10_000),
  idleMs: envInt('BENCH_FLEET_IDLE_MS', 60_000),
  concurrency: envInt('BENCH_FLEET_CONCURRENCY', 64),
  dialConcurrency: envInt('BENCH_FLEET_DIAL_CONCURRENCY', 64),
  latencyCalls: envInt('BENCH_FLEET_LATENCY_CALLS', 2000),
  tsNodeArgs,
};

interface Scenario {
  label: string;
  name: 'statuses50' | 'blob32MiB' | 'listServices50' | 'ping';
  layer: Layer;
  inflight: number;
  durationMs: number;
  /** The upstream's extra flags. */
  args: string[];
  /** The daemon's extra flags. */
  daemonArgs: string[];
}

const allScenarios: Scenario[] = [
  ...[1, 16, 64].map((inflight): Scenario => ({
    label: `statuses50@${inflight}`,
    name: 'statuses50',
    layer: 'rpc',
    inflight,
    durationMs,
    args: ['--method', 'statuses', '--n', '50'],
    daemonArgs: [],
  })),
  ...[1, 16, 64].map((inflight): Scenario => ({
    label: `listServices50@${inflight}`,
    name: 'listServices50',
    layer: 'flux',
    inflight,
    durationMs,
    args: ['--method', 'listServices', '--n', '50', '--statuses', fixturePath],
    daemonArgs: ['--statuses', fixturePath],
  })),
  {
    label: 'blob32MiB',
    name: 'blob32MiB',
    layer: 'rpc',
    inflight: 1,
    durationMs: blobDurationMs,
    args: ['--method', 'blob', '--bytes', String(PAYLOAD_BYTES)],
    daemonArgs: [],
  },
  {
    label: 'ping@1',
    name: 'ping',
    layer: 'rpc',
    inflight: 1,
    durationMs,
    args: ['--method', 'echo'],
    daemonArgs: [],
  },
];
const scenarios = allScenarios.filter((s) => only.length === 0 || only.includes(s.label) || only.includes(s.name));
const clusterRuns = CLUSTER_RUNS.filter((r) => only.length === 0 || only.includes('cluster') || only.includes(`cluster.${r}`) || only.includes(`cluster.${r.split('@')[0]}`));
const stallWanted = only.length === 0 || only.includes('stall60MB');

/** The fields of a RESULT line (rpcpeer's BenchResult), as the TS peers write it too. */
type BenchResult = LoopResult;

function peerCommand(stack: Stack, layer: Layer, args: string[]): [string, string[]] {
  return stack === 'go' ? [peers[layer].go, args] : [process.execPath, [...tsNodeArgs, peers[layer].ts, ...args]];
}

/** One run: upstream listens, daemon dials it, upstream benches and closes, daemon reports RSS. */
async function runOne(stack: Stack, s: Scenario): Promise<{ result: BenchResult; daemonRss: number | undefined }> {
  const budgetMs = warmupMs + s.durationMs + 60_000;
  const clientArgs = ['client', '--transport', 'ws', '--listen', '127.0.0.1:0', '--scenario', 'bench', '--inflight', String(s.inflight), '--duration-ms', String(s.durationMs), '--warmup-ms', String(warmupMs), ...s.args];
  const upstream = new Peer(`${stack} upstream`, ...peerCommand(stack, s.layer, clientArgs), budgetMs + 10_000);
  let daemon: Peer | undefined;
  try {
    const listen = await upstream.waitFor('LISTEN', 15_000);
    const daemonArgs = ['serve', '--transport', 'ws', '--dial', `ws://${listen}/api/flux/v11/daemon`, '--report-rss', ...s.daemonArgs];
    daemon = new Peer(`${stack} daemon`, ...peerCommand(stack, s.layer, daemonArgs), budgetMs + 10_000);
    await daemon.waitFor('CONNECTED', 15_000);
    const result = JSON.parse(await upstream.waitFor('RESULT', budgetMs)) as BenchResult;
    // The upstream closes with 1000; the daemon then prints RSS and SERVE_END. If it does not,
    // SIGTERM makes it print RSS.
    let rssText = await daemon.waitFor('RSS', 10_000).catch(() => undefined);
    if (rssText === undefined) {
      daemon.kill('SIGTERM');
      rssText = await daemon.waitFor('RSS', 5_000).catch(() => undefined);
    }
    await Promise.all([upstream.stop(5_000), daemon.stop(5_000)]);
    return { result, daemonRss: rssText === undefined ? undefined : Number(rssText) };
  } finally {
    upstream.kill('SIGKILL');
    daemon?.kill('SIGKILL');
  }
}

function describe(r: BenchResult, daemonRss: number | undefined): string {
  const parts = [`${r.calls} calls`, `${r.callsPerSec.toFixed(1)} calls/s`];
  if (r.secondsPerCall !== undefined) parts.push(`${r.secondsPerCall.toFixed(3)} s/call`);
  parts.push(`p50 ${r.p50ms} ms`, `p99 ${r.p99ms} ms`, `upstream RSS ${mib(r.maxRssBytes)}`, `daemon RSS ${daemonRss === undefined ? '?' : mib(daemonRss)}`);
  if (r.errors > 0) parts.push(`${r.errors} ERRORS (first: ${r.firstError?.error})`);
  return parts.join(', ');
}

function record(results: Results, stack: Stack, s: Scenario, r: BenchResult, daemonRss: number | undefined): void {
  if (s.name === 'ping') {
    results.add(stack, 'ping.p50', s.inflight, r.p50ms, 'ms', 'lower');
    results.add(stack, 'ping.p99', s.inflight, r.p99ms, 'ms', 'lower');
    return;
  }
  if (s.name === 'statuses50' || s.name === 'listServices50') {
    results.add(stack, `${s.name}.callsPerSec`, s.inflight, r.callsPerSec, 'calls/s', 'higher');
    results.add(stack, `${s.name}.p50`, s.inflight, r.p50ms, 'ms', 'lower');
    results.add(stack, `${s.name}.p99`, s.inflight, r.p99ms, 'ms', 'lower');
    return;
  }
  if (r.calls > 0) results.add(stack, 'blob32MiB.secondsPerCall', s.inflight, r.secondsPerCall ?? r.seconds / r.calls, 's', 'lower');
  results.add(stack, 'blob32MiB.p50', s.inflight, r.p50ms, 'ms', 'lower');
  if (daemonRss !== undefined) results.add(stack, 'blob32MiB.daemonPeakRss', s.inflight, daemonRss, 'bytes', 'lower');
  results.add(stack, 'blob32MiB.upstreamPeakRss', s.inflight, r.maxRssBytes, 'bytes', 'lower');
}

/** Builds the Go peers; false (with the reason printed) if Go is unavailable or the build fails. */
function buildGoPeer(): Promise<boolean> {
  console.log('bench: building the Go peers (node test/interop/build-peers.mjs)...');
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [`${root}test/interop/build-peers.mjs`], { stdio: ['ignore', 'inherit', 'inherit'] });
    track(child);
    const timer = setTimeout(() => child.kill('SIGKILL'), 10 * 60_000);
    child.once('error', () => resolve(false));
    child.once('close', (code) => {
      clearTimeout(timer);
      if (code === 0 && [...Object.values(peers).map((p) => p.go), FLEET_PROGRAMS.goHub, FLEET_PROGRAMS.load].every((p) => existsSync(p))) return resolve(true);
      console.log(code === 2 ? 'bench: Go is not installed: running the TS stack only (no fleet run).' : `bench: building the Go peer failed (${code ?? 'killed'}): running the TS stack only (no fleet run).`);
      resolve(false);
    });
  });
}

async function main(): Promise<number> {
  const stacks: Stack[] = [];
  // The fleet run needs the Go load generator whatever the stacks.
  const goBuilt = (stacksWanted.includes('go') || fleetWanted) && (await buildGoPeer());
  if (stacksWanted.includes('ts')) stacks.push('ts');
  if (stacksWanted.includes('go') && goBuilt) stacks.push('go');
  console.log(`bench: stacks ${stacks.join(', ')}; statuses and listServices ${durationMs} ms (+${warmupMs} ms warm-up), blob ${blobDurationMs} ms; node ${process.version}${tsNodeArgs.length ? ` ${tsNodeArgs.join(' ')}` : ''}`);

  const results = new Results();
  let failures = 0;
  for (const s of scenarios) {
    for (const stack of stacks) {
      process.stdout.write(`bench: ${stack} ${s.label} (${((warmupMs + s.durationMs) / 1000).toFixed(1)} s)... `);
      try {
        const { result, daemonRss } = await runOne(stack, s);
        console.log(describe(result, daemonRss));
        // A Flux API or ping run with errors (e.g. a reply that is not the fixture) is not a result.
        if (result.calls === 0 || ((s.layer === 'flux' || s.name === 'ping') && result.errors > 0)) {
          failures++;
          console.log(`bench: ${stack} ${s.label} FAILED: not recorded`);
        } else record(results, stack, s, result, daemonRss);
      } catch (e) {
        failures++;
        console.log(`FAILED: ${(e as Error).message}`);
      }
    }
  }

  if (stallWanted && stacks.includes('ts')) {
    process.stdout.write('bench: ts stall60MB (an upstream, two daemons, one 60 MB reply)... ');
    try {
      const r = await runStall();
      console.log(`\n${describeStall(r)}`);
      results.add('ts', 'stall60MB.idleP99', 1, r.idle.p99, 'ms', 'lower');
      results.add('ts', 'stall60MB.duringP50', 1, r.during.p50, 'ms', 'lower');
      results.add('ts', 'stall60MB.duringP99', 1, r.during.p99, 'ms', 'lower');
      results.add('ts', 'stall60MB.loopDelayMax', 1, r.loopDelayMs.max, 'ms', 'lower');
      results.add('ts', 'stall60MB.upstreamPeakRss', 1, r.upstreamPeakRss, 'bytes', 'lower');
    } catch (e) {
      failures++;
      console.log(`FAILED: ${(e as Error).message}`);
    }
  }

  let extraRows: ResultRow[] = [];
  if (clusterRuns.length > 0) {
    try {
      const runs = await runClusterBench({ runs: clusterRuns, durationMs, warmupMs, blobDurationMs, log: (t) => process.stdout.write(t) });
      if (runs.some((r) => r.local.errors > 0 || r.forwarded.errors > 0 || r.local.calls === 0 || r.forwarded.calls === 0)) failures++;
      console.log(`\n${clusterReport(runs)}`);
      extraRows = clusterRows(runs);
    } catch (e) {
      failures++;
      console.log(`bench: cluster runs FAILED: ${(e as Error).message}`);
    }
  }

  // The fleet last: 20,000 sockets closing disturb latency runs for minutes after it (stall60MB's
  // p99 was seen at 76–92 ms right after it, 21–34 ms otherwise, same build).
  if (fleetWanted && !goBuilt) console.log('bench: fleet: skipped, it needs the Go load generator (test/interop/go/bin/fleetload)');
  else if (fleetWanted) {
    for (const stack of stacks) {
      const o = fleetOptions;
      // The machine's 1-minute load average: the fleet's figures mean little on a busy machine.
      console.log(`bench: ${stack} fleet of ${o.n} daemons (dials ${o.dialConcurrency} at a time, idle ${(o.idleMs / 1000).toFixed(0)} s, fan-out ${o.concurrency} at a time, ${o.latencyCalls} single calls; load average ${loadavg()[0]!.toFixed(2)})...`);
      try {
        const figures = await runFleet(stack, { ...o, progress: (line) => console.log(`bench:   ${stack} fleet: ${line}`) });
        console.log(`bench: ${stack} fleet: ${describeFleet(figures)}`);
        recordFleet(results, figures, o);
      } catch (e) {
        failures++;
        console.log(`bench: ${stack} fleet FAILED (not recorded): ${(e as Error).message}`);
      }
    }
  }

  if (scenarios.length > 0 || fleetWanted || stallWanted) {
    console.log(`\n${results.table()}\n`);
    console.log('targets:');
    for (const t of results.targets()) console.log(`  ${t.verdict.padEnd(4)}  ${t.text}`);
    if (!stacks.includes('go')) console.log('  (Go unavailable: the comparisons cannot be made)');
  }
  const earlier = existsSync(resultsPath) ? (JSON.parse(readFileSync(resultsPath, 'utf8')) as ResultRow[]) : [];
  writeFileSync(resultsPath, JSON.stringify(mergeRows(earlier, [...results.rows, ...extraRows]), null, 2) + '\n');
  console.log(`\nbench: wrote ${resultsPath}`);
  return failures > 0 ? 1 : 0;
}

/** This run's rows, plus the rows of bench/results.json this run did not measure again. */
main().then(
  (code) => {
    killAll();
    process.exitCode = code;
  },
  (e: unknown) => {
    killAll();
    console.error(`bench: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    process.exitCode = 1;
  },
);
