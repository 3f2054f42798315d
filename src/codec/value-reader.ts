/**
 * Reads JSON values from a byte stream and hands them on parsed, strictly in arrival order, without
 * letting one large value hold the event loop: the RPC client and server read through this.
 *
 * - A value smaller than `slicedParseBytes` (default 512 KiB) is parsed with one `JSON.parse`, at
 *   once, in the data callback that completed it (today's fast path).
 * - A larger one is parsed in time slices (`parseJsonInSlices`) and handed on with the slicer, so
 *   whoever takes it (decoding a list into model values) can go on in slices too; its handler may
 *   return a promise. Meanwhile later values wait in a queue and the stream is paused.
 * - Data callbacks that complete many small values also yield once their slice is used up, and a
 *   huge chunk (a whole 60 MB websocket message) is scanned in steps of `SCAN_STEP_BYTES`, yielding
 *   between them, without copying it.
 * - The end of the stream and every error (framing, limits, a value that is not JSON) are handed on
 *   after every value that came before them, so a reply fully received before an error still
 *   settles its call; after an error nothing more is read (as Go's decoder stops at one).
 */
import type { Buffer } from 'node:buffer';
import { CodecError, JsonParseError } from './errors.js';
import { JsonStreamSplitter, type SplitterOptions } from './json-splitter.js';
import { parseJsonInSlices } from './sliced-parse.js';
import { DEFAULT_SLICE_MS, SliceStoppedError, TimeSlicer } from './time-slice.js';

/** Values at least this large are parsed in time slices (a realistic 512 KiB parse is about 2.5 ms). */
export const DEFAULT_SLICED_PARSE_BYTES = 512 * 1024;
/** A chunk larger than this is scanned for values in steps of this size (about 1-2 ms each). */
const SCAN_STEP_BYTES = 1024 * 1024;

export interface ValueReaderOptions extends SplitterOptions {
  /** Values of at least this many bytes are parsed in time slices (default 512 KiB). */
  slicedParseBytes?: number;
  /** The longest stretch of parsing (and sliced decoding) before yielding to the event loop, in ms (default 4). */
  sliceMs?: number;
}

export interface ValueHandler {
  /**
   * One value, in arrival order. `bytes` is its text (possibly a view of a transport chunk).
   * `slicer` is given when the value was large (parsed in slices): further work on it should check
   * `slicer.due` and `await slicer.next()` too. A returned promise holds back later values until it
   * settles (a rejection ends the reader with that error).
   */
  value(value: unknown, bytes: Buffer, slicer: TimeSlicer | undefined): void | Promise<void>;
  /**
   * No more values: `undefined` at a clean end of stream, else the error that stopped reading
   * (`CodecError`; `JsonParseError` for a value that is not JSON; or the transport's error). Called
   * once, after every value before it, and never after `stop()`.
   */
  end(error: Error | undefined): void;
}

/** Read-side flow control of the stream underneath. */
export interface ReadFlow {
  pause(): void;
  resume(): void;
}

/** The empty queue before anything was queued (shared, never written to). */
const NONE = Object.freeze([]) as never[];

class Ending {
  constructor(readonly error: Error | undefined) {}
}

export class JsonValueReader {
  private readonly splitter: JsonStreamSplitter;
  private readonly slicer: TimeSlicer;
  private readonly slicedParseBytes: number;
  /** (`NONE` while empty and never used: a connection that only ever sees small values holds no arrays.) */
  private queue: (Buffer | Ending)[] = NONE;
  /** Values are being worked on asynchronously (`drain` runs): new ones queue behind. */
  private busy = false;
  /** Chunks waiting to be scanned while a huge one is scanned in steps (`scan` runs). */
  private inputs: Buffer[] = NONE;
  private scanning = false;
  /** The end of the stream, held back until the chunks before it are scanned. */
  private pendingEnd: { error: Error | undefined } | undefined;
  /** Why the stream is paused: values being worked on, chunks being scanned. */
  private pausedForValues = false;
  private pausedForScan = false;
  /** The end (or an error) was queued or handed on: no more input is taken. */
  private ended = false;
  /** `end` was called on the handler, or `stop()`: nothing more is handed on. */
  private done = false;

  constructor(
    private readonly handler: ValueHandler,
    private readonly flow: ReadFlow,
    options: ValueReaderOptions = {},
  ) {
    this.splitter = new JsonStreamSplitter((bytes) => this.onValue(bytes), options);
    this.slicer = new TimeSlicer(options.sliceMs ?? DEFAULT_SLICE_MS);
    this.slicedParseBytes = options.slicedParseBytes ?? DEFAULT_SLICED_PARSE_BYTES;
    if (!(this.slicedParseBytes >= 0)) throw new RangeError(`slicedParseBytes must be >= 0, got ${this.slicedParseBytes}`);
  }

  /** Bytes held for a value not yet complete (see `JsonStreamSplitter.heldBytes`). */
  get heldBytes(): number {
    return this.splitter.heldBytes;
  }

  /** True while nothing is queued, scanned or being worked on. */
  get idle(): boolean {
    return !this.busy && this.queue.length === 0 && !this.scanning;
  }

  /**
   * The peer declared `bytes` more bytes from the next chunk on (e.g. a websocket frame's length):
   * a hint the splitter sizes a value's buffer by, within its limits (`JsonStreamSplitter.expect`).
   */
  expect(bytes: number): void {
    if (!this.ended) this.splitter.expect(bytes);
  }

