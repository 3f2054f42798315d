/**
 * The stall benchmark: does one daemon's 60 MB reply hold up the other tenants of an upstream?
 *
 * Three processes on loopback, as in a hub: an upstream (this file's `upstream` role: it takes the
 * daemons' connections, a `createFluxClient(11, …)` per daemon) and two daemons (the `daemon` role:
 * `serveFlux` over a mock implementation, separate processes). Daemon A serves ListServices with a
 * realistic 60 MB reply (12,550 workload statuses: the 50 of bench/fixtures/statuses-50.json
 * repeated with unique IDs, encoded by the model's encoders); daemon B is only pinged. The
 * connections are websockets (`--transport ws`, the default, as fluxd connects) or plain TCP
 * (`--transport tcp`: bytes reach the reader as the socket delivers them, without a websocket
 * library gathering each 60 MB message first).
 *
 * The upstream first pings B alone for `--idle-ms` (the baseline), then, `--rounds` times, calls
 * A's ListServices and pings B while that reply is sent, parsed and decoded. Pings go out on a fixed
 * schedule (one every `--ping-every-ms`, default 2), whatever is still in flight, and each one's
 * latency counts from when it was due: a stalled event loop delays every ping due meanwhile, as it
 * would delay every tenant's calls (pinging one at a time would let a stall hide behind the single
 * ping waiting through it). It reports the latency of B's pings due during A's calls (p50/p99/max),
 * the baseline, A's call times, the event loop's delay while it ran, and the upstream's peak RSS:
 *
 *   RESULT {"idle":{…},"during":{"n":…,"p50":…,"p99":…,"max":…},"bigCallMs":[…],"loopDelayMs":{…},…}
 *
 *   node dist/bench/stall.js [--transport ws|tcp] [--statuses N] [--rounds R] [--idle-ms MS]   (runs all three)
 *   node dist/bench/stall.js upstream --transport ws|tcp --expect N [--rounds R] [--idle-ms MS] [--ping-every-ms MS]
 *   node dist/bench/stall.js daemon --dial ws://127.0.0.1:P/a/v11/daemon|tcp://127.0.0.1:P [--statuses FILE]
 *
 * bench/run.ts runs it as `stall60MB`. It loads the machine for about half a minute.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { CallContext } from '../src/flux/api.js';
import { decodeControllerStatusList, encodeControllerStatusList } from '../src/flux/model/controller-status.js';
import { serveFlux } from '../src/flux/server.js';
import { createFluxClient, type FluxClient } from '../src/flux/versions/client.js';
import type { ByteStream } from '../src/transport/byte-stream.js';
import { WebSocketAcceptor, dialTcp, dialWebSocket, listenTcp } from '../src/transport/index.js';
import { MockDaemon } from '../test/fakes/mock-daemon.js';
import { manyStatuses } from '../test/fakes/statuses.js';
import { Peer, killAll } from './lib/children.js';
import { Flags, UsageError } from './lib/flags.js';
import { USER_AGENT, emit, exitAfterFlush } from './lib/peer-io.js';
import { LatencyLog, maxRssBytes, percentileMs, round3 } from './lib/stats.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const DEFAULT_STATUSES = 12_550;
const LOOPBACK = '127.0.0.1';

type Transport = 'ws' | 'tcp';

function transportFlag(flags: Flags): Transport {
  const t = flags.string('transport', 'ws');
  if (t !== 'ws' && t !== 'tcp') throw new UsageError(`--transport: ws or tcp, not ${JSON.stringify(t)}`);
  return t;
}

export interface StallResult {
  transport: Transport;
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

/**
 * Takes the two daemons' connections. Websocket: one HTTP server, path `/a/…` is A, `/b/…` is B
 * (prints `LISTEN ws://host:port`); TCP: one listener each (prints `LISTEN tcp://host:pa tcp://host:pb`).
 */
