/**
 * Tag patterns: the value of a `tag.<container>` policy (docs/types.md §15). The prefix, matched
 * case-sensitively, picks the kind: `semver:`, `regexp:` or `regex:`, and otherwise glob (one
 * leading `glob:` removed). A pattern that does not compile is still a pattern: an invalid semver
 * constraint admits every version, an invalid regexp admits every tag.
 */
import { compileGoRegexp, type GoRegexp } from './go-regexp.js';
import { globMatch } from './glob.js';
import type { ImageFacts } from './image-facts.js';
import { newer, type ImageOrdering } from './ordering.js';
import { SemverConstraints } from './semver-constraints.js';
import { tryParseSemverVersion } from './semver-version.js';

export type PatternKind = 'glob' | 'semver' | 'regexp';

export interface Pattern {
  readonly kind: PatternKind;
  /** The pattern without its prefix. */
  readonly expression: string;
  /** The order images are sorted in under this pattern: semver for semver patterns, else creation time. */
  readonly ordering: ImageOrdering;
  /** Whether the tag is selected (before the special treatment of `latest`, see `matchWithLatest`). */
  matches(tag: string): boolean;
  /** Whether image `a` sorts before (is newer than) image `b` under this pattern. */
  newer(a: ImageFacts, b: ImageFacts): boolean;
  /** Glob: always; semver: the constraint parses; regexp: the expression compiles. */
  valid(): boolean;
  /** Whether ordering needs creation times (true unless semver). */
  requiresTimestamp(): boolean;
  /** The prefixed form; `regex:` is written `regexp:`, and a glob always gets `glob:`. */
  toString(): string;
}

abstract class BasePattern {
  abstract readonly kind: PatternKind;
  abstract readonly ordering: ImageOrdering;
  constructor(readonly expression: string) {}

  newer(a: ImageFacts, b: ImageFacts): boolean {
    return newer(this.ordering, a, b);
  }

  requiresTimestamp(): boolean {
    return this.ordering === 'created';
  }

  toString(): string {
    return `${this.kind}:${this.expression}`;
  }
}

export class GlobPattern extends BasePattern implements Pattern {
  readonly kind = 'glob';
  readonly ordering = 'created';

  matches(tag: string): boolean {
    return globMatch(this.expression, tag);
  }

  valid(): boolean {
    return true;
  }
}

export class SemverPattern extends BasePattern implements Pattern {
  readonly kind = 'semver';
  readonly ordering = 'semver';
  /** `undefined` when the constraint does not parse. */
  readonly constraints: SemverConstraints | undefined;

  constructor(expression: string) {
    super(expression);
    this.constraints = SemverConstraints.tryParse(expression);
  }

  /** Only versions match; with an invalid constraint, every version does. */
  matches(tag: string): boolean {
    const v = tryParseSemverVersion(tag);
    return v !== undefined && (this.constraints === undefined || this.constraints.check(v));
  }

  valid(): boolean {
    return this.constraints !== undefined;
  }
}

export class RegexpPattern extends BasePattern implements Pattern {
  readonly kind = 'regexp';
  readonly ordering = 'created';
  /** `undefined` when the expression does not compile. */
  readonly regexp: GoRegexp | undefined;

  constructor(expression: string) {
    super(expression);
    this.regexp = compileGoRegexp(expression);
  }

  /** Unanchored search; with an invalid expression, every tag matches. */
  matches(tag: string): boolean {
    return this.regexp === undefined || this.regexp.test(tag);
  }

  valid(): boolean {
    return this.regexp !== undefined;
  }
}

const GLOB_PREFIX = 'glob:';
const PREFIXES: readonly [string, (expression: string) => Pattern][] = [
  ['semver:', (e) => new SemverPattern(e)],
  ['regexp:', (e) => new RegexpPattern(e)],
  ['regex:', (e) => new RegexpPattern(e)],
];

/** Go's `policy.NewPattern`. */
export function newPattern(text: string): Pattern {
  for (const [prefix, make] of PREFIXES) {
    if (text.startsWith(prefix)) return make(text.slice(prefix.length));
  }
  return new GlobPattern(text.startsWith(GLOB_PREFIX) ? text.slice(GLOB_PREFIX.length) : text);
}

/** Every tag (glob `*`); the pattern of a container without a tag policy. */
export const PATTERN_ALL: Pattern = newPattern('glob:*');
/** Only the tag `latest` (glob `latest`); the one pattern that may select `latest`. */
export const PATTERN_LATEST: Pattern = newPattern('glob:latest');

/** Whether the pattern is Go's `policy.PatternLatest` (compared by value, as Go compares interfaces). */
export function isPatternLatest(pattern: Pattern): boolean {
  return pattern.kind === 'glob' && pattern.expression === 'latest';
}
