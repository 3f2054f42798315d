/**
 * Go's URL handling, against values printed by Go's net/url and path (and mux's cleanPath).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cleanPath, findFirstQueryKey, goEncodeQuery, goPathEscape, goPathUnescape, GoQuery, goQueryEscape, goQueryUnescape, muxQueryVar, splitRequestTarget, UrlEscapeError } from './go-url.js';

test('goQueryEscape = url.QueryEscape', () => {
  const go: Record<string, string> = {
    '': '',
    '\u0000\u007f': '%00%7F',
    '<all>': '%3Call%3E',
    'a b': 'a+b',
    'job id/with ?&=+%; é': 'job+id%2Fwith+%3F%26%3D%2B%25%3B+%C3%A9',
    'ns with space&=é/?': 'ns+with+space%26%3D%C3%A9%2F%3F',
    'refs/heads/main~1': 'refs%2Fheads%2Fmain~1',
    "~-._*'()!$,;:@": '~-._%2A%27%28%29%21%24%2C%3B%3A%40',
    '✓': '%E2%9C%93',
  };
  for (const [s, escaped] of Object.entries(go)) {
    assert.equal(goQueryEscape(s), escaped, s);
    assert.equal(goQueryUnescape(escaped), s, escaped);
  }
});

test('goEncodeQuery = url.Values.Encode: keys sorted byte-wise, values in order, empty values kept', () => {
  assert.equal(
    goEncodeQuery([
      ['service', '<all>'],
      ['containerFields', ''],
      ['namespace', ''],
      ['b', '2'],
      ['B', '1'],
      ['b', '1'],
    ]),
    'B=1&b=2&b=1&containerFields=&namespace=&service=%3Call%3E',
  );
  assert.equal(goEncodeQuery([]), '');
});

test('GoQuery.parse = url.ParseQuery: `;` pairs and bad escapes are skipped, the first error kept', () => {
  const cases: [string, Record<string, string[]>, string | undefined][] = [
    ['a=1&b=2&a=3', { a: ['1', '3'], b: ['2'] }, undefined],
    ['a=1;b=2&c=3', { c: ['3'] }, 'invalid semicolon separator in query'],
    ['a=%zz&b=%4', {}, 'invalid URL escape "%zz"'],
    ['a=%4&b=2', { b: ['2'] }, 'invalid URL escape "%4"'],
    ['x&=y&a=&&b', { x: [''], '': ['y'], a: [''], b: [''] }, undefined],
    ['a+b=c+d&%41=%e2%9c%93', { 'a b': ['c d'], A: ['✓'] }, undefined],
    ['a=%ff', { a: ['\ufffd'] }, undefined],
  ];
  for (const [raw, values, error] of cases) {
    const q = GoQuery.parse(raw);
    for (const [k, vs] of Object.entries(values)) {
      assert.deepEqual(q.all(k), vs, `${raw} ${k}`);
      assert.equal(q.get(k), vs[0]);
    }
    assert.equal(q.error?.message, error, raw);
  }
  assert.equal(GoQuery.parse('').get('missing'), '');
  assert.equal(GoQuery.parse('a=1').has('b'), false);
  const form = GoQuery.parse('user=body&x=1').concat(GoQuery.parse('user=query&y=%zz'));
  assert.deepEqual(form.all('user'), ['body', 'query']);
  assert.equal(form.error?.message, 'invalid URL escape "%zz"');
});

test("mux's findFirstQueryKey splits on & and ;, skips what does not unescape; {var} refuses a newline", () => {
  assert.equal(findFirstQueryKey('id=a;id=b', 'id'), 'a');
  assert.equal(findFirstQueryKey('x=1&id=%zz&id=ok+ok', 'id'), 'ok ok');
  assert.equal(findFirstQueryKey('i%64=1', 'id'), '1');
  assert.equal(findFirstQueryKey('id', 'id'), '');
  assert.equal(findFirstQueryKey('idx=1', 'id'), undefined);
  assert.equal(muxQueryVar('id=%0A', 'id'), undefined);
  assert.equal(muxQueryVar('id=', 'id'), '');
});

test('goPathUnescape = url.PathUnescape (+ stays), with Go\'s escape errors', () => {
  assert.equal(goPathUnescape('/a%2Fb'), '/a/b');
  assert.equal(goPathUnescape('/a+b'), '/a+b');
  assert.equal(goPathUnescape('/%e2%9c%93'), '/✓');
  assert.equal(goPathUnescape('/%c3'), '/\ufffd');
  for (const [raw, msg] of [
    ['/%zz', 'invalid URL escape "%zz"'],
    ['/%4', 'invalid URL escape "%4"'],
    ['/a%', 'invalid URL escape "%"'],
    ['/%\u00ff1', 'invalid URL escape "%\\xff1"'],
  ] as const) {
    assert.throws(() => goPathUnescape(raw), (e: Error) => e instanceof UrlEscapeError && e.message === msg, raw);
  }
});

test('goPathEscape = URL.EscapedPath for a path set directly', () => {
  assert.equal(goPathEscape('/api/flux/v11/version'), '/api/flux/v11/version');
  assert.equal(goPathEscape('/a b/é?#%'), '/a%20b/%C3%A9%3F%23%25');
  assert.equal(goPathEscape("/$&+,:;=@!*'()"), "/$&+,:;=@%21%2A%27%28%29");
});

test("cleanPath = the ServeMux/mux cleanPath (path.Clean keeping a trailing slash)", () => {
  const go: Record<string, string> = {
    '': '/',
    '/': '/',
    '/./': '/',
    '//': '/',
    '/a/../../b': '/b',
    '/a/./b/': '/a/b/',
    '/a//b': '/a/b',
    '/a/b/..': '/a',
    '/a/b/../': '/a/',
    '/api/flux/v6/../v11/version': '/api/flux/v11/version',
    a: '/a',
  };
  for (const [p, clean] of Object.entries(go)) assert.equal(cleanPath(p), clean, p);
});

test('splitRequestTarget', () => {
  assert.deepEqual(splitRequestTarget('/a/b?x=1?y'), { rawPath: '/a/b', rawQuery: 'x=1?y' });
  assert.deepEqual(splitRequestTarget('/a'), { rawPath: '/a', rawQuery: '' });
});
