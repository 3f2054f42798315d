/**
 * Semantic versions as Masterminds semver v3.1.1 reads them with its lenient parser `NewVersion`
 * (docs/types.md §15.2): an optional lower-case `v`, missing minor and patch taken as 0, leading zeros
 * allowed in the three numbers (each must fit in 64 bits unsigned), dot-separated pre-release and
 * build identifiers of `[0-9A-Za-z-]`, and no leading zero in an all-digit pre-release identifier.
 */
import { SemverVersionError } from './errors.js';

const UINT64_MAX = (1n << 64n) - 1n;
const IDENTIFIERS = '[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*';
// Anchored and unambiguous but for the two optional dotted numbers, where the first is preferred,
// as in the library's RE2 expression; a JavaScript RegExp therefore gives the same groups.
const GRAMMAR = new RegExp(`^v?([0-9]+)(?:\\.([0-9]+))?(?:\\.([0-9]+))?(?:-(${IDENTIFIERS}))?(?:\\+(${IDENTIFIERS}))?$`);
const ALL_DIGITS = /^[0-9]+$/;

/** Go's error texts, for callers that report them. */
export const SEMVER_INVALID = 'Invalid Semantic Version';
export const SEMVER_SEGMENT_STARTS_ZERO = 'Version segment starts with 0';

export class SemverVersion {
  constructor(
    readonly major: bigint,
    readonly minor: bigint,
    readonly patch: bigint,
    /** Pre-release identifiers without the `-`; `""` for a release. */
    readonly prerelease: string,
    /** Build metadata without the `+`; ignored by comparison. */
    readonly metadata: string,
    /** The text that was parsed. */
    readonly original: string,
  ) {}

  /** The normalised text: `major.minor.patch[-pre][+meta]`, without any `v`. */
  toString(): string {
    let s = `${this.major}.${this.minor}.${this.patch}`;
    if (this.prerelease !== '') s += '-' + this.prerelease;
    if (this.metadata !== '') s += '+' + this.metadata;
    return s;
  }

  /** -1, 0 or 1 as this version is lower than, equal to or higher than `other`. */
  compare(other: SemverVersion): -1 | 0 | 1 {
    return (
      compareNumbers(this.major, other.major) ||
      compareNumbers(this.minor, other.minor) ||
      compareNumbers(this.patch, other.patch) ||
      compareReleaseStatus(this.prerelease, other.prerelease)
    );
  }
}

function compareNumbers(a: bigint, b: bigint): -1 | 0 | 1 {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A release is higher than any pre-release of the same numbers. */
function compareReleaseStatus(a: string, b: string): -1 | 0 | 1 {
  if (a === '' || b === '') return a === b ? 0 : a === '' ? 1 : -1;
  return comparePrerelease(a, b);
}

/**
 * Compares two pre-release strings identifier by identifier; a missing identifier counts as `""`,
 * which is lower than any other. Identifiers that parse as 64-bit unsigned numbers are compared
 * numerically and are lower than any other; the rest compare by byte order.
 */
export function comparePrerelease(a: string, b: string): -1 | 0 | 1 {
  const as = a.split('.');
  const bs = b.split('.');
  for (let i = 0; i < Math.max(as.length, bs.length); i++) {
    const d = compareIdentifier(as[i] ?? '', bs[i] ?? '');
    if (d !== 0) return d;
  }
  return 0;
}

function compareIdentifier(a: string, b: string): -1 | 0 | 1 {
  if (a === b) return 0;
  if (a === '' || b === '') return a === '' ? -1 : 1;
  const an = asUint64(a);
  const bn = asUint64(b);
  if (an === undefined && bn === undefined) return a < b ? -1 : 1;
  if (an === undefined) return 1;
  if (bn === undefined) return -1;
  return an < bn ? -1 : 1;
}

function asUint64(s: string): bigint | undefined {
  if (!ALL_DIGITS.test(s)) return undefined;
  const n = BigInt(s);
  return n <= UINT64_MAX ? n : undefined;
}

const UINT64_TOO_BIG = (digits: string): string =>
  `Error parsing version segment: strconv.ParseUint: parsing "${digits}": value out of range`;

/** The version, or the library's error message. Messages are strings, not thrown, to keep bulk parsing cheap. */
function readVersion(text: string): SemverVersion | string {
  const m = GRAMMAR.exec(text);
  if (m === null) return SEMVER_INVALID;
  const numbers: bigint[] = [];
  for (const digits of [m[1], m[2], m[3]]) {
    const n = digits === undefined ? 0n : BigInt(digits);
    if (n > UINT64_MAX) return UINT64_TOO_BIG(digits!);
    numbers.push(n);
  }
  const prerelease = m[4] ?? '';
  for (const id of prerelease.split('.')) {
    if (id.length > 1 && id.startsWith('0') && ALL_DIGITS.test(id)) return SEMVER_SEGMENT_STARTS_ZERO;
  }
  return new SemverVersion(numbers[0]!, numbers[1]!, numbers[2]!, prerelease, m[5] ?? '', text);
}

/** Parses leniently; throws a {@link SemverVersionError} with the library's message. */
export function parseSemverVersion(text: string): SemverVersion {
  const v = readVersion(text);
  if (typeof v === 'string') throw new SemverVersionError(v);
  return v;
}

/** {@link parseSemverVersion}, with `undefined` for text that is not a version. */
export function tryParseSemverVersion(text: string): SemverVersion | undefined {
  const v = readVersion(text);
  return typeof v === 'string' ? undefined : v;
}
