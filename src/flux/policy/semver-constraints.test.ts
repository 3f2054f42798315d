import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SemverConstraintError } from './errors.js';
import { SemverConstraints } from './semver-constraints.js';
import { parseSemverVersion } from './semver-version.js';

const CANDIDATES = '1.2.3 1.2.4 1.3.0 1.4.5 1.5.0 2.0.0 0.2.5 0.3.0 0.0.3 0.0.4 1.2.4-rc1 3.1.0 v1.2.3'.split(' ');

function satisfiedBy(constraint: string): string {
  const c = SemverConstraints.parse(constraint);
  return CANDIDATES.filter((v) => c.check(parseSemverVersion(v))).join(' ');
}

test('the verified table of docs/types.md §15.3', () => {
  const table: [string[], string][] = [
    [['~1.2.3', '~1.2', '1.2.x'], '1.2.3 1.2.4 v1.2.3'],
    [['~1', '^1.2.3'], '1.2.3 1.2.4 1.3.0 1.4.5 1.5.0 v1.2.3'],
    [['^0.2.3'], '0.2.5'],
    [['^0.0.3'], '0.0.3'],
    [['^0'], '0.2.5 0.3.0 0.0.3 0.0.4'],
    [['>1.x'], '2.0.0 3.1.0'],
    [['>=1.2, <2', '>= 1.2 < 2'], '1.2.3 1.2.4 1.3.0 1.4.5 1.5.0 v1.2.3'],
    [['1.2 - 1.4.5'], '1.2.3 1.2.4 1.3.0 1.4.5 v1.2.3'],
    [['!=1.2.x'], '1.3.0 1.4.5 1.5.0 2.0.0 0.2.5 0.3.0 0.0.3 0.0.4 3.1.0'],
    [['*'], '1.2.3 1.2.4 1.3.0 1.4.5 1.5.0 2.0.0 0.2.5 0.3.0 0.0.3 0.0.4 3.1.0 v1.2.3'],
    [['=1.2.3', 'v1.2.3'], '1.2.3 v1.2.3'],
    [['>=1.0.0-0'], '1.2.3 1.2.4 1.3.0 1.4.5 1.5.0 2.0.0 1.2.4-rc1 3.1.0 v1.2.3'],
    [['<=1.2'], '1.2.3 1.2.4 0.2.5 0.3.0 0.0.3 0.0.4 v1.2.3'],
    [['1.x || >=3'], '1.2.3 1.2.4 1.3.0 1.4.5 1.5.0 3.1.0 v1.2.3'],
    [['>=1.2,<2,!=1.5.0'], '1.2.3 1.2.4 1.3.0 1.4.5 v1.2.3'],
  ];
  for (const [constraints, expected] of table) {
    for (const c of constraints) assert.equal(satisfiedBy(c), expected, c);
  }
});

test("invalid constraints, with the library's messages", () => {
  const cases: [string, string][] = [
    ['', 'improper constraint: '],
    ['latest', 'improper constraint: latest'],
    ['>=1.2 ||', 'improper constraint: '],
    ['1 ||  x y', 'improper constraint:   x y'],
    ['1|2', 'constraint Parser Error'],
    ['\v1', 'improper constraint: \v1'],
    ['>=18446744073709551616', 'constraint Parser Error'],
  ];
  for (const [text, message] of cases) {
    assert.throws(() => SemverConstraints.parse(text), (err: unknown) => err instanceof SemverConstraintError && err.message === message, JSON.stringify(text));
    assert.equal(SemverConstraints.tryParse(text), undefined);
  }
});

test('quirks kept from the library', () => {
  // `!=` against a complete version admits pre-releases; with a wildcard it does not.
  assert.equal(SemverConstraints.parse('!=1.2.3').check(parseSemverVersion('1.2.4-rc1')), true);
  assert.equal(SemverConstraints.parse('!=1.2.x').check(parseSemverVersion('1.3.0-rc1')), false);
  // `^*` and `<=*` read the wildcard as 0.0.0 with only the major dirty: `^*` admits 0.y.0 only.
  assert.equal(satisfiedBy('^*'), '0.3.0');
  assert.equal(SemverConstraints.parse('^*').check(parseSemverVersion('0.0.0')), true);
  assert.equal(satisfiedBy('<=*'), '0.0.3 0.0.4');
  // A range is rewritten textually: a second dash makes the rest invalid.
  assert.equal(SemverConstraints.tryParse('1 - 2 - 3'), undefined);
  // `\s` is RE2's: tab, newline, form feed and carriage return are white space.
  assert.equal(satisfiedBy('\t>=1.2\n<2\r\f'), '1.2.3 1.2.4 1.3.0 1.4.5 1.5.0 v1.2.3');
});

const simple = fc.tuple(fc.nat(3), fc.nat(3), fc.nat(3)).map(([a, b, c]) => `${a}.${b}.${c}`);
const withPre = fc
  .tuple(simple, fc.constantFrom('', '-rc.1', '-0', '-beta'))
  .map(([v, pre]) => v + pre);

test('property: equivalences between operators on complete versions', () => {
  fc.assert(
    fc.property(simple, simple, simple, withPre, (x, a, b, v) => {
      const check = (c: string) => SemverConstraints.parse(c).check(parseSemverVersion(v));
      assert.equal(check(`>=${x}, <=${x}`), check(`=${x}`));
      assert.equal(check(`>=${x}`), check(`>${x}`) || check(`=${x}`));
      assert.equal(check(`${a} - ${b}`), check(`>=${a}, <=${b}`));
      assert.equal(check(`${a} || ${b}`), check(a) || check(b));
      if (!v.includes('-')) assert.equal(check(`!=${x}`), !check(`=${x}`));
    }),
    { numRuns: 3000 },
  );
});
