/**
 * Notifications in cluster mode: which replica delivers each event (loaded only in cluster mode).
 *
 * A durable JetStream pull consumer, `fluxrpc-notify`, on the events stream `FLUXRPC_EVENTS`,
 * shared by every replica that has notifications. Each message goes to one replica, which hands it
 * to its notifier and acknowledges it once every sink has finished with it (delivered, refused
 * for good, given up after `retry.maxAgeMs`, or dropped from a full queue). While it holds a
 * message it tells the server it is still working on it (every third of the ack wait). If it dies
 * (kill -9, a cut network) the server gives the message to another replica once the ack wait has
 * passed (`redeliverAfterMs`, default 30 s); a replica that stops cleanly hands back what it holds
 * at once (nak).
 *
 * Why this rather than a claim key in a KV bucket (the other design source.ts describes): the
 * consumer gives both halves at once, one replica per event in the normal case and redelivery of
 * what a dead replica held, where a claim would need its own expiry and something to find the
 * events whose claimer died. Events a replica keeps while NATS is down reach the stream once NATS
 * is back, and this consumer like any other (they are notified then, once).
 *
 * The key (a webhook's `X-Fluxrpc-Delivery`) is the id the posting replica gave the event
 * (`Nats-Msg-Id`), the same on every redelivery: a receiver that sees it twice (a replica died
 * after the receiver answered, before its acknowledgement reached NATS) can drop the repeat.
 *
 * The consumer is created by the first replica with notifications and delivers the events posted
 * from then on (not the stream's history); its ack wait is the last started replica's. A replica
 * holds at most `maxHeld` unfinished events and fetches only while it has room; the rest wait in
 * the stream (which keeps the newest events of each instance, 100 by default).
 */
import { nanos, type NatsConnection } from '@nats-io/transport-node';
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type Consumer, type ConsumerConfig, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { FluxEvent } from '../flux/model/index.js';
import { parseEventBody } from '../http/body.js';
import type { Bus } from '../hub/cluster/bus.js';
import { RECEIVED_AT } from '../hub/cluster/events.js';
import { EVENTS_STREAM, EVENTS_SUBJECTS, instanceOfEventsSubject } from '../hub/cluster/names.js';
import type { Logger } from '../runtime/log.js';
import type { EventSource, SourcedEvent } from './source.js';

export const NOTIFY_CONSUMER = 'fluxrpc-notify';
export const DEFAULT_REDELIVER_AFTER_MS = 30_000;
/** Messages in flight for the consumer, all replicas together (each replica also bounds its own). */
const MAX_ACK_PENDING = 20_000;
const FETCH_BATCH = 64;
const FETCH_EXPIRES_MS = 5_000;
const RETRY_MS = 2_000;

export interface NatsEventSourceOptions {
  bus: Bus;
  log: Logger;
  /** The consumer's ack wait: how long an event a silent replica holds waits before another takes it. */
  redeliverAfterMs?: number;
  /** Unfinished events this replica holds at most (default 1000). */
  maxHeld?: number;
  /** For `fluxrpc_notify_redelivered_total` and `fluxrpc_notify_events_in_hand`. */
  registry?: Registry;
}

export class NatsEventSource implements EventSource {
  private listener: ((e: SourcedEvent) => void) | undefined;
  /** Events handed to the notifier and not finished: key → the latest delivery of its message. */
  private readonly held = new Map<string, JsMsg>();
  private generation = 0;
  private batch: ConsumerMessages | undefined;
  private wake: (() => void) | undefined;
  private readonly heartbeat: NodeJS.Timeout;
  private readonly ackWaitMs: number;
  private readonly maxHeld: number;
  private readonly redelivered: Counter;
  private closed = false;

  constructor(private readonly o: NatsEventSourceOptions) {
    this.ackWaitMs = o.redeliverAfterMs ?? DEFAULT_REDELIVER_AFTER_MS;
    this.maxHeld = o.maxHeld ?? 1000;
    const registers = o.registry ? [o.registry] : [];
    this.redelivered = new Counter({ name: 'fluxrpc_notify_redelivered_total', help: 'Events this replica took over after another replica took them and did not finish (died, or stopped).', registers });
    const held = this.held;
    new Gauge({
      name: 'fluxrpc_notify_events_in_hand',
      help: 'Events this replica took from the stream whose notifications are not finished.',
      registers,
      collect() {
        this.set(held.size);
      },
    });
    this.heartbeat = setInterval(() => this.stillWorking(), Math.max(50, Math.floor(this.ackWaitMs / 3)));
    this.heartbeat.unref();
    o.bus.onUp((nc) => void this.attach(nc));
    o.bus.onDown(() => this.detach());
  }

  subscribe(listener: (e: SourcedEvent) => void): () => void {
    if (this.listener) throw new Error('the NATS event source takes one subscriber');
    this.listener = listener;
    this.wake?.();
    return () => this.close();
  }

  /** Events held now (tests, `/metrics`). */
  get inHand(): number {
    return this.held.size;
  }

