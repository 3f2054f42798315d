import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import fc from 'fast-check';
import { compareGoStrings, equalFoldLatest, strconvQuote } from './go-strings.js';

test('compareGoStrings orders as UTF-8 bytes, unlike JavaScript < beyond U+FFFF', () => {
  assert.equal(compareGoStrings('\u{1F600}', '\uE000'), 1);
  assert.equal('\u{1F600}' < '\uE000', true); // the JavaScript order differs
  assert.equal(compareGoStrings('a', 'ab'), -1);
  assert.equal(compareGoStrings('b', 'ab'), 1);
  assert.equal(compareGoStrings('x', 'x'), 0);
});

test('property: compareGoStrings agrees with Buffer.compare of the UTF-8 encodings', () => {
  const s = fc.string({ unit: fc.constantFrom('a', 'b', '\u00e9', '\uE000', '\uFFFF', '\u{10000}', '\u{1F600}'), maxLength: 6 });
  const full = fc.string({ unit: 'binary', maxLength: 8 });
  for (const arb of [s, full]) {
    fc.assert(
      fc.property(arb, arb, (a, b) => {
        assert.equal(compareGoStrings(a, b), Buffer.compare(Buffer.from(a), Buffer.from(b)));
      }),
      { numRuns: 2000 },
    );
  }
});

test('strconvQuote escapes as strconv.Quote', () => {
  assert.equal(strconvQuote('plain'), '"plain"');
  assert.equal(strconvQuote('a"b\\c'), '"a\\"b\\\\c"');
  assert.equal(strconvQuote('\x07\b\f\n\r\t\v'), '"\\a\\b\\f\\n\\r\\t\\v"');
  assert.equal(strconvQuote('\x00\x1b\x7f'), '"\\x00\\x1b\\x7f"');
  assert.equal(strconvQuote('ünï 日本 😀'), '"ünï 日本 😀"');
  assert.equal(strconvQuote('\u00a0\u2028\u200b'), '"\\u00a0\\u2028\\u200b"');
  assert.equal(strconvQuote('\u{E0001}'), '"\\U000e0001"');
  assert.equal(strconvQuote('\uD800'), '"\uFFFD"');
});

test('equalFoldLatest folds ASCII case and the long s only', () => {
  for (const s of ['latest', 'LATEST', 'LaTeSt', 'lateſt', 'LATEſT']) assert.equal(equalFoldLatest(s), true, s);
  for (const s of ['', 'latest ', 'lates', 'latesT1', 'ĺatest', 'latesτ']) assert.equal(equalFoldLatest(s), false, s);
});
