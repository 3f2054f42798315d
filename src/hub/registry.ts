/**
 * The connected daemons, one per instance, and the Flux API that reaches each.
 *
 * - A new connection for an instance replaces the old one, which is closed ("kicked", as the
 *   historic fluxsvc's NATS bus did; docs/rpc.md §10).
 * - A call to an instance with no daemon fails at once with `UnavailableError`.
 * - Every call is bounded by the call timeout. A call that times out, or that fails with a
 *   `FatalError` (the connection is unusable), disconnects the daemon, which will dial again; the
 *   caller gets an `UnavailableError` saying why.
 * - What happened to each instance (connected since, protocol, last error) is kept for the status
 *   page, also after the daemon went away. Every text a daemon supplies is cut before it is kept
 *   (`MAX_KEPT_TEXT`) or relayed to an API caller (`MAX_RELAYED_ERROR_TEXT`).
 * - Go daemons (v1.25.4) lack ListServicesWithOptions; the fallback (versions/daemon-fallbacks.ts)
 *   is used per connection.
 * - Every log line names the instance (and the connection's id).
 */
import type { CallContext, FluxApi, ProtocolVersion } from '../flux/api.js';
import { FatalError, FluxError, UnavailableError } from '../flux/model/index.js';
import type { ListServicesOptions } from '../flux/model/index.js';
import { DeadlineExceededError, ServerError } from '../rpc/errors.js';
import { METHODS as FLUX_METHODS } from '../flux/versions/methods.js';
import { listServicesWithOptionsOrShim, type DaemonGaps } from '../flux/versions/daemon-fallbacks.js';
import { Listeners } from '../runtime/listeners.js';
import { silentLogger, type LogFields, type Logger } from '../runtime/log.js';
import { MAX_KEPT_TEXT, truncate } from '../runtime/text.js';
import { checkTimerMs, DEFAULT_CALL_TIMEOUT_MS } from '../runtime/time.js';
import { GoText } from '../runtime/go-text.js';
import { hubMetrics, type HubMetrics } from './metrics.js';

/**
 * The longest error text (message, and help of a Flux error) a daemon's failure is relayed to an
 * API caller with: 64 KiB, far more than any real Flux error, and what fluxctl can print on a
 * terminal. Longer texts are cut with a marker.
 */
export const MAX_RELAYED_ERROR_TEXT = 64 * 1024;

/**
 * What the registry needs from a connected daemon's client (`createFluxClient`'s result). Its
 * methods must honour `ctx.deadline` (reject with `DeadlineExceededError` when it passes, as the
 * RPC client does) as well as `ctx.signal`: the registry bounds each call by the call timeout
 * through the deadline alone, with no timer or AbortController of its own.
 */
export interface DaemonClient extends FluxApi {
  close(): unknown;
  readonly closed: Promise<unknown>;
  /** Optional: as `closed.then(listener)`, without a promise per connection (`createFluxClient`'s has it). */
  onceClosed?(listener: (why: unknown) => void): void;
}

export interface ConnectionInfo {
  protocol: ProtocolVersion;
  remote: string;
  userAgent: string;
  /**
   * Which credential the daemon registered with (opaque; never logged or shown), so that it can
   * be disconnected when that credential is withdrawn (`disconnectWhere`).
   */
  credential?: string;
}

export interface InstanceStatus {
  instance: string;
  connected: boolean;
  protocol: ProtocolVersion | undefined;
  remote: string | undefined;
  userAgent: string | undefined;
  connectedSince: Date | undefined;
  lastSeen: Date | undefined;
  lastError: string | undefined;
  lastErrorAt: Date | undefined;
  connections: number;
}

/**
 * Told about this process's daemon connections (the cluster's hook: src/hub/cluster announces them
 * to the other replicas). Called synchronously; an older connection's `disconnected` comes before
 * the `connected` of the one that replaced it. A listener that throws is logged; the connection and
 * the other listeners are not affected.
 */
export interface RegistryListener {
  connected(instance: string, connection: ConnectionInfo & { id: number; since: Date }): void;
  disconnected(instance: string, id: number): void;
}

