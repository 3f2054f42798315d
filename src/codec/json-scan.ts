/**
 * Small scanners over the bytes of a JSON text that is already known to be framed: where a string,
 * a value or a run of whitespace ends. Strings are skipped with native `indexOf`, so their bodies
 * cost no JavaScript loop.
 */
import type { Buffer } from 'node:buffer';

/** The bytes of JSON's structure (a `const enum`: compiled to the literal numbers, free in hot loops). */
export const enum Byte {
  Quote = 0x22,
  Backslash = 0x5c,
  Comma = 0x2c,
  Colon = 0x3a,
  OpenObject = 0x7b,
  CloseObject = 0x7d,
  OpenArray = 0x5b,
  CloseArray = 0x5d,
}

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
  let q = bytes.indexOf(Byte.Quote, start + 1);
  while (q !== -1) {
    if (!oddBackslashesBefore(bytes, q, start + 1)) return q + 1;
    q = bytes.indexOf(Byte.Quote, q + 1);
  }
  return -1;
}

/** Whether the run of backslashes ending just before `pos` (not looking before `from`) is odd: the byte at `pos` is escaped. */
export function oddBackslashesBefore(bytes: Buffer, pos: number, from: number): boolean {
  let k = pos - 1;
  while (k >= from && bytes[k] === Byte.Backslash) k--;
  return ((pos - 1 - k) & 1) === 1;
}

/** The end of the value starting at `start` (a string, container, number or literal), or -1 if cut short. */
export function valueEnd(bytes: Buffer, start: number): number {
  const n = bytes.length;
  const c = bytes[start];
  if (c === Byte.Quote) return stringEnd(bytes, start);
  if (c === Byte.OpenObject || c === Byte.OpenArray) {
    let depth = 0;
    for (let i = start; i < n; i++) {
      const d = bytes[i]!;
      if (d === Byte.Quote) {
        i = stringEnd(bytes, i) - 1;
        if (i < 0) return -1;
      } else if (d === Byte.OpenObject || d === Byte.OpenArray) depth++;
      else if (d === Byte.CloseObject || d === Byte.CloseArray) {
        if (--depth === 0) return i + 1;
      }
    }
    return -1;
  }
  return scalarEnd(bytes, start);
}

/** The end of a number or literal starting at `start`: the first whitespace, comma or closing bracket after it, or the end. */
export function scalarEnd(bytes: Buffer, start: number): number {
  let i = start;
  const n = bytes.length;
  while (i < n) {
    const b = bytes[i]!;
    if (isJsonSpace(b) || b === Byte.Comma || b === Byte.CloseObject || b === Byte.CloseArray) break;
    i++;
  }
  return i;
}
