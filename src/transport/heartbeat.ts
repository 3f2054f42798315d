/**
 * The liveness rules of Flux's websocket adapter (`pkg/http/websocket/ping.go`, docs/wire.md §6.1):
 * - a ping every `pingPeriodMs` after set-up and after each ping written (traffic does not reset it);
 * - a read deadline of `pongWaitMs`, pushed back by every pong and every data read;
 * - a write deadline: a write (or a ping) that makes no progress for `writeWaitMs` breaks the
 *   connection.
 *
 * All of a connection's deadlines are one entry in a process-wide SharedTimer (one Node timer for
 * every connection). The hot paths only store a timestamp: `alive()` on each read, `writeDone()`
 * on each write; the entry is looked at when its earliest deadline comes, and moved then. Due
 * times are rounded up to 1/64 of the shortest period (1 ms … 250 ms; 156 ms with Flux's values)
 * so that connections due at about the same time share one wake-up; a deadline may thus fire up
 * to that much late, never early. `stop()` removes the entry.
 */
import { type SharedTimer, type TimerEntry, sharedTimer } from './shared-timer.js';

export interface HeartbeatOptions {
  /** Default 13 333.333333 ms: Flux's (pongWait − writeWait) × 2/3. */
  pingPeriodMs?: number;
  /** Default 30 000 ms. */
  pongWaitMs?: number;
  /** Default 10 000 ms. */
  writeWaitMs?: number;
}

export const FLUX_WRITE_WAIT_MS = 10_000;
export const FLUX_PONG_WAIT_MS = 30_000;
export const FLUX_PING_PERIOD_MS = ((FLUX_PONG_WAIT_MS - FLUX_WRITE_WAIT_MS) * 2) / 3;

export interface HeartbeatHooks {
  /** Sends a ping; calls `done(error?)` once written. */
  ping(done: (error?: Error) => void): void;
  /** The connection is dead: nothing read in time, a ping or a data write could not be written in time. */
  expire(error: Error): void;
}

/** The periods of one set of options, worked out once and shared by every heartbeat made with them. */
class Timing {
  readonly pingPeriodMs: number;
  readonly pongWaitMs: number;
  readonly writeWaitMs: number;
  /** Due times are rounded up to this (whole milliseconds). */
  readonly granularity: number;
  /** The ping period in whole milliseconds (rounded up), so that scheduled times stay integers. */
  readonly pingEveryMs: number;

  constructor(options: HeartbeatOptions) {
    this.pingPeriodMs = positive('pingPeriodMs', options.pingPeriodMs ?? FLUX_PING_PERIOD_MS);
    this.pongWaitMs = positive('pongWaitMs', options.pongWaitMs ?? FLUX_PONG_WAIT_MS);
    this.writeWaitMs = positive('writeWaitMs', options.writeWaitMs ?? FLUX_WRITE_WAIT_MS);
    this.granularity = Math.min(250, Math.max(1, Math.floor(Math.min(this.pingPeriodMs, this.pongWaitMs, this.writeWaitMs) / 64)));
    this.pingEveryMs = Math.ceil(this.pingPeriodMs);
  }
}

/** Timings by options object: an acceptor hands the same options to each of its connections. */
const timings = new WeakMap<HeartbeatOptions, Timing>();

function timingOf(options: HeartbeatOptions): Timing {
  let timing = timings.get(options);
  if (timing === undefined) timings.set(options, (timing = new Timing(options)));
  return timing;
}

export class Heartbeat implements TimerEntry {
  due = 0;
  heapIndex = -1;
  private readonly timing: Timing;
  private lastRead = 0;
  private nextPing = 0;
  /** When the ping now being written was queued; -1 when none is. */
  private pingStarted = -1;
  private writesPending = 0;
  private lastWriteProgress = 0;
  private stopped = false;

  constructor(
    private readonly hooks: HeartbeatHooks,
    options: HeartbeatOptions = {},
    private readonly timer: SharedTimer = sharedTimer,
  ) {
    this.timing = timingOf(options);
  }

  get pingPeriodMs(): number {
    return this.timing.pingPeriodMs;
  }

  get pongWaitMs(): number {
    return this.timing.pongWaitMs;
  }

  get writeWaitMs(): number {
    return this.timing.writeWaitMs;
  }

  start(): void {
    if (this.stopped) return;
    const now = this.timer.now();
    this.lastRead = now;
    this.nextPing = now + this.timing.pingEveryMs;
    this.reschedule();
  }

  /** Data or a pong arrived. */
  alive(): void {
    this.lastRead = this.timer.now();
  }

  /** A write was handed to the socket. */
  writeStarted(): void {
    if (this.stopped) return;
    if (this.writesPending++ === 0) {
      this.lastWriteProgress = this.timer.now();
      // Only ever brings the entry forward; a later check finds the write done and moves it back.
      const deadline = this.round(this.lastWriteProgress + this.writeWaitMs);
      if (this.heapIndex < 0 || deadline < this.due) this.timer.schedule(this, deadline);
    }
  }

  /** A write was taken by the OS. */
  writeDone(): void {
    this.lastWriteProgress = this.timer.now();
    if (this.writesPending > 0) this.writesPending--;
  }

  stop(): void {
    this.stopped = true;
    this.timer.cancel(this);
  }

  /** The SharedTimer's call: checks every deadline, sends a ping when one is due, reschedules. */
  fire(now: number): void {
    if (this.stopped) return;
    if (now >= this.lastRead + this.pongWaitMs) return this.expire(`i/o timeout: nothing read for ${this.pongWaitMs} ms (no data, no pong)`);
    if (this.writesPending > 0 && now >= this.lastWriteProgress + this.writeWaitMs) return this.expire(`write: i/o timeout: no progress for ${this.writeWaitMs} ms`);
    if (this.pingStarted >= 0) {
      if (now >= this.pingStarted + this.writeWaitMs) return this.expire(`ping not written within ${this.writeWaitMs} ms`);
    } else if (now >= this.nextPing) {
      this.pingStarted = now;
      this.hooks.ping((error) => this.pinged(error));
      if (this.stopped) return;
    }
    this.reschedule();
  }

  private pinged(error: Error | undefined): void {
    if (this.stopped) return;
    if (error) return this.expire(`ping failed: ${error.message}`);
    this.pingStarted = -1;
    this.nextPing = this.timer.now() + this.timing.pingEveryMs;
    this.reschedule();
  }

  /** Schedules the entry at its earliest deadline. */
  private reschedule(): void {
    let due = this.lastRead + this.pongWaitMs;
    due = Math.min(due, this.pingStarted >= 0 ? this.pingStarted + this.writeWaitMs : this.nextPing);
    if (this.writesPending > 0) due = Math.min(due, this.lastWriteProgress + this.writeWaitMs);
    this.timer.schedule(this, this.round(due));
  }

  private round(t: number): number {
    return Math.ceil(t / this.timing.granularity) * this.timing.granularity;
  }

  private expire(message: string): void {
    if (this.stopped) return;
    this.stop();
    this.hooks.expire(new Error(message));
  }
}

function positive(name: string, value: number): number {
  if (!(value > 0) || !Number.isFinite(value)) throw new RangeError(`${name} must be a positive number of milliseconds, got ${value}`);
  return value;
}
