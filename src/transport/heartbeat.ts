/**
 * The liveness rules of Flux's websocket adapter (`pkg/http/websocket/ping.go`), as timers:
 * - a ping every `pingPeriodMs` after set-up and after each ping written (traffic does not reset it);
 * - a read deadline of `pongWaitMs`, pushed back by every pong and every data message;
 * - a write deadline: a send that makes no progress for `writeWaitMs` breaks the connection.
 * Every timer is cleared by `stop()`.
 */
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

export class Heartbeat {
  readonly pingPeriodMs: number;
  readonly pongWaitMs: number;
  readonly writeWaitMs: number;
  private pingTimer: NodeJS.Timeout | undefined;
  private pingWriteTimer: NodeJS.Timeout | undefined;
  private readTimer: NodeJS.Timeout | undefined;
  private writeTimer: NodeJS.Timeout | undefined;
  private writesPending = 0;
  private lastWriteProgress = 0;
  private stopped = false;

  constructor(
    private readonly hooks: HeartbeatHooks,
    options: HeartbeatOptions = {},
  ) {
    this.pingPeriodMs = positive('pingPeriodMs', options.pingPeriodMs ?? FLUX_PING_PERIOD_MS);
    this.pongWaitMs = positive('pongWaitMs', options.pongWaitMs ?? FLUX_PONG_WAIT_MS);
    this.writeWaitMs = positive('writeWaitMs', options.writeWaitMs ?? FLUX_WRITE_WAIT_MS);
  }

  start(): void {
    this.readTimer = setTimeout(() => this.expire('i/o timeout: nothing read for ' + this.pongWaitMs + ' ms (no data, no pong)'), this.pongWaitMs);
    this.readTimer.unref();
    this.schedulePing();
  }

  /** Data or a pong arrived. */
  alive(): void {
    this.readTimer?.refresh();
  }

  /** A data write was queued. */
  writeStarted(): void {
    if (this.stopped) return;
    if (this.writesPending++ === 0) {
      this.lastWriteProgress = Date.now();
      this.armWriteTimer(this.writeWaitMs);
    }
  }

  /** A queued data write was handed to the OS. */
  writeDone(): void {
    this.lastWriteProgress = Date.now();
    if (--this.writesPending === 0 && this.writeTimer) {
      clearTimeout(this.writeTimer);
      this.writeTimer = undefined;
    }
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.pingTimer);
    clearTimeout(this.pingWriteTimer);
    clearTimeout(this.readTimer);
    clearTimeout(this.writeTimer);
  }

  private schedulePing(): void {
    if (this.stopped) return;
    this.pingTimer = setTimeout(() => {
      this.pingWriteTimer = setTimeout(() => this.expire(`ping not written within ${this.writeWaitMs} ms`), this.writeWaitMs);
      this.pingWriteTimer.unref();
      this.hooks.ping((error) => {
        clearTimeout(this.pingWriteTimer);
        if (error) this.expire(`ping failed: ${error.message}`);
        else this.schedulePing();
      });
    }, this.pingPeriodMs);
    this.pingTimer.unref();
  }

  private armWriteTimer(ms: number): void {
    this.writeTimer = setTimeout(() => {
      if (this.writesPending === 0 || this.stopped) return;
      const idle = Date.now() - this.lastWriteProgress;
      if (idle >= this.writeWaitMs) this.expire(`write: i/o timeout: no progress for ${this.writeWaitMs} ms`);
      else this.armWriteTimer(this.writeWaitMs - idle);
    }, ms);
    this.writeTimer.unref();
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
