import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { globMatch } from './glob.js';

test('go-glob examples (docs/types.md §15.1)', () => {
  const cases: [string, string, boolean][] = [
    ['a*a', 'a', false],
    ['a*a', 'aa', true],
    ['a?c', 'abc', false],
    ['a?c', 'a?c', true],
    ['**', 'x', true],
    ['*b*b', 'abcb', true],
    ['', '', true],
    ['', 'x', false],
    ['*', '', true],
    ['master-*', 'master-', true],
    ['master-*', 'foo-master', false],
    ['[ab]*', 'ax', false],
    ['ab*ba', 'aba', false],
    ['ab*ba', 'abba', true],
  ];
  for (const [p, s, want] of cases) assert.equal(globMatch(p, s), want, `${p} ~ ${s}`);
});

test('property: a glob is an anchored match of its parts in order (regex reference)', () => {
  const unit = fc.constantFrom('a', 'b', '?', '.');
  const subject = fc.string({ unit, maxLength: 8 });
  const pattern = fc.string({ unit: fc.constantFrom('a', 'b', '?', '.', '*'), maxLength: 6 });
  const escape = (s: string) => s.replace(/[.?*+^$()[\]{}|\\]/g, '\\$&');
  fc.assert(
    fc.property(pattern, subject, (p, s) => {
      const reference = new RegExp(`^${p.split('*').map(escape).join('.*')}$`, 's');
      assert.equal(globMatch(p, s), reference.test(s));
    }),
    { numRuns: 5000 },
  );
});
