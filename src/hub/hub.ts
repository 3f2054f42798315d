/**
 * The hub: the upstream end of Flux's dial-out (docs/wire.md §8), with the Flux HTTP API in front.
 *
 * - `GET <base>/v6/daemon` … `<base>/v11/daemon` (base `""` or `/api/flux`): the token names the
 *   instance; a missing or unknown token gets 401 before any upgrade; protocols below
 *   `minProtocol` get 410 Gone (fluxd then stops); the websocket gets the client of the version
 *   dialled, which joins the registry (a newer connection replaces an older one).
 * - `<base>/v…/…`: the Flux HTTP API (every fluxctl route), for the instance named by the caller's
 *   token, through the registry (call timeout, unavailable when no daemon is connected).
 * - `POST <base>/v6/events`: a daemon's events, kept per instance; `GET <base>/v6/events` lists
 *   them (newest first).
 * - `/` status page, `/metrics` (Prometheus), `/healthz`.
 *
 * node hands every request with an `Upgrade` header to the 'upgrade' listener, including curl's
 * h2c offer (`curl --http2`); only a websocket upgrade of a registration route is one here, every
 * other such request is answered as plain HTTP/1.1 (upgrade-as-http.ts).
 *
 * Tokens are looked up in constant time (auth.ts) and never logged; the tokens file, if given, is
 * watched and reloaded (`setTokens`). Logs are JSON lines; refusals (401, 503, bad registrations)
 * are throttled to one line per second per kind (the dashboard's apart from the API's), and every
 * one is counted: `fluxrpc_hub_refused_requests_total{reason}`, `…_rejected_registrations_total`.
 *
 * Memory: every request body the hub buffers (API calls, events) is charged to one `ByteBudget`
 * (`maxBufferedBytes`, default 256 MiB); a body that does not fit is answered 503 with
 * `Retry-After`, never buffered. The same budget is handed to `createClient` for the daemon
 * connections: the default client charges what each holds of a reply not yet complete and stops
 * reading from a daemon while the budget is exceeded (see `HubOptions.createClient`).
 */
import http, { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { isProtocolVersion, PROTOCOL_VERSIONS, type FluxApi, type ProtocolVersion } from '../flux/api.js';
import { encodeEvent, type FluxEvent } from '../flux/model/index.js';
import { DEFAULT_MAX_VALUE_BYTES, DEFAULT_MAX_VALUE_ELEMENTS } from '../codec/json-splitter.js';
import { createFluxClient } from '../flux/versions/index.js';
import { createFluxHttpHandler } from '../http/api-handler.js';
import { DEFAULT_RETRY_AFTER_SECONDS, parseEventBody, readRequestBody } from '../http/body.js';
import { BusyError, HttpRequestError, UnauthorizedError } from '../http/errors.js';
import { JSON_CONTENT_TYPE, send, TEXT_CONTENT_TYPE, writeError } from '../http/respond.js';
import type { ByteStream } from '../transport/byte-stream.js';
import { WebSocketAcceptor, type AcceptOptions } from '../transport/websocket.js';
import { ByteBudget } from '../runtime/budget.js';
import { Listeners } from '../runtime/listeners.js';
import { silentLogger, type Logger } from '../runtime/log.js';
import { PACKAGE_VERSION } from '../runtime/version.js';
import { TokenAuth, watchTokenFile } from './auth.js';
import { EventStore, type EventListener, type EventLog } from './events.js';
import type { Cluster, ClusterOptions } from './cluster/cluster.js';
import { LogThrottle } from './log-throttle.js';
import { hubMetrics, PROMETHEUS_CONTENT_TYPE, type HubMetrics, type RefusalReason } from './metrics.js';
import { DaemonRegistry, type DaemonClient, type InstanceStatus } from './registry.js';
import { renderStatusPage } from './status-page.js';
import { serveUpgradeAsHttp } from './upgrade-as-http.js';
import { GoText } from '../runtime/go-text.js';

export const API_BASE = '/api/flux';
const DAEMON_ROUTE = /^(?:\/api\/flux)?\/v(\d+)\/daemon\/?$/;
const EVENTS_ROUTE = /^(?:\/api\/flux)?\/v6\/events\/?$/;
/** `Upgrade` names websocket (a token list, case-insensitive, as gorilla reads it). */
const WEBSOCKET_UPGRADE = /(?:^|,)\s*websocket\s*(?:,|$)/i;

/** Largest event body accepted by default: Flux's events are small, and the hub keeps 100 per instance. */
export const DEFAULT_MAX_EVENT_BYTES = 64 * 1024;

/**
 * The default budget of buffered bytes: 256 MiB, room for eight request bodies of the largest
 * size accepted (32 MiB) at once, or thousands of ordinary ones.
 */
export const DEFAULT_MAX_BUFFERED_BYTES = 256 * 1024 * 1024;

/** What the hub hands to `createClient` for each daemon connection. */
export interface DaemonClientOptions {
  /** The hub's budget of buffered bytes, to charge what the connection holds (messages being read). */
  budget: ByteBudget;
  /** The most bytes of one reply from the daemon (`HubOptions.maxValueBytes`). */
  maxValueBytes: number;
  /** The most JSON elements in one reply from the daemon (`HubOptions.maxValueElements`). */
  maxValueElements: number;
}

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
  createClient?: (version: ProtocolVersion, stream: ByteStream, options: DaemonClientOptions) => DaemonClient;
  /** More series for `/metrics` (a prom-client `Registry`: the notifier's), appended to the hub's. */
  extraMetrics?: { metrics(): Promise<string> };
}