  /** The next chunk of the stream. */
  push(chunk: Buffer): void {
    if (this.ended || this.pendingEnd !== undefined) return;
    if (this.scanning || chunk.length > SCAN_STEP_BYTES) {
      if (this.inputs === NONE) this.inputs = [];
      this.inputs.push(chunk);
      if (!this.scanning) void this.scan();
      return;
    }
    this.slicer.begin();
    try {
      this.splitter.push(chunk);
    } catch (error) {
      this.end(error as Error);
    }
  }

  /** Scans queued chunks in steps, yielding between them when the slice is used up. */
  private async scan(): Promise<void> {
    this.scanning = true;
    this.setPaused('scan', true);
    this.slicer.begin();
    try {
      while (this.inputs.length > 0 && !this.ended) {
        const chunk = this.inputs.shift()!;
        for (let to = Math.min(chunk.length, SCAN_STEP_BYTES); !this.ended; to = Math.min(chunk.length, to + SCAN_STEP_BYTES)) {
          this.splitter.push(chunk, to);
          if (to === chunk.length) break;
          if (this.slicer.due) await this.slicer.next();
        }
      }
    } catch (error) {
      this.scanning = false;
      this.inputs = NONE;
      if (!(error instanceof SliceStoppedError)) this.end(error as Error);
      return;
    }
    this.scanning = false;
    this.setPaused('scan', false);
    const pending = this.pendingEnd;
    if (pending !== undefined) {
      this.pendingEnd = undefined;
      this.end(pending.error);
    }
  }

  private setPaused(reason: 'values' | 'scan', paused: boolean): void {
    const before = this.pausedForValues || this.pausedForScan;
    if (reason === 'values') this.pausedForValues = paused;
    else this.pausedForScan = paused;
    const after = this.pausedForValues || this.pausedForScan;
    if (before === after || this.ended) return;
    if (after) this.flow.pause();
    else this.flow.resume();
  }

  /**
   * The end of the stream: `undefined` for a clean end (a value cut short becomes `unexpected
   * EOF`), else the transport's error. Handed on after the values before it.
   */
  end(error?: Error): void {
    if (this.ended) return;
    if (this.scanning) {
      this.pendingEnd ??= { error };
      return;
    }
    if (error === undefined) {
      try {
        this.splitter.end();
      } catch (e) {
        error = e as Error;
      }
    }
    this.ended = true;
    this.splitter.discard();
    if (this.idle) this.finish(error);
    else this.enqueue(new Ending(error));
  }

  /** Stops everything at once (the owner closed the connection): queued values are dropped. */
  stop(): void {
    this.ended = true;
    this.done = true;
    this.queue = NONE;
    this.inputs = NONE;
    this.splitter.discard();
    this.slicer.stop();
  }

  private onValue(bytes: Buffer): void {
    if (this.done) return;
    if (this.busy || this.queue.length > 0 || bytes.length >= this.slicedParseBytes || this.slicer.due) {
      this.enqueue(bytes);
      if (!this.busy) void this.drain(undefined);
      return;
    }
    const pending = this.handleSmall(bytes);
    if (pending !== undefined) void this.drain(pending);
  }

  private enqueue(item: Buffer | Ending): void {
    if (this.queue === NONE) this.queue = [];
    this.queue.push(item);
  }

  /** Parses a small value at once and hands it on; returns the handler's promise, if any. */
  private handleSmall(bytes: Buffer): Promise<void> | undefined {
    let value: unknown;
    try {
      value = JSON.parse(bytes.toString('utf8'));
    } catch (e) {
      this.failNow(new JsonParseError((e as Error).message, { cause: e }));
      return undefined;
    }
    const result = this.handler.value(value, bytes, undefined);
    return result instanceof Promise ? result : undefined;
  }

  /** Works through the queue asynchronously, in order, yielding between slices; the stream is paused meanwhile. */
  private async drain(first: Promise<void> | undefined): Promise<void> {
    this.busy = true;
    this.setPaused('values', true);
    try {
      if (first !== undefined) await first;
      while (!this.done && this.queue.length > 0) {
        if (this.slicer.due) await this.slicer.next();
        const item = this.queue.shift()!;
        if (item instanceof Ending) {
          this.finish(item.error);
          return;
        }
        if (item.length < this.slicedParseBytes) {
          const pending = this.handleSmall(item);
          if (pending !== undefined) await pending;
          continue;
        }
        let value: unknown;
        try {
          value = await parseJsonInSlices(item, this.slicer);
        } catch (e) {
          if (e instanceof SliceStoppedError) return;
          this.failNow(e instanceof CodecError ? e : new JsonParseError(String(e), { cause: e }));
          return;
        }
        if (this.done) return;
        const pending = this.handler.value(value, item, this.slicer);
        if (pending instanceof Promise) await pending;
      }
    } catch (e) {
      if (!(e instanceof SliceStoppedError)) this.failNow(e as Error);
    } finally {
      this.busy = false;
      this.setPaused('values', false);
    }
  }

  /** A value that is not JSON (or a handler that failed): nothing after it is handed on. */
  private failNow(error: Error): void {
    this.ended = true;
    this.queue = NONE;
    this.splitter.discard();
    this.finish(error);
  }

  private finish(error: Error | undefined): void {
    if (this.done) return;
    this.done = true;
    this.queue = NONE;
    this.handler.end(error);
  }
}
