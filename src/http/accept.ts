/**
 * Content negotiation for error bodies, as Flux's `WriteError` does it: the `Accept` parser of
 * `github.com/golang/gddo/httputil/header` (`ParseAccept`) and flux's `negotiateContentType`.
 *
 * Quirks kept from Go: each `Accept` header line is parsed on its own, and parsing of a line stops
 * at the first element it cannot read (a parameter other than a leading `q=`, a bad `q` value, a
 * missing comma); media types must match exactly (no wildcards, case-sensitive); `q=0` still
 * counts; ties go to the server's order of preference.
 */

export interface AcceptSpec {
  readonly value: string;
  readonly q: number;
}

const SEPARATORS = ' \t"(),/:;<=>?@[]\\{}';

function isTokenByte(c: number): boolean {
  return c > 31 && c < 127 && !SEPARATORS.includes(String.fromCharCode(c));
}

function isSpaceByte(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a;
}

function skipSpace(s: string): string {
  let i = 0;
  while (i < s.length && isSpaceByte(s.charCodeAt(i))) i++;
  return s.slice(i);
}

function tokenSlash(s: string): [string, string] {
  let i = 0;
  while (i < s.length && (isTokenByte(s.charCodeAt(i)) || s[i] === '/')) i++;
  return [s.slice(0, i), s.slice(i)];
}

function quality(s: string): [number, string] {
  if (s.length === 0) return [-1, ''];
  let q: number;
  if (s[0] === '0') q = 0;
  else if (s[0] === '1') q = 1;
  else return [-1, ''];
  s = s.slice(1);
  if (!s.startsWith('.')) return [q, s];
  s = s.slice(1);
  let i = 0;
  let n = 0;
  let d = 1;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) break;
    n = n * 10 + (c - 0x30);
    d *= 10;
  }
  return [q + n / d, s.slice(i)];
}

/** gddo's `header.ParseAccept` over the header's lines. */
export function parseAccept(lines: readonly string[]): AcceptSpec[] {
  const specs: AcceptSpec[] = [];
  for (let s of lines) {
    for (;;) {
      let value: string;
      [value, s] = tokenSlash(s);
      if (value === '') break;
      let q = 1;
      s = skipSpace(s);
      if (s.startsWith(';')) {
        s = skipSpace(s.slice(1));
        if (!s.startsWith('q=')) break;
        [q, s] = quality(s.slice(2));
        if (q < 0) break;
      }
      specs.push({ value, q });
      s = skipSpace(s);
      if (!s.startsWith(',')) break;
      s = skipSpace(s.slice(1));
    }
  }
  return specs;
}

/**
 * flux's `negotiateContentType`: no parsable element → the first preference; otherwise the listed
 * type with the highest `q` (ties: the earlier preference); `""` when none of the elements is one
 * of the preferences.
 */
export function negotiateContentType(lines: readonly string[], preferences: readonly string[]): string {
  const specs = parseAccept(lines);
  if (specs.length === 0) return preferences[0] ?? '';
  const candidates = specs.filter((s) => preferences.includes(s.value));
  if (candidates.length === 0) return '';
  candidates.sort((a, b) => (a.q === b.q ? preferences.indexOf(a.value) - preferences.indexOf(b.value) : b.q - a.q));
  return candidates[0]!.value;
}
