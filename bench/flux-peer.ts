/**
 * The Flux API layer's bench peer: the TypeScript twin of test/interop/go/cmd/fluxbench (same CLI,
 * same stdout lines as it and as ts-peer/rpcpeer), so bench/run.ts drives either stack the same way:
 *
 *   flux-peer serve  --transport ws --dial ws://127.0.0.1:PORT/path [--report-rss] [--statuses FILE]
 *                    [--token T] [--export-bytes N]
 *     daemon role: dials, serves the Flux API (`serveFlux`, union replies, 10 s RPC timeout) with a
 *     DaemonImplementation whose ListServices returns the statuses of FILE (default
 *     bench/fixtures/statuses-50.json), decoded ONCE into model values at start: every call
 *     re-encodes them through the model's encoders (as Go's daemon json.Marshals its structs each
 *     call). Prints CONNECTED, then RSS <bytes> (with --report-rss) and SERVE_END when the
 *     connection ends, or RSS on SIGTERM/SIGINT. `--token` sends the hub's token header (for a
 *     fluxrpc hub: bench/cluster.ts); `--export-bytes N` serves Export with N random bytes.
 *   flux-peer client --transport ws --listen 127.0.0.1:0 --scenario bench [--method listServices]
 *                    --inflight K --duration-ms D [--warmup-ms W] [--n 50] [--statuses FILE]
 *     upstream role: prints LISTEN host:port, takes one websocket, and with `createFluxClient(11, …)`
 *     keeps exactly K `listServices(ctx, "")` calls in flight for W+D ms (each reply decoded into
 *     model values by the client; a reply without exactly n entries is an error). The first reply
 *     is checked afterwards against FILE (re-encoded, it must be FILE's text; a mismatch is an
 *     error). Prints RESULT <json> (the Go peers' fields) and closes with 1000.
 *
 * Exit status: 0 on success, 1 on set-up failures (after an ERROR line), 2 on usage errors.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { DaemonImplementation } from '../src/flux/api.js';
import { decodeControllerStatusList, encodeControllerStatusList, type ControllerStatus } from '../src/flux/model/controller-status.js';
import { FatalError } from '../src/flux/model/fatal-error.js';
import { FluxError } from '../src/flux/model/flux-error.js';
import { serveFlux } from '../src/flux/server.js';
import { createFluxClient } from '../src/flux/versions/client.js';
import { ServerError } from '../src/rpc/index.js';
import { type WebSocketStream, dialWebSocket } from '../src/transport/index.js';
import { Flags, UsageError } from './lib/flags.js';
import { runBenchLoop } from './lib/loop.js';
import { LOOPBACK, USER_AGENT, acceptOne, benchWindowFlags, checkDialUrl, emit, exitOnSignals, runPeer, type BenchWindow } from './lib/peer-io.js';
import { maxRssBytes } from './lib/stats.js';

const DEFAULT_FIXTURE = new URL('../../bench/fixtures/statuses-50.json', import.meta.url).pathname;
const RPC_TIMEOUT_MS = 10_000;

/** The fixture: its text as Go's json.Marshal wrote it, and that text decoded into model values. */
function loadStatuses(path: string): { text: string; statuses: readonly ControllerStatus[] } {
  const text = readFileSync(path, 'utf8').trim();
  const statuses = decodeControllerStatusList(JSON.parse(text));
  if (statuses === null) throw new UsageError(`--statuses ${path}: null`);
  return { text, statuses };
}

// ---------------------------------------------------------------------------------------------
// serve: the daemon role.

/** Only ListServices (and ListServicesWithOptions) is served; everything else is an internal error. */
function benchDaemon(statuses: readonly ControllerStatus[], exported: Uint8Array | undefined): DaemonImplementation {
  const notServed = (name: string) => () => Promise.reject(new Error(`${name}: not served by the bench daemon`));
  return {
    ping: async () => {},
    version: async () => 'fluxrpc-bench',
    export: exported === undefined ? notServed('Export') : async () => exported,
    listServices: async () => statuses,
    listServicesWithOptions: async () => statuses,
    listImages: notServed('ListImages'),
    listImagesWithOptions: notServed('ListImagesWithOptions'),
    updateManifests: notServed('UpdateManifests'),
    notifyChange: notServed('NotifyChange'),
    jobStatus: notServed('JobStatus'),
    syncStatus: notServed('SyncStatus'),
    gitRepoConfig: notServed('GitRepoConfig'),
  };
}

