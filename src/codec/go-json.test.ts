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

test('goQuoteParts splits only large strings with nothing to escape; the joined parts equal goQuote', async () => {
  const { goQuoteParts } = await import('./go-json.js');
  const plain = 'abc'.repeat(1000);
  assert.deepEqual(goQuoteParts(plain), ['"', plain, '"']);
  for (const s of ['short', plain + '<', plain + '"', plain + '\u0001', plain + '\ud800', plain + '😀', plain + '\u2028']) {
    assert.equal(goQuoteParts(s).join(''), goQuote(s), JSON.stringify(s.slice(-3)));
  }
  assert.equal(goQuoteParts(plain + '&').length, 1);
});

test('the HTML-only fast path and the full rewrite agree', () => {
  assert.equal(toGoJsonText('{"a":"<&>","b":"x>y"}'), '{"a":"\\u003c\\u0026\\u003e","b":"x\\u003ey"}');
  assert.equal(toGoJsonText('{"a":"<&>","b":"\\b"}'), '{"a":"\\u003c\\u0026\\u003e","b":"\\u0008"}');
});
