/**
 * Go's `encoding/json` text dialect (Go 1.19, the version Flux was built with).
 *
 * `JSON.stringify` already produces Go's form for numbers (same shortest round-trip digits and the
 * same exponent thresholds), for `"`/`\\` and for `\n` `\r` `\t` and `\u00XX` (lower-case hex).
 * What differs, and is rewritten here:
 * - `<` `>` `&` become `\u003c` `\u003e` `\u0026` (Go escapes HTML characters everywhere);
 * - U+2028 and U+2029 become `\u2028` and `\u2029`;
 * - `\b` and `\f` become `\u0008` and `\u000c` (Go 1.19 has no short forms for them);
 * - a lone UTF-16 surrogate (which Go strings cannot hold) becomes `\ufffd`, which is what Go
 *   writes for the invalid UTF-8 such a string would have been.
 *
 * The rewrite only runs when a quick test finds one of those characters, so the common case costs
 * one native regexp scan over the text.
 */

/** Characters or escapes in `JSON.stringify` output that Go writes differently. */
const NEEDS_REWRITE = /[<>&\u2028\u2029]|\\[bfu]/;
/** An escape sequence (consumed whole so `\\b` is never mistaken for `\b`) or an HTML character. */
const REWRITE = /\\(?:u(d[89a-f][0-9a-f]{2})|([bf])|.)|[<>&\u2028\u2029]/g;

const REPLACEMENTS: Record<string, string> = {
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
  b: '\\u0008',
  f: '\\u000c',
};

function rewrite(match: string, surrogate: string | undefined, shortEscape: string | undefined): string {
  if (surrogate !== undefined) return '\\ufffd';
  if (shortEscape !== undefined) return REPLACEMENTS[shortEscape]!;
  if (match.length === 1) return REPLACEMENTS[match]!;
  return match;
}

/** Escapes and characters other than the HTML ones; when absent, plain literal replacement is enough. */
const NEEDS_FULL_REWRITE = /[\u2028\u2029]|\\[bfu]/;

/** Rewrites JSON text produced by `JSON.stringify` into Go 1.19's form. */
export function toGoJsonText(jsonText: string): string {
  if (!NEEDS_REWRITE.test(jsonText)) return jsonText;
  if (NEEDS_FULL_REWRITE.test(jsonText)) return jsonText.replace(REWRITE, rewrite);
  // Common case (HTML characters only, e.g. "<all>"): native literal replacement, no callback.
  return jsonText.replaceAll('<', '\\u003c').replaceAll('>', '\\u003e').replaceAll('&', '\\u0026');
}

/** Characters that make a string's JSON form differ from `"` + the string + `"` in Go. */
const STRING_NEEDS_ESCAPE = /["\\\u0000-\u001f<>&\u2028\u2029\ud800-\udfff]/;
/** No character of `STRING_NEEDS_ESCAPE` (the anchored complement: a little faster on the short strings that dominate). */
const STRING_IS_PLAIN = /^[^"\\\u0000-\u001f<>&\u2028\u2029\ud800-\udfff]*$/;

/**
 * A string's Go JSON form as pieces to be written one after another, without building the quoted
 * copy: for large strings with nothing to escape (base64, plain text) this saves a copy.
 */
export function goQuoteParts(s: string): string[] {
  return s.length >= 1024 && !STRING_NEEDS_ESCAPE.test(s) ? ['"', s, '"'] : [goQuote(s)];
}

/**
 * Encodes a value as Go's `json.Marshal` would, for values already shaped like the Go type
 * (field order = property order). `undefined` at the top level encodes as `null`.
 */
export function goStringify(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? 'null' : toGoJsonText(text);
}

/**
 * Go's encoding of a string value. Fast path: a string with none of the characters that
 * `JSON.stringify` or the Go rewrite would touch (`"`, `\\`, controls, `<>&`, U+2028/9, any
 * surrogate) is written as is between quotes, after one regexp scan.
 */
export function goQuote(s: string): string {
  return typeof s === 'string' && STRING_IS_PLAIN.test(s) ? '"' + s + '"' : goQuoteGeneral(s);
}

/** `goQuote` without the fast path: `JSON.stringify` rewritten to Go's form (any string). */
export function goQuoteGeneral(s: string): string {
  return toGoJsonText(JSON.stringify(s));
}

/**
 * JSON text that is already encoded in Go's form and is embedded as is (Go's `json.RawMessage`
 * after compaction). Used to encode a value once and splice it into an envelope. The text may be
 * held as parts (e.g. one per element of a large list) that are written one after another and
 * never joined into one string.
 */
export class RawJson {
  private value: string | readonly string[] | (() => string | readonly string[]);

  constructor(text: string) {
    this.value = text;
  }

  /**
   * JSON text produced only when it is first needed: the RPC server encodes a reply when it is
   * about to write it, so the work of many replies is spread over turns of the event loop. `encode`
   * may return the text as parts, to be written in order.
   */
  static lazy(encode: () => string | readonly string[]): RawJson {
    const raw = new RawJson('');
    raw.value = encode;
    return raw;
  }

  /** The text as parts to write in order (one part unless it was made of parts). */
  get parts(): readonly string[] {
    const value = this.resolve();
    return typeof value === 'string' ? [value] : value;
  }

  /** The whole text (joins the parts, if any). */
  get text(): string {
    const value = this.resolve();
    return typeof value === 'string' ? value : value.join('');
  }

  private resolve(): string | readonly string[] {
    if (typeof this.value === 'function') this.value = this.value();
    return this.value;
  }

  toJSON(): never {
    throw new TypeError('RawJson must be spliced, not passed through JSON.stringify');
  }
}

/**
 * Go's order of strings: byte-wise on their UTF-8 forms (the order of map keys in Go's JSON). For
 * UTF-16 strings this is code-unit order except that surrogates (code points ≥ U+10000) sort after
 * U+E000–U+FFFF; no UTF-8 copy is made.
 */
export function compareGoStrings(a: string, b: string): -1 | 0 | 1 {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return utf8Rank(x) < utf8Rank(y) ? -1 : 1;
  }
  return a.length < b.length ? -1 : 1;
}

function utf8Rank(unit: number): number {
  if (unit < 0xd800) return unit;
  return unit < 0xe000 ? unit + 0x2000 : unit - 0x800;
}

/** The JSON kind word Go's decoder uses in "cannot unmarshal <kind>" messages. */
export function jsonKind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  switch (typeof value) {
    case 'string':
      return 'string';
    case 'number':
      return 'number';
    case 'boolean':
      return 'bool';
    default:
      return 'object';
  }
}

/**
 * A JSON object key folded as Go's decoder matches struct field names case-insensitively (Unicode
 * simple folding: also `ſ` matches `s` and the Kelvin sign matches `k`).
 */
export function goFoldKey(key: string): string {
  return key.toLowerCase().replace(/ſ/g, 's');
}
