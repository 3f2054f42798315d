/**
 * A daemon registering: `GET <base>/v6/daemon` … `<base>/v11/daemon` with a websocket upgrade
 * (docs/wire.md §8). The token names the instance; a missing or unknown token gets 401 before any
 * upgrade, an unknown version 404, a version below the minimum 410 Gone (fluxd then stops); the
 * websocket gets the client of the version dialled, which joins the registry (a newer connection
 * replaces an older one). A token withdrawn during the handshake drops the new connection.
 *
 * node hands every request with an `Upgrade` header to the 'upgrade' listener, including curl's
 * h2c offer (`curl --http2`); only a websocket upgrade of a registration route is one here, every
 * other such request is answered as plain HTTP/1.1 (upgrade-as-http.ts). A plain request to a
 * registration route gets gorilla's 400 (`badHandshake`).
 *
 * Refusals are counted (`fluxrpc_hub_rejected_registrations_total{status}`) and logged at most
 * once per second per status.
 */
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { isProtocolVersion, PROTOCOL_VERSIONS, type ProtocolVersion } from '../flux/api.js';
import { createFluxClient } from '../flux/versions/index.js';
import { send, TEXT_CONTENT_TYPE } from '../http/respond.js';
import type { ByteStream } from '../transport/byte-stream.js';
import type { WebSocketAcceptor } from '../transport/websocket.js';
import type { ByteBudget } from '../runtime/budget.js';
import { GoText } from '../runtime/go-text.js';
import type { Logger } from '../runtime/log.js';
import type { TokenAuth } from './auth.js';
import type { LogThrottle } from './log-throttle.js';
import type { HubMetrics } from './metrics.js';
import type { DaemonClient, DaemonRegistry } from './registry.js';
import { pathOf } from './request-path.js';
import { serveUpgradeAsHttp } from './upgrade-as-http.js';

const DAEMON_ROUTE = /^(?:\/api\/flux)?\/v(\d+)\/daemon\/?$/;
/** `Upgrade` names websocket (a token list, case-insensitive, as gorilla reads it). */
const WEBSOCKET_UPGRADE = /(?:^|,)\s*websocket\s*(?:,|$)/i;

/** What the hub hands to `createClient` for each daemon connection. */
export interface DaemonClientOptions {
  /** The hub's budget of buffered bytes, to charge what the connection holds (messages being read). */
  budget: ByteBudget;
  /** The most bytes of one reply from the daemon (`HubOptions.maxValueBytes`). */
  maxValueBytes: number;
  /** The most JSON elements in one reply from the daemon (`HubOptions.maxValueElements`). */
  maxValueElements: number;
}

/** The RPC client made for a daemon's websocket (see `HubOptions.createClient`). */
export type CreateDaemonClient = (version: ProtocolVersion, stream: ByteStream, options: DaemonClientOptions) => DaemonClient;

/** The registration's settings (read for each registration). */
export interface RegistrationOptions {
  /** Registrations on older routes are refused with 410 Gone (default 6: none). */
  minProtocol?: ProtocolVersion | undefined;
  /** Default: `createFluxClient`, charging the hub's budget. */
  createClient?: CreateDaemonClient | undefined;
}

/** What a registration reaches in the hub. */
export interface RegistrationContext {
  /** The tokens in use (they may be replaced at any time). */
  auth(): TokenAuth;
  registry: DaemonRegistry;
  acceptor: WebSocketAcceptor;
  /** What each daemon connection's client is made with. */
  clientOptions: DaemonClientOptions;
  metrics: HubMetrics;
  throttle: LogThrottle;
  log: Logger;
  /** Answers a request on the upgrade path that is no registration, as a plain request. */
  plainRequest(req: IncomingMessage, res: ServerResponse): Promise<void>;
  /** The server's time limit for a whole request, for those plain requests. */
  requestTimeoutMs(): number;
}

export class DaemonRegistration {
  constructor(
    private readonly hub: RegistrationContext,
    private readonly options: RegistrationOptions,
  ) {}