async function acceptDaemons(transport: Transport): Promise<{ a: ByteStream; b: ByteStream }> {
  const got: { a?: ByteStream; b?: ByteStream } = {};
  let resolve!: (v: { a: ByteStream; b: ByteStream }) => void;
  const both = new Promise<{ a: ByteStream; b: ByteStream }>((r) => (resolve = r));
  const take = (which: 'a' | 'b', stream: ByteStream) => {
    if (got[which] !== undefined) return stream.destroy();
    got[which] = stream;
    if (got.a && got.b) resolve({ a: got.a, b: got.b });
  };
  if (transport === 'tcp') {
    const address = (srv: { address(): unknown }) => `tcp://${LOOPBACK}:${(srv.address() as AddressInfo).port}`;
    const a = await listenTcp({ host: LOOPBACK, port: 0 }, (s) => take('a', s));
    const b = await listenTcp({ host: LOOPBACK, port: 0 }, (s) => take('b', s));
    emit(`LISTEN ${address(a)} ${address(b)}`);
    return both;
  }
  const acceptor = new WebSocketAcceptor();
  const server = createServer((_req, res) => res.writeHead(426).end());
  server.on('upgrade', (req, socket, head) => {
    const which = req.url?.startsWith('/a/') ? 'a' : req.url?.startsWith('/b/') ? 'b' : undefined;
    if (which === undefined) return socket.destroy();
    acceptor.upgrade(req, socket, head).then((stream) => take(which, stream), (e: Error) => process.stderr.write(`stall: upgrade: ${e.message}\n`));
  });
  await new Promise<void>((r) => server.listen(0, LOOPBACK, r));
  const { port } = server.address() as AddressInfo;
  emit(`LISTEN ws://${LOOPBACK}:${port}/a/v11/daemon ws://${LOOPBACK}:${port}/b/v11/daemon`);
  return both;
}

