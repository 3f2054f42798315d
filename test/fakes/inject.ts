/**
 * In-process requests for node:http handlers (in the manner of fastify's `inject()` / hono's
 * `app.request()`): a real `IncomingMessage` and `ServerResponse` over an in-memory socket, no
 * listening port. The response is what node:http serialised, parsed back, so headers such as
 * `Content-Length` are the ones a client would see.
 */
import { Buffer } from 'node:buffer';
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { Duplex } from 'node:stream';

export interface InjectRequest {
  method?: string;
  /** The request target, e.g. `/api/flux/v6/services?namespace=x`. */
  url: string;
  /** Header lines; an array value sends the header once per element. */
  headers?: Record<string, string | readonly string[]>;
  body?: string | Uint8Array;
}

export interface InjectResponse {
  /** Whether the handler took the request (`false`: it is not one of its paths). */
  handled: boolean;
  status: number;
  statusMessage: string;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  body: string;
  rawBody: Buffer;
}

/** The in-memory connection: what node:http writes is collected; `destroy()` simulates a hang-up. */
class MemorySocket extends Duplex {
  readonly written: Buffer[] = [];
  remoteAddress = '127.0.0.1';
  remotePort = 54321;
  constructor() {
    super({ autoDestroy: false, allowHalfOpen: true });
  }
  override _read(): void {}
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.written.push(Buffer.from(chunk));
    cb();
  }
  setTimeout(): this {
    return this;
  }
  setNoDelay(): this {
    return this;
  }
  setKeepAlive(): this {
    return this;
  }
  ref(): this {
    return this;
  }
  unref(): this {
    return this;
  }
}

function parseResponse(raw: Buffer, method: string): Omit<InjectResponse, 'handled'> {
  const end = raw.indexOf('\r\n\r\n');
  if (end < 0) throw new Error(`incomplete HTTP response: ${JSON.stringify(raw.toString('latin1'))}`);
  const [statusLine, ...headerLines] = raw.subarray(0, end).toString('latin1').split('\r\n');
  const m = /^HTTP\/1\.1 (\d{3}) ?(.*)$/.exec(statusLine!);
  if (!m) throw new Error(`bad status line ${JSON.stringify(statusLine)}`);
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const i = line.indexOf(':');
    headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
  }
  let body = raw.subarray(end + 4);
  if (headers['transfer-encoding'] === 'chunked') {
    const parts: Buffer[] = [];
    let rest = body;
    for (;;) {
      const nl = rest.indexOf('\r\n');
      const size = parseInt(rest.subarray(0, nl).toString('latin1'), 16);
      if (size === 0) break;
      parts.push(rest.subarray(nl + 2, nl + 2 + size));
      rest = rest.subarray(nl + 2 + size + 2);
    }
    body = Buffer.concat(parts);
  }
  if (method === 'HEAD') body = Buffer.alloc(0);
  return { status: Number(m[1]), statusMessage: m[2]!, headers, body: body.toString('utf8'), rawBody: body };
}

/**
 * Runs `handler` on one request and returns the response. With `hangUp`, the client's connection
 * is destroyed right after the request is delivered (the response is then empty).
 */
export async function injectRequest(
  handler: (req: IncomingMessage, res: ServerResponse) => Promise<boolean> | boolean | void,
  request: InjectRequest,
  options: { hangUp?: (socket: Duplex) => void } = {},
): Promise<InjectResponse> {
  const socket = new MemorySocket();
  const req = new IncomingMessage(socket as unknown as Socket);
  const method = request.method ?? 'GET';
  req.method = method;
  req.url = request.url;
  req.httpVersion = '1.1';
  req.httpVersionMajor = 1;
  req.httpVersionMinor = 1;
  const rawHeaders: string[] = [];
  for (const [name, value] of Object.entries(request.headers ?? {})) {
    for (const v of typeof value === 'string' ? [value] : value) rawHeaders.push(name, v);
  }
  const body = request.body === undefined ? undefined : Buffer.from(request.body);
  if (body !== undefined && !Object.keys(request.headers ?? {}).some((h) => h.toLowerCase() === 'content-length')) {
    rawHeaders.push('Content-Length', String(body.length));
  }
  req.rawHeaders = rawHeaders;
  const headers: Record<string, string> = {};
  const distinct: Record<string, string[]> = {};
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!.toLowerCase();
    const value = rawHeaders[i + 1]!;
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
    (distinct[name] ??= []).push(value);
  }
  req.headers = headers;
  req.headersDistinct = distinct;
  if (body !== undefined && body.length > 0) req.push(body);
  req.push(null);
  // The whole message is there (node:http's parser sets this when it has read the body).
  req.complete = true;

  const res = new ServerResponse(req);
  res.assignSocket(socket as unknown as Socket);
  // As node:http's server does: the response emits 'drain' when its socket does.
  socket.on('drain', () => res.emit('drain'));
  const done = new Promise<void>((resolve) => {
    res.once('finish', resolve);
    res.once('close', resolve);
  });
  const handling = Promise.resolve(handler(req, res));
  if (options.hangUp) options.hangUp(socket);
  const handled = (await handling) !== false;
  if (handled) await done;
  const raw = Buffer.concat(socket.written);
  if (!handled || raw.length === 0) return { handled, status: 0, statusMessage: '', headers: {}, body: '', rawBody: Buffer.alloc(0) };
  return { handled, ...parseResponse(raw, method) };
}
