import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { Writable, type Duplex } from 'node:stream';
import { COPY_LIMIT, FrameWriter, truncateUtf8 } from './frame-writer.js';
import { FrameReader } from './frame-reader.js';

/** A socket that records what reaches it and how many writes (syscalls, for a real socket) it took. */
function fakeSocket(options: { hold?: boolean } = {}) {
  const written: Buffer[] = [];
  const held: (() => void)[] = [];
  let writes = 0;
  const done = (cb: () => void) => (options.hold ? held.push(cb) : cb());
  const socket = new Writable({
    write(chunk: Buffer, _enc, cb) {
      writes++;
      written.push(chunk);
      done(cb);
    },
    writev(chunks, cb) {
      writes++;
      for (const c of chunks) written.push(c.chunk as Buffer);
      done(cb);
    },
  });
  return { socket: socket as unknown as Duplex, written, held, bytes: () => Buffer.concat(written), writes: () => writes };
}

function writer(socket: Duplex, masking: boolean) {
  const batches: { dataBytes: number; pongs: number }[] = [];
  let flushes = 0;
  const w = new FrameWriter(socket, masking, {
    onFlush: () => flushes++,
    onWritten: (dataBytes, pongs, pingDone, error) => {
      batches.push({ dataBytes, pongs });
      for (const done of pingDone ?? []) done(error ?? undefined);
    },
  });
  return { w, batches, flushes: () => flushes };
}

const tick = () => new Promise((r) => setImmediate(r));

test('server frames: one final binary frame per message, with the length in 7, 16 or 64 bits', async () => {
  const s = fakeSocket();
  const { w } = writer(s.socket, false);
  w.data(Buffer.from('Hello'));
  await tick();
  assert.equal(s.bytes().toString('hex'), '820548656c6c6f');
  for (const [length, header] of [
    [0, '8200'],
    [125, '827d'],
    [126, '827e007e'],
    [65535, '827effff'],
    [65536, '827f0000000000010000'],
  ] as const) {
    const t = fakeSocket();
    writer(t.socket, false).w.data(Buffer.alloc(length, 0x61));
    await tick();
    const out = t.bytes();
    assert.equal(out.subarray(0, header.length / 2).toString('hex'), header, `length ${length}`);
    assert.equal(out.length, header.length / 2 + length);
  }
});

test('client frames are masked with a fresh key each; the server side reads back what was written', async () => {
  const s = fakeSocket();
  const { w } = writer(s.socket, true);
  const messages = [Buffer.from('Hello'), Buffer.alloc(300, 7), Buffer.alloc(COPY_LIMIT + 1, 9), Buffer.alloc(0)];
  const expected = Buffer.concat(messages.map((m) => Buffer.from(m)));
  for (const m of messages) w.data(m);
  await tick();
  const out = s.bytes();
  assert.equal(out[1]! & 0x80, 0x80, 'mask bit set');
  assert.notEqual(out.subarray(6, 11).toString(), 'Hello', 'the payload is masked on the wire');
  const keys = new Set([out.readUInt32BE(2), out.readUInt32BE(2 + 6 + 5 + 2)]);
  assert.equal(keys.size, 2, 'each frame has its own key');
  const read: Buffer[] = [];
  const reader = new FrameReader({ onData: (c) => read.push(Buffer.from(c)), onPing: () => undefined, onPong: () => undefined, onCloseFrame: () => undefined, onProtocolError: (e) => assert.fail(e) }, { isServer: true, maxPayload: 1 << 20 });
  reader.write(out);
  assert.deepEqual(Buffer.concat(read), expected);
});

test('a client masks a large payload in place: the very buffer written goes to the socket, no copy', async () => {
  const s = fakeSocket();
  const { w } = writer(s.socket, true);
  const large = Buffer.alloc(COPY_LIMIT * 4, 0x41);
  w.data(large);
  await tick();
  assert.equal(s.written.length, 2, 'header, then the payload');
  assert.equal(s.written[1], large, 'the same buffer object');
  assert.ok(large.some((b) => b !== 0x41), 'masked in place');
  assert.equal(s.writes(), 1, 'header and payload in one writev');
});

