/**
 * The "Test" service served by both the TypeScript and the Go interop peers (the Go one is
 * test/interop/go/cmd/rpcpeer), so a client sees the same behaviour from either.
 */
import type { ServiceDefinition } from '../../src/rpc/server.js';

export function expectString(raw: unknown): string {
  if (raw === undefined) return '';
  if (typeof raw !== 'string') throw new Error(`json: cannot unmarshal ${kind(raw)} into Go value of type string`);
  return raw;
}

export function expectInt(raw: unknown): number {
  if (raw === undefined) return 0;
  if (typeof raw !== 'number') throw new Error(`json: cannot unmarshal ${kind(raw)} into Go value of type int`);
  if (!Number.isInteger(raw)) throw new Error(`json: cannot unmarshal number ${raw} into Go value of type int`);
  return raw;
}

function kind(v: unknown): string {
  return Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v === 'boolean' ? 'bool' : typeof v === 'object' ? 'object' : typeof v;
}

const blobs = new Map<number, string>();

/** A string of `n` bytes cycling through 'a'..'z', as the Go peer's Blob method builds it. */
export function blob(n: number): string {
  let b = blobs.get(n);
  if (b === undefined) {
    const alphabet = 'abcdefghijklmnopqrstuvwxyz';
    b = alphabet.repeat(Math.ceil(n / 26)).slice(0, n);
    blobs.set(n, b);
  }
  return b;
}

export interface TestServiceOptions {
  /** Statuses returned by `Statuses(n)` (the first n). */
  statuses?: unknown[];
  /** What `Vanish` does: by default the connection is destroyed without a reply. */
  vanish?: () => void;
}

export function testService(options: TestServiceOptions = {}): ServiceDefinition {
  return {
    Echo: { decodeParam: expectString, handle: (s: string) => s },
    Sleep: {
      decodeParam: expectInt,
      handle: (ms: number, { signal }) =>
        new Promise<number>((resolve, reject) => {
          const t = setTimeout(() => resolve(ms), ms);
          signal.addEventListener('abort', () => {
            clearTimeout(t);
            reject(signal.reason);
          }, { once: true });
        }),
    },
    Fail: {
      decodeParam: expectString,
      handle: (msg: string) => {
        throw new Error(msg);
      },
    },
    Statuses: { decodeParam: expectInt, handle: (n: number) => (options.statuses ?? []).slice(0, n) },
    Blob: { decodeParam: expectInt, handle: (n: number) => blob(n) },
    Vanish: {
      handle: () =>
        new Promise<never>(() => {
          (options.vanish ?? (() => process.exit(0)))();
        }),
    },
  };
}
