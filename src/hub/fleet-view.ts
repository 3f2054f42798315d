/**
 * One view of the fleet (instances, their APIs, events) in either mode, and the switch between
 * them: single-process (this hub's registry and event store) until `join` starts cluster mode
 * (src/hub/cluster, loaded only then), and back on `leave`. Listeners subscribed here hear the
 * mode in force: this hub's connections and events alone, or every replica's.
 */
import type { FluxApi } from '../flux/api.js';
import { Listeners } from '../runtime/listeners.js';
import { silentLogger, type Logger } from '../runtime/log.js';
import type { Cluster, ClusterOptions } from './cluster/cluster.js';
import { DEFAULT_MAX_EVENT_BYTES } from './event-routes.js';
import type { EventListener, EventLog, EventStore } from './events.js';
import type { HubMetrics } from './metrics.js';
import type { DaemonRegistry, InstanceStatus } from './registry.js';

/** An instance as the hub shows it; in cluster mode with the replica holding its daemon (if any). */
export type FleetStatus = InstanceStatus & { replica?: string | undefined };

/** Run by `listen()` once it has joined the cluster, before it listens (see `Hub.onClusterStart`). */
export type ClusterStartHook = (cluster: Cluster) => void | Promise<void>;

/** What cluster mode is started with besides its own options (read when it starts). */
export interface FleetViewOptions {
  /** The logger handed to cluster mode (default: silent). */
  logger?: Logger | undefined;
  /** Largest event body accepted (default `DEFAULT_MAX_EVENT_BYTES`). */
  maxEventBytes?: number | undefined;
}

export class FleetView {
  /** Cluster mode's hooks, once `join` has started it. */
  private clusterMode: Cluster | undefined;
  /** Where events go: `events` alone, or the cluster's stream in cluster mode. */
  private activeLog: EventLog;
  private readonly eventListeners = new Listeners<Parameters<EventListener>>((e, instance) => this.log.warn('an event listener failed', { instance, error: e as Error }));
  private readonly fleetListeners = new Listeners<[FleetStatus]>((e, s) => this.log.warn('an instance listener failed', { instance: s.instance, error: e as Error }));
  private readonly clusterHooks: ClusterStartHook[] = [];
  /** The events in either mode: `events`, or the cluster's stream once `join` has started it. */
  readonly eventLog: EventLog = {
    append: (instance, event, body) => this.activeLog.append(instance, event, body),
    list: (instance, limit) => this.activeLog.list(instance, limit),
    recent: (limit) => this.activeLog.recent(limit),
    subscribe: (listener) => this.eventListeners.add(listener),
  };

  constructor(
    private readonly registry: DaemonRegistry,
    private readonly events: EventStore,
    private readonly metrics: HubMetrics,
    /** The hub's logger, for listeners that fail. */
    private readonly log: Logger,
    private readonly options: FleetViewOptions,
  ) {
    this.activeLog = this.events;
    this.events.subscribe((instance, stored) => this.activeLog === this.events && this.eventListeners.tell(instance, stored));
    this.registry.subscribe((status) => !this.clusterMode && this.fleetListeners.tell(status));
  }

  /** Cluster mode, once started. */
  get cluster(): Cluster | undefined {
    return this.clusterMode;
  }

  /** Starts cluster mode (loading its code only now); waits a bounded time for NATS. */
  async join(options: ClusterOptions): Promise<void> {
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

  /** Leaves cluster mode (if in it): back to this hub's registry and events. */
  async leave(): Promise<void> {
    const cluster = this.clusterMode;
    this.clusterMode = undefined;
    this.activeLog = this.events;
    await cluster?.close();
  }

  /** See `Hub.onClusterStart`. */
  async onClusterStart(hook: ClusterStartHook): Promise<void> {
    this.clusterHooks.push(hook);
    if (this.clusterMode) await hook(this.clusterMode);
  }

  /** The Flux API of `instance`: its daemon here, or in cluster mode wherever it is held. */
  api(instance: string): FluxApi {
    return this.clusterMode ? this.clusterMode.api(instance) : this.registry.api(instance);
  }

  /** The Flux API of `instance` for the HTTP API's callers (in cluster mode, the cluster's). */
  httpApi(instance: string): FluxApi {
    return this.clusterMode ? this.clusterMode.httpApi(instance) : this.registry.api(instance);
  }

  /** Every instance; in cluster mode every instance of the cluster, with the replica holding it. */
  instances(): FleetStatus[] {
    return this.clusterMode ? this.clusterMode.instances() : this.registry.list();
  }

  /** Calls `listener` whenever an instance's daemon connects or leaves (in cluster mode: on any replica). */
  subscribeInstances(listener: (status: FleetStatus) => void): () => void {
    return this.fleetListeners.add(listener);
  }
}
