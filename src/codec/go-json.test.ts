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

test('property: goQuote (with its fast path) equals the general JSON.stringify-and-rewrite path', async () => {
  const fc = (await import('fast-check')).default;
  const { goQuoteGeneral } = await import('./go-json.js');
  // Characters on both sides of every fast-path boundary, plus arbitrary UTF-16 code units.
  const special = fc.constantFrom(
    '"', '\\', '<', '>', '&', '\u2028', '\u2029', '\b', '\f', '\n', '\r', '\t', '\u0000', '\u001f', ' ', '!', '#', '%', "'", ';',
    '=', '?', '[', ']', '~', '\u007f', '\u0080', '\u00e9', '\u2027', '\u202a', '\ud7ff', '\ud800', '\udbff', '\udc00', '\udfff',
    '\ue000', '\uffff', '\ud83d\ude00', 'b', 'f', 'u', 'ud800', '/',
  );
  const unit = fc.oneof(special, fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), fc.constantFrom('a', 'Z', '0', '.', ':', '-'));
  fc.assert(
    fc.property(fc.string({ unit, maxLength: 40 }), (s) => {
      assert.equal(goQuote(s), goQuoteGeneral(s));
    }),
    { numRuns: 20000 },
  );
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 40 }), fc.string({ unit: 'grapheme-ascii', maxLength: 80 }), (a, b) => {
      assert.equal(goQuote(a), goQuoteGeneral(a));
      assert.equal(goQuote(b), goQuoteGeneral(b));
    }),
    { numRuns: 5000 },
  );
  // Non-strings from untyped callers keep the general path's result.
  for (const v of [5, undefined, null, true, { a: '<' }, ['x']]) {
    assert.equal(goQuote(v as unknown as string), goQuoteGeneral(v as unknown as string));
  }
});
