import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { Buffer } from 'node:buffer';
import { SocketStream, dialTcp, listenTcp } from './tcp.js';
import { Server } from '../rpc/server.js';
import { Client } from '../rpc/client.js';
import { testService } from '../../test/fakes/test-service.js';

test('TCP: client and server streams over loopback', async () => {
  const server = await listenTcp({ host: '127.0.0.1', port: 0 }, (stream) => new Server().register('Test', testService()).serve(stream));
  const stream = await dialTcp({ host: '127.0.0.1', port: (server.address() as AddressInfo).port });
  const client = new Client(stream);
  assert.deepEqual(await Promise.all(['a', 'b', 'c'].map((s) => client.call('Test.Echo', s))), ['a', 'b', 'c']);
  await client.close();
  server.close();
});

test('TCP: after the peer half-closes, running calls still write their replies, then the server closes (as Go)', async () => {
  const accepted: SocketStream[] = [];
  const server = await listenTcp({ host: '127.0.0.1', port: 0 }, (stream) => {
    accepted.push(stream);
    new Server().register('Test', testService()).serve(stream);
  });
  const socket = net.connect({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, allowHalfOpen: true });
  const replies: Buffer[] = [];
  socket.on('data', (c: Buffer) => replies.push(c));
  const ended = new Promise<void>((resolve) => socket.on('end', resolve));
  await new Promise((r) => socket.once('connect', r));
  socket.end('{"method":"Test.Sleep","params":[20],"id":1}{"method":"Test.Echo","params":["x"],"id":2}');
  await ended;
  const lines = Buffer.concat(replies).toString().trim().split('\n');
  assert.deepEqual(lines, ['{"id":2,"result":"x","error":null}', '{"id":1,"result":20,"error":null}']);
  socket.destroy();
  server.close();
});

test('TCP: dialing a closed port fails with the socket error', async () => {
  const probe = net.createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const { port } = probe.address() as AddressInfo;
  await new Promise((r) => probe.close(r));
  await assert.rejects(dialTcp({ host: '127.0.0.1', port }), /ECONNREFUSED/);
});

test('Unix socket: the same stream over a socket path', async () => {
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = mkdtempSync(join(tmpdir(), 'fluxrpc-'));
  const path = join(dir, 'rpc.sock');
  const server = await listenTcp({ path }, (stream) => new Server().register('Test', testService()).serve(stream));
  const client = new Client(await dialTcp({ path }));
  assert.equal(await client.call('Test.Echo', 'over a unix socket'), 'over a unix socket');
  await client.close();
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

test('TCP: the dial signal bounds only the connection attempt, not the connection', async () => {
  const server = await listenTcp({ host: '127.0.0.1', port: 0 }, (stream) => new Server().register('Test', testService()).serve(stream));
  const port = (server.address() as AddressInfo).port;
  const controller = new AbortController();
  const client = new Client(await dialTcp({ host: '127.0.0.1', port }, { signal: controller.signal }));
  controller.abort(new Error('dial deadline'));
  assert.equal(await client.call('Test.Echo', 'still connected'), 'still connected');
  await client.close();
  await assert.rejects(dialTcp({ host: '127.0.0.1', port }, { signal: AbortSignal.abort(new Error('too late')) }), { message: 'too late' });
  server.close();
});

test('TCP: writes made within one tick leave in one socket write (one writev)', async () => {
  const received: Buffer[] = [];
  let all!: () => void;
  const done = new Promise<void>((r) => (all = r));
  const server = await listenTcp({ host: '127.0.0.1', port: 0 }, (stream) =>
    stream.start({ data: (c) => (received.push(Buffer.from(c)), Buffer.concat(received).length >= 100 * 8 && all()), end: () => undefined }),
  );
  const socket = net.connect({ host: '127.0.0.1', port: (server.address() as AddressInfo).port });
  await new Promise((r) => socket.once('connect', r));
  const stream = new SocketStream(socket);
  let socketWrites = 0;
  const s = socket as unknown as { _write: (...a: unknown[]) => void; _writev: (...a: unknown[]) => void };
  const [w, wv] = [s._write.bind(socket), s._writev.bind(socket)];
  s._write = (...a) => (socketWrites++, w(...a));
  s._writev = (...a) => (socketWrites++, wv(...a));
  for (let i = 0; i < 100; i++) stream.write(Buffer.from(`msg ${String(i).padStart(3, '0')}\n`));
  await done;
  assert.equal(Buffer.concat(received).toString(), Array.from({ length: 100 }, (_, i) => `msg ${String(i).padStart(3, '0')}\n`).join(''));
  assert.equal(socketWrites, 1);
  stream.close();
  server.close();
});
