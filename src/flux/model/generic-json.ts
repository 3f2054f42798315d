/**
 * Go's `interface{}` JSON values (`map[string]interface{}` and friends), as in untyped event
 * metadata: objects become `Map`s (key order is Go's sorted order on output, and no key can clash
 * with `Object.prototype`), numbers are float64 and are written as Go writes a float64.
 */
import { compareGoStrings, goQuote } from './go-encode.js';
import { isJsonObject, wellFormed } from './go-decode.js';
import { ModelEncodeError } from './errors.js';
import { GoText } from '../../runtime/go-text.js';

export type GoJsonValue = null | boolean | number | string | readonly GoJsonValue[] | ReadonlyMap<string, GoJsonValue>;

/** A parsed JSON value as Go decodes it into `interface{}`. */
export function toGoJsonValue(json: unknown): GoJsonValue {
  if (json === null || typeof json === 'boolean' || typeof json === 'number') return json;
  if (typeof json === 'string') return wellFormed(json);
  if (Array.isArray(json)) return json.map(toGoJsonValue);
  if (isJsonObject(json)) {
    const m = new Map<string, GoJsonValue>();
    for (const k of Object.keys(json)) m.set(wellFormed(k), toGoJsonValue(json[k]));
    return m;
  }
  throw new TypeError(`not a JSON value: ${typeof json}`);
}

/** Go's float64 text: JavaScript's shortest form matches it, except that Go keeps `-0`. */
function encodeFloat(n: number): string {
  // strconv.FormatFloat's text for the values JSON cannot hold: +Inf, -Inf, NaN.
  if (!Number.isFinite(n)) throw new ModelEncodeError(GoText.unsupportedValue(Number.isNaN(n) ? 'NaN' : n > 0 ? '+Inf' : '-Inf'));
  return Object.is(n, -0) ? '-0' : JSON.stringify(n);
}

export function encodeGoJsonValue(v: GoJsonValue): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'boolean':
      return v ? 'true' : 'false';
    case 'number':
      return encodeFloat(v);
    case 'string':
      return goQuote(v);
  }
  if (Array.isArray(v)) return '[' + (v as readonly GoJsonValue[]).map(encodeGoJsonValue).join(',') + ']';
  return encodeGoJsonMap(v as ReadonlyMap<string, GoJsonValue>);
}

/** A `map[string]interface{}`: nil (`null`) → `null`. */
export function encodeGoJsonMap(m: ReadonlyMap<string, GoJsonValue> | null): string {
  if (m === null) return 'null';
  const keys = [...m.keys()].sort(compareGoStrings);
  return '{' + keys.map((k) => goQuote(k) + ':' + encodeGoJsonValue(m.get(k)!)).join(',') + '}';
}