/**
 * A call context that may carry an absolute deadline (epoch ms): a call forwarded from another
 * replica brings the caller's. The registry then bounds the call by the earlier of its own call
 * timeout and that deadline. (`CallContext` has the field; the name stays for its users.)
 */
export type DeadlineContext = CallContext;

/** The error of a call to an instance no daemon is connected for. */
export function noDaemonError(instance: string): UnavailableError {
  return new UnavailableError(new Error(`no daemon is connected for instance ${instance}`));
}

/** Where a connection is in its life. */
export enum ConnectionState {
  /** Registered; calls go to it while it is the instance's current connection. */
  Open = 'open',
  /** The hub closed it (kick, fatal error, timeout, withdrawn token, shutdown): `closeReason` says why. */
  ClosedByHub = 'closed-by-hub',
  /** It ended otherwise: the daemon, the network, or the RPC client after a failure. */
  Ended = 'ended',
}

/**
 * One daemon connection. At 10,000 connections each object per connection counts: the connection
 * is its own `DaemonGaps`, and its log lines get their `instance` and `connection` fields when a
 * line is written (`logAbout`), not from a child logger kept per connection.
 */
interface Connection extends ConnectionInfo, DaemonGaps {
  id: number;
  instance: string;
  client: DaemonClient;
  since: Date;
  state: ConnectionState;
  /** Set with `ConnectionState.ClosedByHub`. */
  closeReason: string | undefined;
}

type Outcome = 'ok' | 'application_error' | 'server_error' | 'fatal' | 'timeout' | 'unavailable' | 'canceled' | 'error';

/** FluxApi method → Go method name (from the RPC method table), for metric labels and logs. */
const METHOD_NAMES: ReadonlyMap<keyof FluxApi, string> = new Map(Object.values(FLUX_METHODS).map((m) => [m.api, m.name]));

export interface RegistryOptions {
  /** Upper bound of each call to a daemon (default 10 s, the historic fluxsvc's NATS timeout; at most 2^31−1). */
  callTimeoutMs?: number;
  metrics?: HubMetrics;
  logger?: Logger;
  now?: () => Date;
}

/** A daemon's error cut for an API caller: same class where it matters (Flux type, RPC error), bounded texts. */
function boundedError(e: unknown): unknown {
  if (e instanceof FluxError) {
    if (e.message.length <= MAX_RELAYED_ERROR_TEXT && e.help.length <= MAX_RELAYED_ERROR_TEXT) return e;
    return new FluxError(truncate(e.type, MAX_KEPT_TEXT), truncate(e.help, MAX_RELAYED_ERROR_TEXT), truncate(e.message, MAX_RELAYED_ERROR_TEXT));
  }
  if (e instanceof ServerError && e.message.length > MAX_RELAYED_ERROR_TEXT) return new ServerError(truncate(e.message, MAX_RELAYED_ERROR_TEXT));
  return e;
}

/** The text of why a connection ended, as the RPC client reports it. */
function endText(why: unknown): string {
  const raw = why instanceof Error ? why.message : why === undefined ? '' : String(why);
  // A clean end of stream reaches an RPC client as Go's "unexpected EOF".
  return raw === GoText.unexpectedEOF ? 'the daemon closed the connection' : raw;
}

/**
 * Told when an instance's daemon connects or goes away, after its status changed (the dashboard's
 * live view). A listener that throws is logged; the connection is not affected.
 */
export type StatusListener = (status: InstanceStatus) => void;

export class DaemonRegistry {
  private readonly connections = new Map<string, Connection>();
  private readonly waiters = new Map<string, Set<() => void>>();
  private readonly status = new Map<string, InstanceStatus>();
  private readonly connectedListeners: Listeners<Parameters<RegistryListener['connected']>>;
  private readonly disconnectedListeners: Listeners<Parameters<RegistryListener['disconnected']>>;
  private readonly statusListeners: Listeners<Parameters<StatusListener>>;
  readonly callTimeoutMs: number;
  private readonly metrics: HubMetrics;
  private readonly log: Logger;
  private readonly now: () => Date;
  private nextId = 1;

