/**
 * A budget of bytes shared by many holders (connections, request bodies): what one peer makes the
 * process hold is charged here, so that many peers together cannot grow memory without bound.
 *
 * Holders charge what they come to hold and release it when they let go. A charge is never refused
 * (a holder that already has the bytes cannot give them back unheld); instead `charge` says whether
 * the budget is now exceeded, and the holder then stops taking more — pauses its socket
 * (backpressure) or refuses the request (503) — until `whenAvailable()` resolves. Memory therefore
 * exceeds the limit by at most what holders take in one step (a socket read each).
 */
export class ByteBudget {
  private usedBytes = 0;
  private peakBytes = 0;
  private waiters: (() => void)[] = [];

  /** `limit`: bytes; `Infinity` for no limit (accounting only). */
  constructor(readonly limit: number) {
    if (!(limit > 0)) throw new RangeError(`a byte budget must be positive, got ${limit}`);
  }

  /** Bytes currently charged. */
  get used(): number {
    return this.usedBytes;
  }

  /** The most bytes ever charged at once. */
  get peak(): number {
    return this.peakBytes;
  }

  /** True while more than the limit is charged. */
  get exceeded(): boolean {
    return this.usedBytes > this.limit;
  }

  /** Whether `bytes` more would fit without exceeding the limit. */
  fits(bytes: number): boolean {
    return this.usedBytes + bytes <= this.limit;
  }

  /** Charges `bytes`; returns false when the budget is now exceeded (stop taking more). */
  charge(bytes: number): boolean {
    this.usedBytes += bytes;
    if (this.usedBytes > this.peakBytes) this.peakBytes = this.usedBytes;
    return this.usedBytes <= this.limit;
  }

  /** Gives back bytes charged before; wakes waiters once the budget is no longer exceeded. */
  release(bytes: number): void {
    this.usedBytes -= bytes;
    if (this.usedBytes < 0) this.usedBytes = 0;
    if (this.usedBytes <= this.limit && this.waiters.length > 0) {
      const waiters = this.waiters;
      this.waiters = [];
      for (const wake of waiters) wake();
    }
  }

  /** Resolves once the budget is not exceeded (at once if it is not); rejects if `signal` aborts first. */
  whenAvailable(signal?: AbortSignal): Promise<void> {
    if (this.usedBytes <= this.limit) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const onAbort = () => {
        const i = this.waiters.indexOf(wake);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(signal!.reason);
      };
      const wake = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(wake);
    });
  }
}

/** A budget that only counts (no limit): the default where none is given. */
export function unlimitedBudget(): ByteBudget {
  return new ByteBudget(Infinity);
}
