import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Buffer } from 'node:buffer';
import { WebSocket, WebSocketServer } from 'ws';
import { GoText } from '../runtime/go-text.js';
import { DialError, WebSocketAcceptor, dialWebSocket, type WebSocketStream, type WebSocketStreamOptions } from './websocket.js';

/** A plain `ws` server on loopback standing in for the peer, so the test controls every frame. */
async function rawPeerServer(onConnection: (ws: WebSocket, req: http.IncomingMessage) => void, options: { autoPong?: boolean } = {}) {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, autoPong: options.autoPong ?? true });
  wss.on('connection', onConnection);
  await new Promise((r) => wss.once('listening', r));
  const { port } = wss.address() as AddressInfo;
  const close = () =>
    new Promise((r) => {
      for (const client of wss.clients) client.terminate();
      wss.close(r);
    });
  return { url: `ws://127.0.0.1:${port}/v11/daemon`, close };
}

/** Collects what a stream reads until it ends. */
function collect(stream: WebSocketStream): Promise<{ data: string; error: Error | undefined }> {
  const chunks: Buffer[] = [];
  return new Promise((resolve) => stream.start({ data: (c) => chunks.push(c), end: (error) => resolve({ data: Buffer.concat(chunks).toString(), error }) }));
}

test('binary messages are read as one stream; text messages are ignored; each write is one binary message', async () => {
  const seen: { binary: boolean; text: string }[] = [];
  let peerSocket!: WebSocket;
  const peer = await rawPeerServer((ws) => {
    peerSocket = ws;
    ws.on('message', (d: Buffer, isBinary) => seen.push({ binary: isBinary, text: d.toString() }));
    ws.send(Buffer.from('{"id":0,'), { binary: true });
    ws.send('{"ignored":true}', { binary: false });
    ws.send(Buffer.from('"result":1}\n'), { binary: true });
    ws.close(1000, 'done');
  });
  const stream = await dialWebSocket(peer.url);
  stream.write(Buffer.from('one'));
  stream.write(Buffer.from('two'));
  const { data, error } = await collect(stream);
  assert.equal(data, '{"id":0,"result":1}\n');
  assert.equal(error, undefined, 'close 1000 is a clean end of stream');
  assert.deepEqual(seen, [{ binary: true, text: 'one' }, { binary: true, text: 'two' }]);
  assert.ok(peerSocket);
  await peer.close();
});

test("close() sends close 1000 with reason \"ok\", as Flux's adapter does", async () => {
  let peerClosed!: (v: { code: number; reason: string }) => void;
  const seenByPeer = new Promise<{ code: number; reason: string }>((resolve) => (peerClosed = resolve));
  const peer = await rawPeerServer((ws) => ws.on('close', (code, reason) => peerClosed({ code, reason: reason.toString() })));
  const stream = await dialWebSocket(peer.url);
  stream.start({ data: () => undefined, end: () => undefined });
  stream.close();
  assert.equal(await stream.closed, undefined);
  assert.deepEqual(await seenByPeer, { code: 1000, reason: 'ok' });
  await peer.close();
});

test('close codes: 1001 and 1005 are a clean end; 1011 and 4000 are errors with Go\'s text', async () => {
  const cases: [number | undefined, string | undefined][] = [
    [1001, undefined],
    [undefined, undefined], // empty close frame: 1005
    [1011, 'websocket: close 1011 (internal server error): bye'],
    [4000, 'websocket: close 4000: bye'],
  ];
  for (const [code, expected] of cases) {
    const peer = await rawPeerServer((ws) => (code === undefined ? ws.close() : ws.close(code, 'bye')));
    const stream = await dialWebSocket(peer.url);
    const { error } = await collect(stream);
    assert.equal(error?.message, expected, `close code ${code}`);
    await peer.close();
  }
  assert.equal(GoText.closeError(1000, ''), 'websocket: close 1000 (normal)');
  // gorilla names only some codes: 1012 and 1013 have no name in its text.
  assert.equal(GoText.closeError(1012, 'bye'), 'websocket: close 1012: bye');
  assert.equal(GoText.closeError(1015, ''), 'websocket: close 1015 (TLS handshake error)');
});

test('a dropped TCP connection between messages reads as a clean end of stream', async () => {
  const peer = await rawPeerServer((ws) => ws.terminate());
  const { error } = await collect(await dialWebSocket(peer.url));
  assert.equal(error, undefined);
  await peer.close();
});

test('heartbeat: a peer that never answers pings is dropped with a timeout error', async () => {
  const peer = await rawPeerServer(() => undefined, { autoPong: false });
  const options: WebSocketStreamOptions = { pingPeriodMs: 20, pongWaitMs: 200, writeWaitMs: 100 };
  const { error } = await collect(await dialWebSocket(peer.url, options));
  assert.match(error?.message ?? '', /i\/o timeout/);
  await peer.close();
});

