/**
 * Flux's websocket adapter (`pkg/http/websocket`, docs/wire.md §6) as a ByteStream over a socket
 * that finished the opening handshake: the FrameReader feeds the sink, the FrameWriter sends one
 * binary message per `write`, the Heartbeat keeps Flux's ping and deadlines. Ending:
 * - `close()`: close 1000 "ok" after what is queued, then the TCP connection is closed at once,
 *   without waiting for the peer's close (as Go's adapter), at the latest after `writeWaitMs`;
 * - a close frame from the peer is answered with the same code and no reason (as gorilla), then
 *   the connection is closed; 1000, 1001 and 1005 read as a clean end, others as Go's
 *   `websocket: close <code> (<text>): <reason>`;
 * - a protocol error or an oversize message: close 1002 / 1009 with the reason, the error ends reading;
 * - the TCP connection dropped (FIN or reset) between messages: a clean end (Go: 1006 → EOF);
 *   inside a binary message: Go's `websocket: close 1006 (abnormal closure): unexpected EOF`.
 *
 * Read-side backpressure: reading stops while the owner has paused the stream, and while more than
 * a few pongs wait for a peer that does not read them (a ping flood costs the peer its own reads).
 */
import type { Buffer } from 'node:buffer';
import type { Duplex } from 'node:stream';
import type { FlowOptions, MessageSource } from '../byte-stream.js';
import { Heartbeat, type HeartbeatHooks, type HeartbeatOptions } from '../heartbeat.js';
import { StreamBase } from '../stream-base.js';
import { GoText } from '../../runtime/go-text.js';
import type { WebSocketError } from './errors.js';
import { CLOSE_ABNORMAL, CLOSE_NO_STATUS, CLOSE_NORMAL } from './protocol.js';
import { FrameReader, type FrameSink } from './frame-reader.js';
import { FrameWriter, type FrameWriterEvents } from './frame-writer.js';

export interface WebSocketStreamOptions extends FlowOptions, HeartbeatOptions {
  /** Largest message accepted (default 65 MiB): a larger one is refused with close 1009. */
  maxPayload?: number;
}

export const DEFAULT_MAX_PAYLOAD = 65 * 1024 * 1024;

/** Close codes read as a clean end of stream (Go's adapter maps them to io.EOF). */
const CLEAN_CLOSE_CODES = new Set([1000, 1001, CLOSE_NO_STATUS, CLOSE_ABNORMAL]);

/** Pongs waiting for the OS above which reading stops until they drain. */
export const PONG_BACKLOG_LIMIT = 4;

const READ_NOT_STARTED = 1;
const READ_PAUSED = 2;
const READ_PONG_BACKLOG = 4;

/** The stream a socket belongs to: the socket's listeners are shared functions, not closures. */
const kStream = Symbol('WebSocketStream');
type OwnedSocket = Duplex & { [kStream]: WebSocketStream };

function onSocketData(this: OwnedSocket, chunk: Buffer): void {
  this[kStream].onChunk(chunk);
}
function onSocketDrop(this: OwnedSocket): void {
  this[kStream].onDrop();
}
function onSocketClose(this: OwnedSocket): void {
  this[kStream].onSocketClose();
}

/**
 * The stream is itself the frame reader's sink, the frame writer's listener and the heartbeat's
 * hooks (methods marked "internal"), so that a connection costs a few objects and no closures: at
 * 10,000 connections every object per connection counts.
 */
export class WebSocketStream extends StreamBase implements FrameSink, FrameWriterEvents, HeartbeatHooks {
  readonly remote: string;
  private readonly reader: FrameReader;
  private readonly writer: FrameWriter;
  private readonly heartbeat: Heartbeat;
  private readBlocked = READ_NOT_STARTED;
  private head: Buffer | undefined;
  /** What ended the connection, reported when the socket has closed. */
  private error: Error | undefined;
  /** We are closing (our close frame queued, or the connection failed): no more delivery. */
  private closing = false;
  private closeTimer: NodeJS.Timeout | undefined;
  private readonly isServer: boolean;

  /**
   * Wraps a socket that completed the handshake. `role` decides masking; `head` holds bytes that
   * arrived with the handshake. Reading starts with `start()`.
   */
  constructor(
    private readonly socket: Duplex,
    role: 'client' | 'server',
    options: WebSocketStreamOptions = {},
    remote = 'websocket',
    head?: Buffer,
  ) {
    super(options);
    this.remote = remote;
    this.head = head && head.length > 0 ? head : undefined;
    const isServer = (this.isServer = role === 'server');
    this.reader = new FrameReader(this, { isServer, maxPayload: options.maxPayload ?? DEFAULT_MAX_PAYLOAD });
    this.writer = new FrameWriter(socket, !isServer, this);
    this.heartbeat = new Heartbeat(this, options);
    socket.pause();
    (socket as { setNoDelay?: (on: boolean) => void }).setNoDelay?.(true);
    (socket as { setTimeout?: (ms: number) => void }).setTimeout?.(0);
    (socket as OwnedSocket)[kStream] = this;
    socket.on('data', onSocketData);
    socket.on('end', onSocketDrop);
    socket.on('error', onSocketDrop);
    socket.on('close', onSocketClose);
    this.heartbeat.start();
  }

  /** Bytes of the peer's input held between socket chunks (a partial frame header or control payload). */
  get heldBytes(): number {
    return this.reader.heldBytes;
  }

  protected override onStart(): void {
    const head = this.head;
    this.head = undefined;
    if (head) this.onChunk(head);
    this.unblock(READ_NOT_STARTED);
  }

  protected send(data: Buffer): void {
    if (this.closing || !this.writer.data(data)) this.delivered(data.length);
  }

