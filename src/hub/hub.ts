/**
 * The hub: the upstream end of Flux's dial-out (docs/wire.md §8), with the Flux HTTP API in front.
 * The `Hub` class composes the parts, each in its own module, and routes each request to one:
 *
 * - `GET <base>/v6/daemon` … `<base>/v11/daemon` (base `""` or `/api/flux`) with a websocket
 *   upgrade: a daemon registering (registration.ts), which also answers every other request on the
 *   upgrade path as plain HTTP/1.1.
 * - `<base>/v…/…`: the Flux HTTP API (every fluxctl route, src/http), for the instance named by the
 *   caller's token, through the registry (call timeout, unavailable when no daemon is connected).
 * - `POST <base>/v6/events`: a daemon's events, kept per instance; `GET <base>/v6/events` lists
 *   them, newest first (event-routes.ts).
 * - `/` status page, `/metrics` (Prometheus), `/healthz` (ops-routes.ts).
 * - the request hook (`requestHook`: the dashboard) before all of these.
 *
 * Tokens are looked up in constant time (auth.ts) and never logged; the tokens file, if given, is
 * watched and reloaded (token-reload.ts, `setTokens`). Logs are JSON lines; refusals (401, 503, bad
 * registrations) are throttled to one line per second per kind (the dashboard's apart from the
 * API's), and every one is counted (request-log.ts, registration.ts). In cluster mode (`listen()`
 * with the `cluster` option) the fleet, its APIs and its events are the cluster's (fleet-view.ts).
 *
 * Memory: every request body the hub buffers (API calls, events) is charged to one `ByteBudget`
 * (`maxBufferedBytes`, default 256 MiB); a body that does not fit is answered 503 with
 * `Retry-After`, never buffered. The same budget is handed to `createClient` for the daemon
 * connections: the default client charges what each holds of a reply not yet complete and stops
 * reading from a daemon while the budget is exceeded (see `HubOptions.createClient`).
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { FluxApi, ProtocolVersion } from '../flux/api.js';
import { DEFAULT_MAX_VALUE_BYTES, DEFAULT_MAX_VALUE_ELEMENTS } from '../codec/json-splitter.js';
import { createFluxHttpHandler } from '../http/api-handler.js';
import { UnauthorizedError } from '../http/errors.js';
import { writeError } from '../http/respond.js';
import { WebSocketAcceptor, type AcceptOptions } from '../transport/websocket.js';
import { ByteBudget } from '../runtime/budget.js';
import { silentLogger, type Logger } from '../runtime/log.js';
import { text } from './answers.js';
import { TokenAuth } from './auth.js';
import type { Cluster, ClusterOptions } from './cluster/cluster.js';
import { EventRoutes, EVENTS_ROUTE } from './event-routes.js';
import { EventStore, type EventLog } from './events.js';
import { FleetView, type ClusterStartHook, type FleetStatus } from './fleet-view.js';
import { LogThrottle } from './log-throttle.js';
import { hubMetrics, type HubMetrics } from './metrics.js';
import { OpsRoutes } from './ops-routes.js';
import { badHandshake, DaemonRegistration, type CreateDaemonClient, type DaemonClientOptions } from './registration.js';
import { DaemonRegistry } from './registry.js';
import { rememberInstance, RequestLog, type Answerer } from './request-log.js';
import { pathOf } from './request-path.js';
import { HubTokens } from './token-reload.js';

export { DEFAULT_MAX_EVENT_BYTES } from './event-routes.js';
export { requestPath } from './request-path.js';
export type { ClusterStartHook, FleetStatus } from './fleet-view.js';
export type { DaemonClientOptions } from './registration.js';

export const API_BASE = '/api/flux';

/**
 * The default budget of buffered bytes: 256 MiB, room for eight request bodies of the largest
 * size accepted (32 MiB) at once, or thousands of ordinary ones.
 */
export const DEFAULT_MAX_BUFFERED_BYTES = 256 * 1024 * 1024;

