import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GlobPattern, newPattern, PATTERN_ALL, PATTERN_LATEST, RegexpPattern, SemverPattern } from './pattern.js';

test('classification by case-sensitive prefix (docs/types.md §15)', () => {
  const cases: [string, string, string, string][] = [
    ['semver:~1', 'semver', '~1', 'semver:~1'],
    ['regexp:^v', 'regexp', '^v', 'regexp:^v'],
    ['regex:^v', 'regexp', '^v', 'regexp:^v'],
    ['glob:1.*', 'glob', '1.*', 'glob:1.*'],
    ['1.*', 'glob', '1.*', 'glob:1.*'],
    ['', 'glob', '', 'glob:'],
    ['Semver:1.x', 'glob', 'Semver:1.x', 'glob:Semver:1.x'],
    ['glob:glob:x', 'glob', 'glob:x', 'glob:glob:x'],
    ['semver:regexp:x', 'semver', 'regexp:x', 'semver:regexp:x'],
  ];
  for (const [text, kind, expression, string] of cases) {
    const p = newPattern(text);
    assert.deepEqual([p.kind, p.expression, p.toString()], [kind, expression, string], text);
  }
  assert.ok(newPattern('semver:*') instanceof SemverPattern);
  assert.ok(newPattern('regex:x') instanceof RegexpPattern);
  assert.ok(newPattern('x') instanceof GlobPattern);
});

test('validity, ordering, and what invalid patterns match', () => {
  const semverBad = newPattern('semver:!!!');
  assert.equal(semverBad.valid(), false);
  assert.deepEqual(['1.0.0', 'v2', 'latest', 'master-abc', '1.2.3-rc1'].map((t) => semverBad.matches(t)), [true, true, false, false, true]);
  const regexpBad = newPattern('regexp:(');
  assert.equal(regexpBad.valid(), false);
  assert.deepEqual(['1.0.0', 'latest', ''].map((t) => regexpBad.matches(t)), [true, true, true]);
  assert.equal(newPattern('regexp:(?<x>a)').valid(), false);
  assert.equal(newPattern('regexp:(?P<x>a)').valid(), true);
  assert.equal(newPattern('glob:[').valid(), true);
  assert.deepEqual(
    ['glob:x', 'semver:*', 'regexp:x'].map((t) => [newPattern(t).requiresTimestamp(), newPattern(t).ordering]),
    [[true, 'created'], [false, 'semver'], [true, 'created']],
  );
});

test('semver patterns match versions only; regexps search unanchored', () => {
  const p = newPattern('semver:~1');
  assert.deepEqual(['v1', '1', '1.2', '1.2.3', '', 'latest', '2.0.0', '1.2.3-rc1'].map((t) => p.matches(t)), [true, true, true, true, false, false, false, false]);
  const r = newPattern('regexp:rc');
  assert.deepEqual(['1.0.0-rc1', 'rc', 'v1'].map((t) => r.matches(t)), [true, true, false]);
});

test('named patterns', () => {
  assert.equal(PATTERN_ALL.toString(), 'glob:*');
  assert.equal(PATTERN_LATEST.toString(), 'glob:latest');
  assert.equal(PATTERN_ALL.matches(''), true);
  assert.equal(PATTERN_LATEST.matches('LATEST'), false);
});
