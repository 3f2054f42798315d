/**
 * Regular expressions as flux compiles them (`regexp.Compile`, Go's RE2 syntax with Perl flags),
 * run by re2js, a port of RE2 that keeps Go's leftmost-first semantics and linear time.
 *
 * Where re2js and the Go that built flux (1.17–1.19) disagree on syntax:
 * - `(?<name>…)` named groups came with Go 1.22; re2js accepts them, so they are refused here.
 *   `(?P<name>…)` is fine in all.
 * - Go accepts two groups with the same name; re2js does not, so such names are made unique
 *   before compiling (names play no part in matching).
 * - re2js's opt-in look-behinds stay off, as Go has none.
 * Limits differ in the extreme: re2js, like Go ≥ 1.19.2, refuses nesting deeper than 1000.
 */
import { RE2JS, RE2JSSyntaxException } from 're2js';

export interface GoRegexp {
  /** The expression as given. */
  readonly source: string;
  /** Unanchored search, like Go's `MatchString`. */
  test(s: string): boolean;
}

const DUPLICATE_NAME = 'duplicate capture group name';
const CAPTURE_NAME = /^[0-9A-Za-z_]+$/;

function compile(source: string): RE2JS | RE2JSSyntaxException | undefined {
  try {
    return RE2JS.compile(source);
  } catch (err) {
    return err instanceof RE2JSSyntaxException ? err : undefined;
  }
}

/**
 * Whether a `(?<` in an expression that re2js accepts opens a named group. Doubling the `<` breaks
 * a group name (names must be word characters) but leaves a literal `(?<` — in a character class,
 * after an escaped `(`, inside `\Q…\E` — as valid as it was.
 */
function usesAngleNamedGroup(source: string): boolean {
  return source.includes('(?<') && compile(source.replaceAll('(?<', '(?<<')) instanceof RE2JSSyntaxException;
}

/** Offset just past the character class opening at `at`, following Go's parser: a leading `]` is literal, `[:name:]` nests. */
function skipClass(source: string, at: number): number {
  let i = at + 1;
  if (source[i] === '^') i++;
  if (source[i] === ']') i++;
  while (i < source.length && source[i] !== ']') {
    if (source[i] === '\\') i += 2;
    else if (source.startsWith('[:', i) && source.indexOf(':]', i + 2) >= 0) i = source.indexOf(':]', i + 2) + 2;
    else i++;
  }
  return i + 1;
}

/**
 * The expression with every `(?P<name>` given a distinct name, or `undefined` when a name is
 * invalid or unterminated (a Go error too). Escapes, `\Q…\E` and character classes are skipped.
 */
function withUniqueNames(source: string): string | undefined {
  let out = '';
  let copied = 0;
  let n = 0;
  for (let i = 0; i < source.length; ) {
    if (source.startsWith('\\Q', i)) {
      const end = source.indexOf('\\E', i + 2);
      i = end < 0 ? source.length : end + 2;
    } else if (source[i] === '\\') i += 2;
    else if (source[i] === '[') i = skipClass(source, i);
    else if (source.startsWith('(?P<', i)) {
      const close = source.indexOf('>', i + 4);
      if (close < 0 || !CAPTURE_NAME.test(source.slice(i + 4, close))) return undefined;
      out += source.slice(copied, i + 4) + `g${++n}`;
      copied = i = close;
    } else i++;
  }
  return out + source.slice(copied);
}

/** Compiles as flux's Go would; `undefined` when Go reports an error. */
export function compileGoRegexp(source: string): GoRegexp | undefined {
  let effective: string | undefined = source;
  let re = compile(source);
  if (re instanceof RE2JSSyntaxException && re.error === DUPLICATE_NAME) {
    effective = withUniqueNames(source);
    re = effective === undefined ? undefined : compile(effective);
  }
  if (!(re instanceof RE2JS) || usesAngleNamedGroup(effective!)) return undefined;
  const compiled = re;
  return { source, test: (s) => compiled.test(s) };
}