export interface HubOptions {
  /** token → instance ID. */
  tokens: ReadonlyMap<string, string>;
  /**
   * The file `tokens` came from: watched, and reloaded when it changes (after `tokenReloadDebounceMs`
   * of quiet, default 250 ms). An invalid new file is logged and the tokens in use stay.
   */
  tokensFile?: string;
  tokenReloadDebounceMs?: number;
  /** Upper bound of each call to a daemon (default 10 s). */
  callTimeoutMs?: number;
  /** Registrations on older routes are refused with 410 Gone (default 6: none). */
  minProtocol?: ProtocolVersion;
  /** Events kept per instance (default 100). */
  eventCapacity?: number;
  /** Bytes of events kept for all instances together (default 64 MiB). */
  maxEventStoreBytes?: number;
  /** Largest event body accepted, in bytes (default 64 KiB); a larger one is answered 413. */
  maxEventBytes?: number;
  /** Largest API request body accepted, in bytes (default 32 MiB); a larger one is answered 413. */
  maxBodyBytes?: number;
  /**
   * Budget of bytes the hub buffers for all connections together (default 256 MiB): API and event
   * request bodies (a body beyond it is answered 503 with `Retry-After`) and what daemon
   * connections hold of replies not yet complete (see `createClient`). Ignored when `budget` is given.
   */
  maxBufferedBytes?: number;
  /** A budget shared with more than this hub (default: one of `maxBufferedBytes`). */
  budget?: ByteBudget;
  /**
   * The most bytes one reply from a daemon may take (default 64 MiB, `DEFAULT_MAX_VALUE_BYTES`): a
   * daemon whose reply is larger loses its connection (`FLUXRPC_ERR_OVERSIZE`) and the call gets
   * Flux's "unavailable" error; other daemons are not affected.
   */
  maxValueBytes?: number;
  /**
   * The most JSON elements (`{`, `[`, `,` outside strings) in one reply from a daemon (default
   * 4,194,304, `DEFAULT_MAX_VALUE_ELEMENTS`); more costs that daemon its connection likewise
   * (`FLUXRPC_ERR_TOO_MANY_ELEMENTS`).
   */
  maxValueElements?: number;
  /** `Retry-After` of a 503 for the budget (default 5 s). */
  retryAfterSeconds?: number;
  /** Interval of the log throttle for refusals (default 1 s). */
  logIntervalMs?: number;
  logger?: Logger;
  /** Websocket options (heartbeat, sizes), for tests. */
  websocket?: AcceptOptions;
  /**
   * Cluster mode: replicas sharing a NATS (JetStream) system (src/hub/cluster). Set up by
   * `listen()`; without it nothing of NATS is loaded.
   */
  cluster?: ClusterOptions;
  /**
   * The RPC client made for a daemon's websocket (default `createFluxClient` with the hub's
   * budget: what a connection holds of a reply not yet complete is charged to it, and reading from
   * that daemon stops while the budget is exceeded, so several daemons sending large replies at
   * once take it beyond its limit by about one socket read each; each reply is also bounded by
   * `maxValueBytes` and `maxValueElements`, handed over in `DaemonClientOptions`).
   */
  createClient?: CreateDaemonClient;
  /** More series for `/metrics` (a prom-client `Registry`: the notifier's), appended to the hub's. */
  extraMetrics?: { metrics(): Promise<string> };
}

/**
 * Runs before the hub's own routes (the dashboard mounts itself here, `hub.requestHook = …`);
 * resolves true when it answered the request, false to leave it to the hub.
 */
export type RequestHook = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

export interface ListenAddress {
  host: string;
  port: number;
  /** `http://host:port`. */
  url: string;
}

export class Hub {
  readonly server: http.Server;
  readonly registry: DaemonRegistry;
  readonly events: EventStore;
  readonly metrics: HubMetrics;
  /** What request bodies and daemon connections (replies not yet complete) hold, for all of them together. */
  readonly budget: ByteBudget;
  readonly startedAt = new Date();
  /** See `RequestHook`. */
  requestHook: RequestHook | undefined;
  /**
   * The hub's events in either mode: this process's store, or the cluster's stream once `listen()`
   * has joined it (the dashboard reads and records events here, and subscribes to them).
   */
  readonly eventLog: EventLog;
  private readonly tokens: HubTokens;
  private readonly log: Logger;
  private readonly apiHandlers: ((req: IncomingMessage, res: ServerResponse) => Promise<boolean>)[];
  private readonly sockets = new Set<Socket>();
  private readonly stopWatching: (() => void) | undefined;
  /** What each daemon connection's client is made with. */
  private readonly clientOptions: DaemonClientOptions;
  /** The fleet in the mode in force: this process alone, or the cluster once `listen()` has joined it. */
  private readonly fleet: FleetView;
  private readonly registration: DaemonRegistration;
  private readonly eventRoutes: EventRoutes;
  private readonly opsRoutes: OpsRoutes;
  private readonly requestLog: RequestLog;

