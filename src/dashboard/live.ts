/**
 * The live stream (`GET /live[?instance=NAME]`, server-sent events): instance connects and
 * disconnects, new events and job progress, each as `event: <kind>` with JSON data that includes
 * an HTML fragment rendered by the same escaping templates as the pages (the browser inserts it;
 * it never builds markup from strings itself).
 *
 * Each stream sees only what its viewer may see, is re-checked against the users file on every
 * message (a removed or changed user's stream is closed), ends when its session expires, and is
 * closed when it falls behind (more than `maxBufferedBytes` unsent). Streams are bounded in total
 * and per user; a comment line every `heartbeatMs` keeps proxies from timing them out.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Viewer } from './auth.js';
import { SECURITY_HEADERS } from './http.js';
import { mayView } from './users.js';

export interface LiveOptions {
  maxStreams?: number;
  maxPerUser?: number;
  heartbeatMs?: number;
  maxBufferedBytes?: number;
  /** Whether a viewer is still valid (same user entry in the users file). */
  stillValid: (viewer: Viewer) => boolean;
}

interface Client {
  viewer: Viewer;
  instance: string | undefined;
  res: ServerResponse;
  timer: NodeJS.Timeout | undefined;
}

export class LiveStreams {
  private readonly clients = new Set<Client>();
  private readonly heartbeat: NodeJS.Timeout;

  constructor(private readonly o: LiveOptions) {
    this.heartbeat = setInterval(() => {
      for (const c of this.clients) this.write(c, ': keep-alive\n\n');
    }, o.heartbeatMs ?? 25_000);
    this.heartbeat.unref();
  }

  get size(): number {
    return this.clients.size;
  }

  /** Opens a stream; false (and a 503 answer) when the hub has too many. */
  open(req: IncomingMessage, res: ServerResponse, viewer: Viewer, instance: string | undefined, initial?: { kind: string; data: Record<string, unknown> }): boolean {
    const mine = [...this.clients].filter((c) => c.viewer.user.name === viewer.user.name);
    // A user with many tabs: their oldest stream makes room.
    if (mine.length >= (this.o.maxPerUser ?? 10)) this.end(mine[0]!);
    if (this.clients.size >= (this.o.maxStreams ?? 200)) {
      res.writeHead(503, { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8', 'Retry-After': '30' }).end('too many live streams\n');
      return false;
    }
    res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', 'X-Accel-Buffering': 'no', Connection: 'keep-alive' });
    res.write('retry: 3000\n\n');
    // What the page may have missed between its rendering and this stream (a job that moved on).
    if (initial && instance !== undefined) res.write(`event: ${initial.kind}\ndata: ${JSON.stringify({ instance, ...initial.data })}\n\n`);
    const client: Client = { viewer, instance, res, timer: undefined };
    if (viewer.session) client.timer = setTimeout(() => this.end(client), Math.max(0, viewer.session.exp - Date.now()));
    this.clients.add(client);
    req.socket.setTimeout(0);
    res.once('close', () => this.forget(client));
    return true;
  }

  /** Sends `kind` with `data` to every stream that may see `instance` (and listens to it). */
  publish(kind: string, instance: string, data: Record<string, unknown>): void {
    const text = `event: ${kind}\ndata: ${JSON.stringify({ instance, ...data })}\n\n`;
    for (const c of this.clients) {
      if (!this.o.stillValid(c.viewer)) {
        this.end(c);
        continue;
      }
      if (c.instance !== undefined && c.instance !== instance) continue;
      if (!mayView(c.viewer.user, instance)) continue;
      this.write(c, text);
    }
  }

  private write(c: Client, text: string): void {
    if (c.res.writableLength > (this.o.maxBufferedBytes ?? 1024 * 1024)) return this.end(c);
    c.res.write(text);
  }

  private forget(c: Client): void {
    clearTimeout(c.timer);
    this.clients.delete(c);
  }

  private end(c: Client): void {
    this.forget(c);
    c.res.end();
  }

  close(): void {
    clearInterval(this.heartbeat);
    for (const c of [...this.clients]) this.end(c);
  }
}
