/**
 * Events in cluster mode: the JetStream stream `FLUXRPC_EVENTS` (file storage), subject
 * `fluxrpc.events.<instance>` (names.ts), at most `capacity` messages per subject (the newest are
 * kept, as the in-memory store keeps them), each message the request body exactly as the daemon
 * posted it (at most the hub's event size limit) with the time the hub received it in the
 * `Fluxrpc-Received-At` header.
 *
 * - `append` publishes and waits for the stream's acknowledgement, then until this replica's own
 *   copy has it, so a GET right after a POST on the same replica shows the event. The message ID
 *   (`Nats-Msg-Id`) makes a publish that is retried after a lost acknowledgement count once.
 * - Every replica keeps a copy of the stream in memory (an `EventStore`, fed by an ordered
 *   consumer from the stream's first message, then live), so `list` and `recent` (GET and the
 *   status page) answer from memory on any replica. After a reconnection it resumes after the
 *   last message it has; if the stream is younger than its copy (recreated), it starts over.
 * - While NATS is down, posted events are kept here (at most `capacity` per instance), shown by
 *   GET, and published in order once NATS is back: nothing acknowledged to a daemon is dropped
 *   while this replica lives.
 * - `subscribe` tells of each event as this replica's copy takes it from the stream (posted on any
 *   replica; one kept here while NATS is down, once NATS has it), except the events a fresh copy
 *   reads back from the stream when it starts (or starts over): those are not news.
 */
import type { NatsConnection } from '@nats-io/transport-node';
import { headers } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, type ConsumerMessages, type JetStreamClient, type StreamConfig } from '@nats-io/jetstream';
import type { FluxEvent } from '../../flux/model/index.js';
import { parseEventBody } from '../../http/body.js';
import { Listeners } from '../../runtime/listeners.js';
import type { Logger } from '../../runtime/log.js';
import { EventStore, type EventListener, type EventLog, type StoredEvent } from '../events.js';
import type { ClusterMetrics } from './metrics.js';
import { EVENTS_STREAM, EVENTS_SUBJECTS, eventsSubject, instanceOfEventsSubject } from './names.js';

/** The header with the time the hub received the event (ISO 8601). */
export const RECEIVED_AT = 'Fluxrpc-Received-At';
/** How long a POST waits for the stream's acknowledgement before keeping the event locally. */
const PUBLISH_TIMEOUT_MS = 5_000;
/** How long a POST waits for this replica's copy to show its event. */
const CATCH_UP_MS = 2_000;
/** How long attaching waits for the copy to reach the stream's last message. */
const CATCH_UP_LIMIT_MS = 10_000;

interface Pending {
  instance: string;
  event: FluxEvent;
  body: Uint8Array;
  receivedAt: Date;
  msgId: string;
}

export interface ClusterEventLogOptions {
  replicaId: string;
  /** Events kept per instance. */
  capacity: number;
  /** The hub's largest event body. */
  maxEventBytes: number;
  /** Stream replicas (1 for a single NATS server). */
  replicas: number;
  log: Logger;
  metrics: ClusterMetrics;
}

export class ClusterEventLog implements EventLog {
  private copy: EventStore;
  private applied = 0;
  private js: JetStreamClient | undefined;
  private messages: ConsumerMessages | undefined;
  private pending: Pending[] = [];
  private waiters: { seq: number; wake(): void }[] = [];
  private generation = 0;
  private nextMsg = 0;
  private flushing: Promise<void> | undefined;
  private caughtUp: { seq: number; wake(): void } | undefined;
  private readonly listeners = new Listeners<Parameters<EventListener>>((e, instance) => this.o.log.warn('events: a listener failed', { instance, error: e as Error }));
  /** Messages up to this sequence are read back by a fresh copy, not news (see `subscribe`). */
  private quietUntil = 0;

  constructor(private readonly o: ClusterEventLogOptions) {
    this.copy = new EventStore(o.capacity);
  }

