/**
 * The connected daemons, one per instance, and the Flux API that reaches each.
 *
 * - A new connection for an instance replaces the old one, which is closed ("kicked", as the
 *   historic fluxsvc's NATS bus did; RPC.md §10).
 * - A call to an instance with no daemon fails at once with `UnavailableError`.
 * - Every call is bounded by the call timeout. A call that times out, or that fails with a
 *   `FatalError` (the connection is unusable), disconnects the daemon, which will dial again; the
 *   caller gets an `UnavailableError` saying why.
 * - What happened to each instance (connected since, protocol, last error) is kept for the status
 *   page, also after the daemon went away.
 * - Go daemons (v1.25.4) never registered `RPCServer.ListServicesWithOptions`, although the V11
 *   client calls it and the HTTP API routes both services routes to it (RPC.md §1). When a daemon
 *   answers it with `rpc: can't find method …`, the registry emulates it for that connection with
 *   ListServices and a filter (the V6–V10 shim), so fluxctl's list-workloads works through the hub.
 */
import type { CallContext, FluxApi, ProtocolVersion } from '../flux/api.js';
import { FatalError, FluxError, UnavailableError } from '../flux/model/index.js';
import { ServerError } from '../rpc/errors.js';
import { KINDS_V8 } from '../flux/versions/kinds.js';
import { METHODS as FLUX_METHODS, SERVICE_NAME } from '../flux/versions/methods.js';
import { listServicesWithOptions } from '../flux/versions/shims.js';
import type { ListServicesOptions } from '../flux/model/index.js';
import { silentLogger, type Logger } from '../runtime/log.js';
import { checkTimerMs, DEFAULT_CALL_TIMEOUT_MS, deadline } from '../runtime/time.js';
import { hubMetrics, type HubMetrics } from './metrics.js';
import { GoText } from '../runtime/go-text.js';

/** What the registry needs from a connected daemon's client (`createFluxClient`'s result). */
export interface DaemonClient extends FluxApi {
  close(): unknown;
  readonly closed: Promise<unknown>;
}

export interface ConnectionInfo {
  protocol: ProtocolVersion;
  remote: string;
  userAgent: string;
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

interface Connection extends ConnectionInfo {
  id: number;
  client: DaemonClient;
  since: Date;
  /** Why the hub closed it, if it did; `ENDED` once it ended otherwise. */
  reason: string | undefined;
  /** The daemon lacks ListServicesWithOptions (a Go daemon): emulate it. */
  emulateListServicesWithOptions: boolean;
}

const NO_LIST_SERVICES_WITH_OPTIONS = GoText.canNotFindMethod(`${SERVICE_NAME}.ListServicesWithOptions`);

/** `Connection.reason` of a connection that ended without the hub closing it (the daemon, the network, the RPC client). */
const ENDED = 'closed';

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

/** Told when an instance's daemon connects or goes away, after the status changed. */
export type RegistryListener = (status: InstanceStatus) => void;

export class DaemonRegistry {
  private readonly listeners = new Set<RegistryListener>();
  private readonly connections = new Map<string, Connection>();
  private readonly waiters = new Map<string, (() => void)[]>();
  private readonly status = new Map<string, InstanceStatus>();
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
  }

  /** Adds a daemon's connection; an older one for the same instance is closed. Returns its id. */
  register(instance: string, client: DaemonClient, info: ConnectionInfo): number {
    const id = this.nextId++;
    const since = this.now();
    const old = this.connections.get(instance);
    const conn: Connection = { ...info, id, client, since, reason: undefined, emulateListServicesWithOptions: false };
    this.connections.set(instance, conn);
    const st = this.statusOf(instance);
    Object.assign(st, { connected: true, protocol: info.protocol, remote: info.remote, userAgent: info.userAgent, connectedSince: since, lastSeen: since });
    st.connections++;
    this.metrics.connections.inc({ protocol: String(info.protocol) });
    if (old) {
      this.metrics.kicks.inc({ instance });
      this.drop(instance, old, `replaced by a newer connection from ${info.remote}`, 'warn');
    } else this.metrics.connectedDaemons.inc();
    this.log.info('daemon connected', { instance, protocol: info.protocol, remote: info.remote, userAgent: info.userAgent, connection: id });
    void client.closed.then((why) => this.onClosed(instance, conn, why));
    this.changed(instance);
    const waiting = this.waiters.get(instance);
    this.waiters.delete(instance);
    for (const wake of waiting ?? []) wake();
    return id;
  }

