/**
 * The TypeScript twin of the Go peer's bench roles (test/interop/go/cmd/rpcpeer), same CLI, same
 * stdout lines, so bench/run.ts can drive either stack the same way:
 *
 *   ts-peer serve  --transport ws --dial ws://127.0.0.1:PORT/path [--report-rss]
 *     daemon role: dials, serves the "Test" service; prints CONNECTED, then RSS <bytes> (with
 *     --report-rss) and SERVE_END when the connection ends, or RSS on SIGTERM/SIGINT.
 *   ts-peer client --transport ws --listen 127.0.0.1:0 --scenario bench --method statuses|blob
 *                  --inflight K --duration-ms D [--warmup-ms W] [--n 50] [--bytes N]
 *     upstream role: prints LISTEN host:port, takes one websocket, keeps exactly K calls in flight
 *     for W+D ms, prints RESULT <json> (the Go peer's fields) and closes with 1000.
 *
 * Exit status: 0 on success, 1 on set-up failures (after an ERROR line), 2 on usage errors.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client, Server, ServerError } from '../src/rpc/index.js';
import { WebSocketAcceptor, type WebSocketStream, dialWebSocket } from '../src/transport/index.js';
import { testService } from '../test/fakes/test-service.js';
import { Flags, UsageError } from './lib/flags.js';
import { LatencyLog, maxRssBytes, percentileMs, round3 } from './lib/stats.js';

const LOOPBACK = '127.0.0.1';
const USER_AGENT = 'fluxd/test';
const MAX_STATUSES = 50;
const FIXTURE = new URL('../../bench/fixtures/statuses-50.json', import.meta.url);

function emit(line: string): void {
  process.stdout.write(line + '\n');
}

function exitAfterFlush(code: number): void {
  process.stdout.write('', () => process.exit(code));
}

// ---------------------------------------------------------------------------------------------
// serve: the daemon role.

async function serve(flags: Flags): Promise<number> {
  flags.only(['transport', 'dial', 'report-rss']);
  if (flags.string('transport', 'tcp') !== 'ws') throw new UsageError('serve: only --transport ws is implemented');
  const dial = flags.string('dial', '');
  const url = new URL(dial);
  if (url.protocol !== 'ws:' || url.hostname !== LOOPBACK) throw new UsageError(`serve: --dial ${dial}: must be ws://${LOOPBACK}:PORT/path`);
  const reportRss = flags.has('report-rss');

  // Parsed once; the server encodes these objects on every call (no cached text).
  const statuses = JSON.parse(readFileSync(FIXTURE, 'utf8')) as unknown[];
  const server = new Server().register('Test', testService({ statuses }));
  for (const sig of ['SIGTERM', 'SIGINT'] as const) {
    process.once(sig, () => {
      if (reportRss) emit(`RSS ${maxRssBytes()}`);
      exitAfterFlush(0);
    });
  }
  let stream: WebSocketStream;
  try {
    stream = await dialWebSocket(dial, { headers: { 'User-Agent': USER_AGENT } });
  } catch (e) {
    emit(`ERROR ${(e as Error).message}`);
    return 1;
  }
  emit('CONNECTED');
  await server.serve(stream).done;
  if (reportRss) emit(`RSS ${maxRssBytes()}`);
  emit('SERVE_END');
  return 0;
}

// ---------------------------------------------------------------------------------------------
// client: the upstream role.

interface BenchOptions {
  method: 'statuses' | 'blob';
  inflight: number;
  durationMs: number;
  warmupMs: number;
  n: number;
  bytes: number;
}

function benchOptions(flags: Flags): BenchOptions {
  flags.only(['transport', 'listen', 'scenario', 'method', 'inflight', 'duration-ms', 'warmup-ms', 'n', 'bytes']);
  if (flags.string('transport', 'tcp') !== 'ws') throw new UsageError('client: only --transport ws is implemented');
  if (flags.string('scenario', '') !== 'bench') throw new UsageError('client: only --scenario bench is implemented');
  const method = flags.string('method', '');
  if (method !== 'statuses' && method !== 'blob') throw new UsageError(`bench: unknown --method ${JSON.stringify(method)}`);
  const o: BenchOptions = {
    method,
    inflight: flags.int('inflight', 1),
    durationMs: flags.int('duration-ms', 3000),
    warmupMs: flags.int('warmup-ms', 0),
    n: flags.int('n', 50),
    bytes: flags.int('bytes', 1 << 20),
  };
  if (o.method === 'statuses' && (o.n < 0 || o.n > MAX_STATUSES)) throw new UsageError(`bench: --n must be at most ${MAX_STATUSES}`);
  if (o.inflight < 1) throw new UsageError('bench: --inflight must be at least 1');
  if (o.durationMs < 1) throw new UsageError('bench: --duration-ms must be at least 1');
  return o;
}

/** Waits for the first websocket upgrade on 127.0.0.1; later ones get 409, as the Go peer does. */
function acceptOne(listen: string): Promise<WebSocketStream> {
  const m = /^127\.0\.0\.1:(\d+)$/.exec(listen);
  if (!m) throw new UsageError(`client: --listen ${listen}: only ${LOOPBACK} is allowed`);
  const acceptor = new WebSocketAcceptor();
  const http = createServer((_req, res) => res.writeHead(426).end('websocket only\n'));
  let taken = false;
  return new Promise((resolve, reject) => {
    http.on('upgrade', (req, socket, head) => {
      if (taken) {
        socket.end('HTTP/1.1 409 Conflict\r\nContent-Length: 18\r\nConnection: close\r\n\r\nalready connected\n');
        return;
      }
      taken = true;
      acceptor.upgrade(req, socket, head).then(resolve, (e: Error) => {
        taken = false;
        process.stderr.write(`ts-peer: upgrade: ${e.message}\n`);
      });
    });
    http.once('error', reject);
    http.listen(Number(m[1]), LOOPBACK, () => {
      const addr = http.address() as AddressInfo;
      emit(`LISTEN ${addr.address}:${addr.port}`);
    });
  });
}

