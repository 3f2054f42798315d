/**
 * The Go JSON reader against vectors written by Go's own encoding/json (json.NewDecoder(r).Decode
 * and json.Unmarshal into an interface{} value; generated with Go 1.26, whose scanner texts are
 * Go 1.19's): [input, Decode error {message, offset?} or null, Decode value, Unmarshal error].
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { decodeFirstValue, goErrorValueJson, goQuoteChar, GoJsonEofError, GoJsonSyntaxError, unmarshalWhole } from './go-json-reader.js';
import { UnexpectedEndError } from '../flux/model/errors.js';

type GoError = { message: string; offset?: number } | null;
const GO_VECTORS: [input: string, decode: GoError, decodeValue: unknown, unmarshal: GoError][] = [
  ["", {"message": "EOF"}, null, {"message": "unexpected end of JSON input", "offset": 0}],
  ["   ", {"message": "EOF"}, null, {"message": "unexpected end of JSON input", "offset": 3}],
  ["1", null, 1, null],
  [" 1 ", null, 1, null],
  ["12x", null, 12, {"message": "invalid character 'x' after top-level value", "offset": 3}],
  ["1 2", null, 1, {"message": "invalid character '2' after top-level value", "offset": 3}],
  ["tru", {"message": "unexpected EOF"}, null, {"message": "invalid character ' ' in literal true (expecting 'e')", "offset": 3}],
  ["true", null, true, null],
  ["trux", {"message": "invalid character 'x' in literal true (expecting 'e')", "offset": 4}, null, {"message": "invalid character 'x' in literal true (expecting 'e')", "offset": 4}],
  ["truex", null, true, {"message": "invalid character 'x' after top-level value", "offset": 5}],
  ["nul", {"message": "unexpected EOF"}, null, {"message": "invalid character ' ' in literal null (expecting 'l')", "offset": 3}],
  ["nulL", {"message": "invalid character 'L' in literal null (expecting 'l')", "offset": 4}, null, {"message": "invalid character 'L' in literal null (expecting 'l')", "offset": 4}],
  ["fals", {"message": "unexpected EOF"}, null, {"message": "invalid character ' ' in literal false (expecting 'e')", "offset": 4}],
  ["f", {"message": "unexpected EOF"}, null, {"message": "invalid character ' ' in literal false (expecting 'a')", "offset": 1}],
  ["-", {"message": "unexpected EOF"}, null, {"message": "invalid character ' ' in numeric literal", "offset": 1}],
  ["-x", {"message": "invalid character 'x' in numeric literal", "offset": 2}, null, {"message": "invalid character 'x' in numeric literal", "offset": 2}],
  ["01", null, 0, {"message": "invalid character '1' after top-level value", "offset": 2}],
  ["1.", {"message": "unexpected EOF"}, null, {"message": "invalid character ' ' after decimal point in numeric literal", "offset": 2}],
  ["1.x", {"message": "invalid character 'x' after decimal point in numeric literal", "offset": 3}, null, {"message": "invalid character 'x' after decimal point in numeric literal", "offset": 3}],
  ["1e", {"message": "unexpected EOF"}, null, {"message": "invalid character ' ' in exponent of numeric literal", "offset": 2}],
  ["1e+", {"message": "unexpected EOF"}, null, {"message": "invalid character ' ' in exponent of numeric literal", "offset": 3}],
  ["1ex", {"message": "invalid character 'x' in exponent of numeric literal", "offset": 3}, null, {"message": "invalid character 'x' in exponent of numeric literal", "offset": 3}],
  ["{", {"message": "unexpected EOF"}, null, {"message": "unexpected end of JSON input", "offset": 1}],
  ["{}", null, {}, null],
  ["{} x", null, {}, {"message": "invalid character 'x' after top-level value", "offset": 4}],
  ["{}x", null, {}, {"message": "invalid character 'x' after top-level value", "offset": 3}],
  ["[", {"message": "unexpected EOF"}, null, {"message": "unexpected end of JSON input", "offset": 1}],
  ["[1,", {"message": "unexpected EOF"}, null, {"message": "unexpected end of JSON input", "offset": 3}],
  ["[1,]", {"message": "invalid character ']' looking for beginning of value", "offset": 4}, null, {"message": "invalid character ']' looking for beginning of value", "offset": 4}],
  ["[1 2]", {"message": "invalid character '2' after array element", "offset": 4}, null, {"message": "invalid character '2' after array element", "offset": 4}],
  ["{\"a\"}", {"message": "invalid character '}' after object key", "offset": 5}, null, {"message": "invalid character '}' after object key", "offset": 5}],
  ["{\"a\":}", {"message": "invalid character '}' looking for beginning of value", "offset": 6}, null, {"message": "invalid character '}' looking for beginning of value", "offset": 6}],
  ["{\"a\":1,}", {"message": "invalid character '}' looking for beginning of object key string", "offset": 8}, null, {"message": "invalid character '}' looking for beginning of object key string", "offset": 8}],
  ["{\"a\":1 \"b\"}", {"message": "invalid character '\"' after object key:value pair", "offset": 8}, null, {"message": "invalid character '\"' after object key:value pair", "offset": 8}],
  ["{1:2}", {"message": "invalid character '1' looking for beginning of object key string", "offset": 2}, null, {"message": "invalid character '1' looking for beginning of object key string", "offset": 2}],
  ["\"abc", {"message": "unexpected EOF"}, null, {"message": "unexpected end of JSON input", "offset": 4}],
  ["\"a\u0001\"", {"message": "invalid character '\\x01' in string literal", "offset": 3}, null, {"message": "invalid character '\\x01' in string literal", "offset": 3}],
  ["\"\\x\"", {"message": "invalid character 'x' in string escape code", "offset": 3}, null, {"message": "invalid character 'x' in string escape code", "offset": 3}],
  ["\"\\u12\"", {"message": "invalid character '\"' in \\u hexadecimal character escape", "offset": 6}, null, {"message": "invalid character '\"' in \\u hexadecimal character escape", "offset": 6}],
  ["\"\\u12g4\"", {"message": "invalid character 'g' in \\u hexadecimal character escape", "offset": 6}, null, {"message": "invalid character 'g' in \\u hexadecimal character escape", "offset": 6}],
  ["x", {"message": "invalid character 'x' looking for beginning of value", "offset": 1}, null, {"message": "invalid character 'x' looking for beginning of value", "offset": 1}],
  ["'", {"message": "invalid character '\\'' looking for beginning of value", "offset": 1}, null, {"message": "invalid character '\\'' looking for beginning of value", "offset": 1}],
  ["\"", {"message": "unexpected EOF"}, null, {"message": "unexpected end of JSON input", "offset": 1}],
  ["\\", {"message": "invalid character '\\\\' looking for beginning of value", "offset": 1}, null, {"message": "invalid character '\\\\' looking for beginning of value", "offset": 1}],
  ["\u00ff", {"message": "invalid character '\u00c3' looking for beginning of value", "offset": 1}, null, {"message": "invalid character '\u00c3' looking for beginning of value", "offset": 1}],
  ["\u00a0", {"message": "invalid character '\u00c2' looking for beginning of value", "offset": 1}, null, {"message": "invalid character '\u00c2' looking for beginning of value", "offset": 1}],
  ["\u00ad", {"message": "invalid character '\u00c2' looking for beginning of value", "offset": 1}, null, {"message": "invalid character '\u00c2' looking for beginning of value", "offset": 1}],
  ["\t", {"message": "EOF"}, null, {"message": "unexpected end of JSON input", "offset": 1}],
  ["\u007f", {"message": "invalid character '\\x7f' looking for beginning of value", "offset": 1}, null, {"message": "invalid character '\\x7f' looking for beginning of value", "offset": 1}],
  ["[1]]", null, [1], {"message": "invalid character ']' after top-level value", "offset": 4}],
  ["\"ok\" tail", null, "ok", {"message": "invalid character 't' after top-level value", "offset": 6}],
  ["{\"a\":[1,{\"b\":null}]}garbage", null, {"a": [1, {"b": null}]}, {"message": "invalid character 'g' after top-level value", "offset": 21}],
  ["\ufeff{}", {"message": "invalid character '\u00ef' looking for beginning of value", "offset": 1}, null, {"message": "invalid character '\u00ef' looking for beginning of value", "offset": 1}],
  ["[[[", {"message": "unexpected EOF"}, null, {"message": "unexpected end of JSON input", "offset": 3}],
  ["]", {"message": "invalid character ']' looking for beginning of value", "offset": 1}, null, {"message": "invalid character ']' looking for beginning of value", "offset": 1}],
  ["}", {"message": "invalid character '}' looking for beginning of value", "offset": 1}, null, {"message": "invalid character '}' looking for beginning of value", "offset": 1}],
  ["{\"a\":1}}", null, {"a": 1}, {"message": "invalid character '}' after top-level value", "offset": 8}],
  [",", {"message": "invalid character ',' looking for beginning of value", "offset": 1}, null, {"message": "invalid character ',' looking for beginning of value", "offset": 1}],
  ["1,", null, 1, {"message": "invalid character ',' after top-level value", "offset": 2}],
  ["nan", {"message": "invalid character 'a' in literal null (expecting 'u')", "offset": 2}, null, {"message": "invalid character 'a' in literal null (expecting 'u')", "offset": 2}],
  ["0x10", null, 0, {"message": "invalid character 'x' after top-level value", "offset": 2}],
  ["-0", null, -0, null],
  ["-01", null, -0, {"message": "invalid character '1' after top-level value", "offset": 3}],
  ["\"\\ud800\"", null, "\ufffd", null]
];

function outcome(f: (b: Uint8Array) => unknown, input: string): { ok: unknown } | { err: GoError } {
  try {
    return { ok: f(Buffer.from(input, 'utf8')) };
  } catch (e) {
    const err = e as Error & { offset?: number };
    assert.ok(err instanceof GoJsonSyntaxError || err instanceof GoJsonEofError, `unexpected error type for ${JSON.stringify(input)}: ${err}`);
    return { err: err instanceof GoJsonSyntaxError ? { message: err.message, offset: err.offset } : { message: err.message } };
  }
}

test('decodeFirstValue = json.NewDecoder(r).Decode: errors, offsets and values as Go', () => {
  for (const [input, decodeErr, decodeValue] of GO_VECTORS) {
    const got = outcome(decodeFirstValue, input);
    if (decodeErr !== null) assert.deepEqual(got, { err: decodeErr }, JSON.stringify(input));
    else if (input === '"\\ud800"') assert.deepEqual(got, { ok: '\ud800' }); // a lone surrogate: the model's string decoder makes it U+FFFD, as Go
    else assert.deepEqual(got, { ok: decodeValue }, JSON.stringify(input));
  }
});

test('unmarshalWhole = json.Unmarshal: errors and offsets as Go', () => {
  for (const [input, , , unmarshalErr] of GO_VECTORS) {
    const got = outcome(unmarshalWhole, input);
    if (unmarshalErr !== null) assert.deepEqual(got, { err: unmarshalErr }, JSON.stringify(input));
    else assert.ok('ok' in got, JSON.stringify(input));
  }
});

test('nesting beyond Go\'s 10000 levels is refused with Go\'s text, below it accepted', () => {
  const deep = '['.repeat(10001) + ']'.repeat(10001);
  assert.throws(() => unmarshalWhole(Buffer.from(deep)), { message: "invalid character '[' exceeded max depth", offset: 10001 });
  assert.throws(() => decodeFirstValue(Buffer.from(deep)), { message: "invalid character '[' exceeded max depth" });
  const ok = '['.repeat(10000) + ']'.repeat(10000);
  assert.ok(Array.isArray(unmarshalWhole(Buffer.from(ok))));
});

test('the first value of a long body is found by the scanner when JSON.parse refuses the whole', () => {
  const big = JSON.stringify(Array.from({ length: 2000 }, (_, i) => ({ i, s: 'x'.repeat(20) })));
  assert.equal((decodeFirstValue(Buffer.from(big + ' {"trailing":')) as unknown[]).length, 2000);
  assert.throws(() => unmarshalWhole(Buffer.from(big + ' 1')), { message: "invalid character '1' after top-level value", offset: big.length + 2 });
});

test('goQuoteChar quotes a byte as Go\'s quoteChar (a byte ≥ 0x80 is read as a Latin-1 rune)', () => {
  assert.equal(goQuoteChar(0x78), "'x'");
  assert.equal(goQuoteChar(0x27), "'\\''");
  assert.equal(goQuoteChar(0x22), `'"'`);
  assert.equal(goQuoteChar(0x5c), "'\\\\'");
  assert.equal(goQuoteChar(0x0a), "'\\n'");
  assert.equal(goQuoteChar(0x07), "'\\a'");
  assert.equal(goQuoteChar(0x00), "'\\x00'");
  assert.equal(goQuoteChar(0x7f), "'\\x7f'");
  assert.equal(goQuoteChar(0x85), "'\\u0085'");
  assert.equal(goQuoteChar(0xa0), "'\\u00a0'");
  assert.equal(goQuoteChar(0xad), "'\\u00ad'");
  assert.equal(goQuoteChar(0xc3), "'Ã'");
  assert.equal(goQuoteChar(0xff), "'ÿ'");
});

test('goErrorValueJson: what json.Marshal makes of the error value', () => {
  assert.equal(goErrorValueJson(new GoJsonSyntaxError('x', 7)), '{"Offset":7}');
  assert.equal(goErrorValueJson(new UnexpectedEndError()), '{"Offset":0}');
  assert.equal(goErrorValueJson(new GoJsonEofError(true)), '{}');
  assert.equal(goErrorValueJson(new Error('plain')), '{}');
});
