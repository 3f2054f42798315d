import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import fc from 'fast-check';
import { MIN_FILL_BYTES, sourceToBuffer } from '../transport/byte-stream.js';
import { TextPartsSource, concatToBuffer, encodeSuccess, encodeSuccessSource } from './envelope.js';

/** Every byte of `source`, asking for at most `room` bytes (at least MIN_FILL_BYTES) each time. */
function drain(source: TextPartsSource, rooms: number[]): Buffer {
  const out: Buffer[] = [];
  let produced = 0;
  for (let k = 0; produced < source.byteLength; k++) {
    const room = Math.min(Math.max(MIN_FILL_BYTES, rooms[k % rooms.length]!), source.byteLength - produced);
    const target = Buffer.alloc(room + 3, 0xee);
    const start = 3; // a header before the payload, as the websocket writer leaves
    const end = source.fill(target.subarray(0, start + room), start);
    assert.ok(end > start, `no progress at ${produced} of ${source.byteLength}`);
    assert.ok(end <= start + room);
    assert.ok(target.subarray(end).every((b) => b === 0xee), 'wrote beyond what it returned');
    out.push(target.subarray(start, end));
    produced += end - start;
  }
  return Buffer.concat(out);
}

// Characters of 1 to 4 UTF-8 bytes, surrogate pairs and lone surrogates of both halves.
const unit = fc.oneof(
  fc.constantFrom('a', '"', '\\', 'é', '€', '\u07ff', '\u0800', '\uffff', '😀', '\ud800', '\udbff', '\udc00', '\udfff', '\ud83d', '\ude00'),
  fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
);

test('property: TextPartsSource produces the bytes of concatToBuffer, in chunks of any size, cutting no character', () => {
  fc.assert(
    fc.property(fc.array(fc.string({ unit, maxLength: 60 }), { maxLength: 6 }), fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 8 }), (parts, rooms) => {
      const whole = concatToBuffer(parts);
      const source = new TextPartsSource(parts);
      assert.equal(source.byteLength, whole.length);
      assert.deepEqual(drain(source, rooms), whole);
    }),
    { numRuns: 5000 },
  );
});

test('TextPartsSource: a pair across a chunk boundary, a lone high surrogate at the end of a part', () => {
  // 'ab😀' is 6 bytes: with 4 bytes of room the first chunk stops before the pair.
  const parts = ['ab😀', '\ud83d', '\ude00x'];
  const source = new TextPartsSource(parts);
  const target = Buffer.alloc(4);
  assert.equal(source.fill(target, 0), 2);
  assert.equal(target.subarray(0, 2).toString(), 'ab');
  assert.equal(source.fill(target, 0), 4);
  assert.equal(target.toString(), '😀');
  // Parts are encoded one by one, as concatToBuffer does: the halves in two parts are two U+FFFD.
  assert.deepEqual(drain(new TextPartsSource(parts), [4]), Buffer.from('ab😀\ufffd\ufffdx', 'utf8'));
});

test('encodeSuccessSource: the envelope of encodeSuccess, for a large string and a large multi-byte one', () => {
  for (const result of ['abc'.repeat(200_000), 'é😀€'.repeat(100_000) + '\ud800', { list: ['x'.repeat(5000), 'ü'] }]) {
    const source = encodeSuccessSource('17', result);
    assert.ok(sourceToBuffer(source).equals(encodeSuccess('17', result)));
  }
  assert.ok(drain(encodeSuccessSource('1', 'ä'.repeat(300_001)), [262_144 - 14, 262_144]).equals(encodeSuccess('1', 'ä'.repeat(300_001))));
});

test('sourceToBuffer: a source that stops short of its declared length is an error', () => {
  const liar = { byteLength: 10, fill: (_t: Buffer, offset: number) => offset };
  assert.throws(() => sourceToBuffer(liar), /message source stopped after 0 of its 10 bytes/);
});
