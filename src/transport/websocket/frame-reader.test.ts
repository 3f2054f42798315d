/**
 * The frame reader byte for byte: hex fixtures (RFC 6455 §5.7's examples and one per protocol
 * error), each fed whole, cut at every position and byte by byte, must give the same events;
 * a property test over random messages, fragmentations, masks and chunkings (frames made by `ws`,
 * an independent encoder); and what the reader holds under a flood of 1-byte frames.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import fc from 'fast-check';
import * as ws from 'ws';
import { chunkAt } from '../../../test/fakes/chunks.js';
import { FrameReader } from './frame-reader.js';
import type { WebSocketError } from './errors.js';

/**
 * What the reader reported: control frames in order, and the binary bytes. Data is delivered once
 * per chunk, so where it falls among pings and pongs depends on the chunking; the end (close or
 * error) records the data delivered before it, which must be all the data that came before it.
 */
type Event = ['ping', string] | ['pong', string] | ['close', number, string, string] | ['error', string, number, string];
interface Read {
  data: string;
  events: Event[];
}

/** Feeds `input` cut at `cuts`. */
function feed(hex: string | Buffer, cuts: number[], options: { isServer: boolean; maxPayload?: number }) {
  const input = typeof hex === 'string' ? Buffer.from(hex.replace(/\s+/g, ''), 'hex') : Buffer.from(hex);
  const read: Read = { data: '', events: [] };
  const events = read.events;
  let maxHeld = 0;
  const reader = new FrameReader(
    {
      onData: (c) => (read.data += c.toString('hex')),
      onPing: (p) => events.push(['ping', p.toString('hex')]),
      onPong: (p) => events.push(['pong', p.toString('hex')]),
      onCloseFrame: (code, reason) => events.push(['close', code, reason, read.data]),
      onProtocolError: (e: WebSocketError) => events.push(['error', e.message, e.closeCode, read.data]),
    },
    { isServer: options.isServer, maxPayload: options.maxPayload ?? 1 << 20 },
  );
  let from = 0;
  for (const cut of [...cuts, input.length]) {
    reader.write(input.subarray(from, cut));
    maxHeld = Math.max(maxHeld, reader.heldBytes);
    from = cut;
  }
  return { read, maxHeld, reader };
}

/** What `hex` reads as fed whole, after checking that every cut (and byte by byte) reads the same. */
function read(hex: string, options: { isServer: boolean; maxPayload?: number }): Read {
  const whole = feed(hex, [], options).read;
  const n = Buffer.from(hex.replace(/\s+/g, ''), 'hex').length;
  for (let k = 0; k <= n; k++) assert.deepEqual(feed(hex, [k], options).read, whole, `cut at ${k}`);
  assert.deepEqual(feed(hex, Array.from({ length: n }, (_, i) => i), options).read, whole, 'byte by byte');
  return whole;
}

const only = (data: string, ...events: Event[]): Read => ({ data, events });

const SERVER = { isServer: true };
const CLIENT = { isServer: false };
const KEY = '37fa213d'; // RFC 6455 §5.7's masking key
const hello = Buffer.from('Hello').toString('hex');

test("RFC 6455 §5.7's examples: text is skipped, control frames and binary frames are read", () => {
  assert.deepEqual(read('81 05 48656c6c6f', CLIENT), only(''), 'unmasked text "Hello" is skipped');
  assert.deepEqual(read(`81 85 ${KEY} 7f9f4d5158`, SERVER), only(''), 'masked text "Hello" is skipped');
  assert.deepEqual(read('01 03 48656c 80 02 6c6f', CLIENT), only(''), 'fragmented text is skipped');
  assert.deepEqual(read('89 05 48656c6c6f', CLIENT), only('', ['ping', hello]));
  assert.deepEqual(read(`8a 85 ${KEY} 7f9f4d5158`, SERVER), only('', ['pong', hello]));
  assert.deepEqual(read(`82 85 ${KEY} 7f9f4d5158`, SERVER), only(hello), 'masked binary is unmasked');
  const b256 = Buffer.alloc(256, 0xab).toString('hex');
  assert.deepEqual(read(`82 7e 0100 ${b256}`, CLIENT), only(b256), '16-bit length');
  const big = Buffer.alloc(65536, 0xcd);
  const { read: got } = feed(Buffer.concat([Buffer.from('827f0000000000010000', 'hex'), big]), [3, 9, 40_000], CLIENT);
  assert.deepEqual(got, only(big.toString('hex')), '64-bit length');
});

