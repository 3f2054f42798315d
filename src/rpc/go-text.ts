/**
 * Go's `%v` formatting of decoded JSON values, for the texts of errors the jsonrpc client reports
 * (`invalid error map[…]`). The texts themselves live in ../runtime/go-text.ts.
 */
import { compareGoStrings, jsonKind } from '../codec/go-json.js';
import { GoText } from '../runtime/go-text.js';

export { compareGoStrings, jsonKind };

export { GoText };

/** Formats a decoded JSON value as Go's `%v` prints an `interface{}` holding it. */
export function goFormatValue(value: unknown): string {
  if (value === null || value === undefined) return '<nil>';
  if (Array.isArray(value)) return `[${value.map(goFormatValue).join(' ')}]`;
  if (typeof value === 'object') {
    const entries = Object.keys(value as object)
      .sort(compareGoStrings)
      .map((k) => `${k}:${goFormatValue((value as Record<string, unknown>)[k])}`);
    return `map[${entries.join(' ')}]`;
  }
  if (typeof value === 'number') return goFormatFloat(value);
  return String(value);
}

/** Go's `%v` of a float64 (strconv 'g' with the shortest precision; exponent when < 1e-4 or >= 1e21). */
function goFormatFloat(n: number): string {
  const abs = Math.abs(n);
  if (n === 0 || (abs >= 1e-4 && abs < 1e21)) return String(n);
  const [mantissa, exponent] = n.toExponential().split('e') as [string, string];
  const sign = exponent.startsWith('-') ? '-' : '+';
  const digits = exponent.replace(/^[+-]/, '').padStart(2, '0');
  return `${mantissa}e${sign}${digits}`;
}
