import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileGoRegexp } from './go-regexp.js';

test('Go syntax: what compiles', () => {
  const valid = ['', '^v', '(?P<n>a)', '(?P<n>a)(?P<n>b)', '[(?<]', '\\(?<', '\\Qa(?<\\E', '(?i)x', '\\pL', '[[:alpha:]]', 'a{1000}', '(?U)a+', '\\z'];
  const invalid = ['(?<n>a)', '(?=a)', '(?<=a)b', '(?<!a)b', '(a)\\1', '[', '(', 'a**', 'a++', 'a{1001}', '\\C', '\\Z', '\\8', '(?P<>a)', '(?P<n->a)', '(?P<n>a)(?P<n>b)(?<m>c)'];
  for (const s of valid) assert.ok(compileGoRegexp(s) !== undefined, `valid: ${s}`);
  for (const s of invalid) assert.equal(compileGoRegexp(s), undefined, `invalid: ${s}`);
});

test('duplicate group names (accepted by Go) match as written, literal look-alikes untouched', () => {
  const re = compileGoRegexp('[(?P<n>](?P<n>a)(?P<n>b)')!;
  assert.deepEqual(['nab', '<ab', 'ab', 'xab'].map((s) => re.test(s)), [true, true, false, false]);
  const quoted = compileGoRegexp('\\Q(?P<n>\\E(?P<n>b)')!;
  assert.deepEqual(['(?P<n>b', 'b'].map((s) => quoted.test(s)), [true, false]);
});

test('unanchored search, leftmost-first, Unicode code points', () => {
  const re = compileGoRegexp('^.$')!;
  assert.equal(re.test('😀'), true);
  assert.equal(re.test('ab'), false);
  assert.equal(compileGoRegexp('(?i)ſ')!.test('S'), true);
  assert.equal(compileGoRegexp('b')!.test('abc'), true);
});