test('fragments, empty frames and control frames between fragments make one stream of bytes', () => {
  // gorilla as a server sends a large message as one non-final frame and an empty final continuation.
  assert.deepEqual(read('02 03 414243 80 00', CLIENT), only('414243'));
  assert.deepEqual(read('02 01 41 89 00 00 01 42 8a 01 07 80 01 43 82 00 82 01 44', CLIENT), only('41424344', ['ping', ''], ['pong', '07']));
  // A text message between binary ones is skipped, its continuation frames too.
  assert.deepEqual(read('82 01 41 01 01 78 00 01 79 80 01 7a 82 01 42', CLIENT), only('4142'));
  // Masked fragments, each with its own key ("CDE" masked with 37fa213d is 74be64).
  assert.deepEqual(read(`02 82 00000000 4142 80 83 ${KEY} 74be64`, SERVER), only('4142434445'));
});

test('close frames: empty is 1005, code and reason are read; the data before the close is delivered first', () => {
  assert.deepEqual(read('88 00', CLIENT), only('', ['close', 1005, '', '']));
  assert.deepEqual(read('88 05 03e8 627965', CLIENT), only('', ['close', 1000, 'bye', '']));
  assert.deepEqual(read('88 02 0fa0', CLIENT), only('', ['close', 4000, '', '']));
  assert.deepEqual(read('82 01 41 88 02 03f3', CLIENT), only('41', ['close', 1011, '', '41']));
  // Nothing after the close frame is read.
  assert.deepEqual(read('88 02 03e8 82 01 41 ff ff', CLIENT), only('', ['close', 1000, '', '']));
  for (const code of [1000, 1001, 1002, 1003, 1007, 1013, 3000, 4999]) {
    assert.deepEqual(feed(`88 02 ${code.toString(16).padStart(4, '0')}`, [], CLIENT).read, only('', ['close', code, '', '']), `code ${code} is accepted`);
  }
});

test('each protocol error closes with 1002 and a clear error; the data before it is delivered, nothing after', () => {
  const cases: [string, { isServer: boolean }, RegExp][] = [
    ['c2 80 00000000', SERVER, /^websocket: RSV1 set/],
    ['a2 80 00000000', SERVER, /^websocket: RSV2 set/],
    ['92 80 00000000', SERVER, /^websocket: RSV3 set/],
    ['83 80 00000000', SERVER, /^websocket: bad opcode 3$/],
    ['8b 00', CLIENT, /^websocket: bad opcode 11$/],
    ['82 00', SERVER, /^websocket: bad MASK \(a client must mask its frames\)$/],
    ['82 80 00000000', CLIENT, /^websocket: bad MASK \(a server must not mask its frames\)$/],
    ['89 7e 007e', CLIENT, /^websocket: len > 125 for control$/],
    ['88 7f 0000000000000080', CLIENT, /^websocket: len > 125 for control$/],
    ['09 00', CLIENT, /^websocket: FIN not set on control/],
    ['80 01 41', CLIENT, /^websocket: continuation after FIN \(no message was started\)$/],
    ['00 00', CLIENT, /^websocket: continuation after FIN/],
    ['02 01 41 82 01 42', CLIENT, /^websocket: data before FIN \(a new message inside an unfinished one\)$/],
    ['02 01 41 01 01 42', CLIENT, /^websocket: data before FIN/],
    ['82 7f 8000000000000000', CLIENT, /^websocket: 64-bit payload length with the most significant bit set$/],
    ['88 01 03', CLIENT, /^websocket: close frame with a 1-byte payload$/],
    ['88 03 03e8 ff', CLIENT, /^websocket: invalid utf8 payload in close frame$/],
    ...[999, 1004, 1005, 1006, 1014, 1015, 1016, 2999, 5000].map((code): [string, { isServer: boolean }, RegExp] => [`88 02 ${code.toString(16).padStart(4, '0')}`, CLIENT, new RegExp(`^websocket: bad close code ${code}$`)]),
  ];
  for (const [hex, role, message] of cases) {
    const before = role.isServer ? '82 81 00000000 41' : '82 01 41';
    const after = role.isServer ? '82 81 00000000 42' : '82 01 42';
    const got = read(`${before} ${hex} ${after}`, role);
    const data = hex.startsWith('02 01 41') ? '4141' : '41';
    assert.equal(got.data, data, `${hex}: the data before the error is delivered, none after`);
    assert.equal(got.events.length, 1, hex);
    const [kind, text, closeCode, dataBefore] = got.events[0]!;
    assert.equal(kind, 'error', hex);
    assert.match(text as string, message, hex);
    assert.equal(closeCode, 1002, `${hex}: close code`);
    assert.equal(dataBefore, data, `${hex}: delivered before the error`);
  }
});

