import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { Writable, type Duplex } from 'node:stream';
import { COPY_LIMIT, FrameWriter, STREAM_CHUNK_BYTES, STREAM_CHUNKS_IN_FLIGHT, truncateUtf8 } from './frame-writer.js';
import { FrameReader } from './frame-reader.js';

/**
 * A socket that records what reaches it (`copy`: copies of it, for writers that reuse a buffer once
 * the socket took it) and how many writes (syscalls, for a real socket) it took. */
function fakeSocket(options: { hold?: boolean; copy?: boolean } = {}) {
  const written: Buffer[] = [];
  const held: (() => void)[] = [];
  let writes = 0;
  const done = (cb: () => void) => (options.hold ? held.push(cb) : cb());
  const socket = new Writable({
    write(chunk: Buffer, _enc, cb) {
      writes++;
      written.push(options.copy ? Buffer.from(chunk) : chunk);
      done(cb);
    },
    writev(chunks, cb) {
      writes++;
      for (const c of chunks) written.push(options.copy ? Buffer.from(c.chunk as Buffer) : (c.chunk as Buffer));
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

/** A source producing `payload`, at most `step` bytes per call (as a text encoder stopping before a character). */
function sourceOf(payload: Buffer, step = Infinity) {
  let at = 0;
  let calls = 0;
  return {
    byteLength: payload.length,
    calls: () => calls,
    fill(target: Buffer, offset: number): number {
      calls++;
      const n = Math.min(target.length - offset, payload.length - at, step);
      payload.copy(target, offset, at, at + n);
      at += n;
      return offset + n;
    },
  };
}

test('a streamed message: the same bytes on the wire as the whole payload, one frame, chunks of STREAM_CHUNK_BYTES', async () => {
  const payload = Buffer.alloc(3 * STREAM_CHUNK_BYTES + 123);
  for (let i = 0; i < payload.length; i++) payload[i] = (i * 7) & 0xff;
  const whole = fakeSocket();
  writer(whole.socket, false).w.data(Buffer.from(payload));
  await tick();
  const streamed = fakeSocket({ copy: true });
  const { w, batches, flushes } = writer(streamed.socket, false);
  w.source(sourceOf(payload, STREAM_CHUNK_BYTES - 5));
  w.data(Buffer.from('after'));
  await tick();
  for (let k = 0; k < 20 && batches.length < 2; k++) await tick();
  // (Buffer.equals: a failing deepEqual of large buffers spends minutes on its diff.)
  assert.ok(streamed.bytes().equals(Buffer.concat([whole.bytes(), Buffer.from('8205', 'hex'), Buffer.from('after')])), 'different bytes on the wire');
  assert.ok(streamed.written.every((b) => b.length <= STREAM_CHUNK_BYTES), 'a chunk larger than STREAM_CHUNK_BYTES');
  assert.deepEqual(batches.map((b) => b.dataBytes), [payload.length, 5]);
  assert.equal(flushes(), 2);
});

test('a streamed message from a client: masked across chunks, read back whole; what follows waits for it', async () => {
  const payload = Buffer.alloc(2 * STREAM_CHUNK_BYTES + 1001, 0x5a);
  payload.write('start', 0);
  payload.write('end', payload.length - 3);
  const s = fakeSocket({ hold: true, copy: true });
  const { w, batches } = writer(s.socket, true);
  w.data(Buffer.from('before'));
  w.source(sourceOf(payload, 1000));
  w.ping(() => undefined);
  w.data(Buffer.from('after'));
  await tick();
  // The chunks in flight are bounded: nothing more is produced until the socket takes them.
  assert.ok(s.written.length <= 1 + STREAM_CHUNKS_IN_FLIGHT, `${s.written.length} writes before any was taken`);
  for (let k = 0; k < 200 && batches.length < 3; k++) {
    for (const done of s.held.splice(0)) done();
    await tick();
  }
  const messages: Buffer[] = [];
  const current: Buffer[] = [];
  let pings = 0;
  const reader = new FrameReader(
    {
      onData: (chunk) => current.push(Buffer.from(chunk)),
      onPing: () => pings++,
      onPong: () => undefined,
      onCloseFrame: () => undefined,
      onProtocolError: (e) => assert.fail(e.message),
    },
    { isServer: true, maxPayload: 1 << 30 },
  );
  // Message boundaries are not reported: split by the known sizes.
  reader.write(s.bytes());
  const all = Buffer.concat(current);
  messages.push(all.subarray(0, 6), all.subarray(6, 6 + payload.length), all.subarray(6 + payload.length));
  assert.equal(messages[0]!.toString(), 'before');
  assert.ok(messages[1]!.equals(payload), `payload differs (${messages[1]!.length} of ${payload.length} bytes read)`);
  assert.equal(messages[2]!.toString(), 'after');
  assert.equal(pings, 1);
  assert.deepEqual(batches.map((b) => b.dataBytes), [6, payload.length, 5]);
});

test('a streamed message whose source stops short fails the connection instead of hanging', async () => {
  const s = fakeSocket();
  let destroyed: Error | undefined;
  (s.socket as unknown as { destroy: (e: Error) => void }).destroy = (e: Error) => void (destroyed = e);
  const { w, batches } = writer(s.socket, false);
  w.source({ byteLength: 100, fill: (_t, offset) => offset });
  await tick();
  assert.match(destroyed?.message ?? '', /message source produced 0 of its 100 bytes/);
  assert.equal(batches.length, 1);
});

test('whenIdle: called once a streamed message and the frames queued behind it were handed on', async () => {
  const s = fakeSocket({ hold: true, copy: true });
  const { w } = writer(s.socket, false);
  let idle = false;
  w.whenIdle(() => undefined); // idle now: called at once
  w.source(sourceOf(Buffer.alloc(STREAM_CHUNK_BYTES * 2, 1)));
  w.close(1000, 'ok');
  assert.equal(w.streaming, true);
  w.whenIdle(() => (idle = true));
  for (let k = 0; k < 50 && !idle; k++) {
    for (const done of s.held.splice(0)) done();
    await tick();
  }
  assert.equal(idle, true);
  assert.deepEqual(s.bytes().subarray(-6), Buffer.from('8804' + '03e8' + '6f6b', 'hex'));
});