/**
 * Runs before the hub's own routes (the dashboard mounts itself here, `hub.requestHook = …`);
 * resolves true when it answered the request, false to leave it to the hub.
 */
export type RequestHook = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

/** An instance as the hub shows it; in cluster mode with the replica holding its daemon (if any). */
export type FleetStatus = InstanceStatus & { replica?: string | undefined };

/** Run by `listen()` once it has joined the cluster, before it listens (see `Hub.onClusterStart`). */
export type ClusterStartHook = (cluster: Cluster) => void | Promise<void>;

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
  private tokenAuth: TokenAuth;
  private readonly log: Logger;
  private readonly throttle: LogThrottle;
  private readonly acceptor: WebSocketAcceptor;
  private readonly apiHandlers: ((req: IncomingMessage, res: ServerResponse) => Promise<boolean>)[];
  private readonly sockets = new Set<Socket>();
  private readonly stopWatching: (() => void) | undefined;
  /** What each daemon connection's client is made with. */
  private readonly clientOptions: DaemonClientOptions;
  /** Cluster mode's hooks, once `listen()` has started it. */
  private clusterMode: Cluster | undefined;
  /** Where events go: `events` alone, or the cluster's stream in cluster mode. */
  private activeLog: EventLog;
  private readonly eventListeners = new Listeners<Parameters<EventListener>>((e, instance) => this.log.warn('an event listener failed', { instance, error: e as Error }));
  private readonly fleetListeners = new Listeners<[FleetStatus]>((e, s) => this.log.warn('an instance listener failed', { instance: s.instance, error: e as Error }));
  private readonly clusterHooks: ClusterStartHook[] = [];
  /**
   * The hub's events in either mode: this process's store, or the cluster's stream once `listen()`
   * has joined it (the dashboard reads and records events here, and subscribes to them).
   */
  readonly eventLog: EventLog = {
    append: (instance, event, body) => this.activeLog.append(instance, event, body),
    list: (instance, limit) => this.activeLog.list(instance, limit),
    recent: (limit) => this.activeLog.recent(limit),
    subscribe: (listener) => this.eventListeners.add(listener),
  };

  constructor(private readonly options: HubOptions) {
    this.tokenAuth = new TokenAuth(options.tokens);
    this.log = (options.logger ?? silentLogger).child({ component: 'hub' });
    this.budget = options.budget ?? new ByteBudget(options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES);
    this.clientOptions = {
      budget: this.budget,
      maxValueBytes: positiveLimit('maxValueBytes', options.maxValueBytes ?? DEFAULT_MAX_VALUE_BYTES),
      maxValueElements: positiveLimit('maxValueElements', options.maxValueElements ?? DEFAULT_MAX_VALUE_ELEMENTS),
    };
    this.metrics = hubMetrics({ budget: this.budget });
    this.metrics.tokens.set(this.tokenAuth.size);
    this.throttle = new LogThrottle(options.logIntervalMs, (reason) => this.metrics.suppressedLogLines.inc({ reason }));
    this.registry = new DaemonRegistry({ callTimeoutMs: options.callTimeoutMs, metrics: this.metrics, logger: options.logger });
    for (const instance of this.tokenAuth.instances) this.registry.declare(instance);
    this.events = new EventStore({ capacity: options.eventCapacity, maxBytes: options.maxEventStoreBytes });
    this.activeLog = this.events;
    this.events.subscribe((instance, stored) => this.activeLog === this.events && this.eventListeners.tell(instance, stored));
    this.registry.subscribe((status) => !this.clusterMode && this.fleetListeners.tell(status));
    this.acceptor = new WebSocketAcceptor(options.websocket);
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
    if (options.tokensFile !== undefined) {
      const file = options.tokensFile;
      this.stopWatching = watchTokenFile(file, {
        debounceMs: options.tokenReloadDebounceMs,
        onTokens: (tokens) => this.setTokens(tokens, file),
        onError: (error) => {
          this.metrics.tokenReloads.inc({ outcome: 'error' });
          this.log.error('tokens file not reloaded', { error });
        },
      });
    }
  }

  /** The tokens in use. */
  get auth(): TokenAuth {
    return this.tokenAuth;
  }

  /**
   * Replaces the tokens (what a reload of the tokens file does). Daemons whose token is gone (or
   * names another instance now) are disconnected; API calls with such a token get 401 from now
   * on; instances left without a token are forgotten (status, events). Everyone else is
   * untouched. Throws `TokenFileError` for an invalid set, keeping the old one.
   */
  setTokens(tokens: ReadonlyMap<string, string>, source = 'setTokens'): void {
    const next = new TokenAuth(tokens);
    const before = new Set(this.tokenAuth.instances);
    const after = new Set(next.instances);
    this.tokenAuth = next;
    for (const instance of after) this.registry.declare(instance);
    // (A connection registered without a credential, in code, is left to `forget` below.)
    const disconnected = this.registry.disconnectWhere((instance, info) => info.credential !== undefined && next.instanceOf(info.credential) !== instance, 'its token was removed from the tokens');
    const removed = [...before].filter((i) => !after.has(i));
    for (const instance of removed) {
      this.registry.forget(instance, 'its instance was removed from the tokens');
      this.events.forget(instance);
    }
    this.metrics.tokens.set(next.size);
    this.metrics.tokenReloads.inc({ outcome: 'ok' });
    const added = [...after].filter((i) => !before.has(i));
    this.log.info('tokens reloaded', { source, tokens: next.size, instances: after.size, addedInstances: added.length, removedInstances: removed.length, disconnected });
  }

  /** Cluster mode, once started (`listen()` starts it when the `cluster` option is set). */
  get cluster(): Cluster | undefined {
    return this.clusterMode;
  }

  /** Starts cluster mode (loading its code only now); waits a bounded time for NATS. */
  private async startCluster(options: ClusterOptions): Promise<void> {
    const { startCluster } = await import('./cluster/cluster.js');
    this.clusterMode = await startCluster(
      { registry: this.registry, metrics: this.metrics, logger: this.options.logger ?? silentLogger, callTimeoutMs: this.registry.callTimeoutMs, eventCapacity: this.events.capacity, maxEventBytes: this.options.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES },
      options,
    );
    this.activeLog = this.clusterMode.events;
    this.clusterMode.events.subscribe((instance, stored) => this.eventListeners.tell(instance, stored));
    this.clusterMode.subscribe((row) => this.fleetListeners.tell(row));
    for (const hook of this.clusterHooks) await hook(this.clusterMode);
  }

  /**
   * Runs `hook` once cluster mode has started (at once if it has): `listen()` awaits it before it
   * listens. Modules that need NATS beside the hub's own (the dashboard's shared sessions, the
   * notifications consumer) load and attach themselves here.
   */
  async onClusterStart(hook: ClusterStartHook): Promise<void> {
    this.clusterHooks.push(hook);
    if (this.clusterMode) await hook(this.clusterMode);
  }

  // --- one view of the fleet in both modes (what the dashboard uses) -----------------------------

  /** The Flux API of `instance`: its daemon here, or in cluster mode wherever it is held. */
  api(instance: string): FluxApi {
    return this.clusterMode ? this.clusterMode.api(instance) : this.registry.api(instance);
  }

  /** Every instance; in cluster mode every instance of the cluster, with the replica holding it. */
  instances(): FleetStatus[] {
    return this.clusterMode ? this.clusterMode.instances() : this.registry.list();
  }

  /** Calls `listener` whenever an instance's daemon connects or leaves (in cluster mode: on any replica). */
  subscribeInstances(listener: (status: FleetStatus) => void): () => void {
    return this.fleetListeners.add(listener);
  }

  private async leaveCluster(): Promise<void> {
    const cluster = this.clusterMode;
    this.clusterMode = undefined;
    this.activeLog = this.events;
    await cluster?.close();
  }

  /** Listens on `host:port` (port 0: any free port); in cluster mode, joins the cluster first. */
  async listen(port: number, host = '127.0.0.1'): Promise<ListenAddress> {
    const joining = this.options.cluster !== undefined && !this.clusterMode;
    if (joining) {
      // A failing start hook leaves the cluster again, as a failing listen does.
      await this.startCluster(this.options.cluster!).catch(async (e: unknown) => {
        await this.leaveCluster();
        throw e;
      });
    }
    return new Promise((resolve, reject) => {
      // Not listening after all: leave the cluster again (its connection would keep the process up).
      const onError = (e: Error) => void (joining ? this.leaveCluster() : Promise.resolve()).finally(() => reject(e));
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
    await this.clusterMode?.close();
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
    res.on('finish', () => {
      const status = res.statusCode;
      const fields = { method: req.method, path, status, instance: (req as AuthenticatedRequest)[kInstance], ms: Math.round(performance.now() - started) };
      const reason = refusalReason(answeredBy, status);
      if (reason === undefined) return this.log[path === '/healthz' || path === '/metrics' || path === '/' ? 'debug' : 'info']('request', fields);
      this.metrics.refusedRequests.inc({ reason });
      if (reason === 'budget') this.metrics.budgetRefusals.inc({ kind: EVENTS_ROUTE.test(path) ? 'event' : 'api' });
      // Refusals come in floods (a bad token retried in a loop, a client hammering a full hub):
      // one line per second per kind, the hub's apart from the dashboard's.
      this.throttle.run(`${answeredBy === 'hub' ? 'request' : 'dashboard'}_${status}`, (suppressed) => this.log.warn('request refused', { ...fields, reason, suppressed: suppressed || undefined }));
    });
    try {
      if (this.requestHook) {
        answeredBy = 'hook';
        if (await this.requestHook(req, res)) return;
        answeredBy = 'hub';
      }
      if (path === '/' && (req.method === 'GET' || req.method === 'HEAD')) return this.statusPage(req, res);
      if (path === '/healthz') return text(res, 200, this.clusterMode ? this.clusterMode.health().text : 'ok\n');
      if (path === '/metrics' && (req.method === 'GET' || req.method === 'HEAD')) return send(res, 200, { 'Content-Type': PROMETHEUS_CONTENT_TYPE, ...NO_STORE }, (await this.metrics.render()) + ((await this.options.extraMetrics?.metrics()) ?? ''));
      if (EVENTS_ROUTE.test(path) && req.method === 'GET') return this.listEvents(req, res);
      const handler = path === API_BASE || path.startsWith(API_BASE + '/') ? this.apiHandlers[0]! : this.apiHandlers[1]!;
      if (await handler(req, res)) return;
      // The upstream routes, which the API handler leaves to us.
      const instance = this.authenticate(req);
      if (instance === undefined) return writeError(req, res, 401, new UnauthorizedError());
      if (EVENTS_ROUTE.test(path)) return await this.postEvent(req, res, instance);
      return this.badHandshake(res);
    } catch (e) {
      this.log.error('request failed', { path, error: e as Error });
      if (!res.headersSent) text(res, 500, 'internal error\n');
      else res.destroy();
    }
  }

  /** Handles a websocket upgrade request (a daemon registering). */
  async handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const path = pathOf(req);
    const m = DAEMON_ROUTE.exec(path);
    const remote = `${req.socket.remoteAddress}:${req.socket.remotePort}`;
    const refuse = (status: number, body: string, why: string) => {
      this.metrics.rejectedRegistrations.inc({ status: String(status) });
      this.throttle.run(`registration_${status}`, (suppressed) => this.log.warn('daemon registration refused', { status, path, remote, reason: why, userAgent: req.headers['user-agent'], suppressed: suppressed || undefined }));
      refuseUpgrade(socket, status, body);
    };
    if (!m || !WEBSOCKET_UPGRADE.test(req.headers.upgrade ?? '')) return serveUpgradeAsHttp(req, socket as Socket, head, (r, res) => this.handleRequest(r, res), { requestTimeoutMs: this.server.requestTimeout });
    if (req.method !== 'GET') return refuse(405, 'Method Not Allowed\n', 'method');
    const credential = this.auth.credential(req.headers.authorization);
    if (credential === undefined) return refuse(401, 'missing or unknown token\n', req.headers.authorization ? 'unknown token' : 'no token');
    const { instance } = credential;
    const version = Number(m[1]);
    if (!isProtocolVersion(version)) return refuse(404, `${GoText.notFound}\n`, `no protocol version ${m[1]}`);
    if (version < (this.options.minProtocol ?? PROTOCOL_VERSIONS[0])) return refuse(410, `${GoText.apiDeprecated}\n`, `protocol ${version} is below the minimum ${this.options.minProtocol}`);
    let stream: ByteStream;
    try {
      // The stream keeps the same remote string (one per connection, not two).
      stream = await this.acceptor.upgrade(req, socket, head, remote);
    } catch (e) {
      this.metrics.rejectedRegistrations.inc({ status: '400' });
      this.throttle.run('handshake_failed', (suppressed) => this.log.warn('websocket handshake failed', { remote, instance, error: e as Error, suppressed: suppressed || undefined }));
      return;
    }
    if (this.auth.instanceOf(credential.id) !== instance) {
      // The token was withdrawn during the handshake.
      this.log.warn('daemon registration dropped: its token was removed from the tokens', { remote, instance });
      stream.close();
      return;
    }
    const client = (this.options.createClient ?? defaultClient)(version, stream, this.clientOptions);
    this.registry.register(instance, client, { protocol: version, remote, userAgent: String(req.headers['user-agent'] ?? ''), credential: credential.id });
  }

  /** The instance named by the request's token (remembered for the request's log line). */
  private authenticate(req: IncomingMessage): string | undefined {
    const instance = this.auth.authenticate(req.headers.authorization);
    if (instance !== undefined) (req as AuthenticatedRequest)[kInstance] = instance;
    return instance;
  }

  /** The API for the caller's instance; 401 (`UnauthorizedError`) without a valid token. */
  private resolve(req: IncomingMessage): FluxApi {
    const instance = this.authenticate(req);
    if (instance === undefined) throw new UnauthorizedError();
    return this.clusterMode ? this.clusterMode.httpApi(instance) : this.registry.api(instance);
  }

  /** A plain (non-websocket) request to a registration route: gorilla's 400. */
  private badHandshake(res: ServerResponse): void {
    // gorilla's Upgrader answers `http.Error(w, StatusText(400), 400)` with its version header; the
    // reason (GoText.notWebSocketProtocol) is its returned error, not part of the answer.
    send(res, 400, { 'Content-Type': TEXT_CONTENT_TYPE, 'Sec-Websocket-Version': '13', 'X-Content-Type-Options': 'nosniff' }, 'Bad Request\n');
  }

  /** `GET <base>/v6/events`: the caller's instance's events, newest first (not a Flux route). */
  private listEvents(req: IncomingMessage, res: ServerResponse): void {
    const instance = this.authenticate(req);
    if (instance === undefined) return writeError(req, res, 401, new UnauthorizedError());
    const events = this.activeLog.list(instance).map((s) => encodeEvent(s.event));
    send(res, 200, { 'Content-Type': JSON_CONTENT_TYPE, ...NO_STORE }, `[${events.join(',')}]`);
  }

  /** `POST <base>/v6/events` (the daemon's LogEvent): stored for the token's instance; 204. */
  private async postEvent(req: IncomingMessage, res: ServerResponse, instance: string): Promise<void> {
    const max = this.options.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES;
    let event: FluxEvent;
    let body: Buffer;
    try {
      body = await readRequestBody(req, max, { budget: this.budget, holdUntil: res, retryAfterSeconds: this.options.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS });
      event = parseEventBody(body);
    } catch (e) {
      if (e instanceof BusyError) return writeError(req, res, e.status, e);
      if (e instanceof HttpRequestError && e.status === 413) return writeError(req, res, 413, new HttpRequestError(413, `event too large: the hub accepts events of at most ${max} bytes`));
      if (e instanceof HttpRequestError) return writeError(req, res, e.status, e);
      throw e;
    }
    await this.activeLog.append(instance, event, body);
    this.metrics.events.inc();
    this.log.info('event', { instance, type: event.type, workloads: (event.serviceIds ?? []).length });
    res.writeHead(204).end();
  }

  private statusPage(req: IncomingMessage, res: ServerResponse): void {
    const offset = Number(new URL(req.url ?? '/', 'http://hub').searchParams.get('offset') ?? 0) || 0;
    const cluster = this.clusterMode;
    const html = renderStatusPage({
      instances: cluster ? cluster.instances() : this.registry.list(),
      events: this.activeLog.recent(20),
      startedAt: this.startedAt,
      now: new Date(),
      version: PACKAGE_VERSION,
      offset,
      ...(cluster ? { cluster: { replica: cluster.replicaId, health: cluster.health().text.split('\n')[0]! } } : {}),
    });
    send(res, 200, { 'Content-Type': 'text/html; charset=utf-8', ...NO_STORE }, html);
  }
}

