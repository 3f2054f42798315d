/**
 * Version constraints as Masterminds semver v3.1.1 reads and checks them (docs/types.md §15.3).
 *
 * The library defines its grammar with RE2 expressions, quirks included (`|` is a digit of a
 * wildcard number, so `1|2` parses and then fails; the empty operator; ranges `A - B` rewritten
 * textually before anything else). The same languages are expressed here and run by re2js, so
 * that leftmost-first matching decides exactly as in Go. `\s` is RE2's ASCII white space
 * `[\t\n\f\r ]`: a vertical tab is not white space.
 */
import { RE2JS } from 're2js';
import { SemverConstraintError } from './errors.js';
import { comparePrerelease, tryParseSemverVersion, type SemverVersion } from './semver-version.js';
import { GoText } from '../../runtime/go-text.js';

// Operator alternatives in the library's order, the empty operator second.
const OPERATORS = '=||!=|>|<|>=|=>|<=|=<|~|~>|\\^';
const NUMBER = '[0-9xX*|]+';
const IDENTIFIERS = '[0-9A-Za-z\\-]+(?:\\.[0-9A-Za-z\\-]+)*';
const BUILD = `(?:\\+${IDENTIFIERS})?`;
/** A constraint's version; groups: 1 major, 2 `.minor`, 3 `.patch`, 4 `-pre`. */
const VERSION_GROUPS = `v?(${NUMBER})(\\.${NUMBER})?(\\.${NUMBER})?(-${IDENTIFIERS})?${BUILD}`;
const VERSION = `v?${NUMBER}(?:\\.${NUMBER})?(?:\\.${NUMBER})?(?:-${IDENTIFIERS})?${BUILD}`;

const RANGE = RE2JS.compile(`\\s*(${VERSION})\\s+-\\s+(${VERSION})\\s*`);
const VALID_SEGMENT = RE2JS.compile(`^(?:\\s*(?:${OPERATORS})\\s*${VERSION}\\s*,?)+$`);
const TOKEN = RE2JS.compile(`(?:${OPERATORS})\\s*${VERSION}`);
/** Groups: 1 operator, 2 version text, 3 major, 4 `.minor`, 5 `.patch`, 6 `-pre`. */
const SINGLE = RE2JS.compile(`^\\s*(${OPERATORS})\\s*(${VERSION_GROUPS})\\s*$`);

type Operator = '' | '=' | '!=' | '>' | '<' | '>=' | '=>' | '<=' | '=<' | '~' | '~>' | '^';

/** One comparison, e.g. `>=1.2` or `!=1.x`. */
interface Comparison {
  readonly operator: Operator;
  /** The version with wildcards and missing parts replaced by zeros. */
  readonly version: SemverVersion;
  /** Some part was a wildcard or missing (`1.2`, `1.x`, `*`). */
  readonly dirty: boolean;
  /** The minor part was a wildcard or missing (`1`, `1.x`). */
  readonly minorDirty: boolean;
  /** The patch part was a wildcard or missing while the minor was given (`1.2`, `1.2.x`). */
  readonly patchDirty: boolean;
}

function isWildcard(s: string): boolean {
  return s === 'x' || s === 'X' || s === '*';
}

function group(m: ReturnType<RE2JS['matcher']>, i: number): string {
  return m.group(i) ?? '';
}

/** Every `A - B` becomes `>= A, <= B`, replacing the first occurrence of the matched text. */
function rewriteRanges(text: string): string {
  const m = RANGE.matcher(text);
  const found: { whole: string; from: string; to: string }[] = [];
  while (m.find()) found.push({ whole: group(m, 0), from: group(m, 1), to: group(m, 2) });
  let out = text;
  for (const { whole, from, to } of found) {
    const at = out.indexOf(whole);
    if (at >= 0) out = out.slice(0, at) + `>= ${from}, <= ${to}` + out.slice(at + whole.length);
  }
  return out;
}

function parseComparison(token: string): Comparison {
  const m = SINGLE.matcher(token);
  if (!m.find()) throw new SemverConstraintError(GoText.improperConstraint(token));
  const major = group(m, 3);
  const minor = group(m, 4);
  const patch = group(m, 5);
  const pre = group(m, 6);
  let text = group(m, 2);
  let minorDirty = false;
  let patchDirty = false;
  let dirty = true;
  if (isWildcard(major)) text = '0.0.0';
  else if (minor === '' || isWildcard(minor.slice(1))) {
    minorDirty = true;
    text = `${major}.0.0${pre}`;
  } else if (patch === '' || isWildcard(patch.slice(1))) {
    patchDirty = true;
    text = `${major}${minor}.0${pre}`;
  } else dirty = false;
  const version = tryParseSemverVersion(text);
  if (version === undefined) throw new SemverConstraintError(GoText.constraintParserError);
  return { operator: group(m, 1) as Operator, version, dirty, minorDirty, patchDirty };
}