  constructor(options: RegistryOptions = {}) {
    this.callTimeoutMs = checkTimerMs('callTimeoutMs', options.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS);
    this.metrics = options.metrics ?? hubMetrics();
    this.log = (options.logger ?? silentLogger).child({ component: 'registry' });
    this.now = options.now ?? (() => new Date());
    const failed = (e: unknown, instance: string) => this.log.warn('a registry listener failed', { instance, error: e as Error });
    this.connectedListeners = new Listeners<Parameters<RegistryListener['connected']>>(failed);
    this.disconnectedListeners = new Listeners<Parameters<RegistryListener['disconnected']>>(failed);
    this.statusListeners = new Listeners((e, status) => failed(e, status.instance));
  }

  /** Adds a daemon's connection; an older one for the same instance is closed. Returns its id. */
  register(instance: string, client: DaemonClient, info: ConnectionInfo): number {
    const id = this.nextId++;
    const since = this.now();
    const remote = truncate(info.remote, MAX_KEPT_TEXT);
    const userAgent = truncate(info.userAgent, MAX_KEPT_TEXT);
    const old = this.connections.get(instance);
    const conn: Connection = {
      protocol: info.protocol,
      remote,
      userAgent,
      credential: info.credential,
      id,
      instance,
      client,
      since,
      state: ConnectionState.Open,
      closeReason: undefined,
      lacksListServicesWithOptions: false,
    };
    this.connections.set(instance, conn);
    // Its end is watched before anyone else is told of it (a listener's failure cannot leave it
    // unaccounted).
    const ended = (why: unknown) => this.onEnded(conn, why);
    if (client.onceClosed !== undefined) client.onceClosed(ended);
    else void client.closed.then(ended);
    const st = this.statusOf(instance);
    Object.assign(st, { connected: true, protocol: info.protocol, remote, userAgent, connectedSince: since, lastSeen: since });
    st.connections++;
    this.metrics.connections.inc({ protocol: String(info.protocol) });
    if (old) {
      this.metrics.kicks.inc();
      this.drop(old, `replaced by a newer connection from ${remote}`, 'warn');
    } else this.metrics.connectedDaemons.inc();
    this.logAbout(conn, 'info', 'daemon connected', { protocol: info.protocol, remote, userAgent });
    this.connectedListeners.tell(instance, { ...info, remote, userAgent, id, since });
    this.changed(instance);
    const waiting = this.waiters.get(instance);
    this.waiters.delete(instance);
    for (const wake of waiting ?? []) wake();
    return id;
  }

