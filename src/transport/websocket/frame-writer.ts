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
 */
import { Buffer } from 'node:buffer';
import type { Duplex } from 'node:stream';
import { maskInPlace, randomMaskKey } from './mask.js';
import { OP_BINARY, OP_CLOSE, OP_PING, OP_PONG } from './protocol.js';

/** Payloads up to this size are copied into the batch buffer; larger ones are written as they are. */
export const COPY_LIMIT = 16 * 1024;

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

export class FrameWriter {
  /** The data (and close) frames of this tick (none while idle: an idle connection holds no arrays). */
  private payloads: Buffer[] | undefined;
  private opcodes: number[] | undefined;
  private dataBytes = 0;
  /** The pong of this tick (answering the newest ping), if any. */
  private pongPayload: Buffer | undefined;
  /** Pings of this tick, and what to call once each is written. */
  private pings = 0;
  private pingDone: ((error?: Error) => void)[] | undefined;
  private scheduled = false;
  private closed = false;
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
    this.dataBytes += payload.length;
    this.queue(OP_BINARY, payload);
    return true;
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

  private queue(opcode: number, payload: Buffer): void {
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

  /** Sends everything queued as one socket write (several buffers corked into one writev). */
  flush(): void {
    this.scheduled = false;
    const pong = this.pongPayload;
    const pings = this.pings;
    let payloads = this.payloads;
    let opcodes = this.opcodes;
    if (!payloads && pong === undefined && pings === 0) return;
    const dataBytes = this.dataBytes;
    const pongs = pong === undefined ? 0 : 1;
    const pingDone = this.pingDone;
    this.payloads = undefined;
    this.opcodes = undefined;
    this.dataBytes = 0;
    this.pongPayload = undefined;
    this.pings = 0;
    this.pingDone = undefined;

    if (!payloads && !this.masking && pings <= 1 && (pong === undefined || pong.length === 0)) {
      // Heartbeat traffic alone: one constant frame (or two).
      this.send([pong === undefined ? PING_FRAME : pings === 0 ? PONG_FRAME : PONG_PING_FRAMES], dataBytes, pongs, pingDone);
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
    const n = payloads.length;

    const out: Buffer[] = [];
    let i = 0;
    while (i < n) {
      // A run of small frames, then possibly one large frame whose header ends the run.
      let size = 0;
      let j = i;
      for (; j < n && payloads[j]!.length <= COPY_LIMIT; j++) size += headerSize(payloads[j]!.length, this.masking) + payloads[j]!.length;
      const large = j < n ? payloads[j] : undefined;
      if (large) size += headerSize(large.length, this.masking);
      const buf = Buffer.allocUnsafe(size);
      let off = 0;
      for (; i < j; i++) {
        const payload = payloads[i]!;
        const key = this.masking ? randomMaskKey() : 0;
        off = writeHeader(buf, off, opcodes[i]!, payload.length, this.masking, key);
        payload.copy(buf, off);
        if (this.masking) maskInPlace(buf, off, off + payload.length, key, 0);
        off += payload.length;
      }
      out.push(buf);
      if (large) {
        const key = this.masking ? randomMaskKey() : 0;
        writeHeader(buf, off, opcodes[j]!, large.length, this.masking, key);
        if (this.masking) maskInPlace(large, 0, large.length, key, 0);
        out.push(large);
        i = j + 1;
      }
    }

    this.send(out, dataBytes, pongs, pingDone);
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
