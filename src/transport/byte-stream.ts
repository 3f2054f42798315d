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
 *
 * `writeSource` sends one unit whose bytes are produced on demand (`MessageSource`): a large reply
 * need not exist whole in memory. A websocket writes it as one frame whose header declares the
 * whole length, encoding and masking it a chunk at a time as the socket takes them (the same
 * bytes on the wire as `write` of the whole buffer); other streams build the buffer and `write` it.
 */
import { Buffer } from 'node:buffer';

export interface StreamSink {
  data(chunk: Buffer): void;
  /**
   * The peer declared that `bytes` more bytes follow, counted from the next chunk delivered (a
   * websocket frame's length, told when its header is read). A hint to size buffers, from a peer
   * that may lie: never trust it beyond your own limits.
   */
  expect?(bytes: number): void;
  /** Called once: `undefined` for a clean end of stream, an error otherwise. */
  end(error: Error | undefined): void;
}

export interface ByteStream {
  /** Starts delivering to `sink`. Call once. */
  start(sink: StreamSink): void;
  /** Queues one unit for sending and takes the buffer (see above). Returns false when above the high-water mark. */
  write(data: Buffer): boolean;
  /** Queues one unit produced on demand (see above); same contract and return value as `write`. */
  writeSource(source: MessageSource): boolean;
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

/**
 * One unit's bytes, produced in order on demand. The stream calls `fill` until `byteLength` bytes
 * were produced, each time with room for at least `MIN_FILL_BYTES`; a source that produces fewer
 * bytes than it declared fails the stream.
 */
export interface MessageSource {
  /** The exact size of the unit, in bytes. */
  readonly byteLength: number;
  /**
   * Writes the next bytes into `target` from `offset` on, as many as fit (a source may stop a few
   * bytes short of the end, e.g. not to cut a UTF-8 sequence); returns the offset after them.
   */
  fill(target: Buffer, offset: number): number;
}

/** The least room a `MessageSource.fill` is given (one UTF-8 sequence always fits). */
export const MIN_FILL_BYTES = 4;

/** The whole unit of a source in one buffer (for streams that send whole buffers). */
export function sourceToBuffer(source: MessageSource): Buffer {
  const buf = Buffer.allocUnsafe(source.byteLength);
  let offset = 0;
  while (offset < buf.length) {
    const next = source.fill(buf, offset);
    if (!(next > offset)) throw new Error(`message source stopped after ${offset} of its ${buf.length} bytes`);
    offset = next;
  }
  return buf;
}

export interface FlowOptions {
  /** Bytes waiting to be sent above which `write` returns false (default 1 MiB). */
  highWaterMark?: number;
}

export const DEFAULT_HIGH_WATER_MARK = 1024 * 1024;
