/**
 * Building blocks for writing JSON text exactly as Go's `json.Marshal` does. Encoders build the
 * text by hand (never through a JS object) so that field order is Go's declaration order and map
 * keys are in Go's byte-wise order, whatever JavaScript would do with integer-like keys.
 */
import { goQuote } from '../../codec/go-json.js';
import { ModelEncodeError } from './errors.js';

export { goQuote };

/**
 * Go's order for map keys: byte-wise on UTF-8, which is code point order. JavaScript's `<` compares
 * UTF-16 code units, which differs once a key holds a character beyond U+FFFF; this fixes that.
 */
export function compareGoStrings(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

/** Maps a UTF-16 code unit so that surrogates (code points ≥ U+10000) sort after U+E000–U+FFFF. */
function codePointRank(u: number): number {
  if (u < 0xd800) return u;
  return u < 0xe000 ? u + 0x2000 : u - 0x800;
}

/** A Go integer as Go writes it. */
export function goInt(n: number): string {
  if (!Number.isInteger(n)) throw new ModelEncodeError(`not an integer: ${n}`);
  return n === 0 ? '0' : String(n);
}

export function goBool(b: boolean): string {
  return b ? 'true' : 'false';
}

/** A Go slice: nil (`null`/`undefined`) → `null`, else `[e,…]`. */
export function goSlice<E>(items: readonly E[] | null | undefined, encode: (e: E) => string): string {
  if (items === null || items === undefined) return 'null';
  let out = '[';
  for (let i = 0; i < items.length; i++) {
    if (i > 0) out += ',';
    out += encode(items[i]!);
  }
  return out + ']';
}

/** A Go map keyed by (the text of) strings: nil → `null`, else keys in Go's order. */
export function goMap<V>(map: ReadonlyMap<string, V> | null | undefined, encode: (v: V) => string): string {
  if (map === null || map === undefined) return 'null';
  const keys = [...map.keys()].sort(compareGoStrings);
  let out = '{';
  for (let i = 0; i < keys.length; i++) {
    if (i > 0) out += ',';
    out += goQuote(keys[i]!) + ':' + encode(map.get(keys[i]!)!);
  }
  return out + '}';
}

/** Whether `omitempty` drops a slice or map: nil or empty. */
export function isEmptyCollection(c: { readonly length: number } | { readonly size: number } | null | undefined): boolean {
  if (c === null || c === undefined) return true;
  return 'length' in c ? c.length === 0 : c.size === 0;
}

/**
 * A Go struct's members, in order: each entry is `[key, encodedValue]`, or `undefined` for a field
 * that `omitempty` dropped.
 */
export function goObject(members: ReadonlyArray<readonly [string, string] | undefined>): string {
  let out = '{';
  let first = true;
  for (const m of members) {
    if (m === undefined) continue;
    if (!first) out += ',';
    first = false;
    out += goQuote(m[0]) + ':' + m[1];
  }
  return out + '}';
}

/** `omitempty` for a string: the member, or `undefined` when the string is empty. */
export function omitEmptyString(key: string, s: string): readonly [string, string] | undefined {
  return s === '' ? undefined : [key, goQuote(s)];
}
