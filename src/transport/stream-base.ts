/**
 * Shared bookkeeping for ByteStream implementations: write accounting against the high-water mark,
 * waiters for `writable()`, one delivery of the end, and the `closed` promise. Subclasses provide
 * the actual sending (`send`) and call `delivered`/`finish` from their I/O callbacks.
 */
import type { Buffer } from 'node:buffer';
import { type ByteStream, type FlowOptions, type MessageSource, type StreamSink, DEFAULT_HIGH_WATER_MARK, sourceToBuffer } from './byte-stream.js';

export class StreamClosedError extends Error {
  override name = 'StreamClosedError';
  readonly code = 'FLUXRPC_ERR_STREAM_CLOSED';
  constructor(message = 'stream is closed', options?: ErrorOptions) {
    super(message, options);
  }
}

export abstract class StreamBase implements ByteStream {
  protected sink: StreamSink | undefined;
  protected ended = false;
  private queuedBytes = 0;
  private readonly highWaterMark: number;
  private readonly lowWaterMark: number;
  /** Writers waiting in `writable()` (created when the first one waits). */
  private waiters: { resolve(): void; reject(e: Error): void }[] | undefined;
  /** Made when first asked for (many streams are never asked: a hub's 10,000 connections). */
  private closedPromise: Promise<Error | undefined> | undefined;
  private resolveClosed: ((e: Error | undefined) => void) | undefined;
  private isClosed = false;
  /** What ended the stream, once it is closed. */
  private closedWith: Error | undefined;
  abstract readonly remote: string;

  constructor(options: FlowOptions = {}) {
    this.highWaterMark = options.highWaterMark ?? DEFAULT_HIGH_WATER_MARK;
    this.lowWaterMark = Math.floor(this.highWaterMark / 2);
  }

  get closed(): Promise<Error | undefined> {
    if (this.closedPromise === undefined) {
      this.closedPromise = this.isClosed ? Promise.resolve(this.closedWith) : new Promise((resolve) => (this.resolveClosed = resolve));
    }
    return this.closedPromise;
  }

  start(sink: StreamSink): void {
    if (this.sink) throw new Error('ByteStream.start called twice');
    this.sink = sink;
    this.onStart();
  }

  get needsDrain(): boolean {
    return this.queuedBytes > this.highWaterMark;
  }

  write(data: Buffer): boolean {
    if (this.isClosed) return false;
    this.queuedBytes += data.length;
    this.send(data);
    return this.queuedBytes <= this.highWaterMark;
  }

  writeSource(source: MessageSource): boolean {
    if (this.isClosed) return false;
    this.queuedBytes += source.byteLength;
    this.sendSource(source);
    return this.queuedBytes <= this.highWaterMark;
  }

  writable(): Promise<void> {
    if (this.isClosed) return Promise.reject(new StreamClosedError());
    if (this.queuedBytes <= this.lowWaterMark) return Promise.resolve();
    return new Promise((resolve, reject) => (this.waiters ??= []).push({ resolve, reject }));
  }

  abstract pause(): void;
  abstract resume(): void;
  abstract close(): void;
  abstract destroy(error?: Error): void;

  /** Sends one unit; must eventually call `delivered(data.length)` or end the stream. */
  protected abstract send(data: Buffer): void;
  /**
   * Sends one unit produced on demand; must eventually call `delivered(source.byteLength)` or end
   * the stream. By default the whole buffer is built and sent with `send`.
   */
  protected sendSource(source: MessageSource): void {
    this.send(sourceToBuffer(source));
  }
  protected onStart(): void {}

  /** Bytes handed to the peer (or the OS): releases writers waiting in `writable()`. */
  protected delivered(bytes: number): void {
    this.queuedBytes -= bytes;
    if (this.queuedBytes <= this.lowWaterMark && this.waiters) {
      const waiters = this.waiters;
      this.waiters = undefined;
      for (const w of waiters) w.resolve();
    }
  }

  /** Reports the end of the read side to the sink, once. */
  protected endRead(error: Error | undefined): void {
    if (this.ended) return;
    this.ended = true;
    this.sink?.end(error);
  }

  /** The stream is fully closed: ends reading if not yet ended, fails writers, settles `closed`. */
  protected finish(error: Error | undefined): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.closedWith = error;
    this.endRead(error);
    const waiters = this.waiters ?? [];
    this.waiters = undefined;
    for (const w of waiters) w.reject(new StreamClosedError('stream closed while waiting to write', { cause: error }));
    this.resolveClosed?.(error);
    this.resolveClosed = undefined;
  }

  protected get isFinished(): boolean {
    return this.isClosed;
  }
}
