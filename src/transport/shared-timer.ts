/**
 * One timer for many deadlines: a binary min-heap of entries ordered by due time and a single
 * (unref'd) Node timer armed at the earliest. Every connection's heartbeat is one entry, however
 * many deadlines it tracks, so 10,000 idle connections cost one heap and one timer, not tens of
 * thousands of Timeout objects. Entries due at the same time fire in one wake-up; callers round
 * their due times to a granularity to make that common.
 *
 * Moving an entry is O(log n); entries that only ever move later (a read deadline pushed back by
 * data) are best left in place and re-checked when they fire.
 */

export interface TimerEntry {
  /** Due time (clock ms), owned by the SharedTimer while scheduled. */
  due: number;
  /** Position in the heap, -1 when not scheduled. */
  heapIndex: number;
  /** Called once the due time has passed (the entry is no longer scheduled). */
  fire(now: number): void;
}

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/**
 * Whole milliseconds (rounded up): times kept per connection (its deadlines, 10,000 of them) are
 * then small integers, which V8 stores in the objects themselves; a fractional time would be a
 * number object of its own, made anew by each store (a connection's every read and write).
 */
const realClock: Clock = {
  now: () => Math.ceil(performance.now()),
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export class SharedTimer {
  private readonly heap: TimerEntry[] = [];
  private handle: unknown;
  /** When the armed timer fires (Infinity: none armed). */
  private armedAt = Infinity;

  constructor(readonly clock: Clock = realClock) {}

  get size(): number {
    return this.heap.length;
  }

  now(): number {
    return this.clock.now();
  }

  /** Schedules `entry` at `due`, or moves it there if already scheduled. */
  schedule(entry: TimerEntry, due: number): void {
    if (entry.heapIndex < 0) {
      entry.due = due;
      entry.heapIndex = this.heap.length;
      this.heap.push(entry);
      this.up(entry.heapIndex);
    } else if (due < entry.due) {
      entry.due = due;
      this.up(entry.heapIndex);
    } else if (due > entry.due) {
      entry.due = due;
      this.down(entry.heapIndex);
    }
    this.arm();
  }

  cancel(entry: TimerEntry): void {
    const i = entry.heapIndex;
    if (i < 0) return;
    entry.heapIndex = -1;
    const last = this.heap.pop()!;
    if (last !== entry) {
      this.heap[i] = last;
      last.heapIndex = i;
      this.down(i);
      this.up(last.heapIndex);
    }
    if (this.heap.length === 0) this.disarm();
  }

  private fire = (): void => {
    this.handle = undefined;
    this.armedAt = Infinity;
    // Node's timer clock has whole milliseconds: treat anything due within one as due.
    const now = this.clock.now();
    const due: TimerEntry[] = [];
    while (this.heap.length > 0 && this.heap[0]!.due <= now + 1) {
      const entry = this.heap[0]!;
      this.cancel(entry);
      due.push(entry);
    }
    // Fired after all are taken out, so an entry that schedules itself again waits for the next wake-up.
    for (const entry of due) entry.fire(now);
    this.arm();
  };

  private arm(): void {
    const top = this.heap[0];
    if (!top) return this.disarm();
    if (top.due >= this.armedAt) return;
    this.disarm();
    this.armedAt = top.due;
    this.handle = this.clock.setTimeout(this.fire, Math.max(1, Math.ceil(top.due - this.clock.now())));
  }

  private disarm(): void {
    if (this.handle !== undefined) this.clock.clearTimeout(this.handle);
    this.handle = undefined;
    this.armedAt = Infinity;
  }

  private up(i: number): void {
    const heap = this.heap;
    const entry = heap[i]!;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent]!.due <= entry.due) break;
      heap[i] = heap[parent]!;
      heap[i]!.heapIndex = i;
      i = parent;
    }
    heap[i] = entry;
    entry.heapIndex = i;
  }

  private down(i: number): void {
    const heap = this.heap;
    const n = heap.length;
    const entry = heap[i]!;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && heap[child + 1]!.due < heap[child]!.due) child++;
      if (heap[child]!.due >= entry.due) break;
      heap[i] = heap[child]!;
      heap[i]!.heapIndex = i;
      i = child;
    }
    heap[i] = entry;
    entry.heapIndex = i;
  }
}

/** The process-wide timer every connection's heartbeat uses by default. */
export const sharedTimer = new SharedTimer();
