/**
 * RFC 6455 §5.3 masking in place: byte `i` of a payload is XORed with byte `(i + offset) % 4` of
 * the key. The key is a 32-bit number holding the four key bytes in wire order (first byte in the
 * top bits). The bulk is done in 32-bit words on a typed-array view of the same memory (the
 * leading bytes up to a 4-byte aligned address one by one), so a large payload costs about a
 * quarter of a byte loop and no copy. Also the random key source for a client's frames.
 */
import { Buffer } from 'node:buffer';
import { randomFillSync } from 'node:crypto';

/** Below this many bytes a word view is not worth its creation. */
const WORD_THRESHOLD = 32;

const keyBytes = new Uint8Array(4);
const keyWord = new Int32Array(keyBytes.buffer);

/** Byte `phase` (0..3) of `key`. */
function keyByte(key: number, phase: number): number {
  return (key >>> (24 - (phase << 3))) & 0xff;
}

/**
 * XORs `buf[start, end)` with `key`, starting at key byte `phase`; returns the phase for the byte
 * after `end`, so a payload split over several chunks is masked piece by piece.
 */
export function maskInPlace(buf: Uint8Array, start: number, end: number, key: number, phase: number): number {
  let i = start;
  let p = phase & 3;
  if (end - start >= WORD_THRESHOLD) {
    const base = buf.byteOffset;
    while (((base + i) & 3) !== 0) {
      buf[i] ^= keyByte(key, p);
      p = (p + 1) & 3;
      i++;
    }
    const words = (end - i) >>> 2;
    // The word that masks four bytes starting at phase p, in this machine's byte order.
    for (let j = 0; j < 4; j++) keyBytes[j] = keyByte(key, (p + j) & 3);
    const m = keyWord[0]!;
    const view = new Int32Array(buf.buffer, base + i, words);
    let j = 0;
    for (const last = words - 3; j < last; j += 4) {
      view[j] ^= m;
      view[j + 1] ^= m;
      view[j + 2] ^= m;
      view[j + 3] ^= m;
    }
    for (; j < words; j++) view[j] ^= m;
    i += words << 2;
  }
  for (; i < end; i++) {
    buf[i] ^= keyByte(key, p);
    p = (p + 1) & 3;
  }
  return p;
}

/** Random bytes drawn in bulk: one `randomFillSync` per 2,048 keys. */
const POOL_SIZE = 8192;
const pool = Buffer.allocUnsafeSlow(POOL_SIZE);
let poolPos = POOL_SIZE;

/** A fresh masking key from the system's CSPRNG (RFC 6455 §5.3: unpredictable per frame). */
export function randomMaskKey(): number {
  if (poolPos === POOL_SIZE) {
    randomFillSync(pool);
    poolPos = 0;
  }
  const key = pool.readUInt32BE(poolPos);
  poolPos += 4;
  return key;
}
