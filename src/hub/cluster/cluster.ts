/**
 * Cluster mode (`fluxrpc hub --nats URL`): several hub replicas behind one load balancer, sharing
 * one NATS (JetStream) system. The hub loads this module only when asked (a dynamic import), so a
 * single hub starts and runs exactly as before.
 *
 * What lives where (names.ts): which replica holds each instance in the KV bucket `fluxrpc-owners`
 * (ownership.ts); calls for an instance held elsewhere on `fluxrpc.call.<instance>` (forward.ts,
 * transfer.ts); events in the stream `FLUXRPC_EVENTS` (events.ts). The bus connection and its
 * state: bus.ts. The status page's cluster-wide list: view.ts.
 *
 * The hub's hooks into this module: the registry's listener (local connect/disconnect) and `kick`;
 * `httpApi(instance)` for its `resolve` (through fleet-view.ts); `events` for its event routes and status page; `instances()`
 * for the status page; `health()` for `/healthz`; `subscribe` for live views of the cluster (the
 * dashboard); `bus` for modules loaded with the dashboard and notifications (shared sessions, the
 * notification consumer), which set themselves up on each connection as the ones here do.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { NatsConnection } from '@nats-io/transport-node';
import { isProtocolVersion, type FluxApi } from '../../flux/api.js';
import { Listeners } from '../../runtime/listeners.js';
import type { Logger } from '../../runtime/log.js';
import type { EventLog } from '../events.js';
import type { HubMetrics } from '../metrics.js';
import type { DaemonRegistry } from '../registry.js';
import { Bus } from './bus.js';
import { BusConfigError, checkReplicaId } from './config.js';
import { ClusterEventLog } from './events.js';
import { Forwarder } from './forward.js';
import { clusterMetrics, type ClusterMetrics } from './metrics.js';
import { Ownership } from './ownership.js';
import { clusterInstances, ViewChanges, type ClusterInstanceStatus } from './view.js';

export interface ClusterOptions {
  /** NATS URLs: `nats://[user:pass@|token@]host:port`, `tls://…`, or `host:port`. */
  servers: readonly string[];
  /** A NATS credentials file. */
  credsFile?: string;
  /** This replica's name (default: the host name and a random suffix). */
  replicaId?: string;
  /** How long an owner entry lives unless refreshed (default 30 s). */
  ownerTtlMs?: number;
  /** How often owners refresh their entries (default 10 s). */
  refreshMs?: number;
  /** Replicas of the bucket and the stream in a NATS cluster (default 1). */
  streamReplicas?: number;
  /** How long starting waits for NATS before serving without it (default 5 s). */
  startWaitMs?: number;
}

/** What the cluster needs from the hub. */
export interface ClusterHost {
  registry: DaemonRegistry;
  metrics: HubMetrics;
  logger: Logger;
  callTimeoutMs: number;
  eventCapacity: number;
  maxEventBytes: number;
}

const RETRY_SETUP_MS = 5_000;

/** `<hostname>-<6 hex>`, cut to a valid replica ID. */
export function defaultReplicaId(): string {
  const host = hostname().replace(/[^A-Za-z0-9._-]/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 56) || 'hub';
  return `${host}-${randomBytes(3).toString('hex')}`;
}

export class Cluster {
  readonly replicaId: string;
  readonly metrics: ClusterMetrics;
  readonly bus: Bus;
  readonly events: ClusterEventLog;
  /** Copies of the cluster's buckets and streams in a NATS cluster (`streamReplicas`). */
  readonly streamReplicas: number;
  private readonly forwarder: Forwarder;
  private readonly ownership: Ownership;
  private readonly log: Logger;
  private readonly unlisten: () => void;
  private readonly unsubscribe: () => void;
  private readonly view: ViewChanges;
  private readonly viewListeners = new Listeners<[ClusterInstanceStatus]>((e, row) => this.log.warn('a cluster view listener failed', { instance: row.instance, error: e as Error }));
  private setupDone = false;
  private setupGeneration = 0;
  private retry: NodeJS.Timeout | undefined;
  private firstSetup!: () => void;
  private readonly firstSetupDone = new Promise<void>((resolve) => (this.firstSetup = resolve));