function parseSegment(segment: string): Comparison[] {
  if (!VALID_SEGMENT.test(segment)) throw new SemverConstraintError(GoText.improperConstraint(segment));
  const tokens: string[] = [];
  const m = TOKEN.matcher(segment);
  while (m.find()) tokens.push(group(m, 0));
  return (tokens.length > 0 ? tokens : [segment]).map(parseComparison);
}

/** A constraint set: alternatives separated by `||`, each a conjunction of comparisons. */
export class SemverConstraints {
  private constructor(
    /** The text that was parsed. */
    readonly source: string,
    private readonly alternatives: readonly (readonly Comparison[])[],
  ) {}

  /** Parses as `semver.NewConstraint`; throws a {@link SemverConstraintError} with its message. */
  static parse(text: string): SemverConstraints {
    return new SemverConstraints(text, rewriteRanges(text).split('||').map(parseSegment));
  }

  /** {@link parse}, with `undefined` for an invalid constraint. */
  static tryParse(text: string): SemverConstraints | undefined {
    try {
      return SemverConstraints.parse(text);
    } catch (err) {
      if (err instanceof SemverConstraintError) return undefined;
      throw err;
    }
  }

  /** Whether `v` satisfies every comparison of some alternative. */
  check(v: SemverVersion): boolean {
    return this.alternatives.some((all) => all.every((c) => satisfies(v, c)));
  }
}

/** Whether `v` satisfies one comparison, with the library's per-operator wildcard rules. */
function satisfies(v: SemverVersion, c: Comparison): boolean {
  const con = c.version;
  // A pre-release satisfies only comparisons whose own version is a pre-release; the one
  // exception is `!=` against a complete version.
  const preReleaseBarred = v.prerelease !== '' && con.prerelease === '';
  switch (c.operator) {
    case '':
    case '=':
      if (preReleaseBarred) return false;
      return c.dirty ? tilde(v, c) : v.compare(con) === 0;
    case '!=':
      if (!c.dirty) return v.compare(con) !== 0;
      return !preReleaseBarred && notEqualWildcard(v, c);
    case '>':
      if (preReleaseBarred) return false;
      if (!c.dirty) return v.compare(con) > 0;
      if (v.major !== con.major) return v.major > con.major;
      if (c.minorDirty) return false;
      if (c.patchDirty) return v.minor > con.minor;
      return v.compare(con) > 0;
    case '<':
      return !preReleaseBarred && v.compare(con) < 0;
    case '>=':
    case '=>':
      return !preReleaseBarred && v.compare(con) >= 0;
    case '<=':
    case '=<':
      if (preReleaseBarred) return false;
      if (!c.dirty) return v.compare(con) <= 0;
      // A missing part admits all of it: `<=1.2` admits 1.2.9; `<=*` (0.0.0) admits 0.0.z only.
      if (v.major !== con.major) return v.major < con.major;
      return c.minorDirty || v.minor <= con.minor;
    case '~':
    case '~>':
      return !preReleaseBarred && tilde(v, c);
    case '^':
      return !preReleaseBarred && caret(v, c);
  }
}

/** `!=` with wildcards: false when `v` falls inside the range the wildcard version spans. */
function notEqualWildcard(v: SemverVersion, c: Comparison): boolean {
  const con = c.version;
  if (v.major !== con.major) return true;
  if (c.minorDirty) return false;
  if (v.minor !== con.minor) return true;
  if (c.patchDirty) return (v.prerelease !== '' || con.prerelease !== '') && comparePrerelease(v.prerelease, con.prerelease) !== 0;
  if (v.patch !== con.patch) return true;
  return v.compare(con) !== 0;
}

/** At least the version, within its major (and minor, unless the minor was a wildcard); anything for 0.0.0. */
function tilde(v: SemverVersion, c: Comparison): boolean {
  const con = c.version;
  if (v.compare(con) < 0) return false;
  if (con.major === 0n && con.minor === 0n && con.patch === 0n && !c.minorDirty && !c.patchDirty) return true;
  if (v.major !== con.major) return false;
  return c.minorDirty || v.minor === con.minor;
}

/** At least the version, keeping its left-most non-zero part (or left-most given part) fixed. */
function caret(v: SemverVersion, c: Comparison): boolean {
  const con = c.version;
  if (v.compare(con) < 0) return false;
  if (con.major > 0n || c.minorDirty) return v.major === con.major;
  if (v.major > 0n) return false;
  if (con.minor > 0n || c.patchDirty) return v.minor === con.minor;
  return v.patch === con.patch;
}
