/**
 * The read side of RFC 6455 as an explicit state machine fed arbitrary socket chunks (the shape of
 * ws's `receiver.js`, not its code): HEADER → PAYLOAD (data) or CONTROL (ping/pong/close) → HEADER.
 *
 * Nothing is buffered per frame or per message. Binary payload bytes are unmasked in place in the
 * socket's chunk and handed on as they arrive: the payload parts of all frames in one chunk are
 * moved together (over the headers between them) and delivered as one view, so a peer sending a
 * value as millions of 1-byte frames costs one delivery per chunk, not one per frame. Text payload
 * is skipped. The reader holds only the header of a frame cut by a chunk boundary (as numbers, at
 * most 14 bytes) and the payload of a control frame cut by one (at most 125 bytes): `heldBytes`.
 *
 * The per-message limit is checked on each frame's header against the running sum of the
 * message's lengths, before any of its payload is delivered. The first protocol error or the
 * close frame ends the reader; later input is ignored.
 */
import { Buffer, isUtf8 } from 'node:buffer';
import { maskInPlace } from './mask.js';
import { protocolError, tooBigError, type WebSocketError } from './errors.js';
import { CLOSE_NO_STATUS, MAX_CONTROL_PAYLOAD, OP_BINARY, OP_CLOSE, OP_CONTINUATION, OP_PING, OP_PONG, OP_TEXT, isValidReceivedCloseCode } from './protocol.js';

export interface FrameSink {
  /** Payload bytes of binary messages, unmasked; message boundaries are not reported. */
  onData(chunk: Buffer): void;
  /**
   * A binary data frame declared `length` payload bytes (within the message limit), told before
   * any of them is delivered: a size hint, from a peer that may lie (it may stop sending).
   */
  onDataFrame?(length: number): void;
  /** The payload is only valid during the call. */
  onPing(payload: Buffer): void;
  onPong(payload: Buffer): void;
  /** A valid close frame (code 1005 when it had no payload). The reader has stopped. */
  onCloseFrame(code: number, reason: string): void;
  /** A protocol error or an oversize message. The reader has stopped. */
  onProtocolError(error: WebSocketError): void;
}

export interface FrameReaderOptions {
  /** Server side: every frame must be masked; client side: none may be. */
  isServer: boolean;
  /** Largest message (sum of its frames' payload lengths). */
  maxPayload: number;
}

const HEADER = 0;
const PAYLOAD = 1;
const CONTROL = 2;
const STOPPED = 3;

const EMPTY = Buffer.alloc(0);

export class FrameReader {
  private state = HEADER;
  /** Header bytes of the current frame consumed so far, and its full size once byte 1 is known. */
  private headerPos = 0;
  private headerSize = 2;
  /** Where the extended length ends and the mask key starts (2, 4 or 10). */
  private lengthEnd = 2;
  private fin = false;
  private opcode = 0;
  private masked = false;
  private length = 0;
  private maskKey = 0;
  /** Payload bytes of the current frame not yet consumed, and the mask phase of the next one. */
  private remaining = 0;
  private maskPhase = 0;
  /** The open data message: 0 (none), OP_TEXT or OP_BINARY; and the sum of its frame lengths. */
  private message = 0;
  private messageBytes = 0;
  /** A control payload cut by a chunk boundary, and how much of it has arrived. */
  private control: Buffer | undefined;
  private controlPos = 0;
  /** The binary payload gathered from the current chunk: chunk[outStart, outEnd). */
  private outStart = -1;
  private outEnd = 0;
  /** The chunk being consumed, during `write`. */
  private chunk: Buffer = EMPTY;

  private readonly isServer: boolean;
  private readonly maxPayload: number;

  constructor(
    private readonly sink: FrameSink,
    options: FrameReaderOptions,
  ) {
    this.isServer = options.isServer;
    this.maxPayload = options.maxPayload;
  }

