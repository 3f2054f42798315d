/**
 * Events posted by daemons (`POST <base>/v6/events`), kept per instance in a bounded ring: the
 * newest `capacity` events per instance, oldest dropped first, and at most `maxBytes` for all
 * instances together (each event counted at the size of its JSON).
 *
 * Over `maxBytes`, the instance holding the most loses its oldest events first, so a daemon that
 * posts a lot evicts its own events before anyone else's. An event's texts (message, type, log
 * level) are cut to `MAX_KEPT_TEXT` before they are kept.
 */
import { encodeEvent, type FluxEvent } from '../flux/model/index.js';
import { Listeners } from '../runtime/listeners.js';
import { MAX_KEPT_TEXT, truncate } from '../runtime/text.js';

/** Bytes of events kept for all instances together, by default: 64 MiB. */
export const DEFAULT_MAX_EVENT_STORE_BYTES = 64 * 1024 * 1024;

export interface StoredEvent {
  /** Sequence number within the hub, increasing. */
  seq: number;
  receivedAt: Date;
  event: FluxEvent;
  /** What it counts against the store's bound. */
  bytes: number;
}

export interface EventStoreOptions {
  /** Events kept per instance (default 100). */
  capacity?: number;
  /** Bytes kept for all instances (default 64 MiB). */
  maxBytes?: number;
}

interface Ring {
  events: StoredEvent[];
  bytes: number;
}

/** How many of the newest events (of any instance) `recent` can show. */
const RECENT_CAPACITY = 100;

function cutTexts(event: FluxEvent): FluxEvent {
  if (event.message.length <= MAX_KEPT_TEXT && event.type.length <= MAX_KEPT_TEXT && event.logLevel.length <= MAX_KEPT_TEXT) return event;
  return { ...event, message: truncate(event.message, MAX_KEPT_TEXT), type: truncate(event.type, MAX_KEPT_TEXT), logLevel: truncate(event.logLevel, MAX_KEPT_TEXT) };
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
  /** Calls `listener` for each event kept from now on; returns the function that stops it. */
  subscribe(listener: EventListener): () => void;
}

/** Told of every event the store keeps, after it is kept. */
export type EventListener = (instance: string, stored: StoredEvent) => void;

export class EventStore implements EventLog {
  readonly capacity: number;
  readonly maxBytes: number;
  private readonly rings = new Map<string, Ring>();
  /** The newest events of all instances, oldest first (some may have been evicted since). */
  private readonly newest: { stored: StoredEvent; instance: string }[] = [];
  private readonly evicted = new WeakSet<StoredEvent>();
  private total = 0;
  /** A listener's failure is its own: the event is kept and the poster answered. */
  private readonly listeners = new Listeners<Parameters<EventListener>>();
  private seq = 0;

  constructor(options: EventStoreOptions | number = {}) {
    const o = typeof options === 'number' ? { capacity: options } : options;
    this.capacity = o.capacity ?? 100;
    this.maxBytes = o.maxBytes ?? DEFAULT_MAX_EVENT_STORE_BYTES;
    if (!Number.isInteger(this.capacity) || this.capacity < 1) throw new RangeError('capacity must be a positive integer');
    if (!(this.maxBytes > 0)) throw new RangeError('maxBytes must be positive');
  }

  /** Bytes of events kept now. */
  get bytes(): number {
    return this.total;
  }

  /** Keeps `event` for `instance`; `bytes` is what it counts (default: the size of its JSON). */
  add(instance: string, event: FluxEvent, receivedAt = new Date(), bytes?: number): StoredEvent {
    const kept = cutTexts(event);
    const stored: StoredEvent = { seq: ++this.seq, receivedAt, event: kept, bytes: bytes ?? Buffer.byteLength(encodeEvent(kept)) };
    let ring = this.rings.get(instance);
    if (!ring) this.rings.set(instance, (ring = { events: [], bytes: 0 }));
    ring.events.push(stored);
    ring.bytes += stored.bytes;
    this.total += stored.bytes;
    while (ring.events.length > this.capacity) this.evictOldest(instance, ring);
    this.newest.push({ stored, instance });
    if (this.newest.length > RECENT_CAPACITY) this.newest.shift();
    this.enforceBound(instance, ring);
    this.listeners.tell(instance, stored);
    return stored;
  }

  /** Calls `listener` for each event added from now on; returns the function that stops it. */
  subscribe(listener: EventListener): () => void {
    return this.listeners.add(listener);
  }

  append(instance: string, event: FluxEvent, body?: Uint8Array): void {
    this.add(instance, event, new Date(), body?.length);
  }

  /** An instance's events, newest first, at most `limit`. */
  list(instance: string, limit = this.capacity): StoredEvent[] {
    return (this.rings.get(instance)?.events ?? []).slice(-limit).reverse();
  }

  /** Every instance's events merged, newest first, at most `limit` (≤ 100). */
  recent(limit: number): (StoredEvent & { instance: string })[] {
    const out: (StoredEvent & { instance: string })[] = [];
    for (let i = this.newest.length - 1; i >= 0 && out.length < limit; i--) {
      const { stored, instance } = this.newest[i]!;
      if (!this.evicted.has(stored)) out.push({ ...stored, instance });
    }
    return out;
  }

  /** Drops an instance's events (it is no longer configured). */
  forget(instance: string): void {
    const ring = this.rings.get(instance);
    if (!ring) return;
    while (ring.events.length > 0) this.evictOldest(instance, ring);
  }

  private evictOldest(instance: string, ring: Ring): void {
    const gone = ring.events.shift()!;
    ring.bytes -= gone.bytes;
    this.total -= gone.bytes;
    this.evicted.add(gone);
    if (ring.events.length === 0) this.rings.delete(instance);
  }

  /** Over the bound: the instance that just added loses its oldest if it holds more than a fair share, else the largest holder does. */
  private enforceBound(instance: string, ring: Ring): void {
    while (this.total > this.maxBytes) {
      const fairShare = this.maxBytes / this.rings.size;
      if (ring.events.length > 0 && ring.bytes > fairShare) {
        this.evictOldest(instance, ring);
        continue;
      }
      let largest: [string, Ring] | undefined;
      for (const entry of this.rings) if (!largest || entry[1].bytes > largest[1].bytes) largest = entry;
      if (!largest) return;
      this.evictOldest(largest[0], largest[1]);
    }
  }
}
