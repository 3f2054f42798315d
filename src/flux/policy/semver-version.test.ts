import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { RE2JS } from 're2js';
import { SemverVersionError } from './errors.js';
import { parseSemverVersion, tryParseSemverVersion, type SemverVersion } from './semver-version.js';

test('lenient parsing (docs/types.md §15.2)', () => {
  const v = parseSemverVersion('v1.2');
  assert.deepEqual([v.major, v.minor, v.patch, v.prerelease, v.metadata, v.toString()], [1n, 2n, 0n, '', '', '1.2.0']);
  assert.equal(parseSemverVersion('1').toString(), '1.0.0');
  assert.equal(parseSemverVersion('01.2.3').toString(), '1.2.3');
  assert.equal(parseSemverVersion('1.2.3-rc.1+b.5').toString(), '1.2.3-rc.1+b.5');
  assert.equal(parseSemverVersion('18446744073709551615.0.0').major, 18446744073709551615n);
  for (const bad of ['V1.2.3', '1.2.3.4', ' 1.2.3', 'latest', '1.2.3-', '1.2.3+meta_x', '', 'v', '1.2.3\n']) {
    assert.equal(tryParseSemverVersion(bad), undefined, bad);
  }
});

test("error texts are the library's", () => {
  const cases: [string, string][] = [
    ['latest', 'Invalid Semantic Version'],
    ['1.2.3-01', 'Version segment starts with 0'],
    ['1.18446744073709551616', 'Error parsing version segment: strconv.ParseUint: parsing "18446744073709551616": value out of range'],
  ];
  for (const [text, message] of cases) {
    assert.throws(() => parseSemverVersion(text), (err: unknown) => err instanceof SemverVersionError && err.message === message && err.code === 'FLUXRPC_ERR_SEMVER_VERSION');
  }
});

test('precedence: numbers, release over pre-release, identifiers, build ignored', () => {
  const ordered = ['1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-beta', '1.0.0-beta.2', '1.0.0-beta.11', '1.0.0-rc.1', '1.0.0', '1.2.0', '1.10.0', '2.0.0'];
  for (let i = 0; i + 1 < ordered.length; i++) {
    assert.equal(parseSemverVersion(ordered[i]!).compare(parseSemverVersion(ordered[i + 1]!)), -1, `${ordered[i]} < ${ordered[i + 1]}`);
  }
  assert.equal(parseSemverVersion('1.0.0+a').compare(parseSemverVersion('v1.0.0+b')), 0);
  // A pre-release number too big for 64 bits counts as alphanumeric: above every number.
  assert.equal(parseSemverVersion('1.0.0-99999999999999999999').compare(parseSemverVersion('1.0.0-5')), 1);
  assert.equal(parseSemverVersion('1.0.0-99999999999999999999').compare(parseSemverVersion('1.0.0-a')), -1);
});

// The grammar as docs/types.md states it, run by RE2: the hand-written parser must accept the same
// strings and find the same parts.
const GRAMMAR = RE2JS.compile(
  '^v?([0-9]+)(\\.[0-9]+)?(\\.[0-9]+)?(-([0-9A-Za-z\\-]+(\\.[0-9A-Za-z\\-]+)*))?(\\+([0-9A-Za-z\\-]+(\\.[0-9A-Za-z\\-]+)*))?$',
);
const versionish = fc.string({ unit: fc.constantFrom('v', 'V', '0', '1', '2', '9', '.', '-', '+', 'a', 'Z', '_', ' '), maxLength: 12 });

test('property: the parser accepts what the RE2 grammar does, with the same parts', () => {
  fc.assert(
    fc.property(versionish, (s) => {
      const m = GRAMMAR.matcher(s);
      const v = tryParseSemverVersion(s);
      if (!m.find()) return assert.equal(v, undefined);
      const pre = m.group(5) ?? '';
      const leadingZero = pre.split('.').some((id) => /^0[0-9]+$/.test(id));
      if (leadingZero) return assert.equal(v, undefined);
      assert.ok(v !== undefined, s);
      assert.equal(v.major, BigInt(m.group(1)!));
      assert.equal(v.minor, BigInt((m.group(2) ?? '.0').slice(1)));
      assert.equal(v.patch, BigInt((m.group(3) ?? '.0').slice(1)));
      assert.equal(v.prerelease, pre);
      assert.equal(v.metadata, m.group(8) ?? '');
    }),
    { numRuns: 5000 },
  );
});

const version = fc
  .tuple(
    fc.bigInt(0n, 3n),
    fc.bigInt(0n, 3n),
    fc.bigInt(0n, 3n),
    fc.array(fc.constantFrom('0', '1', '2', '10', 'a', 'b', 'rc', '-', 'A'), { maxLength: 3 }),
    fc.constantFrom('', '+b', '+c.1'),
  )
  .map(([a, b, c, pre, build]) => parseSemverVersion(`${a}.${b}.${c}${pre.length ? '-' + pre.join('.') : ''}${build}`));

test('property: compare is a total preorder consistent with toString round trips', () => {
  fc.assert(
    fc.property(version, version, version, (a: SemverVersion, b: SemverVersion, c: SemverVersion) => {
      assert.equal(a.compare(b), -b.compare(a) || 0);
      if (a.compare(b) <= 0 && b.compare(c) <= 0) assert.ok(a.compare(c) <= 0);
      assert.equal(parseSemverVersion(a.toString()).compare(a), 0);
    }),
    { numRuns: 3000 },
  );
});
