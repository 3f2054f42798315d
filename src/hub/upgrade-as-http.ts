/**
 * Answering, as plain HTTP/1.1, a request that reached node's 'upgrade' listener but is no
 * websocket registration.
 *
 * node hands every request with an `Upgrade` header to the 'upgrade' listener, including curl's
 * h2c offer (`curl --http2`), and stops parsing that connection: the request's body, if any, is
 * still on the socket (and partly in `head`). `serveUpgradeAsHttp` builds a normal
 * `IncomingMessage`/`ServerResponse` pair on the socket, feeds it the body (Content-Length framing
 * only; a chunked body gets 411), with backpressure, and closes the connection once the response
 * is written (`Connection: close`). While the body is read, the socket idles out after
 * `requestTimeoutMs`.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { send, TEXT_CONTENT_TYPE } from '../http/respond.js';

export interface UpgradeAsHttpOptions {
  /** How long the socket may idle while the body is read (default 300 s, node's `requestTimeout`). */
  requestTimeoutMs?: number;
}

/** node:http's default `server.requestTimeout`. */
const DEFAULT_REQUEST_TIMEOUT_MS = 300_000;

export const LENGTH_REQUIRED_TEXT = 'Length Required\nwith an Upgrade header, a request body needs a Content-Length\n';

/**
 * Serves the request `upgrade` (with `head`, the bytes node read past its headers) as plain
 * HTTP/1.1 with `handle`, then closes `socket`.
 */
export function serveUpgradeAsHttp(upgrade: IncomingMessage, socket: Socket, head: Buffer, handle: (req: IncomingMessage, res: ServerResponse) => unknown, options: UpgradeAsHttpOptions = {}): void {
  socket.on('error', () => socket.destroy());
  const req = new http.IncomingMessage(socket);
  req.method = upgrade.method;
  req.url = upgrade.url;
  req.httpVersion = upgrade.httpVersion;
  req.httpVersionMajor = upgrade.httpVersionMajor;
  req.httpVersionMinor = upgrade.httpVersionMinor;
  req.rawHeaders = upgrade.rawHeaders;
  req.headers = upgrade.headers;
  req.headersDistinct = upgrade.headersDistinct;
  const res = new http.ServerResponse(req);
  res.shouldKeepAlive = false;
  res.assignSocket(socket);
  res.once('finish', () => socket.end(() => socket.destroy()));
  if (upgrade.headers['transfer-encoding'] !== undefined) {
    req.push(null);
    send(res, 411, { 'Content-Type': TEXT_CONTENT_TYPE }, LENGTH_REQUIRED_TEXT);
    return;
  }
  // node's parser has checked the header's form before the 'upgrade' event.
  let remaining = Number(upgrade.headers['content-length'] ?? 0);
  const complete = () => {
    socket.off('data', feed).off('end', cut).off('close', cut).setTimeout(0);
    req.complete = true;
    req.push(null);
  };
  const feed = (chunk: Buffer) => {
    const part = chunk.subarray(0, remaining);
    remaining -= part.length;
    if (part.length > 0 && !req.push(part)) socket.pause(); // resumed by req's reader (IncomingMessage._read)
    if (remaining === 0) complete();
  };
  // The request fails (and whoever reads it lets go of what it holds) when the connection ends,
  // or idles out, inside the body.
  const cut = () => req.destroy(new Error('the connection ended before the request body was complete'));
  if (remaining === 0) complete();
  else {
    if (/^100-continue$/i.test(upgrade.headers.expect ?? '')) res.writeContinue();
    const timeoutMs = options.requestTimeoutMs || DEFAULT_REQUEST_TIMEOUT_MS;
    socket.setTimeout(timeoutMs, () => req.destroy(new Error(`no complete request body within ${timeoutMs} ms`)));
    socket.on('data', feed).once('end', cut).once('close', cut);
    feed(head);
  }
  void handle(req, res);
}
