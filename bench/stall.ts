/**
 * The stall benchmark: does one daemon's 60 MB reply hold up the other tenants of an upstream?
 *
 * Three processes on loopback, as in a hub: an upstream (this file's `upstream` role: an HTTP
 * server taking daemon websockets, a `createFluxClient(11, …)` per daemon) and two daemons
 * (`flux-peer serve`, separate processes). Daemon A serves ListServices with a realistic 60 MB
 * reply (12,550 workload statuses: the 50 of bench/fixtures/statuses-50.json repeated with unique
 * IDs, encoded by the model's encoders); daemon B is only pinged.
 *
 * The upstream first pings B alone for `--idle-ms` (the baseline), then, `--rounds` times, calls
 * A's ListServices and pings B back to back (one at a time) while that reply is sent, parsed and
 * decoded. It reports the latency of B's pings that ran entirely during A's calls (p50/p99/max),
 * the baseline, A's call times, the event loop's delay while it ran, and the upstream's peak RSS:
 *
 *   RESULT {"idle":{…},"during":{"n":…,"p50":…,"p99":…,"max":…},"bigCallMs":[…],"loopDelayMs":{…},…}
 *
 *   node dist/bench/stall.js [--statuses N] [--rounds R] [--idle-ms MS]    (orchestrates all three)
 *   node dist/bench/stall.js upstream --listen 127.0.0.1:0 --expect N [--rounds R] [--idle-ms MS]
 *
 * bench/run.ts runs it as `stall60MB`. It loads the machine for about half a minute.
 */
import { spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { CallContext } from '../src/flux/api.js';
import { encodeControllerStatusList } from '../src/flux/model/controller-status.js';
import { createFluxClient, type FluxClient } from '../src/flux/versions/client.js';
import { WebSocketAcceptor, type WebSocketStream } from '../src/transport/index.js';
import { manyStatuses } from '../test/fakes/statuses.js';
import { Peer, killAll } from './lib/children.js';
import { Flags, UsageError } from './lib/flags.js';
import { emit, exitAfterFlush } from './lib/peer-io.js';
import { LatencyLog, maxRssBytes, percentileMs, round3 } from './lib/stats.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const DEFAULT_STATUSES = 12_550;

export interface StallResult {
  statuses: number;
  replyBytes: number;
  idle: Summary;
  during: Summary;
  bigCallMs: number[];
  loopDelayMs: { p99: number; max: number };
  upstreamPeakRss: number;
}

interface Summary {
  n: number;
  p50: number;
  p99: number;
  max: number;
}

function summarize(log: LatencyLog): Summary {
  const sorted = log.sorted();
  return { n: sorted.length, p50: percentileMs(sorted, 0.5), p99: percentileMs(sorted, 0.99), max: round3(sorted[sorted.length - 1] ?? 0) };
}

// ---------------------------------------------------------------------------------------------
// upstream: two daemon connections, one client each.

/** Takes the two daemons' websockets: path `/a/…` is A, `/b/…` is B. */
function acceptDaemons(listen: string): Promise<{ a: WebSocketStream; b: WebSocketStream }> {
  const [host, port] = listen.split(':') as [string, string];
  if (host !== '127.0.0.1') throw new UsageError('--listen: only 127.0.0.1 is allowed');
  const acceptor = new WebSocketAcceptor();
  const server = createServer((_req, res) => res.writeHead(426).end());
  const got: { a?: WebSocketStream; b?: WebSocketStream } = {};
  return new Promise((resolve, reject) => {
    server.on('upgrade', (req, socket, head) => {
      const which = req.url?.startsWith('/a/') ? 'a' : req.url?.startsWith('/b/') ? 'b' : undefined;
      if (which === undefined || got[which] !== undefined) {
        socket.destroy();
        return;
      }
      acceptor.upgrade(req, socket, head).then((stream) => {
        got[which] = stream;
        if (got.a && got.b) resolve({ a: got.a, b: got.b });
      }, reject);
    });
    server.once('error', reject);
    server.listen(Number(port), host, () => emit(`LISTEN ${host}:${(server.address() as AddressInfo).port}`));
  });
}

async function upstream(flags: Flags): Promise<number> {
  flags.only(['listen', 'expect', 'rounds', 'idle-ms']);
  const expect = flags.int('expect', DEFAULT_STATUSES);
  const rounds = flags.int('rounds', 3);
  const idleMs = flags.int('idle-ms', 2000);
  const { a, b } = await acceptDaemons(flags.string('listen', '127.0.0.1:0'));
  const fluxA = createFluxClient(11, a);
  const fluxB = createFluxClient(11, b);
  const ctx: CallContext = { signal: new AbortController().signal };
  emit('CONNECTED');

  const big = async (): Promise<number> => {
    const list = await fluxA.listServices(ctx, '');
    if (list?.length !== expect) throw new Error(`ListServices: want ${expect} statuses, got ${list?.length ?? 'null'}`);
    return encodeControllerStatusList(list.slice(0, 1)).length;
  };
  const pingWhile = async (log: LatencyLog, running: () => boolean): Promise<void> => {
    while (running()) {
      const start = performance.now();
      await fluxB.ping(ctx);
      if (running()) log.push(performance.now() - start);
    }
  };

  // Warm-up (not measured): the big call's code paths and B's.
  for (let i = 0; i < 200; i++) await fluxB.ping(ctx);
  await big();

  const idle = new LatencyLog();
  const idleUntil = performance.now() + idleMs;
  await pingWhile(idle, () => performance.now() < idleUntil);

  const during = new LatencyLog();
  const bigCallMs: number[] = [];
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  for (let r = 0; r < rounds; r++) {
    let done = false;
    const start = performance.now();
    const call = big().finally(() => {
      done = true;
      bigCallMs.push(round3(performance.now() - start));
    });
    await Promise.all([call, pingWhile(during, () => !done)]);
  }
  delay.disable();

  const result: Omit<StallResult, 'statuses' | 'replyBytes'> = {
    idle: summarize(idle),
    during: summarize(during),
    bigCallMs,
    loopDelayMs: { p99: round3(delay.percentile(99) / 1e6), max: round3(delay.max / 1e6) },
    upstreamPeakRss: maxRssBytes(),
  };
  emit(`RESULT ${JSON.stringify(result)}`);
  await Promise.all([closeQuietly(fluxA), closeQuietly(fluxB)]);
  return 0;
}

async function closeQuietly(flux: FluxClient): Promise<void> {
  await flux.close().catch(() => undefined);
}

// ---------------------------------------------------------------------------------------------
// orchestration: the statuses file, the three processes.

/** Runs the whole benchmark; resolves with its result. */
export async function runStall(options: { statuses?: number; rounds?: number; idleMs?: number } = {}): Promise<StallResult> {
  const n = options.statuses ?? DEFAULT_STATUSES;
  const file = join(tmpdir(), `fluxrpc-stall-${process.pid}.json`);
  const text = encodeControllerStatusList(manyStatuses(n));
  writeFileSync(file, text);
  const replyBytes = Buffer.byteLength(text);
  const node = process.execPath;
  const stall = `${root}dist/bench/stall.js`;
  const peer = `${root}dist/bench/flux-peer.js`;
  const box = 10 * 60_000;
  const up = new Peer('stall upstream', node, [stall, 'upstream', '--listen', '127.0.0.1:0', '--expect', String(n), '--rounds', String(options.rounds ?? 3), '--idle-ms', String(options.idleMs ?? 2000)], box);
  const daemons: Peer[] = [];
  try {
    const listen = await up.waitFor('LISTEN', 15_000);
    daemons.push(new Peer('daemon A', node, [peer, 'serve', '--transport', 'ws', '--dial', `ws://${listen}/a/v11/daemon`, '--statuses', file], box));
    daemons.push(new Peer('daemon B', node, [peer, 'serve', '--transport', 'ws', '--dial', `ws://${listen}/b/v11/daemon`], box));
    await up.waitFor('CONNECTED', 60_000);
    const result = JSON.parse(await up.waitFor('RESULT', box)) as Omit<StallResult, 'statuses' | 'replyBytes'>;
    await up.stop(10_000);
    return { statuses: n, replyBytes, ...result };
  } finally {
    up.kill('SIGKILL');
    for (const d of daemons) d.kill('SIGKILL');
    rmSync(file, { force: true });
  }
}

export function describeStall(r: StallResult): string {
  const s = (x: Summary) => `p50 ${x.p50} ms, p99 ${x.p99} ms, max ${x.max} ms (${x.n} pings)`;
  return [
    `reply ${(r.replyBytes / 1e6).toFixed(1)} MB (${r.statuses} statuses), big calls ${r.bigCallMs.join(' / ')} ms`,
    `  B's pings alone:          ${s(r.idle)}`,
    `  B's pings during A's big: ${s(r.during)}`,
    `  event loop delay during:  p99 ${r.loopDelayMs.p99} ms, max ${r.loopDelayMs.max} ms; upstream peak RSS ${(r.upstreamPeakRss / 1048576).toFixed(0)} MiB`,
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'upstream') return upstream(new Flags(argv.slice(1)));
  const flags = new Flags(argv);
  flags.only(['statuses', 'rounds', 'idle-ms']);
  const result = await runStall({ statuses: flags.int('statuses', DEFAULT_STATUSES), rounds: flags.int('rounds', 3), idleMs: flags.int('idle-ms', 2000) });
  console.log(describeStall(result));
  emit(`RESULT ${JSON.stringify(result)}`);
  return 0;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).then(
    (code) => {
      killAll();
      exitAfterFlush(code);
    },
    (e: unknown) => {
      killAll();
      process.stderr.write(`stall: ${e instanceof UsageError ? e.message : e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      exitAfterFlush(e instanceof UsageError ? 2 : 1);
    },
  );
}