  /** Starts cluster mode for `host`; resolves once set up on NATS or after `startWaitMs`, whichever comes first. */
  static async start(host: ClusterHost, options: ClusterOptions): Promise<Cluster> {
    const cluster = new Cluster(host, options);
    const wait = options.startWaitMs ?? 5_000;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([cluster.firstSetupDone, new Promise<void>((resolve) => (timer = setTimeout(resolve, wait)))]);
    clearTimeout(timer);
    if (!cluster.setupDone) cluster.log.warn('NATS is not reachable yet: serving this replica\'s own daemons; the rest of the cluster once NATS answers', { servers: cluster.bus.servers, error: cluster.bus.lastError });
    return cluster;
  }

  private constructor(
    private readonly host: ClusterHost,
    options: ClusterOptions,
  ) {
    this.replicaId = checkReplicaId(options.replicaId ?? defaultReplicaId());
    const ttlMs = options.ownerTtlMs ?? 30_000;
    const refreshMs = options.refreshMs ?? 10_000;
    if (!(refreshMs > 0 && refreshMs * 2 <= ttlMs)) throw new BusConfigError(`the owner refresh (${refreshMs} ms) must be positive and at most half the owner TTL (${ttlMs} ms)`);
    const replicas = options.streamReplicas ?? 1;
    this.streamReplicas = replicas;
    this.log = host.logger.child({ component: 'cluster', replica: this.replicaId });
    this.metrics = clusterMetrics(host.metrics.registry);
    this.bus = new Bus({ servers: options.servers, ...(options.credsFile === undefined ? {} : { credsFile: options.credsFile }), name: `fluxrpc hub ${this.replicaId}` }, this.log);
    this.forwarder = new Forwarder({ replicaId: this.replicaId, registry: host.registry, bus: this.bus, metrics: this.metrics, log: this.log, callTimeoutMs: host.callTimeoutMs });
    this.ownership = new Ownership({ replicaId: this.replicaId, ttlMs, refreshMs, replicas, log: this.log, kick: (instance, id, reason) => host.registry.kick(instance, id, reason), changed: () => this.view.poke() });
    this.view = new ViewChanges({ rows: () => this.instances(), emit: (row) => this.viewListeners.tell(row), debounceMs: 50, sweepMs: Math.min(refreshMs, 5_000) });
    this.unsubscribe = host.registry.subscribe(() => this.view.poke());
    this.events = new ClusterEventLog({ replicaId: this.replicaId, capacity: host.eventCapacity, maxEventBytes: host.maxEventBytes, replicas, log: this.log, metrics: this.metrics });
    this.unlisten = host.registry.listen({
      connected: (instance, c) => {
        this.forwarder.serve(instance);
        this.ownership.connected(instance, c);
      },
      disconnected: (instance, id) => {
        if (!host.registry.isConnected(instance)) this.forwarder.unserve(instance);
        this.ownership.disconnected(instance, id);
      },
    });
    this.bus.onUp((nc) => {
      this.metrics.connected.set(1);
      this.forwarder.attach(nc);
      void this.setup(nc);
    });
    this.bus.onDown(() => {
      this.metrics.connected.set(0);
      this.metrics.disconnects.inc();
      this.setupDone = false;
      this.setupGeneration++;
      clearTimeout(this.retry);
      this.forwarder.detach();
      this.ownership.detach();
      this.events.detach();
    });
    this.log.info('cluster mode', { servers: this.bus.servers, ownerTtlMs: ttlMs, refreshMs });
  }