  private async attach(nc: NatsConnection): Promise<void> {
    if (this.closed) return;
    const generation = ++this.generation;
    this.stopFetching();
    try {
      const consumer = await this.consumer(nc);
      if (generation !== this.generation) return;
      void this.run(consumer, generation, nc);
    } catch (e) {
      if (generation !== this.generation) return;
      // The stream is made by the events log as the replica sets up; anything else is logged and retried.
      this.o.log.warn('notifications: the consumer on the events stream is not set up yet (retrying in 2 s)', { consumer: NOTIFY_CONSUMER, error: e as Error });
      this.o.bus.retrySetup(nc, RETRY_MS, () => generation === this.generation, () => void this.attach(nc));
    }
  }

  /** The shared durable consumer: created by the first replica, its ack wait made this replica's. */
  private async consumer(nc: NatsConnection): Promise<Consumer> {
    const jsm = await jetstreamManager(nc);
    const ackWait = nanos(this.ackWaitMs);
    const info = await jsm.consumers.info(EVENTS_STREAM, NOTIFY_CONSUMER).catch(() => undefined);
    if (!info) {
      const config: Partial<ConsumerConfig> = {
        durable_name: NOTIFY_CONSUMER,
        ack_policy: AckPolicy.Explicit,
        ack_wait: ackWait,
        deliver_policy: DeliverPolicy.New,
        filter_subject: EVENTS_SUBJECTS,
        max_ack_pending: MAX_ACK_PENDING,
        max_deliver: -1,
        description: 'fluxrpc: notifications, each event to one hub replica',
      };
      await jsm.consumers.add(EVENTS_STREAM, config);
    } else if (info.config.ack_wait !== ackWait) {
      this.o.log.warn("notifications consumer: changing its ack wait to this replica's", { consumer: NOTIFY_CONSUMER, ackWaitMs: [Math.round((info.config.ack_wait ?? 0) / 1e6), this.ackWaitMs] });
      await jsm.consumers.update(EVENTS_STREAM, NOTIFY_CONSUMER, { ack_wait: ackWait });
    }
    return jetstream(nc).consumers.get(EVENTS_STREAM, NOTIFY_CONSUMER);
  }

  /** Fetches while connected, subscribed and holding fewer than `maxHeld` events. */
  private async run(consumer: Consumer, generation: number, nc: NatsConnection): Promise<void> {
    while (generation === this.generation && !this.closed) {
      const room = this.maxHeld - this.held.size;
      if (room <= 0 || !this.listener) {
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = undefined;
        continue;
      }
      try {
        const batch = await consumer.fetch({ max_messages: Math.min(room, FETCH_BATCH), expires: FETCH_EXPIRES_MS });
        this.batch = batch;
        for await (const m of batch) this.take(m);
      } catch (e) {
        if (generation !== this.generation || this.closed) return;
        this.o.log.warn('notifications: fetching events failed (setting the consumer up again in 2 s)', { error: e as Error });
        this.o.bus.retrySetup(nc, RETRY_MS, () => generation === this.generation, () => void this.attach(nc));
        return;
      } finally {
        this.batch = undefined;
      }
    }
  }

  private take(m: JsMsg): void {
    const key = m.headers?.get('Nats-Msg-Id') || `${EVENTS_STREAM}-${m.seq}`;
    if (m.redelivered) {
      this.redelivered.inc();
      this.o.log.info('notifications: an event another replica took and did not finish is notified here', { key, deliveries: m.info.deliveryCount });
    }
    if (this.held.has(key)) {
      // Ours already (the server gave it again, e.g. after a cut): finish it once, with the newest delivery.
      this.held.set(key, m);
      return;
    }
    const instance = instanceOfEventsSubject(m.subject);
    let event: FluxEvent;
    try {
      if (instance === undefined) throw new Error(`not an events subject: ${m.subject.slice(0, 200)}`);
      event = parseEventBody(m.data);
    } catch (e) {
      this.o.log.warn('notifications: a message on the events stream that is not an event, skipped', { seq: m.seq, error: e as Error });
      m.term();
      return;
    }
    const at = new Date(m.headers?.get(RECEIVED_AT) ?? '');
    this.held.set(key, m);
    const finish = (ack: boolean) => {
      const latest = this.held.get(key);
      if (!latest) return;
      this.held.delete(key);
      try {
        if (ack) latest.ack();
        else latest.nak();
      } catch {
        // the connection is gone: the server gives the message again after the ack wait
      }
      this.wake?.();
    };
    try {
      this.listener!({ key, instance, event, receivedAt: Number.isNaN(at.getTime()) ? m.time : at, done: () => finish(true), release: () => finish(false) });
    } catch (e) {
      this.o.log.warn('notifications: the notifier refused an event (handed back)', { key, error: e as Error });
      finish(false);
    }
  }

  /** Tells the server this replica is still on the events it holds, so they are not given to another. */
  private stillWorking(): void {
    for (const m of this.held.values()) {
      try {
        m.working();
      } catch {
        // not connected: the ack wait runs; if it passes, another replica delivers (at least once)
      }
    }
  }

  private stopFetching(): void {
    this.batch?.stop();
    this.batch = undefined;
    this.wake?.();
  }

  private detach(): void {
    this.generation++;
    this.stopFetching();
  }

  /** Stops fetching and hands back every event not finished, for another replica to deliver now. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.listener = undefined;
    clearInterval(this.heartbeat);
    this.detach();
    for (const m of this.held.values()) {
      try {
        m.nak();
      } catch {
        // not connected: given to another replica after the ack wait
      }
    }
    this.held.clear();
  }
}
