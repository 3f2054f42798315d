import { test } from 'node:test';
import assert from 'node:assert/strict';
import { field, goInt, goMap, goSlice, goString, goStruct, unmarshal, wellFormed, type ValueDecoder } from './go-decode.js';
import { GoUnmarshalTypeError, UnexpectedEndError } from './errors.js';

interface Inner {
  n: number;
}
interface Outer {
  name: string;
  inner: Inner;
  list: readonly string[] | null;
  custom: string;
}

const innerValue = goStruct<Inner>('pkg.Inner', 'Inner', [field('N', 'n', goInt('int32'))]);
/** Like a Go type with UnmarshalJSON: a fresh decode whose errors abort the outer one. */
const customValue: ValueDecoder<string> = (json) => unmarshal(json, goString(), '');
const outerValue = goStruct<Outer>('pkg.Outer', 'Outer', [
  field('Name', 'name', goString()),
  field('Inner', 'inner', innerValue),
  field('List', 'list', goSlice(goString(), () => '', '[]string')),
  field('Custom', 'custom', customValue),
]);
const zero: Outer = { name: '', inner: { n: 0 }, list: null, custom: '' };
const decode = (json: unknown): Outer => unmarshal(json, outerValue, zero);

test('keys match case-insensitively, exact match first, unknown keys ignored', () => {
  assert.deepEqual(decode({ name: 'a', INNER: { n: 1 }, lIsT: ['x'], Other: 1 }), { name: 'a', inner: { n: 1 }, list: ['x'], custom: '' });
  assert.equal(decode({ Name: 'exact', name: 'folded' }).name, 'folded'); // later key wins, as in Go
  assert.equal(decode({ \u017fame: 'x' } as never).name, ''); // no "s" in Name
  assert.equal(unmarshal({ \u017ftatus: 'x' }, goStruct<{ s: string }>('T', 'T', [field('Status', 's', goString())]), { s: '' }).s, 'x');
});

test('null leaves strings, numbers and structs alone and sets slices to nil', () => {
  assert.deepEqual(decode({ Name: 'a', name: null, Inner: null, List: null }), { name: 'a', inner: { n: 0 }, list: null, custom: '' });
  assert.deepEqual(decode(null), zero);
});

test('type errors carry the innermost struct and the key path; the first one wins', () => {
  assert.throws(() => decode({ Inner: { N: 'x' }, Name: 5 }), {
    message: 'json: cannot unmarshal string into Go struct field Inner.Inner.N of type int32',
  });
  assert.throws(() => decode({ List: [1] }), { message: 'json: cannot unmarshal number into Go struct field Outer.List of type string' });
  assert.throws(() => decode({ Inner: { N: 2 ** 31 } }), { message: 'json: cannot unmarshal number 2147483648 into Go struct field Inner.Inner.N of type int32' });
  assert.throws(() => decode('x'), { message: 'json: cannot unmarshal string into Go value of type pkg.Outer' });
});

test('a custom decoder\u2019s error aborts and wins over a saved type error', () => {
  // The custom decoder's own type error gets the outer context, like Go's addErrorContext.
  assert.throws(() => decode({ Name: 5, Custom: true }), (err: unknown) => err instanceof GoUnmarshalTypeError && err.message === 'json: cannot unmarshal bool into Go struct field Outer.Custom of type string');
  let seen = '';
  const abort: ValueDecoder<string> = () => {
    throw new Error('abort');
  };
  const v = goStruct<{ a: string; b: string }>('T', 'T', [field('A', 'a', abort), field('B', 'b', (j) => (seen = String(j)))]);
  assert.throws(() => unmarshal({ A: 1, B: 'x' }, v, { a: '', b: '' }), { message: 'abort' });
  assert.equal(seen, '', 'keys after the abort are not decoded');
});

test('missing raw JSON is "unexpected end of JSON input"', () => {
  assert.throws(() => unmarshal(undefined, goString(), ''), UnexpectedEndError);
  assert.throws(() => unmarshal(undefined, goString(), ''), { message: 'unexpected end of JSON input' });
});

test('maps keep data keys (no prototype tricks) and merge into the existing map', () => {
  const m = unmarshal(JSON.parse('{"__proto__":"a","10":"b","2":"c"}'), goMap(goString(), () => '', 'map[string]string'), null);
  assert.deepEqual([...m!.entries()].sort(), [['10', 'b'], ['2', 'c'], ['__proto__', 'a']]);
  const merged = unmarshal({ b: '2' }, goMap(goString(), () => '', 'map[string]string'), new Map([['a', '1']]));
  assert.deepEqual([...merged!.entries()], [['a', '1'], ['b', '2']]);
});

test('lone surrogates decode to U+FFFD, as Go decodes them', () => {
  assert.equal(wellFormed('a\ud800b\udc00c\ud83d\ude00'), 'a\ufffdb\ufffdc\ud83d\ude00');
  assert.equal(unmarshal('\udfff', goString(), ''), '\ufffd');
});
