/**
 * Building blocks for writing JSON text exactly as Go's `json.Marshal` does. Encoders build the
 * text by hand (never through a JS object) so that field order is Go's declaration order and map
 * keys are in Go's byte-wise order, whatever JavaScript would do with integer-like keys.
 */
import { compareGoStrings, goQuote } from '../../codec/go-json.js';
import { ModelEncodeError } from './errors.js';

export { compareGoStrings, goQuote };

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

/**
 * A struct member's key as encoded text with its colon, `"Key":`. Hot encoders compute these once,
 * as module constants, and concatenate them instead of going through `goObject`.
 */
export function goKey(key: string): string {
  return goQuote(key) + ':';
}

/** `omitempty` for a string: the member, or `undefined` when the string is empty. */
export function omitEmptyString(key: string, s: string): readonly [string, string] | undefined {
  return s === '' ? undefined : [key, goQuote(s)];
}
