/**
 * The write side of RFC 6455: encodes frames and batches them. Every data frame is one whole
 * binary message (FIN set). Frames queued within one tick go to the socket together on the next
 * tick: small frames (headers included) are copied into one buffer, large payloads are passed as
 * they are (a client masks them in place: `write` takes ownership of the buffer), and several
 * buffers go out corked, as one `writev`. One socket write per tick instead of one per message.
 *
 * Pongs answer only the newest ping of a batch (RFC 6455 §5.5.3 allows it), so a ping flood adds
 * at most one pong per tick; `pongsInFlight` counts the pongs not yet taken by the OS, for the
 * owner's read backpressure. After a close frame nothing more is queued.
 *
 * Control frames (the pong, pings) are kept apart from the data frames of a batch and go out
 * first (a control frame may come between any two messages). A batch of nothing but an empty
 * pong and/or ping on the server side (the heartbeat traffic of an idle hub: each of its
 * connections does this every 13 s) is written from a constant buffer, without arrays or copies.
 *
 * A message given as a `MessageSource` (`source`) is streamed: one frame whose header declares its
 * whole length, its payload produced, masked and written `STREAM_CHUNK_BYTES` at a time, at most
 * `STREAM_CHUNKS_IN_FLIGHT` chunks handed to the socket at once, each chunk's buffer reused once the
 * socket took it. The bytes on the wire are those of `data` with the whole payload; what the
 * sender holds is a few chunks, not the message. Everything queued after it (control frames
 * included: they cannot go inside a frame) waits until its last chunk was taken.
 */
import { Buffer } from 'node:buffer';
import type { Duplex } from 'node:stream';
import type { MessageSource } from '../byte-stream.js';
import { maskInPlace, randomMaskKey } from './mask.js';
import { OP_BINARY, OP_CLOSE, OP_PING, OP_PONG } from './protocol.js';

/** Payloads up to this size are copied into the batch buffer; larger ones are written as they are. */
export const COPY_LIMIT = 16 * 1024;
/** A streamed message is produced and written in chunks of this size (the frame header included in the first). */
export const STREAM_CHUNK_BYTES = 256 * 1024;
/** Chunks of a streamed message handed to the socket and not yet taken by it, at most. */
export const STREAM_CHUNKS_IN_FLIGHT = 2;

const FIN = 0x80;
const EMPTY = Buffer.alloc(0);
/** Unmasked empty control frames, never changed (the socket only reads them). */
const PONG_FRAME = Buffer.from([FIN | OP_PONG, 0]);
const PING_FRAME = Buffer.from([FIN | OP_PING, 0]);
const PONG_PING_FRAMES = Buffer.from([FIN | OP_PONG, 0, FIN | OP_PING, 0]);

export interface FrameWriterEvents {
  /** A batch is being handed to the socket. */
  onFlush(): void;
  /**
   * The socket took a batch (or failed to): `dataBytes` of data payload, `pongs` pongs, and the
   * ping callbacks of the pings in it.
   */
  onWritten(dataBytes: number, pongs: number, pingDone: ((error?: Error) => void)[] | undefined, error: Error | null | undefined): void;
}

/** A message being streamed (see the module note). */
interface StreamJob {
  readonly source: MessageSource;
  readonly key: number;
  phase: number;
  headerDone: boolean;
  produced: number;
  inFlight: number;
  /** Chunk buffers the socket has taken, to be filled again. */
  readonly free: Buffer[];
}

type Payload = Buffer | MessageSource;

function isSource(p: Payload): p is MessageSource {
  return !(p instanceof Uint8Array);
}

export class FrameWriter {
  /** The data (and close) frames of this tick (none while idle: an idle connection holds no arrays). */
  private payloads: Payload[] | undefined;
  private opcodes: number[] | undefined;
  /** The pong of this tick (answering the newest ping), if any. */
  private pongPayload: Buffer | undefined;
  /** Pings of this tick, and what to call once each is written. */
  private pings = 0;
  private pingDone: ((error?: Error) => void)[] | undefined;
  private scheduled = false;
  private closed = false;
  /** The message being streamed, if any: nothing else is written until it ends. */
  private job: StreamJob | undefined;
  private idleWaiter: (() => void) | undefined;
  pongsInFlight = 0;

  constructor(
    private readonly socket: Duplex,
    /** Client side: frames are masked. */
    private readonly masking: boolean,
    private readonly events: FrameWriterEvents,
  ) {}

  /**
   * Queues one binary message; false once closed. The buffer belongs to the writer from now on
   * (a client masks it in place).
   */
  data(payload: Buffer): boolean {
    if (this.closed) return false;
    this.queue(OP_BINARY, payload);
    return true;
  }

  /** Queues one binary message produced on demand (streamed, see the module note); false once closed. */
  source(source: MessageSource): boolean {
    if (this.closed) return false;
    this.queue(OP_BINARY, source);
    return true;
  }

  /** True while a streamed message is being written. */
  get streaming(): boolean {
    return this.job !== undefined;
  }

