/**
 * Where the notifier's events come from, and who delivers each one: two small interfaces, so that
 * replicas share the work without touching the sinks, queues or formats.
 *
 * - `EventSource` hands over every event once, with a key unique across the fleet, and is told
 *   when the sinks are finished with it (`done`) or when this process stops first (`release`).
 * - `DeliveryClaim` answers, per key, whether this process delivers it.
 *
 * In one process: `hubEventSource` listens to the hub's event store, and `soleDeliverer` claims
 * everything. With replicas on NATS (`fleetEventSource` switches when the hub joins the cluster):
 * each replica publishes the events its daemons post to the stream `FLUXRPC_EVENTS` (message id =
 * the key), and a durable JetStream pull consumer shared by the replicas gives each event to one of
 * them, which acknowledges it on `done` and hands it back on `release`; an event a dead replica
 * held is given to another after the ack wait (nats-source.ts, which says why this design rather
 * than a claim key created in a KV bucket by every replica). The claim is then `soleDeliverer`.
 * Retries stay with the replica that has the event: at least once, exactly once while no replica
 * dies or loses NATS holding one.
 */
import type { FluxEvent } from '../flux/model/index.js';
import type { EventStore } from '../hub/events.js';
import type { ClusterStartHook } from '../hub/hub.js';
import type { Logger } from '../runtime/log.js';
import type { Registry } from 'prom-client';

export interface SourcedEvent {
  /** Unique across the fleet and stable across redeliveries. */
  key: string;
  instance: string;
  event: FluxEvent;
  receivedAt: Date;
  /** Every sink has finished with the event (delivered, refused, given up); a source that redelivers acknowledges it now. */
  done?(): void;
  /** This process stops before the sinks finished: a source that can gives the event to another replica. */
  release?(): void;
}

export interface EventSource {
  subscribe(listener: (e: SourcedEvent) => void): () => void;
}

export interface DeliveryClaim {
  /** Whether this process delivers the event with this key (true at most once fleet-wide). */
  claim(key: string): Promise<boolean>;
}

/** The hub's own event store as a source (one process). */
export function hubEventSource(events: EventStore, hubId = 'hub'): EventSource {
  return {
    subscribe: (listener) => events.subscribe((instance, stored) => listener({ key: `${hubId}/${stored.seq}`, instance, event: stored.event, receivedAt: stored.receivedAt })),
  };
}

/** One process delivers everything. */
export const soleDeliverer: DeliveryClaim = { claim: async () => true };

export interface FleetSourceOptions {
  log: Logger;
  /** Cluster mode: how long an event held by a replica that went silent waits for another (the consumer's ack wait). */
  redeliverAfterMs?: number;
  /** Cluster mode: unfinished events one replica holds at most. */
  maxHeld?: number;
  registry?: Registry;
}

/**
 * The hub's events for its notifier in either mode: its event store until it joins a cluster, then
 * the shared notifications consumer on the cluster's stream (nats-source.ts, loaded only then).
 */
export function fleetEventSource(hub: { events: EventStore; onClusterStart(hook: ClusterStartHook): Promise<void> }, o: FleetSourceOptions): EventSource {
  return {
    subscribe(listener) {
      let stop = hubEventSource(hub.events).subscribe(listener);
      let stopped = false;
      hub
        .onClusterStart(async (cluster) => {
          const { NatsEventSource } = await import('./nats-source.js');
          if (stopped) return;
          stop();
          const source = new NatsEventSource({ bus: cluster.bus, log: o.log, redeliverAfterMs: o.redeliverAfterMs, maxHeld: o.maxHeld, registry: o.registry });
          stop = source.subscribe(listener);
        })
        .catch((e: unknown) => o.log.error('notifications: cannot take events from the cluster', { error: e as Error }));
      return () => {
        stopped = true;
        stop();
      };
    },
  };
}
