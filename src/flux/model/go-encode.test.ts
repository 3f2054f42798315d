import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareGoStrings, goInt, goMap, goObject, goSlice, omitEmptyString } from './go-encode.js';

test('map keys sort by UTF-8 bytes, not by JavaScript\u2019s rules', () => {
  const keys = ['b', 'aa', 'é', 'B', 'a', '😀', '\ufffd', '10', '9', '', '__proto__'];
  assert.deepEqual([...keys].sort(compareGoStrings), ['', '10', '9', 'B', '__proto__', 'a', 'aa', 'b', 'é', '\ufffd', '😀']);
  const byBytes = [...keys].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
  assert.deepEqual([...keys].sort(compareGoStrings), byBytes);
  assert.equal(goMap(new Map([['b', 1], ['10', 2], ['9', 3]]), String), '{"10":2,"9":3,"b":1}');
  assert.equal(goMap(null, String), 'null');
  assert.equal(goMap(new Map(), String), '{}');
});

test('slices, objects and omitempty', () => {
  assert.equal(goSlice(null, String), 'null');
  assert.equal(goSlice([], String), '[]');
  assert.equal(goSlice([1, 2], String), '[1,2]');
  assert.equal(goObject([['a', '1'], undefined, omitEmptyString('b', ''), omitEmptyString('c', '<')]), '{"a":1,"c":"\\u003c"}');
  assert.equal(goObject([]), '{}');
  assert.equal(goInt(-0), '0');
  assert.throws(() => goInt(1.5));
});
