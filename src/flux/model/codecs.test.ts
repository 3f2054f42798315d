import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MODEL_CODECS, modelCodec } from './codecs.js';
import { encodeGoJsonValue, toGoJsonValue } from './generic-json.js';

test('the registry finds codecs by Go type name only', () => {
  assert.ok(modelCodec('v6.ControllerStatus'));
  assert.equal(modelCodec('toString'), undefined);
  assert.equal(modelCodec('__proto__'), undefined);
  assert.equal(Object.keys(MODEL_CODECS).length, 35);
  assert.equal(MODEL_CODECS['update.ResourceSpec'].encode('<all>'), '"\\u003call\\u003e"');
  assert.throws(() => MODEL_CODECS['update.ResourceSpec'].decode(5), { message: 'json: cannot unmarshal number into Go value of type update.ResourceSpec' });
});

test('interface{} values: Go key order, Go float text, well-formed strings', () => {
  const v = toGoJsonValue(JSON.parse('{"b":[1.5,-0,1e21,1e-7,"\\ud800"],"a":{"10":1,"9":2},"__proto__":true}'));
  assert.equal(encodeGoJsonValue(v), '{"__proto__":true,"a":{"10":1,"9":2},"b":[1.5,-0,1e+21,1e-7,"\ufffd"]}');
});

test('numbers JSON cannot hold fail with Go\'s text (strconv forms +Inf, -Inf, NaN)', () => {
  assert.throws(() => encodeGoJsonValue(Infinity), { message: 'json: unsupported value: +Inf' });
  assert.throws(() => encodeGoJsonValue(-Infinity), { message: 'json: unsupported value: -Inf' });
  assert.throws(() => encodeGoJsonValue(Number.NaN), { message: 'json: unsupported value: NaN' });
});
