/**
 * Flux's websocket adapter (`pkg/http/websocket`) as a ByteStream, over the `ws` package
 * (docs/wire.md §6):
 * - every write is one binary message; binary messages are read as one byte stream; text messages
 *   are ignored;
 * - heartbeat: pings, pong deadline, write deadline (heartbeat.ts), Flux's values by default;
 * - `close()` sends close 1000 "ok"; close 1000, 1001 and 1005 and a dropped TCP connection read
 *   as a clean end of stream; other close codes as Go's `websocket: close <code> (<text>): <reason>`.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import { Buffer } from 'node:buffer';
import { WebSocket, WebSocketServer } from 'ws';
import type { FlowOptions } from './byte-stream.js';
import { Heartbeat, type HeartbeatOptions } from './heartbeat.js';
import { StreamBase } from './stream-base.js';
import { DEFAULT_CALL_TIMEOUT_MS } from '../runtime/time.js';
import { GoText } from '../runtime/go-text.js';

export interface WebSocketStreamOptions extends FlowOptions, HeartbeatOptions {}

/** Close codes read as a clean end of stream (Go's adapter maps them to io.EOF). */
const CLEAN_CLOSE_CODES = new Set([1000, 1001, 1005, 1006]);


export class WebSocketStream extends StreamBase {
  private readonly heartbeat: Heartbeat;
  private early: Buffer[] = [];
  private error: Error | undefined;
  readonly remote: string;

  constructor(
    private readonly ws: WebSocket,
    options: WebSocketStreamOptions = {},
    remote = 'websocket',
  ) {
    super(options);
    this.remote = remote;
    this.heartbeat = new Heartbeat(
      {
        ping: (done) => {
          // Closing already: the close handshake (or its deadline) ends the connection, not a ping.
          if (ws.readyState !== WebSocket.OPEN) return done();
          try {
            ws.ping(undefined, undefined, (err?: Error) => done(err ?? undefined));
          } catch (err) {
            done(err as Error);
          }
        },
        expire: (error) => this.destroy(error),
      },
      options,
    );
    ws.on('message', (data: Buffer, isBinary: boolean) => this.onMessage(data, isBinary));
    ws.on('pong', () => this.heartbeat.alive());
    ws.on('error', (err) => {
      this.error ??= err;
    });
    ws.on('close', (code: number, reason: Buffer) => this.onClose(code, reason.toString('utf8')));
    ws.pause();
    this.heartbeat.start();
  }

  protected override onStart(): void {
    const early = this.early;
    this.early = [];
    for (const chunk of early) this.sink!.data(chunk);
    this.ws.resume();
  }

  private onMessage(data: Buffer, isBinary: boolean): void {
    this.heartbeat.alive();
    if (!isBinary || this.ended) return;
    if (this.sink) this.sink.data(data);
    else this.early.push(data);
  }

  private onClose(code: number, reason: string): void {
    this.heartbeat.stop();
    let error = this.error;
    if (!error && !CLEAN_CLOSE_CODES.has(code)) error = new Error(GoText.closeError(code, reason));
    this.finish(error);
  }

  protected send(data: Buffer): void {
    this.heartbeat.writeStarted();
    this.ws.send(data, { binary: true }, (err) => {
      this.heartbeat.writeDone();
      if (!err) this.delivered(data.length);
    });
  }

  pause(): void {
    this.ws.pause();
  }

  resume(): void {
    if (this.sink) this.ws.resume();
  }

  close(): void {
    if (this.isFinished) return;
    this.heartbeat.stop();
    if (this.ws.readyState === WebSocket.CONNECTING || this.ws.readyState === WebSocket.OPEN) {
      const opened = this.ws.readyState === WebSocket.OPEN;
      this.ws.close(1000, 'ok');
      if (opened) {
        // Like Go's adapter: once the close frame (and everything queued before it) is flushed,
        // close the TCP connection without waiting for the peer's close frame. A Go peer answers
        // the close frame but leaves closing the TCP connection to its owner, which may never
        // come. (ws keeps its socket private; it is the documented net.Socket underneath.)
        const socket = (this.ws as unknown as { _socket?: Socket })._socket;
        socket?.end(() => socket.destroy());
      }
      // Bound on a peer that does not read at all (the flush itself may stall).
      setTimeout(() => this.ws.terminate(), this.heartbeat.writeWaitMs).unref();
    }
  }

