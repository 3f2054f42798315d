/**
 * Small scanners over the bytes of a JSON text that is already known to be framed: where a string,
 * a value or a run of whitespace ends. Strings are skipped with native `indexOf`, so their bodies
 * cost no JavaScript loop.
 */
import type { Buffer } from 'node:buffer';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

export function isJsonSpace(b: number): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
}

/** The first position at or after `at` that is not JSON whitespace. */
export function skipSpace(bytes: Buffer, at: number): number {
  while (at < bytes.length && isJsonSpace(bytes[at]!)) at++;
  return at;
}

/** The position after the closing quote of the string opening at `start`, or -1 if it is not closed. */
export function stringEnd(bytes: Buffer, start: number): number {
  let q = bytes.indexOf(QUOTE, start + 1);
  while (q !== -1) {
    let k = q - 1;
    while (bytes[k] === BACKSLASH) k--;
    if (((q - 1 - k) & 1) === 0) return q + 1;
    q = bytes.indexOf(QUOTE, q + 1);
  }
  return -1;
}

/** The end of the value starting at `start` (a string, container, number or literal), or -1 if cut short. */
export function valueEnd(bytes: Buffer, start: number): number {
  const n = bytes.length;
  const c = bytes[start];
  if (c === QUOTE) return stringEnd(bytes, start);
  if (c === 0x7b || c === 0x5b) {
    let depth = 0;
    for (let i = start; i < n; i++) {
      const d = bytes[i]!;
      if (d === QUOTE) {
        i = stringEnd(bytes, i) - 1;
        if (i < 0) return -1;
      } else if (d === 0x7b || d === 0x5b) depth++;
      else if (d === 0x7d || d === 0x5d) {
        if (--depth === 0) return i + 1;
      }
    }
    return -1;
  }
  let i = start;
  while (i < n && !isJsonSpace(bytes[i]!) && bytes[i] !== 0x2c && bytes[i] !== 0x7d && bytes[i] !== 0x5d) i++;
  return i;
}
