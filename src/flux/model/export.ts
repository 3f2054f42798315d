/**
 * The `Export` result: raw bytes (the cluster's manifests as YAML), as Go writes a `[]byte`: a
 * padded standard base64 string, `null` for nil, `""` for empty. Decoding also takes what Go takes:
 * base64 (with `\r`/`\n` skipped) or an array of byte values.
 */
import { goInt, goSlice, unmarshal, type ValueDecoder } from './go-decode.js';
import { decodeBase64, encodeBase64 } from './base64.js';

export function encodeBytes(bytes: Uint8Array | null): string {
  // The base64 alphabet and '=' are never escaped by Go's encoder: no need to scan a 40 MB string.
  return bytes === null ? 'null' : `"${encodeBase64(bytes)}"`;
}

const byteArray = goSlice(goInt('uint8'), () => 0, '[]uint8');

/** Go's `[]byte` decoding. A base64 error is saved like a type error (decoding goes on). */
export const bytesValue: ValueDecoder<Uint8Array | null> = (json, d, current) => {
  if (typeof json === 'string') {
    try {
      return decodeBase64(json);
    } catch (err) {
      d.save(err as Error);
      return current;
    }
  }
  if (Array.isArray(json)) return Uint8Array.from(byteArray(json, d, null) ?? []);
  if (json === null) return null;
  d.mismatch(json, '[]uint8');
  return current;
};

export function decodeBytes(json: unknown): Uint8Array | null {
  return unmarshal(json, bytesValue, null);
}

/** `Export`'s result. */
export const encodeExport = encodeBytes;
export const decodeExport = decodeBytes;