  /** Streamed as one frame, a chunk at a time (`FrameWriter.source`). */
  protected override sendSource(source: MessageSource): void {
    if (this.closing || !this.writer.source(source)) this.delivered(source.byteLength);
  }

  pause(): void {
    this.block(READ_PAUSED);
  }

  resume(): void {
    this.unblock(READ_PAUSED);
  }

  close(): void {
    if (this.isFinished || this.closing) return;
    this.closing = true;
    this.heartbeat.stop();
    this.reader.stop();
    this.writer.close(CLOSE_NORMAL, 'ok');
    this.endSocket();
  }

  destroy(error?: Error): void {
    this.closing = true;
    this.heartbeat.stop();
    this.reader.stop();
    this.error ??= error;
    this.socket.destroy();
    if (error) this.finish(error);
  }

  /** @internal A chunk from the socket. */
  onChunk(chunk: Buffer): void {
    this.reader.write(chunk);
    if (this.writer.pongsInFlight > PONG_BACKLOG_LIMIT) this.block(READ_PONG_BACKLOG);
  }

  /** @internal FrameSink: binary payload. */
  onData(chunk: Buffer): void {
    this.heartbeat.alive();
    if (!this.closing) this.sink?.data(chunk);
  }

  /** @internal FrameSink: a binary frame's declared length, passed on as a size hint. */
  onDataFrame(length: number): void {
    if (!this.closing) this.sink?.expect?.(length);
  }

  /** @internal FrameSink: answered with a pong. */
  onPing(payload: Buffer): void {
    this.writer.pong(payload);
  }

  /** @internal FrameSink. */
  onPong(): void {
    this.heartbeat.alive();
  }

  /** @internal FrameSink. */
  onCloseFrame(code: number, reason: string): void {
    const error = CLEAN_CLOSE_CODES.has(code) ? undefined : new Error(GoText.closeError(code, reason));
    // A client leaves closing the TCP connection to the server (RFC 6455 §7.1.1), within the write wait.
    this.fail(error, code === CLOSE_NO_STATUS ? undefined : code, '', !this.isServer);
  }

  /** @internal FrameSink. */
  onProtocolError(error: WebSocketError): void {
    this.fail(error, error.closeCode, error.reason, false);
  }

  /**
   * The connection ends on the peer's close frame or its error: answer with a close frame, close
   * the socket; the sink hears of the end once the socket has closed (within the write wait).
   */
  private fail(error: Error | undefined, code: number | undefined, reason: string, waitForPeer: boolean): void {
    if (this.closing) return;
    this.closing = true;
    this.heartbeat.stop();
    this.error ??= error;
    this.reader.stop();
    this.writer.close(code, reason);
    if (!waitForPeer) return this.endSocket();
    // Keep reading (into the stopped reader), even if paused, to see the peer's FIN.
    this.armCloseTimer();
    this.readBlocked = 0;
    this.socket.resume();
  }

  /** @internal The peer's FIN or a socket error (reset, broken pipe). */
  onDrop(): void {
    if (!this.closing) {
      // A cut inside a binary message is an error (as Go's message reader); between messages, a clean end.
      this.error ??= this.reader.inBinaryMessage ? new Error(GoText.closeError(CLOSE_ABNORMAL, GoText.unexpectedEOF)) : undefined;
      this.closing = true;
      this.heartbeat.stop();
      this.reader.stop();
    }
    this.endSocket();
  }

  /** @internal */
  onSocketClose(): void {
    this.heartbeat.stop();
    this.reader.stop();
    clearTimeout(this.closeTimer);
    this.closeTimer = undefined;
    this.finish(this.error);
  }

  /**
   * Flushes what is queued (after a message being streamed has ended), sends FIN and closes the
   * socket; bounded by the write wait.
   */
  private endSocket(): void {
    const socket = this.socket;
    if (socket.destroyed) return;
    this.armCloseTimer();
    this.writer.flush();
    if (this.writer.streaming) return this.writer.whenIdle(() => this.endSocket());
    if (!socket.writableEnded) socket.end(() => socket.destroy());
  }

  private armCloseTimer(): void {
    if (this.closeTimer) return;
    const socket = this.socket;
    this.closeTimer = setTimeout(() => socket.destroy(), this.heartbeat.writeWaitMs);
    this.closeTimer.unref();
  }

  /** @internal FrameWriterEvents: a batch goes to the socket. */
  onFlush(): void {
    this.heartbeat.writeStarted();
  }

  /** @internal FrameWriterEvents: the socket took a batch. */
  onWritten(bytes: number, pongs: number, pingDone: ((error?: Error) => void)[] | undefined, error: Error | null | undefined): void {
    this.heartbeat.writeDone();
    if (!error) this.delivered(bytes);
    if (pingDone) for (const done of pingDone) done(error ?? undefined);
    if (pongs > 0 && this.writer.pongsInFlight <= PONG_BACKLOG_LIMIT) this.unblock(READ_PONG_BACKLOG);
  }

  /** @internal HeartbeatHooks: a ping is due. */
  ping(done: (error?: Error) => void): void {
    this.writer.ping(done);
  }

  /** @internal HeartbeatHooks: nothing read, or nothing written, in time. */
  expire(error: Error): void {
    this.destroy(error);
  }

  private block(reason: number): void {
    if (this.readBlocked === 0) this.socket.pause();
    this.readBlocked |= reason;
  }

  private unblock(reason: number): void {
    if (this.readBlocked === 0) return;
    this.readBlocked &= ~reason;
    if (this.readBlocked === 0 && !this.socket.destroyed) this.socket.resume();
  }
}
