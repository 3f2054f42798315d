/**
 * The client side: dials a websocket as fluxd does (docs/wire.md §7.3): `GET` with the caller's
 * headers plus the handshake's own, no Origin, no subprotocol, no compression offer, no redirects
 * followed. Outcomes as Go's `websocket.Dial`: a network error as it is; any answer that is not a
 * valid 101 a DialError with Go's text (the body read for logs, at most 64 KiB); a 101 a stream.
 */
import { Buffer } from 'node:buffer';
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import { DEFAULT_CALL_TIMEOUT_MS } from '../../runtime/time.js';
import { GoText } from '../../runtime/go-text.js';
import { checkUpgradeResponse, newKey } from './handshake.js';
import { WebSocketStream, type WebSocketStreamOptions } from './stream.js';

export interface DialOptions extends WebSocketStreamOptions {
  /** Request headers, e.g. User-Agent and Authorization. */
  headers?: Record<string, string>;
  /** Connection and handshake time limit (default 10 s, as fluxd's HTTP client). */
  handshakeTimeoutMs?: number;
  /** Aborts the dial (connection attempt and handshake); no effect once connected. */
  signal?: AbortSignal;
  /** wss: TLS options beyond the defaults (the system's CAs, as fluxd), e.g. `ca` for a private CA. */
  tls?: ConnectionOptions;
}

/** The most of a refusal's body kept for the DialError. */
export const MAX_DIAL_ERROR_BODY = 64 * 1024;

/** The handshake got an HTTP response that was not a valid 101 upgrade (Go's `websocket.DialErr`). */
export class DialError extends Error {
  override name = 'DialError';
  readonly code = 'FLUXRPC_ERR_DIAL';
  constructor(
    readonly url: string,
    readonly status: number,
    /** The answer's body (at most 64 KiB of it). */
    readonly body: string,
    options?: ErrorOptions,
  ) {
    super(GoText.dialError(url, status), options);
  }
}

/** The connection or the handshake took longer than `handshakeTimeoutMs`. */
export class DialTimeoutError extends Error {
  override name = 'DialTimeoutError';
  readonly code = 'FLUXRPC_ERR_DIAL_TIMEOUT';
  constructor(url: string, ms: number) {
    super(`websocket: dialing ${url}: no handshake within ${ms} ms`);
  }
}

/** Dials `url` (ws: or wss:) and resolves with the stream once the server has answered 101. */
export function dialWebSocket(url: string, options: DialOptions = {}): Promise<WebSocketStream> {
  return new Promise((resolve, reject) => {
    const { signal } = options;
    signal?.throwIfAborted();
    const target = new URL(url);
    if ((target.protocol !== 'ws:' && target.protocol !== 'wss:') || target.username !== '' || target.password !== '') {
      throw new TypeError(`malformed ws or wss URL: ${url}`);
    }
    const tls = target.protocol === 'wss:';
    const host = target.hostname.replace(/^\[(.*)\]$/, '$1');
    const key = newKey();
    const request = (tls ? https : http).request({
      host,
      port: target.port || (tls ? 443 : 80),
      path: target.pathname + target.search,
      method: 'GET',
      agent: false,
      ...(tls && isIP(host) === 0 ? { servername: host } : {}),
      ...(tls ? options.tls : {}),
      headers: {
        ...options.headers,
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Key': key,
        'Sec-WebSocket-Version': '13',
      },
    });
    const timeoutMs = options.handshakeTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
    let settled = false;
    const settle = (error: Error | undefined, stream?: WebSocketStream) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (error) {
        request.destroy();
        reject(error);
      } else {
        resolve(stream!);
      }
    };
    const onAbort = () => settle(signal!.reason as Error);
    const timer = setTimeout(() => settle(new DialTimeoutError(url, timeoutMs)), timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    request.on('error', (error) => settle(error));
    request.on('response', (res) => {
      // Not an upgrade: keep (some of) the body for the error, then drop the connection.
      const chunks: Buffer[] = [];
      let size = 0;
      const fail = () => settle(new DialError(url, res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8')));
      res.on('data', (chunk: Buffer) => {
        const room = MAX_DIAL_ERROR_BODY - size;
        chunks.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
        size += Math.min(room, chunk.length);
        if (size >= MAX_DIAL_ERROR_BODY) fail();
      });
      res.on('end', fail);
      res.on('error', fail);
      res.on('close', fail);
    });
    request.on('upgrade', (res, socket, head) => {
      const problem = checkUpgradeResponse(key, res.headers);
      if (problem) {
        socket.destroy();
        return settle(new DialError(url, res.statusCode ?? 101, '', { cause: new Error(problem) }));
      }
      if (settled) return void socket.destroy();
      settle(undefined, new WebSocketStream(socket, 'client', options, url, head));
    });
    request.end();
  });
}
