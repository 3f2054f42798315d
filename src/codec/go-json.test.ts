import { test } from 'node:test';
import assert from 'node:assert/strict';
import { goQuote, goStringify, toGoJsonText } from './go-json.js';

test('HTML characters, U+2028/9 and \\b \\f are written as Go 1.19 does', () => {
  assert.equal(goQuote('<all> & co'), '"\\u003call\\u003e \\u0026 co"');
  assert.equal(goQuote('\u2028\u2029'), '"\\u2028\\u2029"');
  assert.equal(goQuote('\b\f\n\r\t\u0000\u001f\u007f'), '"\\u0008\\u000c\\n\\r\\t\\u0000\\u001f\u007f"');
  assert.equal(goQuote('a"b\\c/d'), '"a\\"b\\\\c/d"');
  assert.equal(goQuote('é€😀'), '"é€😀"');
});

test('an escaped backslash followed by b or f is left alone', () => {
  assert.equal(goQuote('\\b\\f'), '"\\\\b\\\\f"');
  assert.equal(goQuote('\\\b'), '"\\\\\\u0008"');
  assert.equal(goQuote('\\ud800'), '"\\\\ud800"');
});

test('a lone surrogate becomes U+FFFD, as the invalid UTF-8 a Go string would hold', () => {
  assert.equal(goQuote('a\ud800b\udfffc'), '"a\\ufffdb\\ufffdc"');
  assert.equal(goQuote('😀'), '"😀"');
});

test('numbers use the shortest form and Go exponent thresholds; keys keep insertion order', () => {
  assert.equal(goStringify({ B: 1e21, a: 1e-7, c: 0.000001, d: 123456789, e: -0.5 }), '{"B":1e+21,"a":1e-7,"c":0.000001,"d":123456789,"e":-0.5}');
  assert.equal(goStringify(undefined), 'null');
  assert.equal(toGoJsonText('{"k":"<x>"}'), '{"k":"\\u003cx\\u003e"}');
});
