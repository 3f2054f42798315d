/**
 * Go's `[]byte` in JSON: `encoding/base64.StdEncoding` (standard alphabet, `=` padding). Decoding
 * follows Go's quantum-by-quantum decoder so that the offset in `illegal base64 data at input byte N`
 * is Go's (a UTF-8 byte offset); `\r` and `\n` are skipped anywhere; the unused bits of the last
 * quantum may be non-zero (Go's StdEncoding is not strict).
 */
import { Buffer } from 'node:buffer';
import { Base64Error } from './errors.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DECODE = new Int16Array(256).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i;

const PAD = 0x3d;
const isNewline = (b: number): boolean => b === 0x0a || b === 0x0d;

export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/**
 * Decodes like Go's `base64.StdEncoding.Decode`; throws `Base64Error` where Go fails. Canonical
 * text (what every encoder writes) is decoded natively, much faster than the quantum loop below:
 * if node's bytes encode back to the very text, the text had whole quanta of the standard
 * alphabet, padding only at the end and zero unused bits, and Go decodes it to the same bytes.
 * Anything else goes through the loop, with Go's offsets.
 */
export function decodeBase64(text: string): Uint8Array {
  if (text.length % 4 === 0) {
    const b = Buffer.from(text, 'base64');
    if (b.toString('base64') === text) return new Uint8Array(b.buffer, b.byteOffset, b.length);
  }
  return decodeBase64Exactly(text);
}

/** Go's decoder, quantum by quantum (exported for the test that pins the fast path to it). */
export function decodeBase64Exactly(text: string): Uint8Array {
  const src = Buffer.from(text, 'utf8');
  const out: number[] = [];
  let si = 0;
  while (si < src.length) {
    const q = [0, 0, 0, 0];
    let dlen = 4;
    let j = 0;
    for (; j < 4; j++) {
      if (si === src.length) {
        if (j === 0) return Uint8Array.from(out);
        throw new Base64Error(si - j);
      }
      const b = src[si++]!;
      const v = DECODE[b]!;
      if (v >= 0) {
        q[j] = v;
        continue;
      }
      if (isNewline(b)) {
        j--;
        continue;
      }
      if (b !== PAD) throw new Base64Error(si - 1);
      // Padding: only after two or three symbols, and "==" after two.
      if (j < 2) throw new Base64Error(si - 1);
      if (j === 2) {
        while (si < src.length && isNewline(src[si]!)) si++;
        if (si === src.length) throw new Base64Error(src.length);
        if (src[si] !== PAD) throw new Base64Error(si - 1);
        si++;
      }
      while (si < src.length && isNewline(src[si]!)) si++;
      if (si < src.length) {
        // Trailing garbage: Go reports it after keeping this quantum's bytes.
        pushQuantum(out, q, j);
        throw new Base64Error(si);
      }
      dlen = j;
      break;
    }
    pushQuantum(out, q, dlen);
  }
  return Uint8Array.from(out);
}

function pushQuantum(out: number[], q: number[], dlen: number): void {
  const val = (q[0]! << 18) | (q[1]! << 12) | (q[2]! << 6) | q[3]!;
  const bytes = [(val >> 16) & 0xff, (val >> 8) & 0xff, val & 0xff];
  for (let i = 0; i < dlen - 1; i++) out.push(bytes[i]!);
}