test('heartbeat: a peer that answers pings stays connected across many ping periods', async () => {
  let pings = 0;
  const peer = await rawPeerServer((ws) => {
    ws.on('ping', () => {
      if (++pings === 10) ws.close(1000, 'enough');
    });
  });
  const { error } = await collect(await dialWebSocket(peer.url, { pingPeriodMs: 10, pongWaitMs: 50 }));
  assert.equal(error, undefined, 'ended by the peer, cleanly, not by the deadline');
  assert.equal(pings, 10);
  await peer.close();
});

test('a peer that sends data but never answers pings stays connected (data re-arms the deadline)', async () => {
  const peer = await rawPeerServer(
    (ws) => {
      let n = 0;
      const tick = () => {
        if (ws.readyState !== WebSocket.OPEN) return;
        if (++n === 30) return ws.close(1000);
        ws.send(Buffer.from(' '), { binary: true });
        setTimeout(tick, 5);
      };
      tick();
    },
    { autoPong: false },
  );
  const { error } = await collect(await dialWebSocket(peer.url, { pingPeriodMs: 10, pongWaitMs: 60 }));
  assert.equal(error, undefined);
  await peer.close();
});

test('backpressure: writes to a peer that does not read report needsDrain and writable() waits', async () => {
  let peerSocket!: WebSocket;
  const peer = await rawPeerServer((ws) => {
    peerSocket = ws;
    (ws as unknown as { _socket: { pause(): void } })._socket.pause();
  });
  const stream = await dialWebSocket(peer.url, { highWaterMark: 256 * 1024 });
  stream.start({ data: () => undefined, end: () => undefined });
  const chunk = Buffer.alloc(64 * 1024, 0x20);
  let writes = 0;
  while (stream.write(chunk)) writes++;
  assert.ok(stream.needsDrain);
  assert.ok(writes < 1000, 'write() reported the high-water mark');
  // Once the peer reads again, everything written arrives.
  let received = 0;
  const total = (writes + 1) * chunk.length;
  const all = new Promise<void>((resolve) => peerSocket.on('message', (d: Buffer) => (received += d.length) >= total && resolve()));
  (peerSocket as unknown as { _socket: { resume(): void } })._socket.resume();
  await stream.writable();
  assert.equal(stream.needsDrain, false);
  await all;
  assert.equal(received, total);
  stream.close();
  await peer.close();
});

