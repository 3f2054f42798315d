/**
 * The TypeScript twin of the Go peer's bench roles (test/interop/go/cmd/rpcpeer), same CLI, same
 * stdout lines, so bench/run.ts can drive either stack the same way:
 *
 *   ts-peer serve  --transport ws --dial ws://127.0.0.1:PORT/path [--report-rss]
 *     daemon role: dials, serves the "Test" service; prints CONNECTED, then RSS <bytes> (with
 *     --report-rss) and SERVE_END when the connection ends, or RSS on SIGTERM/SIGINT.
 *   ts-peer client --transport ws --listen 127.0.0.1:0 --scenario bench --method statuses|blob|echo
 *                  --inflight K --duration-ms D [--warmup-ms W] [--n 50] [--bytes N]
 *     upstream role: prints LISTEN host:port, takes one websocket, keeps exactly K calls in flight
 *     for W+D ms, prints RESULT <json> (the Go peer's fields) and closes with 1000. echo calls
 *     Test.Echo("ping") (the smallest useful call); a reply other than "ping" is an error.
 *
 * Exit status: 0 on success, 1 on set-up failures (after an ERROR line), 2 on usage errors.
 */
import { readFileSync } from 'node:fs';
import { Client, Server, ServerError } from '../src/rpc/index.js';
import { type WebSocketStream, dialWebSocket } from '../src/transport/index.js';
import { testService } from '../test/fakes/test-service.js';
import { Flags, UsageError } from './lib/flags.js';
import { runBenchLoop, type LoopResult } from './lib/loop.js';
import { LOOPBACK, USER_AGENT, acceptOne, benchWindowFlags, checkDialUrl, emit, exitOnSignals, runPeer, type BenchWindow } from './lib/peer-io.js';
import { maxRssBytes } from './lib/stats.js';

const MAX_STATUSES = 50;
/** What the echo bench sends and expects back (rpcpeer's echoText). */
const ECHO_TEXT = 'ping';
const FIXTURE = new URL('../../bench/fixtures/statuses-50.json', import.meta.url);

// ---------------------------------------------------------------------------------------------
// serve: the daemon role.

async function serve(flags: Flags): Promise<number> {
  flags.only(['transport', 'dial', 'report-rss']);
  if (flags.string('transport', 'tcp') !== 'ws') throw new UsageError('serve: only --transport ws is implemented');
  const dial = flags.string('dial', '');
  checkDialUrl('serve', dial);
  const reportRss = flags.has('report-rss');

  // Parsed once; the server encodes these objects on every call (no cached text).
  const statuses = JSON.parse(readFileSync(FIXTURE, 'utf8')) as unknown[];
  const server = new Server().register('Test', testService({ statuses }));
  exitOnSignals(reportRss, maxRssBytes);
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

interface BenchOptions extends BenchWindow {
  method: 'statuses' | 'blob' | 'echo';
  n: number;
  bytes: number;
}

function benchOptions(flags: Flags): BenchOptions {
  const window = benchWindowFlags(flags, ['n', 'bytes']);
  const method = flags.string('method', '');
  if (method !== 'statuses' && method !== 'blob' && method !== 'echo') throw new UsageError(`bench: unknown --method ${JSON.stringify(method)}`);
  const o: BenchOptions = {
    ...window,
    method,
    n: flags.int('n', 50),
    bytes: flags.int('bytes', 1 << 20),
  };
  if (o.method === 'statuses' && (o.n < 0 || o.n > MAX_STATUSES)) throw new UsageError(`bench: --n must be at most ${MAX_STATUSES}`);
  return o;
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

function checkEcho(result: unknown): string {
  if (result !== ECHO_TEXT) throw new Error(`echo: want ${JSON.stringify(ECHO_TEXT)}, got ${JSON.stringify(result)}`);
  return result;
}

/** Keeps exactly `inflight` calls outstanding (bench/lib/loop.ts, as rpcpeer's runBench). */
function runBench(client: Client, o: BenchOptions): Promise<LoopResult> {
  const calls = {
    statuses: () => client.call('Test.Statuses', o.n, { decode: checkStatuses(o.n) }),
    blob: () => client.call('Test.Blob', o.bytes, { decode: checkBlob(o.bytes) }),
    echo: () => client.call('Test.Echo', ECHO_TEXT, { decode: checkEcho }),
  };
  const call = calls[o.method];
  return runBenchLoop(
    { method: o.method, inflight: o.inflight, durationMs: o.durationMs, warmupMs: o.warmupMs, secondsPerCall: o.method === 'blob' },
    {
      call,
      isFatal: (e) => !(e instanceof ServerError), // the connection is gone
      isServerError: (e) => e instanceof ServerError,
    },
  );
}

async function client(flags: Flags): Promise<number> {
  const options = benchOptions(flags);
  let stream: WebSocketStream;
  try {
    stream = await acceptOne(flags.string('listen', `${LOOPBACK}:0`), 'ts-peer');
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

runPeer('ts-peer', { serve, client });