  /** The bucket, its watch, the stream and this replica's copy of it, on a (new) connection; retried while it fails. */
  private async setup(nc: NatsConnection): Promise<void> {
    const generation = ++this.setupGeneration;
    clearTimeout(this.retry);
    try {
      await this.ownership.attach(nc);
      await this.events.attach(nc);
      if (generation !== this.setupGeneration) return;
      this.setupDone = true;
      this.log.info('cluster ready on NATS', { held: this.host.registry.list().filter((s) => s.connected).length });
      this.firstSetup();
    } catch (e) {
      if (generation !== this.setupGeneration) return;
      const noJetStream = /no responders|503|jetstream not enabled/i.test((e as Error).message);
      this.log.error(noJetStream ? 'NATS has no JetStream: start nats-server with -js (retrying)' : 'cluster setup on NATS failed (retrying in 5 s)', { error: e as Error });
      this.retry = this.bus.retrySetup(nc, RETRY_SETUP_MS, () => generation === this.setupGeneration, () => void this.setup(nc));
    }
  }

  /** The Flux API of `instance`: its daemon here, or forwarded to the replica holding it. */
  api(instance: string): FluxApi {
    return this.forwarder.api(instance);
  }

  /** The same for the hub's HTTP handler: forwarded results stay the owner's JSON text (`EncodedJson`). */
  httpApi(instance: string): FluxApi {
    return this.forwarder.api(instance, true);
  }

  /** Every instance in the cluster, with the replica holding it. */
  instances(): ClusterInstanceStatus[] {
    return clusterInstances(this.host.registry.list(), this.ownership.holders(), this.replicaId).map((s) => (s.protocol === undefined || isProtocolVersion(s.protocol) ? s : { ...s, protocol: undefined }));
  }

  /**
   * Calls `listener` with an instance's row whenever it changes anywhere in the cluster (a daemon
   * connecting or leaving on any replica, an entry expiring); returns the function that stops it.
   */
  subscribe(listener: (row: ClusterInstanceStatus) => void): () => void {
    return this.viewListeners.add(listener);
  }

  /** Conversations with other replicas open now (forwarded calls in either direction). */
  forwarderOpen(): number {
    return this.forwarder.openConversations;
  }

  /** Whether the cluster is fully up (NATS connected, bucket and stream set up). */
  get ready(): boolean {
    return this.setupDone && this.bus.connected !== undefined;
  }

  /** `/healthz`'s body: first line `ok` or `degraded: …`. */
  health(): { ok: boolean; text: string } {
    const nc = this.bus.connected;
    const lines: string[] = [];
    const ok = this.ready;
    if (ok) lines.push('ok');
    else if (!nc) lines.push(`degraded: not connected to NATS (${this.bus.state} since ${this.bus.since.toISOString()}${this.bus.lastError ? `: ${this.bus.lastError}` : ''}); this replica serves its own daemons only`);
    else lines.push('degraded: connected to NATS, but the owners bucket or the events stream is not set up yet (see the log)');
    lines.push(`replica: ${this.replicaId}`);
    lines.push(nc ? `nats: connected to ${nc.getServer()} (nats-server ${nc.info?.version ?? '?'})` : `nats: ${this.bus.state} (${this.bus.servers.join(', ')})`);
    const here = this.host.registry.list().filter((s) => s.connected).length;
    lines.push(`daemons here: ${here}; instances held in the cluster: ${this.ownership.holders().length}`);
    if (this.events.pendingCount > 0) lines.push(`events kept here until NATS takes them: ${this.events.pendingCount}`);
    return { ok, text: lines.join('\n') + '\n' };
  }

  /** Withdraws this replica's entries (the hub has closed its daemons first) and disconnects. */
  async close(): Promise<void> {
    this.unlisten();
    this.unsubscribe();
    this.view.close();
    this.viewListeners.clear();
    clearTimeout(this.retry);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.ownership.settle(), new Promise((resolve) => (timer = setTimeout(resolve, 2_000)))]);
    clearTimeout(timer);
    this.ownership.close();
    this.events.close();
    this.forwarder.detach();
    await this.bus.close();
  }
}

/** The entry point the hub imports dynamically. */
export function startCluster(host: ClusterHost, options: ClusterOptions): Promise<Cluster> {
  return Cluster.start(host, options);
}

export type { EventLog };