  destroy(error?: Error): void {
    this.heartbeat.stop();
    this.error ??= error;
    this.ws.terminate();
    if (error) this.finish(error);
  }
}

export interface DialOptions extends WebSocketStreamOptions {
  /** Request headers, e.g. User-Agent and Authorization. */
  headers?: Record<string, string>;
  /** Handshake timeout (default 10 s, as fluxd's HTTP client). */
  handshakeTimeoutMs?: number;
  /** Largest message accepted (default 65 MiB). */
  maxPayload?: number;
  /** Aborts the dial (connection attempt and handshake); no effect once connected. */
  signal?: AbortSignal;
}

/** The handshake got an HTTP response that was not a 101 upgrade (Go's `websocket.DialErr`). */
export class DialError extends Error {
  override name = 'DialError';
  readonly code = 'FLUXRPC_ERR_DIAL';
  constructor(
    readonly url: string,
    readonly status: number,
    readonly body: string,
  ) {
    super(GoText.dialError(url, status));
  }
}

export const DEFAULT_MAX_PAYLOAD = 65 * 1024 * 1024;

/** Dials a websocket like fluxd does (no Origin, no subprotocol, no compression). */
export function dialWebSocket(url: string, options: DialOptions = {}): Promise<WebSocketStream> {
  const { signal } = options;
  return new Promise((resolve, reject) => {
    signal?.throwIfAborted();
    const ws = new WebSocket(url, {
      headers: options.headers,
      handshakeTimeout: options.handshakeTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS,
      perMessageDeflate: false,
      maxPayload: options.maxPayload ?? DEFAULT_MAX_PAYLOAD,
      followRedirects: false,
    });
    let settled = false;
    const onAbort = () => {
      if (settled) return;
      settled = true;
      ws.terminate();
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    ws.once('close', () => signal?.removeEventListener('abort', onAbort));
    ws.once('unexpected-response', (_req, res) => {
      // Not a 101: read the body for the error, then drop the connection. ws reports the drop as
      // an error, which is ignored since the dial has already failed with the status.
      settled = true;
      const chunks: Buffer[] = [];
      const fail = () => reject(new DialError(url, res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8')));
      res.on('data', (c: Buffer) => chunks.push(c));
      res.once('end', fail);
      res.once('error', fail);
      res.once('close', () => {
        fail();
        ws.terminate();
      });
    });
    ws.on('error', (err) => {
      if (!settled) {
        settled = true;
        reject(err);
      }
    });
    ws.once('open', () => {
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      resolve(new WebSocketStream(ws, options, url));
    });
  });
}

export interface AcceptOptions extends WebSocketStreamOptions {
  maxPayload?: number;
}

/**
 * Upgrades HTTP requests to websocket streams (Flux's `websocket.Upgrade`: any origin, no
 * subprotocol, no compression). Use from an `http.Server`'s `upgrade` event.
 */
export class WebSocketAcceptor {
  private readonly wss: WebSocketServer;

  constructor(private readonly options: AcceptOptions = {}) {
    this.wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: options.maxPayload ?? DEFAULT_MAX_PAYLOAD, clientTracking: false });
  }

  /** Resolves with the stream; rejects if the handshake is invalid (ws answers it with an HTTP error). */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<WebSocketStream> {
    return new Promise((resolve, reject) => {
      const onClose = () => reject(new Error('websocket handshake rejected'));
      socket.once('close', onClose);
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        socket.off('close', onClose);
        const remote = `${req.socket.remoteAddress}:${req.socket.remotePort}`;
        resolve(new WebSocketStream(ws, this.options, remote));
      });
    });
  }
}