  /** Bytes of the peer's input held between chunks: a partial header and a partial control payload. */
  get heldBytes(): number {
    return (this.state === HEADER ? this.headerPos : 0) + (this.control ? this.controlPos : 0);
  }

  /** True while a binary message has started and not finished (a drop now cuts a message short). */
  get inBinaryMessage(): boolean {
    return this.message === OP_BINARY && this.state !== STOPPED;
  }

  /** Ignores all further input (the connection is closing). */
  stop(): void {
    this.state = STOPPED;
    this.control = undefined;
  }

  /** Consumes one chunk; the chunk's bytes may be rewritten (unmasked, moved) in place. */
  write(chunk: Buffer): void {
    this.chunk = chunk;
    const end = chunk.length;
    let i = 0;
    while (i < end) {
      const state = this.state;
      if (state === HEADER) {
        i = this.readHeader(chunk, i, end);
      } else if (state === PAYLOAD) {
        const n = Math.min(this.remaining, end - i);
        if (this.message === OP_BINARY) {
          if (this.masked) this.maskPhase = maskInPlace(chunk, i, i + n, this.maskKey, this.maskPhase);
          this.gather(chunk, i, i + n);
        }
        i += n;
        this.remaining -= n;
        if (this.remaining === 0) this.endDataFrame();
      } else if (state === CONTROL) {
        i = this.readControl(chunk, i, end);
      } else {
        break;
      }
    }
    // A sink may have stopped the reader (the connection is closing): then nothing more is delivered.
    if (this.state === STOPPED) this.outStart = -1;
    else this.deliver();
    this.chunk = EMPTY;
  }

  /** Parses header bytes from chunk[i, end); returns the position after them. */
  private readHeader(chunk: Buffer, i: number, end: number): number {
    while (i < end) {
      const byte = chunk[i++]!;
      const pos = this.headerPos++;
      if (pos === 0) {
        if (!this.firstByte(byte)) return end;
      } else if (pos === 1) {
        if (!this.secondByte(byte)) return end;
      } else if (pos < this.lengthEnd) {
        if (pos === 2 && this.lengthEnd === 10 && byte & 0x80) {
          this.fail(protocolError('64-bit payload length with the most significant bit set'));
          return end;
        }
        this.length = this.length * 256 + byte;
      } else {
        this.maskKey = ((this.maskKey << 8) | byte) >>> 0;
      }
      if (this.headerPos === this.headerSize) {
        this.startFrame();
        return i;
      }
    }
    return i;
  }

  private firstByte(byte: number): boolean {
    this.fin = (byte & 0x80) !== 0;
    this.opcode = byte & 0x0f;
    const rsv = byte & 0x70;
    if (rsv !== 0) return this.fail(protocolError(`RSV${rsv & 0x40 ? 1 : rsv & 0x20 ? 2 : 3} set (no extension was negotiated)`));
    switch (this.opcode) {
      case OP_CLOSE:
      case OP_PING:
      case OP_PONG:
        if (!this.fin) return this.fail(protocolError('FIN not set on control (a control frame may not be fragmented)'));
        return true;
      case OP_TEXT:
      case OP_BINARY:
        if (this.message !== 0) return this.fail(protocolError('data before FIN (a new message inside an unfinished one)'));
        return true;
      case OP_CONTINUATION:
        if (this.message === 0) return this.fail(protocolError('continuation after FIN (no message was started)'));
        return true;
      default:
        return this.fail(protocolError(`bad opcode ${this.opcode}`));
    }
  }

  private secondByte(byte: number): boolean {
    this.masked = (byte & 0x80) !== 0;
    if (this.masked !== this.isServer) {
      return this.fail(protocolError(this.masked ? 'bad MASK (a server must not mask its frames)' : 'bad MASK (a client must mask its frames)'));
    }
    const length = byte & 0x7f;
    if (this.opcode >= OP_CLOSE && length > MAX_CONTROL_PAYLOAD) return this.fail(protocolError('len > 125 for control'));
    this.length = length < 126 ? length : 0;
    this.lengthEnd = 2 + (length === 126 ? 2 : length === 127 ? 8 : 0);
    this.headerSize = this.lengthEnd + (this.masked ? 4 : 0);
    this.maskKey = 0;
    return true;
  }

