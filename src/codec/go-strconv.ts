/**
 * Go's `strconv.Quote` (the `%q` verb), used in error texts that quote input (`parsing "…"`,
 * `missing metadata for image tag "…"`).
 */

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;
const NAMED_ESCAPES: Readonly<Record<number, string>> = {
  0x07: '\\a',
  0x08: '\\b',
  0x0c: '\\f',
  0x0a: '\\n',
  0x0d: '\\r',
  0x09: '\\t',
  0x0b: '\\v',
};

/**
 * Go's `strconv.Quote` (the `%q` verb) for a string that came from JSON (valid Unicode; a lone
 * surrogate stands for U+FFFD, as Go's decoder would have made it). Printability follows Unicode
 * categories L, M, N, P, S plus the ASCII space, as Go's `unicode.IsPrint`; the Unicode version is
 * the JavaScript engine's.
 */
export function strconvQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    let cp = ch.codePointAt(0) ?? 0;
    if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd;
    if (cp === 0x22 || cp === 0x5c) out += '\\' + String.fromCodePoint(cp);
    else if (PRINTABLE.test(String.fromCodePoint(cp))) out += String.fromCodePoint(cp);
    else if (NAMED_ESCAPES[cp] !== undefined) out += NAMED_ESCAPES[cp];
    else if (cp < 0x20 || cp === 0x7f) out += '\\x' + hex(cp, 2);
    else if (cp > 0xffff) out += '\\U' + hex(cp, 8);
    else out += '\\u' + hex(cp, 4);
  }
  return out + '"';
}

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}