  /** Resolves once a daemon is connected for `instance` (at once if one is). */
  whenConnected(instance: string): Promise<void> {
    if (this.connections.has(instance)) return Promise.resolve();
    return new Promise((resolve) => {
      let list = this.waiters.get(instance);
      if (!list) this.waiters.set(instance, (list = []));
      list.push(resolve);
    });
  }

  /** Whether a daemon is connected for `instance`. */
  isConnected(instance: string): boolean {
    return this.connections.has(instance);
  }

  /** The Flux API of `instance`'s daemon (whichever is connected at the time of each call). */
  api(instance: string): FluxApi {
    const api = {} as Record<keyof FluxApi, unknown>;
    for (const [key, name] of METHOD_NAMES) {
      api[key] = (ctx: CallContext, ...args: unknown[]) => this.call(instance, key, name, ctx, args);
    }
    return api as unknown as FluxApi;
  }

  /** Instances known (configured or seen), with what happened to them, sorted by name. */
  list(): InstanceStatus[] {
    return [...this.status.values()].map((s) => ({ ...s })).sort((a, b) => (a.instance < b.instance ? -1 : a.instance > b.instance ? 1 : 0));
  }

  /** Makes an instance show on the status page before any daemon connected. */
  declare(instance: string): void {
    this.statusOf(instance);
  }