async function upstream(flags: Flags): Promise<number> {
  flags.only(['transport', 'expect', 'rounds', 'idle-ms', 'ping-every-ms']);
  const expect = flags.int('expect', DEFAULT_STATUSES);
  const everyMs = flags.int('ping-every-ms', 2);
  const rounds = flags.int('rounds', 3);
  const idleMs = flags.int('idle-ms', 2000);
  const { a, b } = await acceptDaemons(transportFlag(flags));
  const fluxA = createFluxClient(11, a);
  const fluxB = createFluxClient(11, b);
  const ctx: CallContext = { signal: new AbortController().signal };
  emit('CONNECTED');

  const big = async (): Promise<number> => {
    const list = await fluxA.listServices(ctx, '');
    if (list?.length !== expect) throw new Error(`ListServices: want ${expect} statuses, got ${list?.length ?? 'null'}`);
    return encodeControllerStatusList(list.slice(0, 1)).length;
  };
  /**
   * Pings B every `everyMs` until `endAt()` (a time, once known), each latency counted from when the
   * ping was due; pings due while the event loop was held are sent when it is free again (late).
   */
  const pingUntil = async (log: LatencyLog, endAt: () => number | undefined): Promise<void> => {
    const t0 = performance.now();
    const inFlight = new Set<Promise<void>>();
    for (let k = 0; ; ) {
      const end = endAt();
      const now = end ?? performance.now();
      for (; t0 + k * everyMs <= now; k++) {
        const due = t0 + k * everyMs;
        const ping = fluxB.ping(ctx).then(() => log.push(performance.now() - due));
        inFlight.add(ping);
        void ping.finally(() => inFlight.delete(ping));
      }
      if (end !== undefined) break;
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
    await Promise.all(inFlight);
  };

  // Warm-up (not measured): the big call's code paths and B's.
  for (let i = 0; i < 200; i++) await fluxB.ping(ctx);
  await big();

  const idle = new LatencyLog();
  const idleUntil = performance.now() + idleMs;
  await pingUntil(idle, () => (performance.now() >= idleUntil ? idleUntil : undefined));

  const during = new LatencyLog();
  const bigCallMs: number[] = [];
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  for (let r = 0; r < rounds; r++) {
    let doneAt: number | undefined;
    const start = performance.now();
    const call = big().finally(() => {
      doneAt = performance.now();
      bigCallMs.push(round3(doneAt - start));
    });
    await Promise.all([call, pingUntil(during, () => doneAt)]);
  }
  delay.disable();

  const result: Omit<StallResult, 'transport' | 'statuses' | 'replyBytes'> = {
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
// daemon: serves the Flux API; ListServices answers the statuses of --statuses (decoded once).

async function daemon(flags: Flags): Promise<number> {
  flags.only(['dial', 'statuses']);
  const dial = flags.string('dial', '');
  const file = flags.string('statuses', '');
  const impl = new MockDaemon();
  impl.listServicesAnswer = file === '' ? [] : decodeControllerStatusList(JSON.parse(readFileSync(file, 'utf8')));
  const tcp = /^tcp:\/\/127\.0\.0\.1:(\d+)$/.exec(dial);
  if (!tcp && !/^ws:\/\/127\.0\.0\.1:\d+\//.test(dial)) throw new UsageError('--dial: ws://127.0.0.1:PORT/path or tcp://127.0.0.1:PORT');
  const stream: ByteStream = tcp ? await dialTcp({ host: LOOPBACK, port: Number(tcp[1]) }) : await dialWebSocket(dial, { headers: { 'User-Agent': USER_AGENT } });
  emit('CONNECTED');
  await serveFlux(impl, stream, { rpcTimeoutMs: 60_000 }).done;
  return 0;
}

// ---------------------------------------------------------------------------------------------
// orchestration: the statuses file, the three processes.

/** Runs the whole benchmark; resolves with its result. */
export async function runStall(options: { transport?: Transport; statuses?: number; rounds?: number; idleMs?: number } = {}): Promise<StallResult> {
  const transport = options.transport ?? 'ws';
  const n = options.statuses ?? DEFAULT_STATUSES;
  const file = join(tmpdir(), `fluxrpc-stall-${process.pid}.json`);
  const text = encodeControllerStatusList(manyStatuses(n));
  writeFileSync(file, text);
  const replyBytes = Buffer.byteLength(text);
  const node = process.execPath;
  const stall = `${root}dist/bench/stall.js`;
  const box = 10 * 60_000;
  // BENCH_TS_NODE_ARGS (as for bench/run.ts), e.g. "--trace-gc" or "--cpu-prof", apply to the upstream.
  const nodeArgs = (process.env['BENCH_TS_NODE_ARGS'] ?? '').split(/\s+/).filter(Boolean);
  const upArgs = ['upstream', '--transport', transport, '--expect', String(n), '--rounds', String(options.rounds ?? 3), '--idle-ms', String(options.idleMs ?? 2000)];
  const up = new Peer('stall upstream', node, [...nodeArgs, stall, ...upArgs], box);
  const daemons: Peer[] = [];
  try {
    const [dialA, dialB] = (await up.waitFor('LISTEN', 15_000)).split(' ') as [string, string];
    daemons.push(new Peer('daemon A', node, [stall, 'daemon', '--dial', dialA, '--statuses', file], box));
    daemons.push(new Peer('daemon B', node, [stall, 'daemon', '--dial', dialB], box));
    await up.waitFor('CONNECTED', 60_000);
    const result = JSON.parse(await up.waitFor('RESULT', box)) as Omit<StallResult, 'transport' | 'statuses' | 'replyBytes'>;
    await up.stop(10_000);
    return { transport, statuses: n, replyBytes, ...result };
  } finally {
    up.kill('SIGKILL');
    for (const d of daemons) d.kill('SIGKILL');
    rmSync(file, { force: true });
  }
}

export function describeStall(r: StallResult): string {
  const s = (x: Summary) => `p50 ${x.p50} ms, p99 ${x.p99} ms, max ${x.max} ms (${x.n} pings)`;
  return [
    `${r.transport}: reply ${(r.replyBytes / 1e6).toFixed(1)} MB (${r.statuses} statuses), big calls ${r.bigCallMs.join(' / ')} ms`,
    `  B's pings alone:          ${s(r.idle)}`,
    `  B's pings during A's big: ${s(r.during)}`,
    `  event loop delay during:  p99 ${r.loopDelayMs.p99} ms, max ${r.loopDelayMs.max} ms; upstream peak RSS ${(r.upstreamPeakRss / 1048576).toFixed(0)} MiB`,
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'upstream') return upstream(new Flags(argv.slice(1)));
  if (argv[0] === 'daemon') return daemon(new Flags(argv.slice(1)));
  const flags = new Flags(argv);
  flags.only(['transport', 'statuses', 'rounds', 'idle-ms']);
  const result = await runStall({ transport: transportFlag(flags), statuses: flags.int('statuses', DEFAULT_STATUSES), rounds: flags.int('rounds', 3), idleMs: flags.int('idle-ms', 2000) });
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