  /** On each (re)connection: the stream, this replica's copy, then the events kept while NATS was down. Resolves once the copy is current. */
  async attach(nc: NatsConnection): Promise<void> {
    const generation = ++this.generation;
    this.stopConsumer();
    const jsm = await jetstreamManager(nc);
    const wanted: Partial<StreamConfig> & { name: string } = {
      name: EVENTS_STREAM,
      subjects: [EVENTS_SUBJECTS],
      storage: 'file',
      max_msgs_per_subject: this.o.capacity,
      max_msg_size: this.o.maxEventBytes + 1024,
      discard: 'old',
      num_replicas: this.o.replicas,
      description: 'fluxrpc: events posted by daemons, the newest per instance',
    };
    let info;
    try {
      info = await jsm.streams.info(EVENTS_STREAM);
    } catch {
      info = undefined;
    }
    if (!info) info = await jsm.streams.add(wanted);
    else if (info.config.max_msgs_per_subject !== wanted.max_msgs_per_subject || info.config.max_msg_size !== wanted.max_msg_size) {
      this.o.log.warn('events stream: changing its limits to this replica\'s', { stream: EVENTS_STREAM, perInstance: [info.config.max_msgs_per_subject, this.o.capacity], maxBytes: [info.config.max_msg_size, wanted.max_msg_size] });
      info = await jsm.streams.update(EVENTS_STREAM, { ...info.config, max_msgs_per_subject: wanted.max_msgs_per_subject!, max_msg_size: wanted.max_msg_size! });
    }
    if (generation !== this.generation) return;
    if (info.state.last_seq < this.applied) {
      this.o.log.warn('events stream is younger than this replica\'s copy (recreated?): reading it again', { lastSeq: info.state.last_seq, copied: this.applied });
      this.copy = new EventStore(this.o.capacity);
      this.applied = 0;
    }
    this.quietUntil = this.applied === 0 ? info.state.last_seq : 0;
    const js = jetstream(nc);
    const consumer = await js.consumers.get(EVENTS_STREAM, this.applied === 0 ? { filter_subjects: EVENTS_SUBJECTS } : { filter_subjects: EVENTS_SUBJECTS, deliver_policy: 'by_start_sequence', opt_start_seq: this.applied + 1 });
    const messages = await consumer.consume();
    if (generation !== this.generation) {
      messages.stop();
      return;
    }
    this.js = js;
    this.messages = messages;
    void this.feed(messages);
    const last = info.state.last_seq;
    if (this.applied < last) {
      // Bounded: a replica must come up even if its copy is slow to fill.
      await new Promise<void>((wake) => {
        const timer = setTimeout(wake, CATCH_UP_LIMIT_MS);
        this.caughtUp = {
          seq: last,
          wake: () => {
            clearTimeout(timer);
            wake();
          },
        };
      });
    }
    if (generation === this.generation) void this.flush();
  }

  detach(): void {
    this.generation++;
    this.js = undefined;
    this.stopConsumer();
  }

  close(): void {
    this.detach();
    for (const w of this.waiters) w.wake();
    this.waiters = [];
    this.listeners.clear();
  }

  /** Events kept here until NATS takes them. */
  get pendingCount(): number {
    return this.pending.length;
  }

  async append(instance: string, event: FluxEvent, body: Uint8Array): Promise<void> {
    const p: Pending = { instance, event, body, receivedAt: new Date(), msgId: `${this.o.replicaId}-${Date.now().toString(36)}-${(this.nextMsg++).toString(36)}` };
    const js = this.js;
    if (!js || this.pending.length > 0) return this.keep(p);
    try {
      const seq = await this.publish(js, p);
      await this.until(seq);
    } catch (e) {
      this.o.log.warn('events: NATS did not take an event; keeping it here until it does', { instance, error: e as Error });
      this.keep(p);
    }
  }

  list(instance: string, limit = this.o.capacity): StoredEvent[] {
    const here = this.pendingOf(instance).reverse();
    return [...here, ...this.copy.list(instance, limit)].slice(0, limit);
  }

