/**
 * The notifier: takes events from an `EventSource`, asks the `DeliveryClaim` whether this process
 * delivers each, and queues a message on every sink whose filters (instances, event types,
 * errors only) let it through. Events are handled one at a time in arrival order. Once every sink
 * has finished with an event (delivered, refused, given up, dropped) the source is told (`done`;
 * the cluster's source acknowledges it then); events not finished when the notifier closes are
 * handed back (`release`: another replica delivers them).
 *
 * Metrics (prom-client, in the registry given): `fluxrpc_notify_deliveries_total{sink,outcome}`
 * (delivered, retry, refused, expired, dropped), `fluxrpc_notify_queued_messages{sink}`,
 * `fluxrpc_notify_delivery_seconds{sink}`. `status()` feeds the dashboard's notifications page.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { silentLogger, type Logger } from '../runtime/log.js';
import type { NotifyConfig, SinkConfig } from './config.js';
import { formatRequest } from './formats.js';
import { isError, messageModel } from './message.js';
import { SinkWorker, type SinkStatus } from './sink-worker.js';
import type { DeliveryClaim, EventSource, SourcedEvent } from './source.js';

export interface NotifierOptions {
  config: NotifyConfig;
  source: EventSource;
  claim: DeliveryClaim;
  /** The instance's git URL, for commit links. */
  gitUrl: (instance: string) => Promise<string | undefined>;
  registry?: Registry;
  logger?: Logger;
  fetch?: typeof fetch;
  requestTimeoutMs?: number;
}

export function accepts(sink: SinkConfig, instance: string, e: SourcedEvent['event'], error: boolean): boolean {
  if (sink.instances && !sink.instances.includes(instance)) return false;
  if (sink.events && !sink.events.includes(e.type)) return false;
  return !sink.errorsOnly || error;
}

export class Notifier {
  private readonly workers: { sink: SinkConfig; worker: SinkWorker }[];
  private readonly stop: () => void;
  private chain: Promise<void> = Promise.resolve();
  private readonly log: Logger;
  /** Events taken and not finished. */
  private readonly held = new Set<SourcedEvent>();
  private closed = false;

  constructor(private readonly o: NotifierOptions) {
    this.log = (o.logger ?? silentLogger).child({ component: 'notify' });
    const registers = o.registry ? [o.registry] : [];
    const deliveries = new Counter({ name: 'fluxrpc_notify_deliveries_total', help: 'Notification delivery attempts and their outcomes, by sink.', labelNames: ['sink', 'outcome'], registers });
    const seconds = new Histogram({ name: 'fluxrpc_notify_delivery_seconds', help: 'Duration of successful notification requests, by sink.', labelNames: ['sink'], registers });
    const self = this;
    new Gauge({
      name: 'fluxrpc_notify_queued_messages',
      help: 'Notifications waiting to be delivered, by sink.',
      labelNames: ['sink'],
      registers,
      collect() {
        for (const s of self.status()) this.set({ sink: s.name }, s.queued);
      },
    });
    this.workers = o.config.sinks.map((sink) => ({
      sink,
      worker: new SinkWorker({
        sink,
        retry: o.config.retry,
        capacity: o.config.queueCapacity,
        fetch: o.fetch,
        requestTimeoutMs: o.requestTimeoutMs,
        onOutcome: (outcome, s) => {
          deliveries.inc({ sink: sink.name, outcome });
          if (s !== undefined) seconds.observe({ sink: sink.name }, s);
          if (outcome !== 'delivered') this.log.warn('notification not delivered', { sink: sink.name, outcome, error: this.workers.find((w) => w.sink === sink)?.worker.snapshot.lastError });
        },
      }),
    }));
    this.stop = o.source.subscribe((e) => {
      this.held.add(e);
      this.chain = this.chain
        .then(() => this.handle(e))
        .catch((err: Error) => {
          // Not queued anywhere: given up, as a refusal would be (a source must not redeliver it forever).
          this.log.error('notification not queued', { error: err });
          this.finish(e);
        });
    });
  }

  private async handle(e: SourcedEvent): Promise<void> {
    if (this.closed) return;
    if (!(await this.o.claim.claim(e.key))) return this.finish(e);
    // First by instance and type (as if it were an error), then, once the message is built, errorsOnly.
    const targets = this.workers.filter((w) => accepts(w.sink, e.instance, e.event, true));
    if (targets.length === 0) return this.finish(e);
    const model = messageModel(e.instance, e.event, await this.o.gitUrl(e.instance));
    const chosen = targets.filter(({ sink }) => accepts(sink, e.instance, e.event, isError(model)));
    let left = chosen.length;
    if (left === 0 || this.closed) return left === 0 ? this.finish(e) : undefined;
    for (const { sink, worker } of chosen) {
      worker.enqueue({ key: e.key, format: (now) => formatRequest(sink, e.key, model, e.event, now), settled: () => --left === 0 && this.finish(e) });
    }
  }

  private finish(e: SourcedEvent): void {
    if (!this.held.delete(e)) return;
    e.done?.();
  }

  status(): SinkStatus[] {
    return this.workers.map((w) => w.worker.snapshot);
  }

  /** Resolves when every queued message has left its queue (tests). */
  async drained(): Promise<void> {
    await this.chain;
    await Promise.all(this.workers.map((w) => w.worker.drained()));
  }

  close(): void {
    this.closed = true;
    for (const w of this.workers) w.worker.close();
    for (const e of this.held) e.release?.();
    this.held.clear();
    this.stop();
  }
}