  /**
   * Resolves once a daemon is connected for `instance` (at once if one is); rejects with
   * `signal.reason` if `signal` aborts first.
   */
  whenConnected(instance: string, signal?: AbortSignal): Promise<void> {
    if (this.connections.has(instance)) return Promise.resolve();
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      let set = this.waiters.get(instance);
      if (!set) this.waiters.set(instance, (set = new Set()));
      const waiters = set;
      const onAbort = () => {
        waiters.delete(wake);
        if (waiters.size === 0 && this.waiters.get(instance) === waiters) this.waiters.delete(instance);
        reject(signal!.reason);
      };
      const wake = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      waiters.add(wake);
    });
  }

  /** Whether a daemon is connected for `instance`. */
  isConnected(instance: string): boolean {
    return this.connections.has(instance);
  }

  /**
   * The Flux API of `instance`'s daemon (whichever is connected at the time of each call): a small
   * object of two fields whose methods (on its prototype) go through the registry, so it costs
   * nothing to keep and nothing to make per request.
   */
  api(instance: string): FluxApi {
    return new InstanceApi(this, instance) as unknown as FluxApi;
  }

  /** Instances known (configured or seen), with what happened to them, sorted by name. */
  list(): InstanceStatus[] {
    return [...this.status.values()].map((s) => ({ ...s })).sort((a, b) => (a.instance < b.instance ? -1 : a.instance > b.instance ? 1 : 0));
  }

  /** Makes an instance show on the status page before any daemon connected. */
  declare(instance: string): void {
    this.statusOf(instance);
  }

  /** Adds a listener for local connections and disconnections; returns its removal. */
  listen(listener: RegistryListener): () => void {
    const stopConnected = this.connectedListeners.add((instance, connection) => listener.connected(instance, connection));
    const stopDisconnected = this.disconnectedListeners.add((instance, id) => listener.disconnected(instance, id));
    return () => {
      stopConnected();
      stopDisconnected();
    };
  }

  /**
   * Closes connection `id` of `instance` because a newer one registered elsewhere (another
   * replica); counted as a kick. False if that connection is no longer the instance's.
   */
  kick(instance: string, id: number, reason: string): boolean {
    const conn = this.connections.get(instance);
    if (!conn || conn.id !== id) return false;
    this.metrics.kicks.inc();
    this.drop(conn, reason, 'warn');
    return true;
  }

  /** Disconnects `instance`'s daemon, if any, and forgets the instance (it is no longer configured). */
  forget(instance: string, reason: string): void {
    const conn = this.connections.get(instance);
    if (conn) this.drop(conn, reason, 'warn');
    this.status.delete(instance);
  }

  /** Disconnects every daemon whose connection `test` picks; returns how many. */
  disconnectWhere(test: (instance: string, info: Readonly<ConnectionInfo>) => boolean, reason: string): number {
    let n = 0;
    for (const [instance, conn] of [...this.connections]) {
      if (!test(instance, conn)) continue;
      this.drop(conn, reason, 'warn');
      n++;
    }
    return n;
  }

  /** Calls `listener` whenever a daemon connects or goes away; returns the function that stops it. */
  subscribe(listener: StatusListener): () => void {
    return this.statusListeners.add(listener);
  }

  private changed(instance: string): void {
    if (this.statusListeners.size === 0) return;
    const status = this.status.get(instance);
    if (status) this.statusListeners.tell({ ...status });
  }

  /** Disconnects every daemon. */
  closeAll(reason = 'the hub is shutting down'): void {
    for (const conn of [...this.connections.values()]) this.drop(conn, reason, 'info');
  }

  private statusOf(instance: string): InstanceStatus {
    let st = this.status.get(instance);
    if (!st) {
      st = { instance, connected: false, protocol: undefined, remote: undefined, userAgent: undefined, connectedSince: undefined, lastSeen: undefined, lastError: undefined, lastErrorAt: undefined, connections: 0 };
      this.status.set(instance, st);
    }
    return st;
  }

  /**
   * Takes `conn` out if it is its instance's current connection (a kicked one is not: its end
   * says nothing about the connection that replaced it), noting `lastError`. True if it was.
   */
  private remove(conn: Connection, lastError: string): boolean {
    if (this.connections.get(conn.instance) !== conn) return false;
    this.connections.delete(conn.instance);
    this.metrics.connectedDaemons.dec();
    const st = this.status.get(conn.instance);
    if (st) {
      st.connected = false;
      st.lastError = truncate(lastError, MAX_KEPT_TEXT);
      st.lastErrorAt = this.now();
    }
    return true;
  }

  /** The hub closes a connection on purpose; `reason` says why, as a cause ("Export call timed out after 10000 ms"). */
  private drop(conn: Connection, reason: string, level: 'info' | 'warn'): void {
    if (conn.state !== ConnectionState.Open) return;
    conn.state = ConnectionState.ClosedByHub;
    conn.closeReason = truncate(reason, MAX_KEPT_TEXT);
    if (this.remove(conn, `disconnected by the hub: ${conn.closeReason}`)) this.changed(conn.instance);
    this.logAbout(conn, level, 'daemon disconnected by the hub', { reason: conn.closeReason });
    this.disconnectedListeners.tell(conn.instance, conn.id);
    this.observeDuration(conn);
    conn.client.close();
  }

  /** The connection ended, by the daemon or the network (or after `drop`). */
  private onEnded(conn: Connection, why: unknown): void {
    if (conn.state !== ConnectionState.Open) return; // already accounted for
    conn.state = ConnectionState.Ended;
    const text = endText(why);
    if (this.remove(conn, text ? `connection ended: ${text}` : 'connection ended')) {
      const st = this.status.get(conn.instance);
      if (st) st.lastSeen = this.now();
      this.changed(conn.instance);
    }
    this.logAbout(conn, 'info', 'daemon disconnected', { error: text || undefined });
    this.disconnectedListeners.tell(conn.instance, conn.id);
    this.observeDuration(conn);
  }

  /**
   * A line about `conn`: its `instance` and `connection` come first, where a child logger's
   * bindings would put them (the same line, without a child logger per connection or per line).
   */
  private logAbout(conn: Connection, level: 'info' | 'warn', msg: string, fields: LogFields = {}): void {
    this.log[level](msg, { instance: conn.instance, connection: conn.id, ...fields });
  }

  private observeDuration(conn: Connection): void {
    this.metrics.connectionDuration.observe({ protocol: String(conn.protocol) }, (this.now().getTime() - conn.since.getTime()) / 1000);
  }

  private invoke(conn: Connection, key: keyof FluxApi, ctx: CallContext, args: unknown[]): Promise<unknown> {
    if (key === 'listServicesWithOptions') {
      return listServicesWithOptionsOrShim(conn.client, ctx, args[0] as ListServicesOptions, conn, () => this.logAbout(conn, 'info', 'daemon lacks ListServicesWithOptions; emulating it with ListServices'));
    }
    const method = conn.client[key] as (ctx: CallContext, ...a: unknown[]) => Promise<unknown>;
    return method.call(conn.client, ctx, ...args);
  }

  /** @internal A call of `instance`'s API (`InstanceApi`'s methods). */
  async call(instance: string, key: keyof FluxApi, name: string, ctx: CallContext, args: unknown[]): Promise<unknown> {
    const started = performance.now();
    let outcome: Outcome = 'ok';
    try {
      const conn = this.connections.get(instance);
      if (!conn) {
        outcome = 'unavailable';
        throw noDaemonError(instance);
      }
      // The call timeout (or the caller's earlier deadline) travels as the call's deadline: the
      // RPC client stops waiting then, with one timer, and nothing else is made per call.
      const now = Date.now();
      const until = ctx.deadline;
      const timeoutMs = until === undefined ? this.callTimeoutMs : Math.max(0, Math.min(this.callTimeoutMs, until - now));
      try {
        const result = await this.invoke(conn, key, { signal: ctx.signal, deadline: now + timeoutMs }, args);
        const st = this.status.get(instance);
        if (st) st.lastSeen = this.now();
        return result;
      } catch (e) {
        // A connection the hub already closed on purpose (kicked, timed out, shut down) fails its
        // calls in flight: that is no new reason to disconnect, nor to count or log one. (One the
        // RPC client closed after a fatal error may have ended first: that one counts.)
        const closedByHub = conn.state === ConnectionState.ClosedByHub;
        if (e instanceof DeadlineExceededError && !ctx.signal.aborted) {
          outcome = 'timeout';
          const text = `${name} call timed out after ${timeoutMs} ms`;
          if (!closedByHub) {
            this.metrics.fatalDisconnects.inc({ reason: 'timeout' });
            this.drop(conn, text, 'warn');
          }
          throw new UnavailableError(new Error(text));
        }
        if (ctx.signal.aborted) outcome = 'canceled';
        else if (e instanceof FatalError) {
          outcome = 'fatal';
          const text = truncate(e.message, MAX_RELAYED_ERROR_TEXT);
          if (!closedByHub) {
            this.metrics.fatalDisconnects.inc({ reason: 'fatal' });
            this.drop(conn, `fatal error in ${name}: ${text}`, 'warn');
            throw new UnavailableError(text === e.message ? e.err : new Error(text));
          }
          throw new UnavailableError(new Error(`the daemon's connection was closed: ${conn.closeReason}`, { cause: e.err }));
        } else if (e instanceof FluxError) outcome = 'application_error';
        else if (e instanceof ServerError) outcome = 'server_error';
        else outcome = 'error';
        throw boundedError(e);
      }
    } finally {
      this.metrics.requestDuration.observe({ method: name, outcome }, (performance.now() - started) / 1000);
    }
  }
}

/** `DaemonRegistry.api(instance)`: each FluxApi method, on the prototype, calls the registry. */
class InstanceApi {
  constructor(
    readonly registry: DaemonRegistry,
    readonly instance: string,
  ) {}
}
for (const [key, name] of METHOD_NAMES) {
  Object.defineProperty(InstanceApi.prototype, key, {
    value: function (this: InstanceApi, ctx: CallContext, ...args: unknown[]) {
      return this.registry.call(this.instance, key, name, ctx, args);
    },
    writable: true,
    configurable: true,
  });
}