test('writes of one tick leave in one socket write; the batch reports its data bytes', async () => {
  const s = fakeSocket();
  const { w, batches, flushes } = writer(s.socket, false);
  for (let i = 0; i < 100; i++) w.data(Buffer.from(`message ${i}`));
  w.data(Buffer.alloc(COPY_LIMIT * 2, 1));
  w.data(Buffer.from('after the large one'));
  assert.equal(s.writes(), 0, 'nothing is written in the tick of the writes');
  await tick();
  assert.equal(s.writes(), 1, 'one write for 102 messages');
  assert.equal(flushes(), 1);
  const total = Array.from({ length: 100 }, (_, i) => `message ${i}`.length).reduce((a, b) => a + b) + COPY_LIMIT * 2 + 'after the large one'.length;
  assert.deepEqual(batches, [{ dataBytes: total, pongs: 0 }]);
  // Small frames are copied into one buffer around the large payload: three buffers in all.
  assert.equal(s.written.length, 3);
  w.data(Buffer.from('next tick'));
  await tick();
  assert.equal(s.writes(), 2);
});

test('pongs: only the newest of a tick is sent; pongsInFlight counts those the socket has not taken', async () => {
  const s = fakeSocket({ hold: true });
  const { w, batches } = writer(s.socket, false);
  w.pong(Buffer.from('a'));
  w.pong(Buffer.from('b'));
  w.pong(Buffer.from('c'));
  assert.equal(w.pongsInFlight, 1);
  await tick();
  assert.equal(s.bytes().toString('hex'), '8a0163', 'one pong, echoing the newest ping');
  w.pong(Buffer.alloc(0));
  await tick();
  assert.equal(w.pongsInFlight, 2, 'two batches with a pong wait for the socket');
  // The socket takes one write at a time: release them as they come.
  while (s.held.length > 0) {
    s.held.splice(0).forEach((cb) => cb());
    await tick();
  }
  assert.equal(w.pongsInFlight, 0);
  assert.deepEqual(batches.map((b) => b.pongs), [1, 1]);
});

test('ping: empty, and done once the socket took it', async () => {
  const s = fakeSocket({ hold: true });
  const { w } = writer(s.socket, true);
  let pinged = false;
  w.ping(() => (pinged = true));
  await tick();
  const out = s.bytes();
  assert.equal(out.subarray(0, 2).toString('hex'), '8980', 'masked empty ping');
  assert.equal(out.length, 6);
  assert.equal(pinged, false);
  s.held.splice(0).forEach((cb) => cb());
  await tick();
  assert.equal(pinged, true);
});

test('close: queued after what is waiting and sent at once; nothing after it', async () => {
  const s = fakeSocket();
  const { w } = writer(s.socket, false);
  w.data(Buffer.from('last'));
  w.close(1000, 'ok');
  assert.equal(s.bytes().toString('hex'), '82046c617374' + '880403e86f6b', 'data, then close 1000 "ok", without waiting for the tick');
  assert.equal(w.data(Buffer.from('late')), false);
  let pinged = false;
  w.ping(() => (pinged = true));
  assert.equal(pinged, true, 'a ping after the close is done at once, unsent');
  w.pong(Buffer.from('x'));
  w.close(1002, 'again');
  await tick();
  assert.equal(s.bytes().toString('hex'), '82046c617374880403e86f6b');
  const empty = fakeSocket();
  writer(empty.socket, false).w.close(undefined);
  assert.equal(empty.bytes().toString('hex'), '8800', 'no status: an empty close frame');
});

test('a close reason is cut to 123 bytes without cutting a UTF-8 sequence', async () => {
  const s = fakeSocket();
  writer(s.socket, false).w.close(1002, 'é'.repeat(100));
  const frame = s.bytes();
  assert.equal(frame[1], 2 + 122, '61 two-byte characters fit in 123 bytes');
  assert.equal(frame.subarray(4).toString('utf8'), 'é'.repeat(61));
  assert.equal(truncateUtf8(Buffer.from('abc'), 123).toString(), 'abc');
  assert.equal(truncateUtf8(Buffer.from('a€'), 3).toString(), 'a', 'a 3-byte character is dropped whole');
});
