/**
 * The opening handshake on the wire, both sides, through the public API: gorilla's answers to bad
 * requests (what a fluxd sees from a Go upstream), the request our dialer sends (what fluxd sends),
 * and every way a dial can fail.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { Buffer } from 'node:buffer';
import { DialError, WebSocketAcceptor, dialWebSocket, type WebSocketStream } from '../websocket.js';
import { acceptKey, checkUpgradeRequest } from './handshake.js';

/** An http server upgrading with our acceptor, recording each upgrade's outcome. */
async function acceptorServer() {
  const acceptor = new WebSocketAcceptor();
  const outcomes: Promise<WebSocketStream>[] = [];
  const server = http.createServer();
  server.on('upgrade', (req, socket, head) => {
    const p = acceptor.upgrade(req, socket, head);
    p.catch(() => undefined);
    outcomes.push(p);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as AddressInfo).port, outcomes };
}

/** Sends a raw request; resolves with everything the server answers until it closes. */
async function exchange(port: number, request: string): Promise<string> {
  const socket = net.connect({ host: '127.0.0.1', port });
  const chunks: Buffer[] = [];
  socket.on('data', (c: Buffer) => chunks.push(c));
  socket.on('error', () => undefined);
  socket.write(request);
  await new Promise((r) => socket.once('close', r));
  return Buffer.concat(chunks).toString();
}

const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
const request = (lines: string[]) => `${lines.join('\r\n')}\r\n\r\n`;

