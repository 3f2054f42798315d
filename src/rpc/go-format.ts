/**
 * Go's `%v` formatting of decoded JSON values, for the texts of errors the jsonrpc client reports
 * (`invalid error map[…]`). The texts themselves live in ../runtime/go-text.ts.
 */
import { compareGoStrings, jsonKind } from '../codec/go-json.js';
import { MAX_KEPT_TEXT } from '../runtime/text.js';

/** The longest `%v` text made of a peer's value; beyond it the text ends with `…` (Go would print it all). */
export const MAX_FORMATTED_VALUE = 16 * MAX_KEPT_TEXT;

const CUT = '…';

/** A piece of fixed text on the formatting stack (as opposed to a value still to format). */
class Text {
  constructor(readonly text: string) {}
}

/**
 * Formats a decoded JSON value as Go's `%v` prints an `interface{}` holding it. Iterative (a value
 * nested 10,000 deep costs no stack) and bounded: once the text passes `max` characters it is cut
 * and ends with `…`, so a peer's 60 MB error value costs a few KiB (an object with more keys than
 * `max` is shown as `map[…]` without sorting its keys).
 */
export function goFormatValue(value: unknown, max: number = MAX_FORMATTED_VALUE): string {
  let out = '';
  const work: unknown[] = [value];
  while (work.length > 0) {
    if (out.length > max) return out.slice(0, max) + CUT;
    const item = work.pop();
    if (item instanceof Text) {
      out += item.text;
    } else if (item === null || item === undefined) {
      out += '<nil>';
    } else if (Array.isArray(item)) {
      out += '[';
      work.push(new Text(']'));
      // Only as many elements as can still show (each takes at least one character and a space).
      const shown = Math.min(item.length, max - out.length + 1);
      if (shown < item.length) work.push(new Text(CUT));
      for (let i = shown - 1; i >= 0; i--) {
        work.push(item[i]);
        if (i > 0) work.push(new Text(' '));
      }
    } else if (typeof item === 'object') {
      const obj = item as Record<string, unknown>;
      const keys = Object.keys(obj);
      if (keys.length > max) {
        out += `map[${CUT}]`;
        continue;
      }
      keys.sort(compareGoStrings);
      out += 'map[';
      work.push(new Text(']'));
      for (let i = keys.length - 1; i >= 0; i--) {
        work.push(obj[keys[i]!]);
        work.push(new Text(`${i > 0 ? ' ' : ''}${keys[i]}:`));
      }
    } else if (typeof item === 'number') {
      out += goFormatFloat(item);
    } else {
      out += String(item);
    }
  }
  return out.length > max ? out.slice(0, max) + CUT : out;
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