function checkStatuses(n: number): (result: unknown) => unknown[] {
  return (result) => {
    if (!Array.isArray(result) || result.length !== n) throw new Error(`statuses: want ${n} entries, got ${Array.isArray(result) ? result.length : typeof result}`);
    return result;
  };
}

function checkBlob(bytes: number): (result: unknown) => string {
  return (result) => {
    if (typeof result !== 'string' || result.length !== bytes) throw new Error(`blob: want a string of ${bytes} bytes`);
    return result;
  };
}

/**
 * Keeps exactly `inflight` calls outstanding for warmup+duration; calls that complete inside the
 * measured window [start+warmup, start+warmup+duration] are counted (as rpcpeer's runBench).
 */
async function runBench(client: Client, o: BenchOptions): Promise<Record<string, unknown>> {
  const call =
    o.method === 'statuses'
      ? () => client.call('Test.Statuses', o.n, { decode: checkStatuses(o.n) })
      : () => client.call('Test.Blob', o.bytes, { decode: checkBlob(o.bytes) });
  const latencies = new LatencyLog();
  let errors = 0;
  let firstError: Error | undefined;
  const start = process.hrtime.bigint();
  const measureFrom = start + BigInt(o.warmupMs) * 1_000_000n;
  const measureTo = measureFrom + BigInt(o.durationMs) * 1_000_000n;

  const loop = async (): Promise<void> => {
    for (;;) {
      const t0 = process.hrtime.bigint();
      if (t0 >= measureTo) return;
      let err: Error | undefined;
      try {
        await call();
      } catch (e) {
        err = e as Error;
      }
      const t1 = process.hrtime.bigint();
      if (err) {
        errors++;
        firstError ??= err;
        if (!(err instanceof ServerError)) return; // the connection is gone
      } else if (t1 >= measureFrom && t1 <= measureTo) {
        latencies.push(Number(t1 - t0) / 1e6);
      }
    }
  };
  await Promise.all(Array.from({ length: o.inflight }, loop));

  const seconds = o.durationMs / 1000;
  const calls = latencies.length;
  const sorted = latencies.sorted();
  return {
    method: o.method,
    inflight: o.inflight,
    calls,
    seconds,
    callsPerSec: round3(calls / seconds),
    ...(o.method === 'blob' ? { secondsPerCall: calls > 0 ? seconds / calls : 0 } : {}),
    p50ms: percentileMs(sorted, 0.5),
    p99ms: percentileMs(sorted, 0.99),
    maxRssBytes: maxRssBytes(),
    errors,
    ...(firstError ? { firstError: { error: firstError.message, serverError: firstError instanceof ServerError } } : {}),
  };
}

async function client(flags: Flags): Promise<number> {
  const options = benchOptions(flags);
  let stream: WebSocketStream;
  try {
    stream = await acceptOne(flags.string('listen', `${LOOPBACK}:0`));
  } catch (e) {
    if (e instanceof UsageError) throw e;
    emit(`ERROR ${(e as Error).message}`);
    return 1;
  }
  const rpc = new Client(stream);
  emit(`RESULT ${JSON.stringify(await runBench(rpc, options))}`);
  await rpc.close(); // close 1000 "ok"
  await Promise.race([stream.closed, new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
  return 0;
}

// ---------------------------------------------------------------------------------------------

async function main(args: string[]): Promise<number> {
  const [command, ...rest] = args;
  try {
    if (command === 'serve') return await serve(new Flags(rest, ['report-rss']));
    if (command === 'client') return await client(new Flags(rest));
    throw new UsageError(command === undefined ? 'missing command' : `unknown command ${JSON.stringify(command)}`);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`ts-peer: ${e.message}\n`);
    return 2;
  }
}

main(process.argv.slice(2)).then(exitAfterFlush, (e: unknown) => {
  process.stderr.write(`ts-peer: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  exitAfterFlush(1);
});
