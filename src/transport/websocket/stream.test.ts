import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { Duplex } from 'node:stream';
import { PONG_BACKLOG_LIMIT, WebSocketStream } from './stream.js';

/** A socket whose writes complete only when the test says so (a peer that does not read). */
function stuckSocket() {
  const held: (() => void)[] = [];
  const socket = new Duplex({
    read() {},
    write(_chunk, _enc, cb) {
      held.push(cb);
    },
  });
  return { socket, held };
}

const tick = () => new Promise((r) => setImmediate(r));
const slow = { pingPeriodMs: 60_000, pongWaitMs: 60_000, writeWaitMs: 60_000 };
const maskedPing = () => Buffer.from('898000000000', 'hex');

test('a ping flood from a peer that does not read our pongs: reading stops, and resumes once they drain', async () => {
  const { socket, held } = stuckSocket();
  const stream = new WebSocketStream(socket, 'server', slow);
  stream.start({ data: () => undefined, end: () => undefined });
  let pings = 0;
  for (; pings < 20 && !socket.isPaused(); pings++) {
    socket.push(maskedPing());
    await tick();
  }
  assert.ok(socket.isPaused(), 'reading stopped');
  assert.equal(pings, PONG_BACKLOG_LIMIT + 1, 'after one pong too many waited for the peer');
  socket.push(maskedPing()); // stays in the socket, not read
  await tick();
  assert.equal(socket.readableLength, 6);
  // The peer reads again: the pongs drain, reading resumes and the waiting ping is answered.
  for (let i = 0; i < 20 && held.length > 0; i++) {
    held.splice(0).forEach((cb) => cb());
    await tick();
  }
  assert.equal(socket.isPaused(), false);
  assert.equal(socket.readableLength, 0);
  stream.destroy();
});

test('nothing is read before start(), and pause()/resume() stop and restart reading', async () => {
  const { socket } = stuckSocket();
  const stream = new WebSocketStream(socket, 'client', slow, 'test', Buffer.from('8201', 'hex'));
  socket.push(Buffer.from('41', 'hex'));
  await tick();
  assert.equal(socket.readableLength, 1, 'not read before start');
  const got: string[] = [];
  stream.start({ data: (c) => got.push(c.toString()), end: () => undefined });
  await tick();
  assert.deepEqual(got, ['A'], 'the handshake leftover first, then the socket');
  stream.pause();
  socket.push(Buffer.from('820142', 'hex'));
  await tick();
  assert.deepEqual(got, ['A']);
  stream.resume();
  await tick();
  assert.deepEqual(got, ['A', 'B']);
  stream.destroy();
});
