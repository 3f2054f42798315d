/**
 * Where the notifier's events come from, and who delivers each one: two small interfaces, so that
 * replicas can share the work later without touching the sinks, queues or formats.
 *
 * - `EventSource` hands over every event once, with a key unique across the fleet.
 * - `DeliveryClaim` answers, per key, whether this process delivers it.
 *
 * In one process (today): `hubEventSource` listens to the hub's event store, and `soleDeliverer`
 * claims everything. With replicas on NATS, each replica publishes the events its own daemons post
 * to a subject (`fluxrpc.events.<instance>`, message id = the key); a NATS `EventSource` subscribes
 * with a queue group (`fluxrpc-notify`) so each event reaches exactly one replica, and its claim is
 * then `soleDeliverer`; or, with every replica subscribed, a claim that creates the key in a
 * JetStream key-value bucket (create fails when another replica already did) decides. Retries
 * stay with the replica that claimed the event (at-least-once; a replica that dies with a queue
 * loses what it held unless the source redelivers unacknowledged messages, which JetStream does).
 */
import type { FluxEvent } from '../flux/model/index.js';
import type { EventStore } from '../hub/events.js';

export interface SourcedEvent {
  /** Unique across the fleet and stable across redeliveries. */
  key: string;
  instance: string;
  event: FluxEvent;
  receivedAt: Date;
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