  private startFrame(): void {
    this.headerPos = 0;
    this.headerSize = 2;
    this.maskPhase = 0;
    const length = this.length;
    if (this.opcode >= OP_CLOSE) {
      this.controlPos = 0;
      if (length === 0) this.handleControl(EMPTY);
      else this.state = CONTROL;
      return;
    }
    if (this.opcode !== OP_CONTINUATION) {
      this.message = this.opcode;
      this.messageBytes = 0;
    }
    this.messageBytes += length;
    if (this.messageBytes > this.maxPayload) {
      this.fail(tooBigError(this.maxPayload));
      return;
    }
    this.remaining = length;
    if (length === 0) return this.endDataFrame();
    this.state = PAYLOAD;
    if (this.message === OP_BINARY) this.sink.onDataFrame?.(length);
  }

  private endDataFrame(): void {
    this.state = HEADER;
    if (this.fin) this.message = 0;
  }

  /** Reads control payload from chunk[i, end); handles the frame once complete. */
  private readControl(chunk: Buffer, i: number, end: number): number {
    const length = this.length;
    if (this.controlPos === 0 && end - i >= length) {
      // The whole payload is in this chunk: use it where it is.
      const payload = chunk.subarray(i, i + length);
      if (this.masked) maskInPlace(payload, 0, length, this.maskKey, 0);
      this.handleControl(payload);
      return i + length;
    }
    this.control ??= Buffer.allocUnsafe(length);
    const n = Math.min(length - this.controlPos, end - i);
    chunk.copy(this.control, this.controlPos, i, i + n);
    this.controlPos += n;
    if (this.controlPos === length) {
      const payload = this.control;
      this.control = undefined;
      this.controlPos = 0;
      if (this.masked) maskInPlace(payload, 0, length, this.maskKey, 0);
      this.handleControl(payload);
    }
    return i + n;
  }

  private handleControl(payload: Buffer): void {
    this.state = HEADER;
    if (this.opcode === OP_PING) return this.sink.onPing(payload);
    if (this.opcode === OP_PONG) return this.sink.onPong(payload);
    // Close: validate, then deliver what came before it and stop.
    let code = CLOSE_NO_STATUS;
    let reason = '';
    if (payload.length === 1) return void this.fail(protocolError('close frame with a 1-byte payload'));
    if (payload.length >= 2) {
      code = payload.readUInt16BE(0);
      if (!isValidReceivedCloseCode(code)) return void this.fail(protocolError(`bad close code ${code}`));
      const text = payload.subarray(2);
      if (!isUtf8(text)) return void this.fail(protocolError('invalid utf8 payload in close frame'));
      reason = text.toString('utf8');
    }
    this.deliver();
    this.stop();
    this.sink.onCloseFrame(code, reason);
  }

  /** Adds chunk[start, end) to the bytes delivered for this chunk, moving it next to the previous part. */
  private gather(chunk: Buffer, start: number, end: number): void {
    if (this.outStart < 0) {
      this.outStart = start;
      this.outEnd = end;
    } else {
      if (start !== this.outEnd) chunk.copyWithin(this.outEnd, start, end);
      this.outEnd += end - start;
    }
  }

  /** Hands the payload gathered from the current chunk to the sink. */
  private deliver(): void {
    if (this.outStart < 0) return;
    const out = this.chunk.subarray(this.outStart, this.outEnd);
    this.outStart = -1;
    this.sink.onData(out);
  }

  /** Stops on a protocol error (after delivering the data that came before it); returns false. */
  private fail(error: WebSocketError): false {
    this.deliver();
    this.stop();
    this.sink.onProtocolError(error);
    return false;
  }
}