test('maxPayload: checked on the running sum of a message, before its payload is delivered; 1009', () => {
  const limit = { isServer: false, maxPayload: 4 };
  const tooBig = 'websocket: read limit exceeded: a message larger than 4 bytes';
  assert.deepEqual(read('82 04 41424344', limit), only('41424344'), 'exactly the limit is fine');
  assert.deepEqual(read('82 04 41424344 82 04 45464748', limit), only('4142434445464748'), 'the limit is per message');
  assert.deepEqual(read('82 05 4142434445', limit), only('', ['error', tooBig, 1009, '']));
  assert.deepEqual(read('02 03 414243 80 02 4445', limit), only('414243', ['error', tooBig, 1009, '414243']), 'over the limit across fragments');
  assert.deepEqual(read('01 03 414243 80 02 4445', limit), only('', ['error', tooBig, 1009, '']), 'text counts too');
  // A huge declared length is refused from the header alone.
  assert.deepEqual(read('82 7f 7fffffffffffffff', limit), only('', ['error', tooBig, 1009, '']));
});

test('heldBytes: at most a frame header (14) and a control payload (125) are held between chunks', () => {
  const header = feed('82 ff 0000000000000001 37fa21', [13], SERVER);
  assert.equal(header.maxHeld, 13, 'a 14-byte header cut after 13 bytes');
  const ping = Buffer.concat([Buffer.from('89fd00000000', 'hex'), Buffer.alloc(125, 1)]);
  const control = feed(ping, [6 + 100], SERVER);
  assert.equal(control.maxHeld, 100, 'a control payload cut after 100 of its 125 bytes');
  assert.deepEqual(control.read, only('', ['ping', Buffer.alloc(125, 1).toString('hex')]));
  assert.equal(control.reader.heldBytes, 0);
  // Data payload cut by chunks is never held: it is delivered as it arrives.
  const data = feed(Buffer.concat([Buffer.from('827f0000000000100000', 'hex'), Buffer.alloc(1 << 20, 7)]), [20, 500_000], CLIENT);
  assert.equal(data.maxHeld, 0);
});

test('a flood of 1-byte continuation frames: nothing is held, one delivery per chunk', () => {
  const frames = 2_000_000;
  // Masked (a client's) 1-byte continuation frames: 7 bytes each; key 0x01020304.
  const frame = Buffer.from('008101020304', 'hex');
  const block = Buffer.alloc(7 * 10_000);
  for (let i = 0; i < 10_000; i++) {
    frame.copy(block, i * 7);
    block[i * 7 + 6] = 0x41 ^ 0x01;
  }
  let bytes = 0;
  let deliveries = 0;
  let maxHeld = 0;
  const reader = new FrameReader(
    { onData: (c) => ((bytes += c.length), deliveries++), onPing: () => undefined, onPong: () => undefined, onCloseFrame: () => assert.fail('close'), onProtocolError: (e) => assert.fail(e) },
    { isServer: true, maxPayload: 64 << 20 },
  );
  reader.write(Buffer.from('028101020304' + (0x41 ^ 0x01).toString(16), 'hex'));
  let chunks = 1;
  for (let sent = 0; sent < frames; sent += 10_000) {
    // Socket-sized chunks that cut frames anywhere.
    const copy = Buffer.from(block);
    for (let at = 0; at < copy.length; at += 65_531) {
      reader.write(copy.subarray(at, Math.min(copy.length, at + 65_531)));
      maxHeld = Math.max(maxHeld, reader.heldBytes);
      chunks++;
    }
  }
  assert.equal(bytes, frames + 1);
  assert.ok(maxHeld <= 14, `held ${maxHeld} bytes`);
  assert.ok(deliveries <= chunks, `${deliveries} deliveries for ${chunks} chunks`);
  assert.equal(reader.inBinaryMessage, true, 'the message is still open');
});

