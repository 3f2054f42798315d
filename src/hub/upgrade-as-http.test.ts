/**
 * Requests that reach node's 'upgrade' listener but are no websocket registration, answered as
 * plain HTTP/1.1 on their socket: a loopback server whose 'upgrade' listener hands every request
 * to `serveUpgradeAsHttp` with a handler that echoes what it read.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { rawExchange, H2C_OFFER } from '../../test/fakes/raw-http.js';
import { serveUpgradeAsHttp } from './upgrade-as-http.js';

const seen: { method?: string; url?: string; body?: string; error?: string }[] = [];
/** Resolves once the handler has finished with the request for `url` (read it whole or failed). */
const settled = new Map<string, () => void>();
const whenSettled = (url: string) => new Promise<void>((r) => settled.set(url, r));

async function echo(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const entry: (typeof seen)[number] = { method: req.method, url: req.url };
  seen.push(entry);
  try {
    const chunks: Buffer[] = [];
    for await (const c of req as AsyncIterable<Buffer>) chunks.push(c);
    entry.body = Buffer.concat(chunks).toString('utf8');
    const text = `${req.method} ${req.url} ${entry.body}`;
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  } catch (e) {
    entry.error = (e as Error).message;
  }
  settled.get(req.url ?? '')?.();
}

const server = http.createServer((_req, res) => res.writeHead(500).end());
server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => serveUpgradeAsHttp(req, socket, head, echo, { requestTimeoutMs: 200 }));
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const port = (server.address() as AddressInfo).port;
after(() => new Promise<void>((r) => server.close(() => r())));

test('a GET with an h2c offer is answered as HTTP/1.1 and the connection closed', async () => {
  const out = await rawExchange(port, `GET /healthz?x=1 HTTP/1.1\r\nHost: h\r\n${H2C_OFFER}\r\n`);
  assert.match(out, /^HTTP\/1\.1 200 OK\r\n/);
  assert.match(out, /\r\nConnection: close\r\n/i);
  assert.ok(out.endsWith('\r\n\r\nGET /healthz?x=1 '), out);
});

test('a body with a Content-Length is read, from the bytes node already read and from the socket', async () => {
  // Head and body in one write: part of the body reaches the listener as `head`.
  const out = await rawExchange(port, `POST /events HTTP/1.1\r\nHost: h\r\n${H2C_OFFER}Content-Length: 11\r\n\r\nhello world(ignored)`);
  assert.ok(out.endsWith('\r\n\r\nPOST /events hello world'), out);
});

test('Expect: 100-continue is answered before the body is sent', async () => {
  const out = await rawExchange(port, `PUT /x HTTP/1.1\r\nHost: h\r\n${H2C_OFFER}Expect: 100-continue\r\nContent-Length: 3\r\n\r\n`, 'abc');
  assert.match(out, /^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 OK\r\n/);
  assert.ok(out.endsWith('PUT /x abc'), out);
});

test('a chunked body gets 411 (only Content-Length framing is read there)', async () => {
  const out = await rawExchange(port, `POST /x HTTP/1.1\r\nHost: h\r\n${H2C_OFFER}Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n`);
  assert.match(out, /^HTTP\/1\.1 411 Length Required\r\n[^]*\r\n\r\nLength Required\nwith an Upgrade header, a request body needs a Content-Length\n$/);
});

test('a connection that ends or idles inside the body fails the request and is closed', { timeout: 10_000 }, async () => {
  const done = Promise.all([whenSettled('/cut'), whenSettled('/idle')]);
  assert.equal(await rawExchange(port, `POST /cut HTTP/1.1\r\nHost: h\r\n${H2C_OFFER}Content-Length: 100\r\n\r\nonly this`, undefined, { endAfterWrite: true }), '');
  assert.equal(await rawExchange(port, `POST /idle HTTP/1.1\r\nHost: h\r\n${H2C_OFFER}Content-Length: 100\r\n\r\nthen nothing`), '');
  await done;
  const cut = seen.find((s) => s.url === '/cut')!;
  const idle = seen.find((s) => s.url === '/idle')!;
  assert.deepEqual([cut.body, cut.error], [undefined, 'the connection ended before the request body was complete']);
  assert.deepEqual([idle.body, idle.error], [undefined, 'no complete request body within 200 ms']);
});