async function serve(flags: Flags): Promise<number> {
  flags.only(['transport', 'dial', 'report-rss', 'statuses', 'token', 'export-bytes']);
  if (flags.string('transport', 'tcp') !== 'ws') throw new UsageError('serve: only --transport ws is implemented');
  const dial = flags.string('dial', '');
  checkDialUrl('serve', dial);
  const reportRss = flags.has('report-rss');

  // Decoded once; the server encodes these model values on every call (no cached text).
  const { text, statuses } = loadStatuses(flags.string('statuses', DEFAULT_FIXTURE));
  if (encodeControllerStatusList(statuses) !== text) process.stderr.write('flux-peer: warning: the fixture does not re-encode to its own text\n');
  exitOnSignals(reportRss, maxRssBytes);
  let stream: WebSocketStream;
  try {
    const token = flags.string('token', '');
    stream = await dialWebSocket(dial, { headers: { 'User-Agent': USER_AGENT, ...(token ? { Authorization: `Scope-Probe token=${token}` } : {}) } });
  } catch (e) {
    emit(`ERROR ${(e as Error).message}`);
    return 1;
  }
  emit('CONNECTED');
  const exportBytes = flags.int('export-bytes', 0);
  await serveFlux(benchDaemon(statuses, exportBytes > 0 ? randomBytes(exportBytes) : undefined), stream, {
    rpcTimeoutMs: RPC_TIMEOUT_MS,
    onError: (e, method) => process.stderr.write(`flux-peer: ${method}: ${e.message}\n`),
    onConnectionError: (e) => process.stderr.write(`flux-peer: connection: ${e.message}\n`),
  }).done;
  if (reportRss) emit(`RSS ${maxRssBytes()}`);
  emit('SERVE_END');
  return 0;
}

// ---------------------------------------------------------------------------------------------
// client: the upstream role.

interface BenchOptions extends BenchWindow {
  n: number;
  statuses: string;
}

function benchOptions(flags: Flags): BenchOptions {
  const window = benchWindowFlags(flags, ['n', 'statuses']);
  const method = flags.string('method', 'listServices');
  if (method !== 'listServices') throw new UsageError(`bench: unknown --method ${JSON.stringify(method)}`);
  const o: BenchOptions = {
    ...window,
    n: flags.int('n', 50),
    statuses: flags.string('statuses', DEFAULT_FIXTURE),
  };
  if (o.n < 0) throw new UsageError('bench: --n must not be negative');
  return o;
}

async function client(flags: Flags): Promise<number> {
  const o = benchOptions(flags);
  const fixture = loadStatuses(o.statuses);
  let stream: WebSocketStream;
  try {
    stream = await acceptOne(flags.string('listen', `${LOOPBACK}:0`), 'flux-peer');
  } catch (e) {
    if (e instanceof UsageError) throw e;
    emit(`ERROR ${(e as Error).message}`);
    return 1;
  }
  const flux = createFluxClient(11, stream);
  const ctx = { signal: new AbortController().signal };
  let first: readonly ControllerStatus[] | undefined;
  const result = await runBenchLoop(
    { method: 'listServices', inflight: o.inflight, durationMs: o.durationMs, warmupMs: o.warmupMs },
    {
      call: async () => {
        const list = await flux.listServices(ctx, '');
        if (list === null || list.length !== o.n) throw new Error(`listServices: want ${o.n} entries, got ${list === null ? 'null' : list.length}`);
        first ??= list;
      },
      // FatalError: the connection is unusable (the client has closed it).
      isFatal: (e) => e instanceof FatalError,
      isServerError: (e) => e instanceof ServerError || e instanceof FluxError,
    },
  );
  // Off the clock: the first reply, re-encoded, must be the fixture's text (Go's marshalling).
  if (first !== undefined && encodeControllerStatusList(first) !== fixture.text) {
    result.errors++;
    result.firstError ??= { error: 'listServices: the reply differs from the fixture', serverError: false };
  }
  emit(`RESULT ${JSON.stringify(result)}`);
  await flux.close(); // close 1000 "ok"
  await Promise.race([stream.closed, new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
  return 0;
}

// ---------------------------------------------------------------------------------------------

runPeer('flux-peer', { serve, client });