  constructor(private readonly options: HubOptions) {
    const tokenAuth = new TokenAuth(options.tokens);
    this.log = (options.logger ?? silentLogger).child({ component: 'hub' });
    this.budget = options.budget ?? new ByteBudget(options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES);
    this.clientOptions = {
      budget: this.budget,
      maxValueBytes: positiveLimit('maxValueBytes', options.maxValueBytes ?? DEFAULT_MAX_VALUE_BYTES),
      maxValueElements: positiveLimit('maxValueElements', options.maxValueElements ?? DEFAULT_MAX_VALUE_ELEMENTS),
    };
    this.metrics = hubMetrics({ budget: this.budget });
    const throttle = new LogThrottle(options.logIntervalMs, (reason) => this.metrics.suppressedLogLines.inc({ reason }));
    this.registry = new DaemonRegistry({ callTimeoutMs: options.callTimeoutMs, metrics: this.metrics, logger: options.logger });
    this.events = new EventStore({ capacity: options.eventCapacity, maxBytes: options.maxEventStoreBytes });
    this.tokens = new HubTokens(tokenAuth, this.registry, this.events, this.metrics, this.log);
    this.fleet = new FleetView(this.registry, this.events, this.metrics, this.log, options);
    this.eventLog = this.fleet.eventLog;
    this.requestLog = new RequestLog(this.log, this.metrics, throttle);
    this.eventRoutes = new EventRoutes(this.eventLog, (req) => this.authenticate(req), this.budget, this.metrics, this.log, options);
    this.opsRoutes = new OpsRoutes(this.fleet, this.metrics, this.startedAt, options);
    this.registration = new DaemonRegistration(
      {
        auth: () => this.auth,
        registry: this.registry,
        acceptor: new WebSocketAcceptor(options.websocket),
        clientOptions: this.clientOptions,
        metrics: this.metrics,
        throttle,
        log: this.log,
        plainRequest: (req, res) => this.handleRequest(req, res),
        requestTimeoutMs: () => this.server.requestTimeout,
      },
      options,
    );
    const resolve = (req: IncomingMessage) => this.resolve(req);
    const api = { resolve, budget: this.budget, maxBodyBytes: options.maxBodyBytes, retryAfterSeconds: options.retryAfterSeconds };
    this.apiHandlers = [createFluxHttpHandler({ ...api, basePath: API_BASE }), createFluxHttpHandler(api)];
    this.server = http.createServer((req, res) => void this.handleRequest(req, res));
    this.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => void this.handleUpgrade(req, socket, head));
    // One listener function for every socket (a socket closes once), not a closure each.
    const sockets = this.sockets;
    const untrack = function (this: Socket) {
      sockets.delete(this);
    };
    this.server.on('connection', (s: Socket) => {
      sockets.add(s);
      s.on('close', untrack);
    });
    this.stopWatching = options.tokensFile !== undefined ? this.tokens.watch(options.tokensFile, options.tokenReloadDebounceMs) : undefined;
  }

  /** The tokens in use. */
  get auth(): TokenAuth {
    return this.tokens.current;
  }

  /**
   * Replaces the tokens (what a reload of the tokens file does). Daemons whose token is gone (or
   * names another instance now) are disconnected; API calls with such a token get 401 from now
   * on; instances left without a token are forgotten (status, events). Everyone else is
   * untouched. Throws `TokenFileError` for an invalid set, keeping the old one.
   */
  setTokens(tokens: ReadonlyMap<string, string>, source = 'setTokens'): void {
    this.tokens.set(tokens, source);
  }

  /** Cluster mode, once started (`listen()` starts it when the `cluster` option is set). */
  get cluster(): Cluster | undefined {
    return this.fleet.cluster;
  }

  /**
   * Runs `hook` once cluster mode has started (at once if it has): `listen()` awaits it before it
   * listens. Modules that need NATS beside the hub's own (the dashboard's shared sessions, the
   * notifications consumer) load and attach themselves here.
   */
  async onClusterStart(hook: ClusterStartHook): Promise<void> {
    await this.fleet.onClusterStart(hook);
  }

  // --- one view of the fleet in both modes (what the dashboard uses) -----------------------------

  /** The Flux API of `instance`: its daemon here, or in cluster mode wherever it is held. */
  api(instance: string): FluxApi {
    return this.fleet.api(instance);
  }

  /** Every instance; in cluster mode every instance of the cluster, with the replica holding it. */
  instances(): FleetStatus[] {
    return this.fleet.instances();
  }

  /** Calls `listener` whenever an instance's daemon connects or leaves (in cluster mode: on any replica). */
  subscribeInstances(listener: (status: FleetStatus) => void): () => void {
    return this.fleet.subscribeInstances(listener);
  }

  /** Listens on `host:port` (port 0: any free port); in cluster mode, joins the cluster first. */
  async listen(port: number, host = '127.0.0.1'): Promise<ListenAddress> {
    const joining = this.options.cluster !== undefined && !this.fleet.cluster;
    if (joining) {
      // A failing start hook leaves the cluster again, as a failing listen does.
      await this.fleet.join(this.options.cluster!).catch(async (e: unknown) => {
        await this.fleet.leave();
        throw e;
      });
    }
    return new Promise((resolve, reject) => {
      // Not listening after all: leave the cluster again (its connection would keep the process up).
      const onError = (e: Error) => void (joining ? this.fleet.leave() : Promise.resolve()).finally(() => reject(e));
      this.server.once('error', onError);
      this.server.listen(port, host, () => {
        this.server.off('error', onError);
        const a = this.server.address() as AddressInfo;
        const shown = a.family === 'IPv6' ? `[${a.address}]` : a.address;
        this.log.info('listening', { address: `${shown}:${a.port}`, instances: this.auth.instances.length, callTimeoutMs: this.registry.callTimeoutMs, maxBufferedBytes: this.budget.limit, maxValueBytes: this.clientOptions.maxValueBytes, maxValueElements: this.clientOptions.maxValueElements });
        resolve({ host: a.address, port: a.port, url: `http://${shown}:${a.port}` });
      });
    });
  }

  /** Disconnects every daemon and stops listening. */
  async close(): Promise<void> {
    this.stopWatching?.();
    await this.fleet.cluster?.close();
    this.registry.closeAll();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeIdleConnections();
      for (const s of this.sockets) s.destroy();
    });
  }

  /** Handles one plain HTTP request (also usable without listening, e.g. in tests). */
  async handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const path = pathOf(req);
    // Who answers: the request hook (the dashboard) until it leaves the request to the hub. (Set
    // before the hook runs: its answer may finish before the hook's promise settles.)
    let answeredBy: Answerer = 'hub';
    this.requestLog.watch(req, res, path, started, () => answeredBy);
    try {
      if (this.requestHook) {
        answeredBy = 'hook';
        if (await this.requestHook(req, res)) return;
        answeredBy = 'hub';
      }
      const ops = this.opsRoutes.route(path, req.method);
      if (ops) return await ops(req, res);
      if (EVENTS_ROUTE.test(path) && req.method === 'GET') return this.eventRoutes.list(req, res);
      const handler = path === API_BASE || path.startsWith(API_BASE + '/') ? this.apiHandlers[0]! : this.apiHandlers[1]!;
      if (await handler(req, res)) return;
      // The upstream routes, which the API handler leaves to us.
      const instance = this.authenticate(req);
      if (instance === undefined) return writeError(req, res, 401, new UnauthorizedError());
      if (EVENTS_ROUTE.test(path)) return await this.eventRoutes.post(req, res, instance);
      return badHandshake(res);
    } catch (e) {
      this.log.error('request failed', { path, error: e as Error });
      if (!res.headersSent) text(res, 500, 'internal error\n');
      else res.destroy();
    }
  }

  /** Handles a websocket upgrade request (a daemon registering; anything else as plain HTTP). */
  async handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    await this.registration.handleUpgrade(req, socket, head);
  }

  /** The instance named by the request's token (remembered for the request's log line). */
  private authenticate(req: IncomingMessage): string | undefined {
    const instance = this.auth.authenticate(req.headers.authorization);
    if (instance !== undefined) rememberInstance(req, instance);
    return instance;
  }

  /** The API for the caller's instance; 401 (`UnauthorizedError`) without a valid token. */
  private resolve(req: IncomingMessage): FluxApi {
    const instance = this.authenticate(req);
    if (instance === undefined) throw new UnauthorizedError();
    return this.fleet.httpApi(instance);
  }
}

/** A limit given in `HubOptions`: a whole number of at least 1 (checked once, not per connection). */
function positiveLimit(name: string, n: number): number {
  if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`HubOptions.${name} must be a positive integer, got ${n}`);
  return n;
}