  /** Handles a websocket upgrade request (a daemon registering). */
  async handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const hub = this.hub;
    const path = pathOf(req);
    const m = DAEMON_ROUTE.exec(path);
    const remote = `${req.socket.remoteAddress}:${req.socket.remotePort}`;
    const refuse = (status: number, body: string, why: string) => {
      hub.metrics.rejectedRegistrations.inc({ status: String(status) });
      hub.throttle.run(`registration_${status}`, (suppressed) => hub.log.warn('daemon registration refused', { status, path, remote, reason: why, userAgent: req.headers['user-agent'], suppressed: suppressed || undefined }));
      refuseUpgrade(socket, status, body);
    };
    if (!m || !WEBSOCKET_UPGRADE.test(req.headers.upgrade ?? '')) return serveUpgradeAsHttp(req, socket as Socket, head, (r, res) => hub.plainRequest(r, res), { requestTimeoutMs: hub.requestTimeoutMs() });
    if (req.method !== 'GET') return refuse(405, 'Method Not Allowed\n', 'method');
    const credential = hub.auth().credential(req.headers.authorization);
    if (credential === undefined) return refuse(401, 'missing or unknown token\n', req.headers.authorization ? 'unknown token' : 'no token');
    const { instance } = credential;
    const version = Number(m[1]);
    if (!isProtocolVersion(version)) return refuse(404, `${GoText.notFound}\n`, `no protocol version ${m[1]}`);
    if (version < (this.options.minProtocol ?? PROTOCOL_VERSIONS[0])) return refuse(410, `${GoText.apiDeprecated}\n`, `protocol ${version} is below the minimum ${this.options.minProtocol}`);
    let stream: ByteStream;
    try {
      // The stream keeps the same remote string (one per connection, not two).
      stream = await hub.acceptor.upgrade(req, socket, head, remote);
    } catch (e) {
      hub.metrics.rejectedRegistrations.inc({ status: '400' });
      hub.throttle.run('handshake_failed', (suppressed) => hub.log.warn('websocket handshake failed', { remote, instance, error: e as Error, suppressed: suppressed || undefined }));
      return;
    }
    if (hub.auth().instanceOf(credential.id) !== instance) {
      // The token was withdrawn during the handshake.
      hub.log.warn('daemon registration dropped: its token was removed from the tokens', { remote, instance });
      stream.close();
      return;
    }
    const client = (this.options.createClient ?? defaultClient)(version, stream, hub.clientOptions);
    hub.registry.register(instance, client, { protocol: version, remote, userAgent: String(req.headers['user-agent'] ?? ''), credential: credential.id });
  }
}

/** A plain (non-websocket) request to a registration route: gorilla's 400. */
export function badHandshake(res: ServerResponse): void {
  // gorilla's Upgrader answers `http.Error(w, StatusText(400), 400)` with its version header; the
  // reason (GoText.notWebSocketProtocol) is its returned error, not part of the answer.
  send(res, 400, { 'Content-Type': TEXT_CONTENT_TYPE, 'Sec-Websocket-Version': '13', 'X-Content-Type-Options': 'nosniff' }, 'Bad Request\n');
}

/**
 * The default `createClient`: charges the hub's budget for replies not yet complete and bounds
 * each reply (see `HubOptions.createClient`).
 */
const defaultClient: CreateDaemonClient = (version, stream, options) => createFluxClient(version, stream, options);

/** Answers an upgrade request with a plain HTTP error and closes the socket. */
function refuseUpgrade(socket: Duplex, status: number, body: string): void {
  const head = [`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}`, 'Content-Type: text/plain; charset=utf-8', `Content-Length: ${Buffer.byteLength(body)}`, 'Connection: close'];
  if (status === 401) head.push('WWW-Authenticate: Scope-Probe');
  socket.end(`${head.join('\r\n')}\r\n\r\n${body}`);
  socket.once('error', () => undefined);
}
