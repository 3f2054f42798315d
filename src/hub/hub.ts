/**
 * The hub: the upstream end of Flux's dial-out (WIRE.md §8), with the Flux HTTP API in front.
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
 * other such request is answered as plain HTTP/1.1 (`serveUpgradeAsHttp`).
 *
 * Tokens are compared in constant time and never logged; logs are JSON lines.
 */
import http, { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { isProtocolVersion, PROTOCOL_VERSIONS, type FluxApi, type ProtocolVersion } from '../flux/api.js';
import { encodeEvent, type FluxEvent } from '../flux/model/index.js';
import { createFluxClient } from '../flux/versions/index.js';
import { createFluxHttpHandler } from '../http/api-handler.js';
import { parseEventBody, readRequestBody } from '../http/body.js';
import { HttpRequestError, UnauthorizedError } from '../http/errors.js';
import { JSON_CONTENT_TYPE, send, TEXT_CONTENT_TYPE, writeError } from '../http/respond.js';
import type { ByteStream } from '../transport/byte-stream.js';
import { WebSocketAcceptor, type AcceptOptions } from '../transport/websocket.js';
import { silentLogger, type Logger } from '../runtime/log.js';
import { PACKAGE_VERSION } from '../runtime/version.js';
import { TokenAuth } from './auth.js';
import { EventStore } from './events.js';
import { hubMetrics, PROMETHEUS_CONTENT_TYPE, type HubMetrics } from './metrics.js';
import { DaemonRegistry, type DaemonClient } from './registry.js';
import { renderStatusPage } from './status-page.js';
import { GoText } from '../runtime/go-text.js';

export const API_BASE = '/api/flux';
const DAEMON_ROUTE = /^(?:\/api\/flux)?\/v(\d+)\/daemon\/?$/;
const EVENTS_ROUTE = /^(?:\/api\/flux)?\/v6\/events\/?$/;
/** `Upgrade` names websocket (a token list, case-insensitive, as gorilla reads it). */
const WEBSOCKET_UPGRADE = /(?:^|,)\s*websocket\s*(?:,|$)/i;

/** Largest event body accepted by default: Flux's events are small, and the hub keeps 100 per instance. */
export const DEFAULT_MAX_EVENT_BYTES = 64 * 1024;

export interface HubOptions {
  /** token → instance ID. */
  tokens: ReadonlyMap<string, string>;
  /** Upper bound of each call to a daemon (default 10 s). */
  callTimeoutMs?: number;
  /** Registrations on older routes are refused with 410 Gone (default 6: none). */
  minProtocol?: ProtocolVersion;
  /** Events kept per instance (default 100). */
  eventCapacity?: number;
  /** Largest event body accepted, in bytes (default 64 KiB); a larger one is answered 413. */
  maxEventBytes?: number;
  logger?: Logger;
  /** Websocket options (heartbeat, sizes), for tests. */
  websocket?: AcceptOptions;
  /** Seam for tests: the RPC client made for a daemon's websocket. */
  createClient?: (version: ProtocolVersion, stream: ByteStream) => DaemonClient;
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
  readonly auth: TokenAuth;
  readonly startedAt = new Date();
  /** See `RequestHook`. */
  requestHook: RequestHook | undefined;
  private readonly log: Logger;
  private readonly acceptor: WebSocketAcceptor;
  private readonly apiHandlers: ((req: IncomingMessage, res: ServerResponse) => Promise<boolean>)[];
  private readonly instanceOf = new WeakMap<IncomingMessage, string>();
  private readonly sockets = new Set<Socket>();

  constructor(private readonly options: HubOptions) {
    this.auth = new TokenAuth(options.tokens);
    this.log = (options.logger ?? silentLogger).child({ component: 'hub' });
    this.metrics = hubMetrics();
    this.registry = new DaemonRegistry({ callTimeoutMs: options.callTimeoutMs, metrics: this.metrics, logger: options.logger });
    for (const instance of this.auth.instances) this.registry.declare(instance);
    this.events = new EventStore(options.eventCapacity ?? 100);
    this.acceptor = new WebSocketAcceptor(options.websocket);
    const resolve = (req: IncomingMessage) => this.resolve(req);
    this.apiHandlers = [createFluxHttpHandler({ resolve, basePath: API_BASE }), createFluxHttpHandler({ resolve })];
    this.server = http.createServer((req, res) => void this.handleRequest(req, res));
    this.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => void this.handleUpgrade(req, socket, head));
    this.server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.once('close', () => this.sockets.delete(s));
    });
  }

  /** Listens on `host:port` (port 0: any free port). */
  listen(port: number, host = '127.0.0.1'): Promise<ListenAddress> {
    return new Promise((resolve, reject) => {
      const onError = (e: Error) => reject(e);
      this.server.once('error', onError);
      this.server.listen(port, host, () => {
        this.server.off('error', onError);
        const a = this.server.address() as AddressInfo;
        const shown = a.family === 'IPv6' ? `[${a.address}]` : a.address;
        this.log.info('listening', { address: `${shown}:${a.port}`, instances: this.auth.instances.length, callTimeoutMs: this.registry.callTimeoutMs });
        resolve({ host: a.address, port: a.port, url: `http://${shown}:${a.port}` });
      });
    });
  }

  /** Disconnects every daemon and stops listening. */
  async close(): Promise<void> {
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
    res.once('finish', () => {
      const quiet = path === '/healthz' || path === '/metrics' || path === '/';
      this.log[quiet ? 'debug' : 'info']('request', { method: req.method, path, status: res.statusCode, instance: this.instanceOf.get(req), ms: Math.round(performance.now() - started) });
    });
    try {
      if (this.requestHook && (await this.requestHook(req, res))) return;
      if (path === '/' && (req.method === 'GET' || req.method === 'HEAD')) return this.statusPage(res);
      if (path === '/healthz') return text(res, 200, 'ok\n');
      if (path === '/metrics' && (req.method === 'GET' || req.method === 'HEAD')) return send(res, 200, { 'Content-Type': PROMETHEUS_CONTENT_TYPE, ...NO_STORE }, this.metrics.registry.render() + ((await this.options.extraMetrics?.metrics()) ?? ''));
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
      this.metrics.rejectedUpgrades.inc({ status: String(status) });
      this.log.warn('daemon registration refused', { status, path, remote, reason: why, userAgent: req.headers['user-agent'] });
      refuseUpgrade(socket, status, body);
    };
    if (!m || !WEBSOCKET_UPGRADE.test(req.headers.upgrade ?? '')) return this.serveUpgradeAsHttp(req, socket as Socket, head);
    if (req.method !== 'GET') return refuse(405, 'Method Not Allowed\n', 'method');
    const instance = this.auth.authenticate(req.headers.authorization);
    if (instance === undefined) return refuse(401, 'missing or unknown token\n', req.headers.authorization ? 'unknown token' : 'no token');
    const version = Number(m[1]);
    if (!isProtocolVersion(version)) return refuse(404, '404 page not found\n', `no protocol version ${m[1]}`);
    if (version < (this.options.minProtocol ?? PROTOCOL_VERSIONS[0])) return refuse(410, `${GoText.apiDeprecated}\n`, `protocol ${version} is below the minimum ${this.options.minProtocol}`);
    let stream: ByteStream;
    try {
      stream = await this.acceptor.upgrade(req, socket, head);
    } catch (e) {
      this.metrics.rejectedUpgrades.inc({ status: '400' });
      this.log.warn('websocket handshake failed', { remote, instance, error: e as Error });
      return;
    }
    const client = (this.options.createClient ?? createFluxClient)(version, stream);
    this.registry.register(instance, client, { protocol: version, remote, userAgent: String(req.headers['user-agent'] ?? '') });
  }

  /**
   * Answers a request that reached the 'upgrade' listener but is no websocket registration as plain
   * HTTP/1.1 on its socket, then closes the socket (`Connection: close`). node no longer parses
   * that connection: the body (Content-Length framing only; chunked gets 411) is read here from
   * `head` and the socket, with backpressure, and the socket idles out while the body is read.
   */
  private serveUpgradeAsHttp(upgrade: IncomingMessage, socket: Socket, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    const req = new http.IncomingMessage(socket);
    req.method = upgrade.method;
    req.url = upgrade.url;
    req.httpVersion = upgrade.httpVersion;
    req.httpVersionMajor = upgrade.httpVersionMajor;
    req.httpVersionMinor = upgrade.httpVersionMinor;
    req.rawHeaders = upgrade.rawHeaders;
    req.headers = upgrade.headers;
    req.headersDistinct = upgrade.headersDistinct;
    const res = new http.ServerResponse(req);
    res.shouldKeepAlive = false;
    res.assignSocket(socket);
    res.once('finish', () => socket.end(() => socket.destroy()));
    let remaining = Number(upgrade.headers['content-length'] ?? 0);
    const complete = () => {
      socket.off('data', feed).off('end', cut).setTimeout(0);
      req.complete = true;
      req.push(null);
    };
    const feed = (chunk: Buffer) => {
      const part = chunk.subarray(0, remaining);
      remaining -= part.length;
      if (part.length > 0 && !req.push(part)) socket.pause(); // resumed by req's reader (IncomingMessage._read)
      if (remaining === 0) complete();
    };
    const cut = () => req.destroy(new Error('the connection ended before the request body was complete'));
    if (upgrade.headers['transfer-encoding'] !== undefined) {
      req.push(null);
      return text(res, 411, 'Length Required\nwith an Upgrade header, a request body needs a Content-Length\n');
    }
    if (remaining === 0) complete();
    else {
      if (/^100-continue$/i.test(upgrade.headers.expect ?? '')) res.writeContinue();
      socket.setTimeout(this.server.requestTimeout || 300_000, () => socket.destroy());
      socket.on('data', feed).once('end', cut);
      feed(head);
    }
    void this.handleRequest(req, res);
  }

  /** The instance named by the request's token (remembered for the request's log line). */
  private authenticate(req: IncomingMessage): string | undefined {
    const instance = this.auth.authenticate(req.headers.authorization);
    if (instance !== undefined) this.instanceOf.set(req, instance);
    return instance;
  }

  /** The API for the caller's instance; 401 (`UnauthorizedError`) without a valid token. */
  private resolve(req: IncomingMessage): FluxApi {
    const instance = this.authenticate(req);
    if (instance === undefined) throw new UnauthorizedError();
    return this.registry.api(instance);
  }

  /** A plain (non-websocket) request to a registration route: gorilla's 400. */
  private badHandshake(res: ServerResponse): void {
    text(res, 400, `Bad Request\n${GoText.notWebSocketProtocol}\n`);
  }

  /** `GET <base>/v6/events`: the caller's instance's events, newest first (not a Flux route). */
  private listEvents(req: IncomingMessage, res: ServerResponse): void {
    const instance = this.authenticate(req);
    if (instance === undefined) return writeError(req, res, 401, new UnauthorizedError());
    const events = this.events.list(instance).map((s) => encodeEvent(s.event));
    send(res, 200, { 'Content-Type': JSON_CONTENT_TYPE, ...NO_STORE }, `[${events.join(',')}]`);
  }

  /** `POST <base>/v6/events` (the daemon's LogEvent): stored for the token's instance; 204. */
  private async postEvent(req: IncomingMessage, res: ServerResponse, instance: string): Promise<void> {
    const max = this.options.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES;
    let event: FluxEvent;
    try {
      event = parseEventBody(await readRequestBody(req, max));
    } catch (e) {
      if (e instanceof HttpRequestError && e.status === 413) return writeError(req, res, 413, new HttpRequestError(413, `event too large: the hub accepts events of at most ${max} bytes`));
      if (e instanceof HttpRequestError) return writeError(req, res, e.status, e);
      throw e;
    }
    this.events.add(instance, event);
    this.metrics.events.inc({ instance });
    this.log.info('event', { instance, type: event.type, workloads: (event.serviceIds ?? []).length });
    res.writeHead(204).end();
  }

  private statusPage(res: ServerResponse): void {
    const html = renderStatusPage({ instances: this.registry.list(), events: this.events.recent(20), startedAt: this.startedAt, now: new Date(), version: PACKAGE_VERSION });
    send(res, 200, { 'Content-Type': 'text/html; charset=utf-8', ...NO_STORE }, html);
  }
}

function pathOf(req: IncomingMessage): string {
  try {
    return new URL(req.url ?? '/', 'http://hub').pathname;
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