interface Message {
  kind: 'binary' | 'text' | 'ping' | 'pong';
  payload: Uint8Array;
  /** Fragment sizes (data messages). */
  cuts: number[];
}

const Sender = (ws as unknown as { Sender: { frame(data: Buffer, options: { fin: boolean; opcode: number; mask: boolean; readOnly: boolean; rsv1: boolean }): Buffer[] } }).Sender;

/** The frames of `messages` as `ws` encodes them (masked from a client). */
function encode(messages: Message[], mask: boolean): Buffer {
  const out: Buffer[] = [];
  for (const m of messages) {
    const payload = Buffer.from(m.payload);
    if (m.kind === 'ping' || m.kind === 'pong') {
      out.push(...Sender.frame(payload, { fin: true, opcode: m.kind === 'ping' ? 9 : 10, mask, readOnly: false, rsv1: false }));
      continue;
    }
    const pieces = chunkAt(payload, m.cuts);
    pieces.forEach((piece, i) => {
      const opcode = i === 0 ? (m.kind === 'binary' ? 2 : 1) : 0;
      out.push(...Sender.frame(Buffer.from(piece), { fin: i === pieces.length - 1, opcode, mask, readOnly: false, rsv1: false }));
    });
  }
  return Buffer.concat(out);
}

test('property: any messages, fragmented and masked any way, cut into any chunks, read as the binary bytes in order', () => {
  const message = fc.record({
    kind: fc.constantFrom('binary', 'binary', 'text', 'ping', 'pong') as fc.Arbitrary<Message['kind']>,
    payload: fc.oneof(fc.uint8Array({ maxLength: 20 }), fc.uint8Array({ maxLength: 125 }), fc.uint8Array({ minLength: 126, maxLength: 70_000 })),
    cuts: fc.array(fc.nat(), { maxLength: 4 }),
  });
  fc.assert(
    fc.property(fc.array(message, { maxLength: 12 }), fc.boolean(), fc.array(fc.nat(), { maxLength: 8 }), (raw, isServer, cuts) => {
      const messages = raw.map((m) => (m.kind === 'ping' || m.kind === 'pong' ? { ...m, payload: m.payload.subarray(0, 125) } : m));
      const input = encode(messages, isServer);
      const points = [...new Set(cuts.map((c) => c % (input.length + 1)))].sort((a, b) => a - b);
      const { read: got } = feed(input, points, { isServer, maxPayload: 1 << 20 });
      const expected: Read = { data: '', events: [] };
      for (const m of messages) {
        const hex = Buffer.from(m.payload).toString('hex');
        if (m.kind === 'binary') expected.data += hex;
        else if (m.kind === 'ping' || m.kind === 'pong') expected.events.push([m.kind, hex]);
      }
      assert.deepEqual(got, expected);
    }),
    { numRuns: 300 },
  );
});

test('onDataFrame: each binary frame declares its length before any of its payload; text and control frames do not', () => {
  const told: (string | number)[] = [];
  const reader = new FrameReader(
    {
      onData: (c) => told.push(`data ${c.length}`),
      onDataFrame: (length) => told.push(length),
      onPing: () => told.push('ping'),
      onPong: () => undefined,
      onCloseFrame: () => undefined,
      onProtocolError: (e) => told.push(`error ${e.message}`),
    },
    { isServer: false, maxPayload: 70_000 },
  );
  const frame = (first: number, length: number) => {
    const header = length < 126 ? Buffer.from([first, length]) : Buffer.from([first, 126, length >> 8, length & 0xff]);
    return Buffer.concat([header, Buffer.alloc(length, 0x61)]);
  };
  // binary (not FIN) of 300, a ping, continuation (FIN) of 5; a text message; an empty binary one.
  reader.write(Buffer.concat([frame(0x02, 300), frame(0x89, 0), frame(0x80, 5), frame(0x81, 3), frame(0x82, 0)]));
  assert.deepEqual(told, [300, 'ping', 5, 'data 305']);
  // A frame beyond the message limit is refused at its header: its length is never told.
  told.length = 0;
  reader.write(Buffer.from([0x82, 127, 0, 0, 0, 0x40, 0, 0, 0, 0])); // claims 1 GiB
  assert.match(String(told[0]), /^error /);
  assert.equal(told.length, 1);
});