/**
 * The default `createClient`: charges the hub's budget for replies not yet complete and bounds
 * each reply (see `HubOptions.createClient`).
 */
const defaultClient = (version: ProtocolVersion, stream: ByteStream, options: DaemonClientOptions): DaemonClient => createFluxClient(version, stream, options);

/** A limit given in `HubOptions`: a whole number of at least 1 (checked once, not per connection). */
function positiveLimit(name: string, n: number): number {
  if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`HubOptions.${name} must be a positive integer, got ${n}`);
  return n;
}

/** Who answered a request: the hub's own routes, or the request hook (the dashboard). */
type Answerer = 'hub' | 'hook';

/**
 * Why a request was refused, as counted in `fluxrpc_hub_refused_requests_total{reason}` (see
 * `REFUSAL_REASONS`), or undefined for an answer that is no refusal. The hub's own routes answer
 * 401 for a missing or unknown token and 503 only for the budget (`BusyError`: a daemon's failures
 * are 422 or 500); the dashboard answers 401 for a sign-in that failed or is missing and 503 when
 * it has too many live streams.
 */
function refusalReason(by: Answerer, status: number): RefusalReason | undefined {
  if (status === 401) return by === 'hub' ? 'token' : 'dashboard_sign_in';
  if (status === 503) return by === 'hub' ? 'budget' : 'dashboard_busy';
  return undefined;
}

