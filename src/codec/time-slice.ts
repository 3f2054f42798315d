/**
 * Cooperative time slicing: work that a peer can make long (parsing or decoding a 60 MB value,
 * encoding a large reply) checks `due` between small steps and, once its slice is used up, awaits
 * `next()`, which lets the event loop run I/O for every other connection before going on. No turn of
 * the event loop is then much longer than one slice, however large the value.
 */
import { performance } from 'node:perf_hooks';

/** How long one slice of work may run before it yields to the event loop. */
export const DEFAULT_SLICE_MS = 4;

/** What `next()` rejects with once the slicer was stopped (the work is no longer wanted). */
export class SliceStoppedError extends Error {
  override name = 'SliceStoppedError';
  constructor() {
    super('sliced work stopped');
  }
}

export class TimeSlicer {
  private started = performance.now();
  private stopped = false;

  constructor(readonly sliceMs: number = DEFAULT_SLICE_MS) {
    if (!(sliceMs >= 0)) throw new RangeError(`sliceMs must be >= 0, got ${sliceMs}`);
  }

  /** Starts a new slice now (call at the start of a turn of the event loop, e.g. in a data callback). */
  begin(): void {
    this.started = performance.now();
  }

  /** True once the current slice is used up: the work should `await next()` before going on. */
  get due(): boolean {
    return performance.now() - this.started >= this.sliceMs;
  }

  /** True once `stop()` was called. */
  get isStopped(): boolean {
    return this.stopped;
  }

  /**
   * Yields to the event loop (`setImmediate`: after pending I/O) and starts a new slice. Rejects
   * with `SliceStoppedError` if the slicer is stopped before or meanwhile.
   */
  next(): Promise<void> {
    return new Promise((resolve, reject) => {
      setImmediate(() => {
        if (this.stopped) return reject(new SliceStoppedError());
        this.started = performance.now();
        resolve();
      });
    });
  }

  /** Stops the work: every later `next()` rejects. */
  stop(): void {
    this.stopped = true;
  }
}