  recent(limit: number): (StoredEvent & { instance: string })[] {
    const here = this.pending.map((p, i) => ({ seq: -1 - i, receivedAt: p.receivedAt, event: p.event, bytes: p.body.length, instance: p.instance }));
    return [...here, ...this.copy.recent(limit)].sort((a, b) => b.receivedAt.getTime() - a.receivedAt.getTime()).slice(0, limit);
  }

  subscribe(listener: EventListener): () => void {
    return this.listeners.add(listener);
  }

  private pendingOf(instance: string): StoredEvent[] {
    return this.pending.filter((p) => p.instance === instance).map((p, i) => ({ seq: -1 - i, receivedAt: p.receivedAt, event: p.event, bytes: p.body.length }));
  }

  private async publish(js: JetStreamClient, p: Pending): Promise<number> {
    const h = headers();
    h.set(RECEIVED_AT, p.receivedAt.toISOString());
    const ack = await js.publish(eventsSubject(p.instance), p.body, { msgID: p.msgId, headers: h, timeout: PUBLISH_TIMEOUT_MS });
    return ack.seq;
  }

  private keep(p: Pending): void {
    this.pending.push(p);
    // The stream would keep only the newest `capacity` per instance; so does this queue.
    const mine = this.pending.filter((x) => x.instance === p.instance);
    if (mine.length > this.o.capacity) this.pending.splice(this.pending.indexOf(mine[0]!), 1);
    this.o.metrics.eventsPending.set(this.pending.length);
    if (this.js) void this.flush();
  }

  /** Publishes the kept events in order, one at a time, while connected. */
  private flush(): Promise<void> {
    if (this.flushing) return this.flushing;
    const run = async () => {
      while (this.pending.length > 0 && this.js) {
        const p = this.pending[0]!;
        try {
          // Kept (and listed) until this replica's copy shows it.
          await this.until(await this.publish(this.js, p));
        } catch (e) {
          this.o.log.warn('events: publishing a kept event failed; retrying when NATS is back', { instance: p.instance, error: e as Error });
          return;
        }
        if (this.pending[0] === p) this.pending.shift();
        this.o.metrics.eventsPending.set(this.pending.length);
      }
    };
    // `.finally` runs after the assignment even when `run` finishes at once.
    const flushing = run().finally(() => {
      if (this.flushing === flushing) this.flushing = undefined;
    });
    this.flushing = flushing;
    return flushing;
  }

  /** Resolves once the copy has message `seq` (or after `CATCH_UP_MS`). */
  private until(seq: number): Promise<void> {
    if (this.applied >= seq) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => wake(), CATCH_UP_MS);
      const wake = () => {
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w.wake !== wake);
        resolve();
      };
      this.waiters.push({ seq, wake });
    });
  }

  private async feed(messages: ConsumerMessages): Promise<void> {
    try {
      for await (const m of messages) {
        if (m.seq <= this.applied) continue;
        this.applied = m.seq;
        const instance = instanceOfEventsSubject(m.subject);
        if (instance !== undefined) {
          try {
            const at = m.headers?.get(RECEIVED_AT);
            const receivedAt = at ? new Date(at) : new Date(m.info.timestampNanos / 1e6);
            const stored = this.copy.add(instance, parseEventBody(m.data), Number.isNaN(receivedAt.getTime()) ? new Date() : receivedAt);
            if (m.seq > this.quietUntil) this.listeners.tell(instance, stored);
          } catch (e) {
            this.o.log.warn('events stream: a message that is not an event, skipped', { seq: m.seq, error: e as Error });
          }
        }
        for (const w of this.waiters.filter((x) => x.seq <= m.seq)) w.wake();
        if (this.caughtUp && m.seq >= this.caughtUp.seq) {
          this.caughtUp.wake();
          this.caughtUp = undefined;
        }
      }
    } catch (e) {
      if (this.messages === messages) this.o.log.warn('events stream: reading stopped', { error: e as Error });
    }
  }

  private stopConsumer(): void {
    this.messages?.stop();
    this.messages = undefined;
    this.caughtUp?.wake();
    this.caughtUp = undefined;
  }
}
