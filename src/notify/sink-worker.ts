/**
 * One sink's delivery: a bounded FIFO queue and one request in flight (messages arrive in order).
 * At-least-once: a message leaves the queue only when the receiver answered 2xx, when it is
 * refused for good (a 4xx other than 408/429, or a redirect), when it is older than
 * `retry.maxAgeMs`, or when the queue is full and it is the oldest (dropped). Network errors,
 * timeouts, 5xx, 408 and 429 are retried with exponential backoff (the connector's policy, doubling
 * from `retry.initialMs` with ±20 % jitter; a wait, or a 429's `Retry-After`, is at most `retry.maxMs`).
 *
 * The request is formatted anew for each attempt (a webhook's timestamp and signature are fresh).
 * Error texts never include the URL (a Slack or Teams URL is a secret).
 */
import { backoffDelay } from '../connector/backoff.js';
import type { RetryConfig, SinkConfig } from './config.js';
import type { OutgoingRequest } from './formats.js';

export interface QueuedMessage {
  key: string;
  enqueuedAt: number;
  attempts: number;
  format: (nowSeconds: number) => OutgoingRequest;
  /** Told once when the message leaves the queue: delivered, refused, expired or dropped (not on close). */
  settled?: () => void;
}

export type Outcome = 'delivered' | 'retry' | 'refused' | 'expired' | 'dropped';

export interface SinkStatus {
  name: string;
  type: SinkConfig['type'];
  queued: number;
  delivered: number;
  failedAttempts: number;
  refused: number;
  expired: number;
  dropped: number;
  lastError: string | undefined;
  lastErrorAt: Date | undefined;
  lastDeliveredAt: Date | undefined;
  /** The head message has failed at least once and is waiting to be retried. */
  retrying: boolean;
}

export interface SinkWorkerOptions {
  sink: SinkConfig;
  retry: RetryConfig;
  capacity: number;
  /** Bound on one request (default 10 s). */
  requestTimeoutMs?: number;
  onOutcome?: (outcome: Outcome, seconds?: number) => void;
  now?: () => number;
  fetch?: typeof fetch;
}

function describe(e: unknown): string {
  const err = e as Error & { cause?: { code?: string; message?: string } };
  if (err.name === 'TimeoutError' || err.name === 'AbortError') return 'no answer in time';
  const code = err.cause?.code;
  return code ? `cannot connect (${code})` : `request failed (${err.cause?.message ?? err.message})`.slice(0, 300);
}

export class SinkWorker {
  private readonly queue: QueuedMessage[] = [];
  private readonly status: SinkStatus;
  private running = false;
  private wake: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly now: () => number;
  private readonly fetch: typeof fetch;

  constructor(private readonly o: SinkWorkerOptions) {
    this.now = o.now ?? Date.now;
    this.fetch = o.fetch ?? fetch;
    this.status = { name: o.sink.name, type: o.sink.type, queued: 0, delivered: 0, failedAttempts: 0, refused: 0, expired: 0, dropped: 0, lastError: undefined, lastErrorAt: undefined, lastDeliveredAt: undefined, retrying: false };
  }

  get snapshot(): SinkStatus {
    return { ...this.status, queued: this.queue.length };
  }

  enqueue(message: Omit<QueuedMessage, 'enqueuedAt' | 'attempts'>): void {
    if (this.closed) return;
    this.queue.push({ ...message, enqueuedAt: this.now(), attempts: 0 });
    while (this.queue.length > this.o.capacity) {
      this.queue.shift()!.settled?.();
      this.status.dropped++;
      this.note('the queue was full: the oldest message was dropped');
      this.o.onOutcome?.('dropped');
    }
    if (!this.running) void this.run();
  }

  /** Resolves when the queue is empty (tests, shutdown). */
  async drained(): Promise<void> {
    while (this.queue.length > 0 && !this.closed) await new Promise((r) => setTimeout(r, 10));
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.wake?.();
  }

  private note(error: string): void {
    this.status.lastError = error;
    this.status.lastErrorAt = new Date(this.now());
  }

  private async attempt(m: QueuedMessage): Promise<{ outcome: 'delivered' | 'retry' | 'refused'; retryAfterMs?: number }> {
    const req = m.format(Math.floor(this.now() / 1000));
    const started = performance.now();
    try {
      const res = await this.fetch(this.o.sink.url, { method: 'POST', body: req.body, headers: req.headers, redirect: 'manual', signal: AbortSignal.timeout(this.o.requestTimeoutMs ?? 10_000) });
      await res.body?.cancel().catch(() => undefined);
      const seconds = (performance.now() - started) / 1000;
      if (res.status >= 200 && res.status < 300) {
        this.o.onOutcome?.('delivered', seconds);
        return { outcome: 'delivered' };
      }
      this.note(`the receiver answered HTTP ${res.status}`);
      if (res.status >= 500 || res.status === 408 || res.status === 429) {
        const ra = Number(res.headers.get('retry-after'));
        return { outcome: 'retry', retryAfterMs: Number.isFinite(ra) && ra > 0 ? ra * 1000 : undefined };
      }
      return { outcome: 'refused' };
    } catch (e) {
      this.note(describe(e));
      return { outcome: 'retry' };
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
      this.timer = setTimeout(resolve, ms);
    });
  }

  private async run(): Promise<void> {
    this.running = true;
    try {
      while (!this.closed && this.queue.length > 0) {
        const m = this.queue[0]!;
        if (this.now() - m.enqueuedAt > this.o.retry.maxAgeMs) {
          this.queue.shift();
          m.settled?.();
          this.status.expired++;
          this.status.retrying = false;
          this.note(`a message was given up after ${m.attempts} attempt(s): older than ${Math.round(this.o.retry.maxAgeMs / 1000)} s`);
          this.o.onOutcome?.('expired');
          continue;
        }
        m.attempts++;
        const r = await this.attempt(m);
        if (this.queue[0] !== m) continue; // dropped while in flight (queue full)
        if (r.outcome === 'delivered') {
          this.queue.shift();
          m.settled?.();
          this.status.delivered++;
          this.status.lastDeliveredAt = new Date(this.now());
          this.status.retrying = false;
        } else if (r.outcome === 'refused') {
          this.queue.shift();
          m.settled?.();
          this.status.refused++;
          this.status.retrying = false;
          this.o.onOutcome?.('refused');
        } else {
          this.status.failedAttempts++;
          this.status.retrying = true;
          this.o.onOutcome?.('retry');
          const { initialMs, maxMs } = this.o.retry;
          await this.sleep(Math.min(r.retryAfterMs ?? backoffDelay({ initialMs, multiplier: 2, maxMs, jitter: 0.2 }, m.attempts), maxMs));
        }
      }
    } finally {
      this.running = false;
      this.wake = undefined;
    }
  }
}
