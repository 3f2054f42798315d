import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeBase64, decodeBase64Exactly, encodeBase64 } from './base64.js';
import { encodeBytes } from './export.js';
import { goQuote } from './go-encode.js';
import { Base64Error } from './errors.js';

const text = (b: Uint8Array): string => Buffer.from(b).toString('latin1');

test('standard alphabet with padding', () => {
  assert.equal(encodeBase64(new TextEncoder().encode('---\nkind: Deployment\n')), 'LS0tCmtpbmQ6IERlcGxveW1lbnQK');
  assert.equal(encodeBase64(new Uint8Array([0xfb, 0xff])), '+/8=');
  assert.equal(encodeBase64(new Uint8Array()), '');
  assert.equal(text(decodeBase64('QQ==')), 'A');
  assert.equal(text(decodeBase64('QR==')), 'A'); // non-zero trailing bits are accepted
  assert.equal(text(decodeBase64('QUJD\nRA==\r\n')), 'ABCD');
  assert.equal(decodeBase64('').length, 0);
});

test('errors report Go\u2019s byte offsets', () => {
  const cases: Array<[string, number]> = [
    ['abc', 0], ['a', 0], ['ab=c', 2], ['LS0-', 3], ['LS0_', 3], ['QQ', 0], ['QQ=', 3], ['QQ==QQ==', 4],
    ['QQ==x', 4], ['====', 0], ['QUJDRA', 4], ['QUJDRA=\n', 8], ['é', 0], ['QUJD é', 4], ['QUJDé', 4],
  ];
  for (const [input, offset] of cases) {
    assert.throws(() => decodeBase64(input), (err: unknown) => err instanceof Base64Error && err.message === `illegal base64 data at input byte ${offset}`, input);
  }
});

test('round trip of all byte values', () => {
  const all = Uint8Array.from({ length: 256 }, (_, i) => i);
  for (let n = 0; n < 8; n++) assert.deepEqual(decodeBase64(encodeBase64(all.subarray(n))), all.subarray(n));
});

/** The outcome of a decoder: its bytes, or its error text. */
function outcome(decode: (s: string) => Uint8Array, s: string): string {
  try {
    return 'ok ' + Buffer.from(decode(s)).toString('hex');
  } catch (e) {
    return 'error ' + (e as Error).message;
  }
}

test('the native fast path gives exactly what Go\u2019s quantum decoder gives, for any text', () => {
  const symbol = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=\n\r-_ é'.split(''));
  fc.assert(
    fc.property(fc.array(symbol, { maxLength: 24 }), (chars) => {
      const s = chars.join('');
      assert.equal(outcome(decodeBase64, s), outcome(decodeBase64Exactly, s), JSON.stringify(s));
    }),
    { numRuns: 20_000 },
  );
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), fc.integer({ min: 0, max: 63 }), (bytes, bits) => {
      // Canonical text, also with non-zero unused bits in the last quantum.
      let s = encodeBase64(bytes);
      if (s.endsWith('=')) {
        const i = s.search(/=+$/) - 1;
        const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
        s = s.slice(0, i) + alphabet[(alphabet.indexOf(s[i]!) & ~(s.endsWith('==') ? 15 : 3)) | (bits & (s.endsWith('==') ? 15 : 3))] + s.slice(i + 1);
      }
      assert.equal(outcome(decodeBase64, s), outcome(decodeBase64Exactly, s), s);
    }),
    { numRuns: 5_000 },
  );
});

test('the []byte encoder writes what quoting the base64 text would write', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => assert.equal(encodeBytes(bytes), goQuote(encodeBase64(bytes)))),
    { numRuns: 2_000 },
  );
  assert.equal(encodeBytes(null), 'null');
});
