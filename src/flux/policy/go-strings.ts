/**
 * String operations with Go's semantics. Go strings are UTF-8 bytes; JavaScript strings are UTF-16
 * code units, so comparison and quoting need care beyond ASCII.
 */

export { compareGoStrings } from '../../codec/go-json.js';

export { strconvQuote } from '../../codec/go-strconv.js';

/**
 * Go's `strings.EqualFold(s, "latest")`: Unicode simple case folding, under which the long s
 * (U+017F) equals `s`, so `lateſt` counts as `latest`.
 */
export function equalFoldLatest(s: string): boolean {
  if (s.length !== 6) return false;
  for (let i = 0; i < 6; i++) {
    let c = s.charCodeAt(i);
    if (c === 0x17f) c = 0x73;
    else if (c >= 0x41 && c <= 0x5a) c += 0x20;
    if (c !== 'latest'.charCodeAt(i)) return false;
  }
  return true;
}