test("the accept key is RFC 6455's: SHA-1 of the key and the GUID, base64", () => {
  assert.equal(acceptKey(KEY), 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
});

test('a valid upgrade gets exactly gorilla\'s 101, whatever extensions or subprotocols were offered', async () => {
  const { server, port } = await acceptorServer();
  const socket = net.connect({ host: '127.0.0.1', port });
  const answer = new Promise<string>((resolve) => socket.once('data', (c: Buffer) => resolve(c.toString())));
  socket.write(request(['GET /v11/daemon HTTP/1.1', 'Host: hub', 'Connection: keep-alive, Upgrade', 'Upgrade: websocket', 'Sec-WebSocket-Version: 13', `Sec-WebSocket-Key: ${KEY}`, 'Origin: http://elsewhere.example', 'Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits', 'Sec-WebSocket-Protocol: chat']));
  assert.equal(await answer, 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n');
  socket.destroy();
  server.close();
});

test("bad handshakes get gorilla's HTTP error (status text body, Sec-Websocket-Version: 13) and are rejected with its reason", async () => {
  const base = ['Host: hub', 'Connection: Upgrade', 'Upgrade: websocket', 'Sec-WebSocket-Version: 13', `Sec-WebSocket-Key: ${KEY}`];
  const cases: [string[], number, string][] = [
    [['GET /x HTTP/1.1', 'Host: hub', 'Connection: Upgrade', 'Upgrade: h2c'], 400, "'websocket' token not found in 'Upgrade' header"],
    [['POST /x HTTP/1.1', ...base, 'Content-Length: 0'], 405, 'request method is not GET'],
    [['GET /x HTTP/1.1', ...base.filter((h) => !h.startsWith('Sec-WebSocket-Version')), 'Sec-WebSocket-Version: 8'], 400, "unsupported version: 13 not found in 'Sec-Websocket-Version' header"],
    [['GET /x HTTP/1.1', ...base.filter((h) => !h.startsWith('Sec-WebSocket-Key'))], 400, "'Sec-WebSocket-Key' header is missing or blank"],
    [['GET /x HTTP/1.1', ...base.filter((h) => !h.startsWith('Sec-WebSocket-Key')), 'Sec-WebSocket-Key: c2hvcnQ='], 400, 'Base64 encoded value of 16-byte in length'],
  ];
  const { server, port, outcomes } = await acceptorServer();
  for (const [lines, status, reason] of cases) {
    const answer = await exchange(port, request(lines));
    const text = status === 405 ? 'Method Not Allowed' : 'Bad Request';
    assert.match(answer, new RegExp(`^HTTP/1\\.1 ${status} ${text}\\r\\n`), lines[0]);
    assert.match(answer, /\r\nSec-Websocket-Version: 13\r\n/);
    assert.match(answer, /\r\nContent-Type: text\/plain; charset=utf-8\r\n/);
    assert.match(answer, /\r\nX-Content-Type-Options: nosniff\r\n/);
    assert.ok(answer.endsWith(`\r\n\r\n${text}\n`), answer);
    await assert.rejects(outcomes.at(-1)!, (e: Error & { status?: number }) => e.message.includes('handshake rejected') && e.message.includes(reason) && e.status === status);
  }
  server.close();
});

test('the rules in gorilla\'s order: Connection, Upgrade, method, version, key', () => {
  const headers = { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': KEY };
  assert.equal(checkUpgradeRequest('GET', headers), undefined);
  assert.equal(checkUpgradeRequest('GET', { ...headers, connection: 'keep-alive' })?.status, 400);
  assert.equal(checkUpgradeRequest('PUT', { ...headers, upgrade: 'h2c' })?.status, 400, 'Upgrade before the method');
  assert.equal(checkUpgradeRequest('PUT', { ...headers, 'sec-websocket-version': '8' })?.status, 405, 'the method before the version');
  assert.equal(checkUpgradeRequest('GET', { ...headers, 'sec-websocket-version': '8, 13' }), undefined, 'a version list holding 13');
  assert.equal(checkUpgradeRequest('GET', { ...headers, upgrade: 'WebSocket', connection: 'keep-alive,upgrade' }), undefined, 'tokens are case-insensitive');
});

/** A raw server that records the request and answers with `answer(request)`. */
async function answeringServer(answer: (request: string) => string | undefined) {
  const requests: string[] = [];
  const server = net.createServer((socket) => {
    let got = '';
    socket.on('error', () => undefined);
    socket.on('data', (c: Buffer) => {
      got += c.toString('latin1');
      if (!got.includes('\r\n\r\n')) return;
      requests.push(got);
      const reply = answer(got);
      if (reply !== undefined) socket.end(reply);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/api/flux/v11/daemon`, requests, close: () => server.close() };
}

const keyOf = (request: string) => /\r\nSec-WebSocket-Key: (\S+)\r\n/i.exec(request)![1]!;

test("the dial request is fluxd's: GET, our headers, a 16-byte key, version 13, no Origin, no subprotocol, no compression", async () => {
  const peer = await answeringServer((req) => `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptKey(keyOf(req))}\r\n\r\n`);
  const stream = await dialWebSocket(peer.url, { headers: { 'User-Agent': 'fluxd/test', Authorization: 'Scope-Probe token=abc' } });
  const req = peer.requests[0]!;
  assert.match(req, /^GET \/api\/flux\/v11\/daemon HTTP\/1\.1\r\n/);
  assert.match(req, /\r\nUser-Agent: fluxd\/test\r\n/);
  assert.match(req, /\r\nAuthorization: Scope-Probe token=abc\r\n/);
  assert.match(req, /\r\nUpgrade: websocket\r\n/i);
  assert.match(req, /\r\nConnection: Upgrade\r\n/i);
  assert.match(req, /\r\nSec-WebSocket-Version: 13\r\n/i);
  assert.equal(Buffer.from(keyOf(req), 'base64').length, 16);
  assert.doesNotMatch(req, /\r\n(Origin|Sec-WebSocket-Protocol|Sec-WebSocket-Extensions):/i);
  stream.destroy();
  peer.close();
});

test('dial: a 101 with a wrong Sec-WebSocket-Accept is a DialError with status 101 (as Go) and the reason as cause', async () => {
  const peer = await answeringServer(() => `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptKey('not the key')}\r\n\r\n`);
  await assert.rejects(dialWebSocket(peer.url), (e: unknown) => e instanceof DialError && e.status === 101 && e.message === `connecting to websocket ${peer.url} (http status code = 101)` && /Sec-WebSocket-Accept/.test(String((e.cause as Error)?.message)));
  peer.close();
});

test('dial: a refusal keeps at most 64 KiB of its body; redirects are not followed', async () => {
  const body = 'x'.repeat(1024 * 1024);
  const big = await answeringServer(() => `HTTP/1.1 401 Unauthorized\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
  await assert.rejects(dialWebSocket(big.url), (e: unknown) => e instanceof DialError && e.status === 401 && e.body.length === 64 * 1024);
  big.close();
  const redirect = await answeringServer(() => 'HTTP/1.1 302 Found\r\nLocation: ws://127.0.0.1:1/elsewhere\r\nContent-Length: 5\r\n\r\nmoved');
  await assert.rejects(dialWebSocket(redirect.url), (e: unknown) => e instanceof DialError && e.status === 302 && e.body === 'moved');
  redirect.close();
});

test('dial: a server that never answers the upgrade runs into the handshake timeout', async () => {
  const silent = await answeringServer(() => undefined);
  await assert.rejects(dialWebSocket(silent.url, { handshakeTimeoutMs: 50 }), (e: Error & { code?: string }) => e.code === 'FLUXRPC_ERR_DIAL_TIMEOUT' && /no handshake within 50 ms/.test(e.message));
  silent.close();
});

test('dial: only ws: and wss: URLs without user info (as gorilla)', async () => {
  await assert.rejects(dialWebSocket('http://127.0.0.1:1/x'), /malformed ws or wss URL/);
  await assert.rejects(dialWebSocket('ws://user:pw@127.0.0.1:1/x'), /malformed ws or wss URL/);
  await assert.rejects(dialWebSocket('not a url'), TypeError);
});

/** A throwaway self-signed certificate for localhost and 127.0.0.1 (P-256, valid until 2126), for wss tests only. */
const TEST_CERT = `-----BEGIN CERTIFICATE-----
MIIBmjCCAUGgAwIBAgIUdpFyQgp+4hv6n99BiPIcjTOy9fEwCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTIwMjE0MjQxOFoYDzIxMjYxMTA4
MTQyNDE4WjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAAST7E6P4npC2kHV/hkCv1Img5Wle2FoKHs19BjO59cQtxPjiZhAQZsb
dBkI2q96RUASOzfl3U4aXTeyPL4NnyEEo28wbTAdBgNVHQ4EFgQUeTlny5y55F4A
VOQHvgnvG9BdeW0wHwYDVR0jBBgwFoAUeTlny5y55F4AVOQHvgnvG9BdeW0wDwYD
VR0TAQH/BAUwAwEB/zAaBgNVHREEEzARgglsb2NhbGhvc3SHBH8AAAEwCgYIKoZI
zj0EAwIDRwAwRAIgbgz3Y/OSV7VItgZCxVgD4z+VzM80Yvy6KUD+K2MS57ACIHq+
yBxLrN9kYvcO9vkBps1X6Vd9k+XT4aMnevciSF16
-----END CERTIFICATE-----
`;
const TEST_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgGTTshVHAWE0GN0Fv
ZTz2l5faYYh4ncsoE36pFBODvzmhRANCAAST7E6P4npC2kHV/hkCv1Img5Wle2Fo
KHs19BjO59cQtxPjiZhAQZsbdBkI2q96RUASOzfl3U4aXTeyPL4NnyEE
-----END PRIVATE KEY-----
`;

test('wss: the server certificate is checked against the system CAs (or `tls.ca`), by host name or address', async () => {
  const { createServer } = await import('node:https');
  const acceptor = new WebSocketAcceptor();
  const server = createServer({ key: TEST_KEY, cert: TEST_CERT });
  server.on('upgrade', (req, socket, head) =>
    acceptor.upgrade(req, socket, head).then(
      (s) => s.start({ data: (c) => s.write(Buffer.from(`echo ${c}`)), end: () => undefined }),
      () => undefined,
    ),
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await assert.rejects(dialWebSocket(`wss://localhost:${port}/v11/daemon`), /self-signed certificate/);
  for (const host of ['localhost', '127.0.0.1']) {
    const stream = await dialWebSocket(`wss://${host}:${port}/v11/daemon`, { tls: { ca: TEST_CERT } });
    const echo = new Promise<string>((resolve) => stream.start({ data: (c) => resolve(c.toString()), end: () => undefined }));
    stream.write(Buffer.from('over TLS'));
    assert.equal(await echo, 'echo over TLS', host);
    stream.close();
    assert.equal(await stream.closed, undefined);
  }
  server.close();
});
