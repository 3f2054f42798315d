/**
 * The one seam between RPC and the bytes underneath: a duplex byte stream. Memory pipes, TCP/Unix
 * sockets and Flux's websocket adapter each implement it in a file of their own.
 *
 * Reads: the stream pushes chunks to one sink; message boundaries carry no meaning. The end comes
 * once, as `end(undefined)` for a clean end of stream (Go's `io.EOF`) or `end(error)` otherwise.
 *
 * Writes: each `write` is sent as one unit (one websocket message); units never interleave. Bytes
 * written but not yet handed to the peer count against a high-water mark: above it `write` returns
 * false and `needsDrain` is true, and writers should `await writable()` before writing more, so a
 * slow peer holds writers back instead of letting memory grow without bound. Writes made within one
 * tick may leave together (one socket write).
 *
 * `write` takes ownership of the buffer: the stream may keep it until it is sent and may change it
 * (a websocket client masks a large message in place rather than copy it). The caller must not
 * reuse, change or read the buffer after writing it; write a copy if it needs to.
 */
import type { Buffer } from 'node:buffer';

export interface StreamSink {
  data(chunk: Buffer): void;
  /** Called once: `undefined` for a clean end of stream, an error otherwise. */
  end(error: Error | undefined): void;
}

export interface ByteStream {
  /** Starts delivering to `sink`. Call once. */
  start(sink: StreamSink): void;
  /** Queues one unit for sending and takes the buffer (see above). Returns false when above the high-water mark. */
  write(data: Buffer): boolean;
  /** True while more bytes than the high-water mark are waiting to be sent. */
  readonly needsDrain: boolean;
  /** Resolves once the waiting bytes fall to the low-water mark; rejects once the stream is closed. */
  writable(): Promise<void>;
  /** Stops/resumes delivering data (read-side backpressure). */
  pause(): void;
  resume(): void;
  /** Graceful close: what is queued is sent, then the stream ends (websocket: close 1000 "ok"). */
  close(): void;
  /** Abrupt close. */
  destroy(error?: Error): void;
  /** Resolves when the stream is fully closed, with the error that ended it, if any. */
  readonly closed: Promise<Error | undefined>;
  /** A short description of the peer for logs, e.g. `127.0.0.1:4567`. */
  readonly remote: string;
}

export interface FlowOptions {
  /** Bytes waiting to be sent above which `write` returns false (default 1 MiB). */
  highWaterMark?: number;
}

export const DEFAULT_HIGH_WATER_MARK = 1024 * 1024;
