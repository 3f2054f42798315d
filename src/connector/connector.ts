/**
 * The daemon side of Flux's dial-out (`fluxd --connect`, docs/wire.md §7): dial the upstream's
 * `<base>/v<N>/daemon` websocket, serve the Flux RPC API on it, and when it ends, dial again.
 *
 * Behaviour matches flux `upstream.go`'s `loop()` (User-Agent and token headers, 410 Gone means
 * "deprecated" and stops for good, everything else is retried) but not its structure: no
 * `os.Exit` (the connector stops and `closed` resolves with the error), the wait between attempts
 * follows a policy (backoff.ts) and can be interrupted, and `close()` also stops a wait or a dial in
 * progress. Every state change is reported as an event, in order, so tests can assert sequences
 * without sleeping.
 */
import type { DaemonImplementation, ProtocolVersion } from '../flux/api.js';
import { NEWEST_PROTOCOL, isProtocolVersion } from '../flux/api.js';
import { DEFAULT_RPC_TIMEOUT_MS, serveFlux, type FluxServeOptions } from '../flux/server.js';
import { setTokenHeader } from '../http/token-header.js';
import type { ServerConnection } from '../rpc/server.js';
import type { ByteStream } from '../transport/byte-stream.js';
import { DialError, dialWebSocket } from '../transport/websocket.js';
import { backoffDelay, checkBackoff, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff.js';
import { daemonRoute, inferEndpoints, routeUrl, EVENTS_ROUTE, type Endpoints } from './endpoints.js';
import { silentLogger, type Logger } from '../runtime/log.js';
import { DEFAULT_USER_AGENT } from '../runtime/version.js';
import { DEFAULT_CALL_TIMEOUT_MS } from '../runtime/time.js';
import { GoText } from '../runtime/go-text.js';

/** fluxd's text when the upstream answers the dial with 410 Gone. */
export const DEPRECATED_TEXT = GoText.fluxdDeprecated;

/** The upstream answered 410 Gone: it no longer accepts this protocol version. Stops the connector. */
export class DeprecatedError extends Error {
  override name = 'DeprecatedError';
  readonly code = 'FLUXRPC_ERR_DEPRECATED';
  constructor(
    readonly url: string,
    options?: ErrorOptions,
  ) {
    super(DEPRECATED_TEXT, options);
  }
}

export type ConnectorEvent =
  | { type: 'connecting'; url: string; attempt: number }
  | { type: 'connected'; url: string; remote: string }
  | { type: 'dial-failed'; url: string; error: Error; status: number | undefined }
  | { type: 'disconnected'; error: Error | undefined }
  | { type: 'waiting'; delayMs: number }
  | { type: 'deprecated'; error: DeprecatedError }
  | { type: 'closed'; error: Error | undefined };

export interface DialFunction {
  /** `signal` aborts the attempt (connection and handshake) when the connector is closed. */
  (url: string, options: { headers: Record<string, string>; handshakeTimeoutMs: number; signal: AbortSignal }): Promise<ByteStream>;
}

export interface ServeFunction {
  (impl: DaemonImplementation, stream: ByteStream, options: FluxServeOptions): ServerConnection;
}

export interface ConnectorOptions {
  /** The upstream's base URL (`ws`, `wss`, `http` or `https`), e.g. `wss://hub.example/api/flux`. */
  url: string;
  /** Sent as `Authorization: Scope-Probe token=<token>`; no header when empty. */
  token?: string;
  /** What to serve: an implementation in code, or a relay to a real fluxd (relay.ts). */
  implementation: DaemonImplementation;
  /** Protocol version to register as, i.e. the route `/v<N>/daemon` (default 11, as fluxd v1.25). */
  protocol?: ProtocolVersion;
  /** Default `fluxrpc/<package version>` (fluxd sends `fluxd/<version>`). */
  userAgent?: string;
  /** Per-call time limit given to the implementation (fluxd `--rpc-timeout`, default 10 s). */
  rpcTimeoutMs?: number;
  /** Websocket handshake time limit (default 10 s, as fluxd's HTTP client). */
  handshakeTimeoutMs?: number;
  /** Bounds on one request from the hub (default: the codec's, 64 MiB and 4 Mi elements). */
  limits?: { maxValueBytes?: number; maxValueElements?: number };
  backoff?: Partial<BackoffPolicy>;
  logger?: Logger;
  /** Called synchronously for every event, in order. */
  onEvent?: (event: ConnectorEvent) => void;
  /** Seams for tests. */
  dial?: DialFunction;
  serve?: ServeFunction;
  random?: () => number;
}

const defaultDial: DialFunction = (url, options) => dialWebSocket(url, options);
const defaultServe: ServeFunction = (impl, stream, options) => serveFlux(impl, stream, options);

export class DaemonConnector {
  readonly endpoints: Endpoints;
  /** The websocket URL dialled: `<ws endpoint>/v<N>/daemon`. */
  readonly url: string;
  readonly protocol: ProtocolVersion;
  /** Resolves once the connector has stopped: `undefined` after `close()`, the error otherwise. */
  readonly closed: Promise<Error | undefined>;

  private readonly policy: BackoffPolicy;
  private readonly headers: Record<string, string>;
  private readonly log: Logger;
  private readonly listeners = new Set<(e: ConnectorEvent) => void>();
  private stopping = false;
  private started = false;
  private current: ServerConnection | undefined;
  private connectedAt: Date | undefined;
  private wake: (() => void) | undefined;
  /** Aborts the dial in progress, if any. */
  private dialing: AbortController | undefined;
  private resolveClosed!: (e: Error | undefined) => void;

  constructor(private readonly options: ConnectorOptions) {
    this.endpoints = inferEndpoints(options.url);
    const protocol = options.protocol ?? NEWEST_PROTOCOL;
    if (!isProtocolVersion(protocol)) throw new RangeError(`protocol must be one of 6 … 11, got ${String(protocol)}`);
    this.protocol = protocol;
    this.url = routeUrl(this.endpoints.ws, daemonRoute(protocol));
    this.policy = checkBackoff({ ...DEFAULT_BACKOFF, ...options.backoff });
    this.headers = { 'User-Agent': options.userAgent ?? DEFAULT_USER_AGENT };
    setTokenHeader(this.headers, options.token);
    this.log = (options.logger ?? silentLogger).child({ component: 'connector', url: this.url });
    if (options.onEvent) this.listeners.add(options.onEvent);
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
  }

  /** Starts the connect loop (once). Returns `this`. */
  start(): this {
    if (this.started) return this;
    this.started = true;
    void this.loop();
    return this;
  }

  /** When the current connection was established, if connected. */
  get connectedSince(): Date | undefined {
    return this.connectedAt;
  }

  /** Adds an event listener; returns a function that removes it. */
  subscribe(listener: (e: ConnectorEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Resolves with the next event of `type` (for tests and the CLI); rejects with `signal.reason`
   * if `signal` aborts first (and stops listening).
   */
  next<T extends ConnectorEvent['type']>(type: T, signal?: AbortSignal): Promise<Extract<ConnectorEvent, { type: T }>> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        off();
        reject(signal!.reason);
      };
      const off = this.subscribe((e) => {
        if (e.type === type) {
          off();
          signal?.removeEventListener('abort', onAbort);
          resolve(e as Extract<ConnectorEvent, { type: T }>);
        }
      });
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Stops: ends the connection (close 1000 "ok"), a wait or a pending dial. Resolves when stopped. */
  async close(): Promise<void> {
    this.stopping = true;
    if (!this.started) {
      this.started = true;
      this.emit({ type: 'closed', error: undefined });
      this.resolveClosed(undefined);
    }
    this.current?.close();
    this.wake?.();
    this.dialing?.abort(new Error('the connector was closed'));
    await this.closed;
  }

  /**
   * The daemon's LogEvent (docs/wire.md §7.5): POSTs a `json.Marshal`led event to `<http>/v6/events`
   * with the token, `Accept: application/json` and no Content-Type, as fluxd does.
   */
  async logEvent(eventJson: string, signal: AbortSignal = AbortSignal.timeout(DEFAULT_CALL_TIMEOUT_MS)): Promise<void> {
    const headers: Record<string, string> = { Accept: 'application/json', 'User-Agent': this.headers['User-Agent']! };
    if (this.headers.Authorization) headers.Authorization = this.headers.Authorization;
    const res = await fetch(routeUrl(this.endpoints.http, EVENTS_ROUTE), { method: 'POST', headers, body: Buffer.from(eventJson, 'utf8'), signal });
    const body = await res.text();
    if ([200, 201, 202, 204].includes(res.status)) return;
    if (res.status === 401) throw new Error('request failed authentication');
    throw new Error(`${res.status} ${res.statusText} ${body}`.trim());
  }

  private emit(event: ConnectorEvent): void {
    for (const listener of [...this.listeners]) listener(event);
  }

  private async loop(): Promise<void> {
    let failures = 0;
    let attempt = 0;
    let stopError: Error | undefined;
    while (!this.stopping) {
      attempt++;
      this.emit({ type: 'connecting', url: this.url, attempt });
      this.log.info('connecting', { attempt });
      let stream: ByteStream;
      const dialing = (this.dialing = new AbortController());
      try {
        stream = await (this.options.dial ?? defaultDial)(this.url, { headers: this.headers, handshakeTimeoutMs: this.options.handshakeTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS, signal: dialing.signal });
      } catch (e) {
        if (this.stopping) break; // close() aborted the dial: not a failure
        const error = e as Error;
        const status = error instanceof DialError ? error.status : undefined;
        if (status === 410) {
          stopError = new DeprecatedError(this.url, { cause: error });
          this.log.error('upstream refused this protocol version (410 Gone); stopping', { error: stopError.message, protocol: this.protocol });
          this.emit({ type: 'deprecated', error: stopError as DeprecatedError });
          break;
        }
        this.emit({ type: 'dial-failed', url: this.url, error, status });
        failures++;
        this.log.warn('connection attempt failed', { error: `executing websocket ${this.url}: ${error.message}`, status, hint: status === 401 ? 'the upstream rejected the token' : undefined });
        await this.pause(backoffDelay(this.policy, failures, this.options.random));
        continue;
      } finally {
        this.dialing = undefined;
      }
      if (this.stopping) {
        stream.close();
        break;
      }
      failures = 0;
      await this.serveOn(stream);
      if (this.stopping) break;
      await this.pause(backoffDelay(this.policy, 1, this.options.random));
    }
    this.emit({ type: 'closed', error: stopError });
    this.log.info('stopped', { error: stopError?.message });
    this.resolveClosed(stopError);
  }

  /** Serves RPC on one connection until it ends. */
  private async serveOn(stream: ByteStream): Promise<void> {
    this.connectedAt = new Date();
    this.emit({ type: 'connected', url: this.url, remote: stream.remote });
    this.log.info('connected', { protocol: this.protocol });
    const connection = (this.options.serve ?? defaultServe)(this.options.implementation, stream, {
      rpcTimeoutMs: this.options.rpcTimeoutMs ?? DEFAULT_RPC_TIMEOUT_MS,
      ...this.options.limits,
      // Protocol 6 upstreams expect the V6-era flat replies (docs/rpc.md §5.1); V7+ the union form.
      flat: this.protocol === 6,
      onError: (error, method) => this.log.warn('call failed', { method, error: error.message }),
      onConnectionError: (error) => this.log.warn('connection error', { error: error.message }),
    });
    this.current = connection;
    if (this.stopping) connection.close();
    await connection.done;
    const error = await stream.closed;
    this.current = undefined;
    this.connectedAt = undefined;
    this.emit({ type: 'disconnected', error });
    if (this.stopping) this.log.info('disconnected (closing)');
    else this.log.warn('disconnected', { error: error?.message ?? 'connection closed by the upstream' });
  }

  /** Waits `ms` unless `close()` is called first. */
  private async pause(ms: number): Promise<void> {
    if (this.stopping) return;
    this.emit({ type: 'waiting', delayMs: ms });
    this.log.info('reconnecting after a pause', { delayMs: ms });
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
    this.wake = undefined;
  }
}