  /** Calls `listener` whenever a daemon connects or goes away; returns the function that stops it. */
  subscribe(listener: RegistryListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(instance: string): void {
    const status = { ...this.statusOf(instance) };
    for (const listener of this.listeners) {
      try {
        listener(status);
      } catch {
        // A listener's failure is its own; the connection is not affected.
      }
    }
  }

  /** Disconnects every daemon. */
  closeAll(reason = 'hub shutting down'): void {
    for (const [instance, conn] of [...this.connections]) this.drop(instance, conn, reason, 'info');
  }

  private statusOf(instance: string): InstanceStatus {
    let st = this.status.get(instance);
    if (!st) {
      st = { instance, connected: false, protocol: undefined, remote: undefined, userAgent: undefined, connectedSince: undefined, lastSeen: undefined, lastError: undefined, lastErrorAt: undefined, connections: 0 };
      this.status.set(instance, st);
    }
    return st;
  }

  private noteError(instance: string, text: string): void {
    const st = this.statusOf(instance);
    st.lastError = text;
    st.lastErrorAt = this.now();
  }

  /**
   * The hub closes a connection on purpose (kick, fatal error, timeout, shutdown). Only the
   * instance's current connection sets its last error: a kicked one's end says nothing about the
   * connection that replaced it.
   */
  private drop(instance: string, conn: Connection, reason: string, level: 'info' | 'warn'): void {
    if (conn.reason !== undefined) return;
    conn.reason = reason;
    if (this.connections.get(instance) === conn) {
      this.connections.delete(instance);
      this.statusOf(instance).connected = false;
      this.metrics.connectedDaemons.dec();
      this.noteError(instance, reason);
      this.changed(instance);
    }
    this.log[level]('daemon disconnected by the hub', { instance, connection: conn.id, reason });
    this.observeDuration(conn);
    conn.client.close();
  }

  /** The connection ended, by the daemon or the network (or after `drop`). */
  private onClosed(instance: string, conn: Connection, why: unknown): void {
    if (conn.reason !== undefined) return; // already accounted for
    conn.reason = ENDED;
    const raw = why instanceof Error ? why.message : why === undefined ? '' : String(why);
    // A clean end of stream reaches an RPC client as Go's "unexpected EOF".
    const text = raw === GoText.unexpectedEOF ? 'the daemon closed the connection' : raw;
    if (this.connections.get(instance) === conn) {
      this.connections.delete(instance);
      const st = this.statusOf(instance);
      st.connected = false;
      st.lastSeen = this.now();
      this.metrics.connectedDaemons.dec();
      this.noteError(instance, `connection ended${text ? `: ${text}` : ''}`);
      this.changed(instance);
    }
    this.log.info('daemon disconnected', { instance, connection: conn.id, error: text || undefined });
    this.observeDuration(conn);
  }

  private observeDuration(conn: Connection): void {
    this.metrics.connectionDuration.observe({ protocol: String(conn.protocol) }, (this.now().getTime() - conn.since.getTime()) / 1000);
  }

  private async invoke(conn: Connection, key: keyof FluxApi, ctx: CallContext, args: unknown[]): Promise<unknown> {
    if (key === 'listServicesWithOptions' && conn.emulateListServicesWithOptions) return listServicesWithOptions(conn.client, ctx, args[0] as ListServicesOptions, KINDS_V8);
    const method = conn.client[key] as (ctx: CallContext, ...a: unknown[]) => Promise<unknown>;
    try {
      return await method.call(conn.client, ctx, ...args);
    } catch (e) {
      if (key !== 'listServicesWithOptions' || !(e instanceof ServerError) || e.message !== NO_LIST_SERVICES_WITH_OPTIONS) throw e;
      conn.emulateListServicesWithOptions = true;
      this.log.info('daemon lacks ListServicesWithOptions; emulating it with ListServices', { connection: conn.id });
      return listServicesWithOptions(conn.client, ctx, args[0] as ListServicesOptions, KINDS_V8);
    }
  }

  private async call(instance: string, key: keyof FluxApi, name: string, ctx: CallContext, args: unknown[]): Promise<unknown> {
    const started = performance.now();
    let outcome: Outcome = 'ok';
    try {
      const conn = this.connections.get(instance);
      if (!conn) {
        outcome = 'unavailable';
        throw new UnavailableError(new Error(`no daemon is connected for instance ${instance}`));
      }
      const limit = deadline(ctx.signal, this.callTimeoutMs, () => new Error('call timeout'));
      try {
        const result = await this.invoke(conn, key, { signal: limit.signal }, args);
        this.statusOf(instance).lastSeen = this.now();
        return result;
      } catch (e) {
        // A connection the hub already closed on purpose (kicked, timed out, shut down) fails its
        // calls in flight: that is no new reason to disconnect, nor to count or log one. (One the
        // RPC client closed after a fatal error may have ended first: that one counts.)
        const closedByHub = conn.reason !== undefined && conn.reason !== ENDED;
        if (limit.expired) {
          outcome = 'timeout';
          const text = `${name} call timed out after ${this.callTimeoutMs} ms`;
          if (!closedByHub) {
            this.metrics.fatalDisconnects.inc({ instance, reason: 'timeout' });
            this.drop(instance, conn, `disconnected: ${text}`, 'warn');
          }
          throw new UnavailableError(new Error(text));
        }
        if (ctx.signal.aborted) outcome = 'canceled';
        else if (e instanceof FatalError) {
          outcome = 'fatal';
          if (!closedByHub) {
            this.metrics.fatalDisconnects.inc({ instance, reason: 'fatal' });
            this.drop(instance, conn, `disconnected after a fatal error in ${name}: ${e.message}`, 'warn');
            throw new UnavailableError(e.err);
          }
          throw new UnavailableError(new Error(`the daemon's connection was closed: ${conn.reason}`, { cause: e.err }));
        } else if (e instanceof FluxError) outcome = 'application_error';
        else if (e instanceof ServerError) outcome = 'server_error';
        else outcome = 'error';
        throw e;
      } finally {
        limit.dispose();
      }
    } finally {
      this.metrics.requestDuration.observe({ method: name, outcome }, (performance.now() - started) / 1000);
    }
  }
}