  /** Calls `done` once no streamed message is being written and what was queued behind it was flushed (at once if none is). */
  whenIdle(done: () => void): void {
    if (this.job === undefined) return done();
    this.idleWaiter = done;
  }

  /** Queues an empty ping; `done` is called once the socket took it (at once when closing). */
  ping(done: (error?: Error) => void): void {
    if (this.closed) return done();
    (this.pingDone ??= []).push(done);
    this.pings++;
    this.schedule();
  }

  /** Queues a pong echoing `payload` (copied), replacing a pong still waiting in this batch. */
  pong(payload: Buffer): void {
    if (this.closed) return;
    const copy = payload.length === 0 ? EMPTY : Buffer.from(payload);
    if (this.pongPayload === undefined) this.pongsInFlight++;
    this.pongPayload = copy;
    this.schedule();
  }

  /** Queues a close frame (no payload when `code` is undefined) and sends the batch now. */
  close(code: number | undefined, reason = ''): void {
    if (this.closed) return;
    let payload = EMPTY;
    if (code !== undefined) {
      const text = truncateUtf8(Buffer.from(reason, 'utf8'), 123);
      payload = Buffer.allocUnsafe(2 + text.length);
      payload.writeUInt16BE(code, 0);
      text.copy(payload, 2);
    }
    this.queue(OP_CLOSE, payload);
    this.closed = true;
    this.flush();
  }

  private queue(opcode: number, payload: Payload): void {
    if (this.closed) return;
    (this.payloads ??= []).push(payload);
    (this.opcodes ??= []).push(opcode);
    this.schedule();
  }

  private schedule(): void {
    if (!this.scheduled) {
      this.scheduled = true;
      process.nextTick(flushWriter, this);
    }
  }

  /**
   * Sends everything queued as one socket write (several buffers corked into one writev), up to a
   * streamed message, which then starts; what follows it waits until it has ended.
   */
  flush(): void {
    this.scheduled = false;
    if (this.job !== undefined) return;
    const pong = this.pongPayload;
    const pings = this.pings;
    let payloads = this.payloads;
    let opcodes = this.opcodes;
    if (!payloads && pong === undefined && pings === 0) return;
    const pongs = pong === undefined ? 0 : 1;
    const pingDone = this.pingDone;
    this.payloads = undefined;
    this.opcodes = undefined;
    this.pongPayload = undefined;
    this.pings = 0;
    this.pingDone = undefined;

    if (!payloads && !this.masking && pings <= 1 && (pong === undefined || pong.length === 0)) {
      // Heartbeat traffic alone: one constant frame (or two).
      this.send([pong === undefined ? PING_FRAME : pings === 0 ? PONG_FRAME : PONG_PING_FRAMES], 0, pongs, pingDone);
      return;
    }
    if (pongs + pings > 0) {
      // Control frames first.
      const controls: Buffer[] = [];
      const kinds: number[] = [];
      if (pong !== undefined) controls.push(pong), kinds.push(OP_PONG);
      for (let k = 0; k < pings; k++) controls.push(EMPTY), kinds.push(OP_PING);
      payloads = payloads ? [...controls, ...payloads] : controls;
      opcodes = opcodes ? [...kinds, ...opcodes] : kinds;
    }
    if (!payloads || !opcodes) return;
    // A streamed message ends the batch: it starts after the frames before it, the rest waits.
    let streamed: MessageSource | undefined;
    const s = payloads.findIndex(isSource);
    if (s >= 0) {
      streamed = payloads[s] as MessageSource;
      if (s + 1 < payloads.length) {
        this.payloads = payloads.slice(s + 1);
        this.opcodes = opcodes.slice(s + 1);
      }
      payloads = payloads.slice(0, s);
      opcodes = opcodes.slice(0, s);
    }
    const frames = payloads as Buffer[];
    const n = frames.length;

    const out: Buffer[] = [];
    let dataBytes = 0;
    let i = 0;
    while (i < n) {
      // A run of small frames, then possibly one large frame whose header ends the run.
      let size = 0;
      let j = i;
      for (; j < n && frames[j]!.length <= COPY_LIMIT; j++) size += headerSize(frames[j]!.length, this.masking) + frames[j]!.length;
      const large = j < n ? frames[j] : undefined;
      if (large) size += headerSize(large.length, this.masking);
      const buf = Buffer.allocUnsafe(size);
      let off = 0;
      for (; i < j; i++) {
        const payload = frames[i]!;
        const key = this.masking ? randomMaskKey() : 0;
        if (opcodes[i] === OP_BINARY) dataBytes += payload.length;
        off = writeHeader(buf, off, opcodes[i]!, payload.length, this.masking, key);
        payload.copy(buf, off);
        if (this.masking) maskInPlace(buf, off, off + payload.length, key, 0);
        off += payload.length;
      }
      out.push(buf);
      if (large) {
        const key = this.masking ? randomMaskKey() : 0;
        if (opcodes[j] === OP_BINARY) dataBytes += large.length;
        writeHeader(buf, off, opcodes[j]!, large.length, this.masking, key);
        if (this.masking) maskInPlace(large, 0, large.length, key, 0);
        out.push(large);
        i = j + 1;
      }
    }

    if (out.length > 0 || pongs > 0 || pingDone) this.send(out, dataBytes, pongs, pingDone);
    if (streamed !== undefined) this.startJob(streamed);
  }