test('dial: a non-101 answer is a DialError with the status, as Go\'s DialErr', async () => {
  const server = http.createServer((_req, res) => res.writeHead(401).end('no'));
  server.on('upgrade', (_req, socket) => socket.end('HTTP/1.1 401 Unauthorized\r\nContent-Length: 2\r\n\r\nno'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/v11/daemon`;
  await assert.rejects(dialWebSocket(url), (e: unknown) => e instanceof DialError && e.status === 401 && e.message === `connecting to websocket ${url} (http status code = 401)`);
  server.close();
  await assert.rejects(dialWebSocket(url), /ECONNREFUSED/);
});

test('accept: WebSocketAcceptor upgrades and the two ends talk; a bad handshake is rejected', async () => {
  const acceptor = new WebSocketAcceptor();
  const accepted: Promise<WebSocketStream>[] = [];
  const server = http.createServer();
  server.on('upgrade', (req, socket, head) => {
    const upgraded = acceptor.upgrade(req, socket, head);
    upgraded.catch(() => undefined); // inspected below
    accepted.push(upgraded);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  const client = await dialWebSocket(`ws://127.0.0.1:${port}/x`, { headers: { 'User-Agent': 'fluxd/test' } });
  const serverSide = await accepted[0]!;
  const got = collect(serverSide);
  client.write(Buffer.from('hello '));
  client.write(Buffer.from('world'));
  client.close();
  assert.deepEqual(await got, { data: 'hello world', error: undefined });
  // A request with an upgrade header but no websocket key: ws answers 400 and the promise rejects.
  const bad = http.request({ host: '127.0.0.1', port, path: '/x', headers: { Connection: 'Upgrade', Upgrade: 'websocket' } });
  const status = new Promise<number>((resolve) => bad.on('response', (res) => resolve(res.statusCode ?? 0)));
  bad.on('error', () => undefined);
  bad.end();
  assert.equal(await status, 400);
  await assert.rejects(accepted[1]!, /handshake rejected/);
  server.close();
});

test('write deadline: a peer that stops reading while we write breaks the connection with a write timeout', async () => {
  const peer = await rawPeerServer((ws) => (ws as unknown as { _socket: { pause(): void } })._socket.pause());
  const stream = await dialWebSocket(peer.url, { writeWaitMs: 200, pongWaitMs: 60_000, pingPeriodMs: 60_000, highWaterMark: 64 * 1024 * 1024 });
  const ended = collect(stream);
  // Far more than the loopback socket buffers hold, so the writes stall for good.
  const chunk = Buffer.alloc(1024 * 1024, 0x20);
  for (let i = 0; i < 48; i++) stream.write(chunk);
  // The heartbeat's timers do not hold the event loop open; the test does, meanwhile.
  const keepAlive = setInterval(() => undefined, 1000);
  const { error } = await ended;
  clearInterval(keepAlive);
  assert.match(error?.message ?? '', /write: i\/o timeout/);
  await peer.close();
});

test('dial: the signal aborts a handshake that never completes', async () => {
  const net = await import('node:net');
  const silent = net.createServer(() => undefined); // accepts, never answers the upgrade
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  const url = `ws://127.0.0.1:${(silent.address() as AddressInfo).port}/v11/daemon`;
  const controller = new AbortController();
  const dial = dialWebSocket(url, { signal: controller.signal });
  setImmediate(() => controller.abort(new Error('stopping')));
  await assert.rejects(dial, { message: 'stopping' });
  silent.close();
});

/** Our acceptor on an http server; resolves the first accepted stream. */
async function ourServer() {
  const acceptor = new WebSocketAcceptor();
  const server = http.createServer();
  const accepted = new Promise<WebSocketStream>((resolve, reject) => server.on('upgrade', (req, socket, head) => acceptor.upgrade(req, socket, head).then(resolve, reject)));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/v11/daemon`, accepted, close: () => server.close() };
}

test('ws client → our server: fragmented binary messages, text skipped, pings answered, each write one binary message', async () => {
  const server = await ourServer();
  const ws = new WebSocket(server.url, { perMessageDeflate: false });
  const got: { binary: boolean; text: string }[] = [];
  ws.on('message', (d: Buffer, binary) => got.push({ binary, text: d.toString() }));
  await new Promise((r) => ws.once('open', r));
  const stream = await server.accepted;
  const read = collect(stream);
  ws.send(Buffer.from('{"a":'), { binary: true, fin: false });
  ws.send(Buffer.from(''), { binary: true, fin: false });
  ws.send(Buffer.from('1}'), { binary: true, fin: true });
  ws.send('{"text":"skipped"}');
  ws.send(Buffer.alloc(70_000, 0x20), { binary: true });
  const pong = new Promise<Buffer>((resolve) => ws.once('pong', resolve));
  ws.ping(Buffer.from('are you there'));
  assert.equal((await pong).toString(), 'are you there');
  stream.write(Buffer.from('one'));
  stream.write(Buffer.from('two'));
  const closed = new Promise<[number, string]>((resolve) => ws.once('close', (code, reason) => resolve([code, reason.toString()])));
  ws.close(4000, 'bye');
  const { data, error } = await read;
  assert.equal(data, '{"a":1}' + ' '.repeat(70_000));
  assert.equal(error?.message, 'websocket: close 4000: bye');
  assert.deepEqual(await closed, [4000, ''], 'our answer: the same code, no reason (as gorilla)');
  assert.deepEqual(got, [{ binary: true, text: 'one' }, { binary: true, text: 'two' }]);
  server.close();
});

test('our client → ws server: fragmented messages and pings from ws; close() reaches ws as 1000 "ok"', async () => {
  let pongs = 0;
  let peerClosed!: Promise<[number, string]>;
  const peer = await rawPeerServer((ws) => {
    ws.on('pong', () => pongs++);
    peerClosed = new Promise((resolve) => ws.once('close', (code, reason) => resolve([code, reason.toString()])));
    ws.send(Buffer.from('{"id":0,'), { binary: true, fin: false });
    ws.ping();
    ws.send(Buffer.from('"result":'), { binary: true, fin: false });
    ws.send(Buffer.from('"ok"}\n'), { binary: true, fin: true });
    ws.ping();
  });
  const stream = await dialWebSocket(peer.url);
  let data = '';
  const all = new Promise<void>((resolve) => stream.start({ data: (c) => (data += c.toString()).endsWith('\n') && resolve(), end: () => undefined }));
  await all;
  assert.equal(data, '{"id":0,"result":"ok"}\n');
  stream.close();
  assert.equal(await stream.closed, undefined);
  assert.deepEqual(await peerClosed, [1000, 'ok']);
  // Both pings arrived in one chunk: one pong answers them (RFC 6455 §5.5.3), more would do too.
  assert.ok(pongs >= 1 && pongs <= 2, `${pongs} pongs`);
  await peer.close();
});
