/**
 * Events posted by daemons (`POST <base>/v6/events`), kept per instance in a bounded ring: the
 * newest `capacity` events per instance, oldest dropped first.
 */
import type { FluxEvent } from '../flux/model/index.js';

export interface StoredEvent {
  /** Sequence number within the hub, increasing. */
  seq: number;
  receivedAt: Date;
  event: FluxEvent;
}

/**
 * Where the hub keeps events: this process's memory (`EventStore`, the default), or the cluster's
 * JetStream stream (src/hub/cluster/events.ts). `list` and `recent` answer from memory in both.
 */
export interface EventLog {
  /** Keeps an event posted for `instance`; `body` is the request body it was read from. */
  append(instance: string, event: FluxEvent, body: Uint8Array): void | Promise<void>;
  /** An instance's events, newest first. */
  list(instance: string, limit?: number): StoredEvent[];
  /** Every instance's events merged, newest first. */
  recent(limit: number): (StoredEvent & { instance: string })[];
}

export class EventStore implements EventLog {
  private readonly rings = new Map<string, StoredEvent[]>();
  private seq = 0;

  constructor(readonly capacity = 100) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('capacity must be a positive integer');
  }

  add(instance: string, event: FluxEvent, receivedAt = new Date()): StoredEvent {
    let ring = this.rings.get(instance);
    if (!ring) this.rings.set(instance, (ring = []));
    const stored = { seq: ++this.seq, receivedAt, event };
    ring.push(stored);
    if (ring.length > this.capacity) ring.splice(0, ring.length - this.capacity);
    return stored;
  }

  append(instance: string, event: FluxEvent): void {
    this.add(instance, event);
  }

  /** An instance's events, newest first, at most `limit`. */
  list(instance: string, limit = this.capacity): StoredEvent[] {
    return (this.rings.get(instance) ?? []).slice(-limit).reverse();
  }

  /** Every instance's events merged, newest first. */
  recent(limit: number): (StoredEvent & { instance: string })[] {
    const all: (StoredEvent & { instance: string })[] = [];
    for (const [instance, ring] of this.rings) for (const e of ring) all.push({ ...e, instance });
    return all.sort((a, b) => b.seq - a.seq).slice(0, limit);
  }
}