/** The instance a request authenticated as, kept on the request for its log line. */
const kInstance = Symbol('fluxrpc.hub.instance');
type AuthenticatedRequest = IncomingMessage & { [kInstance]?: string };

/**
 * A request path that `URL` leaves as it is: `/`, or segments of letters, digits, `_`, `~` and `-`
 * (no dots, escapes or empty segments), with or without a final `/`.
 */
const PLAIN_PATH = /^(?:(?:\/[\w~-]+)+\/?|\/)$/;

function pathOf(req: IncomingMessage): string {
  return requestPath(req.url ?? '/');
}

/** A request target's path, as `new URL(url, base).pathname` gives it (without parsing a plain one). */
export function requestPath(url: string): string {
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  if (PLAIN_PATH.test(path)) return path;
  try {
    return new URL(url, 'http://hub').pathname;
  } catch {
    return '/';
  }
}

/** Status, metrics and event lists change all the time: no caching. */
const NO_STORE = { 'Cache-Control': 'no-store' };

function text(res: ServerResponse, status: number, body: string): void {
  send(res, status, { 'Content-Type': TEXT_CONTENT_TYPE, ...NO_STORE }, body);
}

/** Answers an upgrade request with a plain HTTP error and closes the socket. */
function refuseUpgrade(socket: Duplex, status: number, body: string): void {
  const head = [`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}`, 'Content-Type: text/plain; charset=utf-8', `Content-Length: ${Buffer.byteLength(body)}`, 'Connection: close'];
  if (status === 401) head.push('WWW-Authenticate: Scope-Probe');
  socket.end(`${head.join('\r\n')}\r\n\r\n${body}`);
  socket.once('error', () => undefined);
}
