/**
 * Broken and hostile peers over real loopback sockets, through the public API only (so the same
 * tests ran against the `ws`-based adapter this replaced, and failed where they test a fix): raw
 * frames written by hand on one side, our stream on the other. Memory is judged by what the reader
 * holds and by heap growth after a full GC, with bounds far from both the expected and the broken
 * figures.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import v8 from 'node:v8';
import vm from 'node:vm';
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Buffer } from 'node:buffer';
import { WebSocketAcceptor, dialWebSocket, type WebSocketStream, type WebSocketStreamOptions } from '../websocket.js';
import type { MessageSource } from '../byte-stream.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}
const MB = 1024 * 1024;

/** An http server upgrading with our acceptor; `next()` gives the stream and its socket. */
async function ourServer(options: WebSocketStreamOptions = {}) {
  const acceptor = new WebSocketAcceptor(options);
  const accepted: { stream: Promise<WebSocketStream>; socket: net.Socket }[] = [];
  const waiting: ((a: { stream: Promise<WebSocketStream>; socket: net.Socket }) => void)[] = [];
  const server = http.createServer();
  server.on('upgrade', (req, socket: net.Socket, head) => {
    const a = { stream: acceptor.upgrade(req, socket, head), socket };
    a.stream.catch(() => undefined);
    const w = waiting.shift();
    if (w) w(a);
    else accepted.push(a);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: `ws://127.0.0.1:${port}/v11/daemon`,
    next: async () => {
      const a = accepted.shift() ?? (await new Promise<{ stream: Promise<WebSocketStream>; socket: net.Socket }>((r) => waiting.push(r)));
      return { stream: await a.stream, socket: a.socket };
    },
    close: () => new Promise((r) => server.close(r)),
  };
}

/** A raw TCP client that performs the opening handshake by hand; then the test writes frames. */
async function rawClient(port: number) {
  const socket = net.connect({ host: '127.0.0.1', port });
  await new Promise((r) => socket.once('connect', r));
  socket.write(`GET /v11/daemon HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`);
  const received = await readUntil(socket, (b) => b.includes('\r\n\r\n'));
  assert.match(received.toString(), /^HTTP\/1\.1 101 /);
  const rest = received.subarray(received.indexOf('\r\n\r\n') + 4);
  return { socket, rest };
}

/** A raw TCP server that answers the opening handshake by hand and hands the socket over. */
async function rawServer(onSocket: (socket: net.Socket) => void) {
  const server = net.createServer(async (socket) => {
    socket.on('error', () => undefined);
    const request = (await readUntil(socket, (b) => b.includes('\r\n\r\n'))).toString();
    const key = /sec-websocket-key: *(\S+)/i.exec(request)![1]!;
    const accept = createHash('sha1').update(key + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64');
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
    onSocket(socket);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/v11/daemon`, close: () => new Promise((r) => server.close(r)) };
}

/** Reads from `socket` until `done(bytes so far)`; returns the bytes (the socket is paused after). */
function readUntil(socket: net.Socket, done: (b: Buffer) => boolean): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let got = Buffer.alloc(0);
    const onData = (c: Buffer) => {
      got = Buffer.concat([got, c]);
      if (done(got)) {
        socket.off('data', onData);
        socket.off('close', onClose);
        socket.pause();
        resolve(got);
      }
    };
    const onClose = () => reject(new Error(`closed after ${got.toString('hex')}`));
    socket.on('data', onData);
    socket.once('close', onClose);
    socket.resume();
  });
}

/** Everything `socket` sends until it closes. */
function readToEnd(socket: net.Socket): Promise<Buffer> {
  const chunks: Buffer[] = [];
  socket.on('data', (c: Buffer) => chunks.push(c));
  socket.resume();
  return new Promise((resolve) => socket.once('close', () => resolve(Buffer.concat(chunks))));
}

/** `count` copies of `frame`, written in blocks with backpressure. */
async function writeRepeated(socket: net.Socket, frame: Buffer, count: number): Promise<void> {
  const perBlock = 10_000;
  const block = Buffer.concat(Array.from({ length: perBlock }, () => frame));
  for (let sent = 0; sent < count; sent += perBlock) {
    const n = Math.min(perBlock, count - sent);
    if (socket.destroyed) return;
    if (!socket.write(n === perBlock ? block : block.subarray(0, n * frame.length))) {
      await new Promise((r) => {
        socket.once('drain', r);
        socket.once('close', r);
      });
    }
  }
}

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

test('a message sent as 2 M one-byte continuation frames: the hub holds none of it; the heap does not grow', async () => {
  const server = await ourServer();
  const { socket } = await rawClient(server.port);
  const { stream } = await server.next();
  let received = 0;
  stream.start({ data: (c) => (received += c.length), end: () => undefined });
  const before = heapAfterGc();
  socket.write(hex('02 81 00000000 41'));
  await writeRepeated(socket, hex('00 81 00000000 41'), 2_000_000);
  // A ping after the flood: its pong means every frame before it was read.
  socket.write(hex('89 80 00000000'));
  await readUntil(socket, (b) => b.includes(hex('8a00')));
  const growth = heapAfterGc() - before;
  assert.ok(growth < 8 * MB, `the heap grew by ${(growth / MB).toFixed(1)} MB while the message is open`);
  assert.equal(received, 2_000_001, 'the bytes reached the sink as they came');
  assert.ok((stream as { heldBytes?: number }).heldBytes! <= 14, 'the reader holds at most a frame header');
  socket.destroy();
  await stream.closed;
  await server.close();
});

/** A fake hub sends `first`, then `frame` 2 M times, then a ping; resolves once our daemon answered it. */
async function floodDaemon(first: string, frame: string) {
  let pong!: Promise<Buffer>;
  const peer = await rawServer((socket) => {
    pong = (async () => {
      socket.write(hex(first));
      await writeRepeated(socket, hex(frame), 2_000_000);
      socket.write(hex('89 00'));
      return readUntil(socket, (b) => b.length >= 6 && b[0] === 0x8a);
    })();
  });
  const stream = await dialWebSocket(peer.url);
  let received = 0;
  const before = heapAfterGc();
  stream.start({ data: (c) => (received += c.length), end: () => undefined });
  while (!pong) await new Promise((r) => setImmediate(r));
  await pong;
  const growth = heapAfterGc() - before;
  stream.destroy();
  await peer.close();
  return { growth, received, heldBytes: (stream as { heldBytes?: number }).heldBytes };
}

test('a message sent to a daemon as 2 M one-byte continuation frames: the daemon holds none of it', async () => {
  const { growth, received, heldBytes } = await floodDaemon('02 01 41', '00 01 41');
  assert.ok(growth < 8 * MB, `the heap grew by ${(growth / MB).toFixed(1)} MB while the message is open`);
  assert.equal(received, 2_000_001, 'the bytes reached the sink as they came');
  assert.ok(heldBytes! <= 14);
});

test('2 M one-byte messages to a daemon whose sink keeps nothing: the heap does not grow', async () => {
  const { growth, received } = await floodDaemon('', '82 01 41');
  assert.ok(growth < 8 * MB, `the heap grew by ${(growth / MB).toFixed(1)} MB`);
  assert.equal(received, 2_000_000);
});

test('a ping flood from a peer that never reads: the pongs we hold stay bounded; the read deadline ends it', async () => {
  const server = await ourServer({ pongWaitMs: 1500, pingPeriodMs: 60_000, writeWaitMs: 60_000 });
  const { socket } = await rawClient(server.port);
  socket.on('error', () => undefined);
  const { stream, socket: serverSocket } = await server.next();
  let maxQueued = 0;
  const write = serverSocket.write.bind(serverSocket) as (...args: unknown[]) => boolean;
  (serverSocket as unknown as { write: (...args: unknown[]) => boolean }).write = (...args: unknown[]) => {
    const ok = write(...args);
    maxQueued = Math.max(maxQueued, serverSocket.writableLength);
    return ok;
  };
  stream.start({ data: () => undefined, end: () => undefined });
  // The client never reads: its receive buffer and our send buffer fill with pongs.
  socket.pause();
  const flood = writeRepeated(socket, hex('89 80 00000000'), 5_000_000);
  const error = await stream.closed;
  socket.destroy();
  await flood;
  assert.ok(maxQueued < 64 * 1024, `${maxQueued} bytes of pongs queued in user space`);
  assert.match(error?.message ?? '', /i\/o timeout/, `pings do not count as reads (as in Go), got ${error}`);
  await server.close();
});

test('writes made within one tick leave in one socket write, each still one message', async () => {
  const server = await ourServer();
  const { socket } = await rawClient(server.port);
  const { stream, socket: serverSocket } = await server.next();
  let socketWrites = 0;
  const s = serverSocket as unknown as { _write: (...a: unknown[]) => void; _writev: (...a: unknown[]) => void };
  const [w, wv] = [s._write.bind(serverSocket), s._writev.bind(serverSocket)];
  s._write = (...a) => (socketWrites++, w(...a));
  s._writev = (...a) => (socketWrites++, wv(...a));
  stream.start({ data: () => undefined, end: () => undefined });
  const expected = Buffer.concat(Array.from({ length: 100 }, (_, i) => Buffer.concat([hex('82 01'), Buffer.from([i])])));
  for (let i = 0; i < 100; i++) stream.write(Buffer.from([i]));
  const got = await readUntil(socket, (b) => b.length >= expected.length);
  assert.deepEqual(got, expected, '100 binary messages, in order');
  assert.equal(socketWrites, 1, '100 writes, one socket write');
  socket.destroy();
  await server.close();
});

test("a client's large message is masked in place: the written buffer is the one sent, not copied", async () => {
  const server = await ourServer();
  const client = await dialWebSocket(server.url);
  const { stream } = await server.next();
  const chunks: Buffer[] = [];
  const big = Buffer.alloc(4 * MB, 0x41);
  const all = new Promise<void>((resolve) => stream.start({ data: (c) => (chunks.push(Buffer.from(c)), Buffer.concat(chunks).length >= big.length && resolve()), end: () => undefined }));
  client.write(big);
  await all;
  assert.ok(Buffer.concat(chunks).equals(Buffer.alloc(4 * MB, 0x41)), 'the server reads the original bytes');
  assert.ok(!big.equals(Buffer.alloc(4 * MB, 0x41)), 'our buffer now holds the masked bytes');
  client.close();
  await stream.closed;
  await server.close();
});

test('a protocol error: the peer gets close 1002 with the reason, the stream ends with a coded error', async () => {
  const server = await ourServer();
  const { socket } = await rawClient(server.port);
  const { stream } = await server.next();
  let data = '';
  stream.start({ data: (c) => (data += c.toString()), end: () => undefined });
  const answer = readToEnd(socket);
  socket.write(Buffer.concat([hex('82 81 00000000'), Buffer.from('A'), hex('82 01 42')])); // the second frame is unmasked
  const error = (await stream.closed) as Error & { code?: string };
  assert.equal(error?.message, 'websocket: bad MASK (a client must mask its frames)');
  assert.equal(error?.code, 'FLUXRPC_ERR_WS_PROTOCOL');
  assert.equal(data, 'A');
  const frame = await answer;
  assert.equal(frame.subarray(0, 4).toString('hex'), `88${(2 + 'bad MASK (a client must mask its frames)'.length).toString(16)}03ea`);
  assert.equal(frame.subarray(4).toString(), 'bad MASK (a client must mask its frames)');
  await server.close();
});

test('maxPayload: a larger message is refused with close 1009 before any of it is read', async () => {
  const server = await ourServer({ maxPayload: 1000 });
  const { socket } = await rawClient(server.port);
  const { stream } = await server.next();
  let data = 0;
  stream.start({ data: (c) => (data += c.length), end: () => undefined });
  const answer = readToEnd(socket);
  socket.write(Buffer.concat([hex('82 fe 03e9 00000000'), Buffer.alloc(1001)]));
  const error = (await stream.closed) as Error & { code?: string };
  assert.equal(error?.code, 'FLUXRPC_ERR_WS_TOO_BIG');
  assert.match(error.message, /larger than 1000 bytes/);
  assert.equal(data, 0);
  assert.equal((await answer).subarray(0, 4).toString('hex').slice(4), '03f1', 'close 1009');
  await server.close();
});

test('close(): close 1000 "ok" and the TCP connection closed at once, without waiting for the peer', async () => {
  const server = await ourServer({ writeWaitMs: 60_000 });
  const { socket } = await rawClient(server.port);
  const { stream } = await server.next();
  stream.start({ data: () => undefined, end: () => undefined });
  const answer = readToEnd(socket); // never answers the close frame
  stream.close();
  assert.equal(await stream.closed, undefined);
  assert.equal((await answer).toString('hex'), '880403e86f6b');
  await server.close();
});

test("the peer's close frame is answered with its code and no reason; bad codes get 1002", async () => {
  for (const [sent, answered, error] of [
    ['88 82 00000000 03e9', '880203e9', undefined], // 1001: clean
    ['88 80 00000000', '8800', undefined], // no status: answered with no status
    ['88 84 00000000 0fa0 6869', '88020fa0', 'websocket: close 4000: hi'],
    ['88 82 00000000 03ed', '881503ea' + Buffer.from('bad close code 1005').toString('hex'), 'websocket: bad close code 1005'],
  ] as const) {
    const server = await ourServer();
    const { socket } = await rawClient(server.port);
    const { stream } = await server.next();
    stream.start({ data: () => undefined, end: () => undefined });
    const answer = readToEnd(socket);
    socket.write(hex(sent));
    assert.equal((await stream.closed)?.message, error, sent);
    assert.equal((await answer).toString('hex'), answered, sent);
    await server.close();
  }
});

test('a TCP drop between messages is a clean end; inside a binary message it is Go\'s 1006 "unexpected EOF"', async () => {
  for (const [sent, expected] of [
    ['82 81 00000000 41', undefined],
    ['02 81 00000000 41', 'websocket: close 1006 (abnormal closure): unexpected EOF'],
    ['82 82 00000000 41', 'websocket: close 1006 (abnormal closure): unexpected EOF'],
    ['01 81 00000000 41', undefined], // inside a text message, which Go skips: clean
  ] as const) {
    const server = await ourServer();
    const { socket } = await rawClient(server.port);
    const { stream } = await server.next();
    let data = '';
    const ended = new Promise<Error | undefined>((resolve) => stream.start({ data: (c) => (data += c.toString()), end: resolve }));
    socket.end(hex(sent));
    assert.equal((await ended)?.message, expected, sent);
    assert.equal(data, sent.startsWith('01') ? '' : 'A');
    await server.close();
  }
});

test('a peer that stops reading during a streamed 256 MiB message: little of it is ever produced, the write deadline ends it', async () => {
  const server = await ourServer({ writeWaitMs: 1000, pingPeriodMs: 60_000, pongWaitMs: 60_000 });
  const { socket } = await rawClient(server.port);
  socket.on('error', () => undefined);
  const { stream } = await server.next();
  stream.start({ data: () => undefined, end: () => undefined });
  // The client never reads: the kernel's buffers fill, then the socket takes nothing more.
  socket.pause();
  const total = 256 * MB;
  let produced = 0;
  const source: MessageSource = {
    byteLength: total,
    fill(target, offset) {
      const n = Math.min(target.length - offset, total - produced);
      target.fill(0x61, offset, offset + n);
      produced += n;
      return offset + n;
    },
  };
  stream.writeSource(source);
  const error = await stream.closed;
  socket.destroy();
  assert.match(error?.message ?? '', /write: i\/o timeout/, `the write deadline ends it, got ${error}`);
  // What was made is what the kernel's socket buffers took plus the chunks in flight: a few MiB,
  // not the message (a source made whole would be 256 MiB).
  assert.ok(produced < 32 * MB, `${(produced / MB).toFixed(1)} MiB of the message produced`);
  await server.close();
});
