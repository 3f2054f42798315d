import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import fc from 'fast-check';
import { maskInPlace, randomMaskKey } from './mask.js';

/** The definition: byte i XOR key byte (phase + i) mod 4, key bytes in wire order. */
function reference(bytes: Uint8Array, key: number, phase: number): Buffer {
  const k = [key >>> 24, (key >>> 16) & 0xff, (key >>> 8) & 0xff, key & 0xff];
  return Buffer.from(bytes.map((b, i) => b ^ k[(phase + i) & 3]!));
}

test('masks in place as RFC 6455 §5.3 defines it, at any alignment, length and phase', () => {
  // RFC 6455 §5.7: "Hello" masked with 37 fa 21 3d.
  const hello = Buffer.from('Hello');
  assert.equal(maskInPlace(hello, 0, 5, 0x37fa213d, 0), 1);
  assert.equal(hello.toString('hex'), '7f9f4d5158');
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(7), fc.integer({ min: 0, max: 0xffffffff }), fc.nat(3), (bytes, shift, key, phase) => {
      // A view starting at an odd offset of a larger buffer, as socket chunks are.
      const backing = Buffer.alloc(bytes.length + 16, 0xee);
      const view = backing.subarray(shift, shift + bytes.length);
      view.set(bytes);
      const next = maskInPlace(view, 0, view.length, key, phase);
      assert.deepEqual(view, reference(bytes, key, phase));
      assert.equal(next, (phase + bytes.length) & 3);
      assert.ok(backing.subarray(0, shift).every((b) => b === 0xee) && backing.subarray(shift + bytes.length).every((b) => b === 0xee), 'no byte outside the range');
    }),
    { numRuns: 2000 },
  );
});

test('a payload masked piece by piece, carrying the phase, equals it masked whole; masking twice restores it', () => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 1, maxLength: 500 }), fc.array(fc.nat(), { maxLength: 5 }), fc.integer({ min: 0, max: 0xffffffff }), (bytes, cuts, key) => {
      const buf = Buffer.from(bytes);
      let phase = 0;
      let from = 0;
      for (const c of [...new Set(cuts.map((c) => c % bytes.length))].sort((a, b) => a - b).concat(bytes.length)) {
        phase = maskInPlace(buf, from, c, key, phase);
        from = c;
      }
      assert.deepEqual(buf, reference(bytes, key, 0));
      maskInPlace(buf, 0, buf.length, key, 0);
      assert.deepEqual(buf, Buffer.from(bytes));
    }),
  );
});

test('masking keys are fresh: no repeats in 100,000', () => {
  const seen = new Set<number>();
  for (let i = 0; i < 100_000; i++) seen.add(randomMaskKey());
  // 100,000 draws of 32 bits: a collision is possible (p ≈ 0.69), a handful is not.
  assert.ok(seen.size > 99_990, `${seen.size} distinct keys`);
});
