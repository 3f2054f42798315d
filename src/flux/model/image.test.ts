import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalImageRef, decodeImageName, decodeImageRef, encodeImageName, encodeImageRef, imageRefString, parseImageRef } from './image.js';
import { InvalidImageRefError } from './errors.js';

// docs/types.md §3.3's table, verified against Go.
const table: Array<[string, string, string, string, string, string, string]> = [
  ['alpine', '', 'alpine', '', '', 'alpine', 'index.docker.io/library/alpine'],
  ['library/alpine:3.5', '', 'library/alpine', '3.5', '', 'library/alpine:3.5', 'index.docker.io/library/alpine:3.5'],
  ['docker.io/fluxcd/flux:1.1.0', 'docker.io', 'fluxcd/flux', '1.1.0', '', 'docker.io/fluxcd/flux:1.1.0', 'index.docker.io/fluxcd/flux:1.1.0'],
  ['localhost:5000/arbitrary/path/to/repo:revision-sha1', 'localhost:5000', 'arbitrary/path/to/repo', 'revision-sha1', '', 'localhost:5000/arbitrary/path/to/repo:revision-sha1', 'localhost:5000/arbitrary/path/to/repo:revision-sha1'],
  ['quay.io/example.com/frob:v0.4.5', 'quay.io', 'example.com/frob', 'v0.4.5', '', 'quay.io/example.com/frob:v0.4.5', 'quay.io/example.com/frob:v0.4.5'],
  ['host:5000/foo', '', 'host', '5000/foo', '', 'host:5000/foo', 'index.docker.io/library/host:5000/foo'],
  ['xlocalhostx/foo', 'xlocalhostx', 'foo', '', '', 'xlocalhostx/foo', 'xlocalhostx/foo'],
  ['foo:1@sha256:abc', '', 'foo', '1', 'abc', 'foo@sha256:abc', 'index.docker.io/library/foo:1'],
  ['a/b/c:d', 'a', 'b/c', 'd', '', 'a/b/c:d', 'a/b/c:d'],
  ['index.docker.io/x', 'index.docker.io', 'x', '', '', 'index.docker.io/x', 'index.docker.io/library/x'],
];

test('parsing and canonical refs follow docs/types.md §3.3', () => {
  for (const [input, domain, image, tag, sha, text, canonical] of table) {
    const r = parseImageRef(input);
    assert.deepEqual(r, { domain, image, tag, sha }, input);
    assert.equal(imageRefString(r), text, input);
    assert.equal(imageRefString(canonicalImageRef(r)), canonical, input);
  }
});

test('parse errors have Go\u2019s text, prefixed or not', () => {
  const malformed = 'expected image name as either <image>:<tag> or just <image>: invalid image ID';
  const cases: Array<[string, string]> = [
    ['', 'parsing "": blank image name: invalid image ID'],
    ['/a', `parsing "/a": ${malformed}`],
    ['a/', `parsing "a/": ${malformed}`],
    ['foo@sha256:', `parsing "foo@sha256:": ${malformed}`],
    [':tag', `parsing ":tag": ${malformed}`],
    ['a:b:c', malformed],
    ['a"b:', `parsing "a\\"b:": ${malformed}`],
    // strconv.Quote escapes what unicode.IsPrint refuses: no-break space, zero-width space.
    ['a\u00a0b:', `parsing "a\\u00a0b:": ${malformed}`],
    ['/\u200b', `parsing "/\\u200b": ${malformed}`],
  ];
  for (const [input, message] of cases) {
    assert.throws(() => parseImageRef(input), (err: unknown) => err instanceof InvalidImageRefError && err.message === message, input);
  }
});

test('Ref JSON is its text; null and "" do not decode', () => {
  assert.equal(encodeImageRef(parseImageRef('quay.io/a:<b>')), '"quay.io/a:\\u003cb\\u003e"');
  assert.throws(() => decodeImageRef(null), { message: 'parsing "": blank image name: invalid image ID' });
  assert.throws(() => decodeImageRef(5), { message: 'json: cannot unmarshal number into Go value of type string' });
  assert.deepEqual(decodeImageRef('a:1'), { domain: '', image: 'a', tag: '1', sha: '' });
});

test('Name JSON is a plain object, keys case-insensitive', () => {
  assert.equal(encodeImageName({ domain: 'quay.io', image: 'x/y' }), '{"Domain":"quay.io","Image":"x/y"}');
  assert.deepEqual(decodeImageName({ DOMAIN: 'd', image: 'i', Tag: 'ignored' }), { domain: 'd', image: 'i' });
  assert.throws(() => decodeImageName({ Domain: 5 }), { message: 'json: cannot unmarshal number into Go struct field Name.Domain of type string' });
});