  private startJob(source: MessageSource): void {
    this.job = { source, key: this.masking ? randomMaskKey() : 0, phase: 0, headerDone: false, produced: 0, inFlight: 0, free: [] };
    this.events.onFlush();
    this.pump(this.job);
  }

  /** Produces and writes chunks of the streamed message while fewer than the limit are in flight. */
  private pump(job: StreamJob): void {
    const total = job.source.byteLength;
    while (job.inFlight < STREAM_CHUNKS_IN_FLIGHT && job.produced < total && this.job === job) {
      const buf = job.free.pop() ?? Buffer.allocUnsafe(STREAM_CHUNK_BYTES);
      let start = 0;
      if (!job.headerDone) {
        start = writeHeader(buf, 0, OP_BINARY, total, this.masking, job.key);
        job.headerDone = true;
      }
      const limit = Math.min(buf.length, start + total - job.produced);
      let end = start;
      try {
        // Filled as far as the source goes (it may stop short of the room, e.g. before a character).
        const target = limit < buf.length ? buf.subarray(0, limit) : buf;
        for (let next = job.source.fill(target, end); next > end && next <= limit; next = end < limit ? job.source.fill(target, end) : end) end = next;
        if (!(end > start)) throw new Error(`message source produced ${job.produced} of its ${total} bytes, then nothing`);
      } catch (e) {
        // A broken source: the frame cannot be completed, so the connection cannot go on.
        const error = e instanceof Error ? e : new Error(String(e));
        this.endJob(job, error);
        this.socket.destroy(error);
        return;
      }
      if (this.masking) job.phase = maskInPlace(buf, start, end, job.key, job.phase);
      job.produced += end - start;
      job.inFlight++;
      this.socket.write(end < buf.length ? buf.subarray(0, end) : buf, (error) => this.chunkWritten(job, buf, error));
    }
  }

  private chunkWritten(job: StreamJob, buf: Buffer, error: Error | null | undefined): void {
    job.inFlight--;
    if (this.job !== job) return;
    if (error) return this.endJob(job, error);
    job.free.push(buf);
    if (job.produced < job.source.byteLength) this.pump(job);
    else if (job.inFlight === 0) this.endJob(job, undefined);
  }

  private endJob(job: StreamJob, error: Error | undefined): void {
    this.job = undefined;
    job.free.length = 0;
    this.events.onWritten(job.source.byteLength, 0, undefined, error);
    if (error) return;
    if (this.payloads || this.pongPayload !== undefined || this.pings > 0) this.flush();
    const waiter = this.idleWaiter;
    if (waiter !== undefined && this.job === undefined) {
      this.idleWaiter = undefined;
      waiter();
    }
  }

  /** Hands a batch's buffers to the socket (several: corked, one writev). */
  private send(out: Buffer[], dataBytes: number, pongs: number, pingDone: ((error?: Error) => void)[] | undefined): void {
    this.events.onFlush();
    const done = (error?: Error | null) => {
      this.pongsInFlight -= pongs;
      this.events.onWritten(dataBytes, pongs, pingDone, error);
    };
    const socket = this.socket;
    if (out.length === 1) {
      socket.write(out[0], done);
      return;
    }
    socket.cork();
    for (let k = 0; k < out.length - 1; k++) socket.write(out[k]);
    socket.write(out[out.length - 1], done);
    socket.uncork();
  }
}

function flushWriter(writer: FrameWriter): void {
  writer.flush();
}

function headerSize(length: number, masked: boolean): number {
  return (length < 126 ? 2 : length < 0x10000 ? 4 : 10) + (masked ? 4 : 0);
}

/** Writes a final frame's header at `off`; returns the offset after it. */
function writeHeader(buf: Buffer, off: number, opcode: number, length: number, masked: boolean, key: number): number {
  buf[off++] = FIN | opcode;
  const maskBit = masked ? 0x80 : 0;
  if (length < 126) {
    buf[off++] = maskBit | length;
  } else if (length < 0x10000) {
    buf[off++] = maskBit | 126;
    buf.writeUInt16BE(length, off);
    off += 2;
  } else {
    buf[off++] = maskBit | 127;
    buf.writeUInt32BE(Math.floor(length / 0x100000000), off);
    buf.writeUInt32BE(length >>> 0, off + 4);
    off += 8;
  }
  if (masked) {
    buf.writeUInt32BE(key, off);
    off += 4;
  }
  return off;
}

/** The longest prefix of `text` of at most `max` bytes that does not cut a UTF-8 sequence. */
export function truncateUtf8(text: Buffer, max: number): Buffer {
  if (text.length <= max) return text;
  let end = max;
  while (end > 0 && (text[end]! & 0xc0) === 0x80) end--;
  return text.subarray(0, end);
}
