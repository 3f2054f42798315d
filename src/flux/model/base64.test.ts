import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeBase64, encodeBase64 } from './base64.js';
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
