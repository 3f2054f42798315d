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

/** Told of every event the store keeps, after it is kept. */
export type EventListener = (instance: string, stored: StoredEvent) => void;

export class EventStore {
  private readonly rings = new Map<string, StoredEvent[]>();
  private readonly listeners = new Set<EventListener>();
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
    for (const listener of this.listeners) {
      try {
        listener(instance, stored);
      } catch {
        // A listener's failure is its own; the event is kept and the poster answered.
      }
    }
    return stored;
  }

  /** Calls `listener` for each event added from now on; returns the function that stops it. */
  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
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
