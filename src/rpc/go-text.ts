/**
 * Every string that Go's net/rpc and net/rpc/jsonrpc put on the wire or show to callers, in one
 * place. Each is pinned by a byte test (go-text.test.ts) and by the interop tests.
 */
import { compareGoStrings, jsonKind } from '../codec/go-json.js';

export { compareGoStrings, jsonKind };

export const GoText = {
  /** rpc.ErrShutdown: calls after the client was closed or failed. */
  shutdown: 'connection is shut down',
  /** io.ErrUnexpectedEOF: pending calls when the stream ended cleanly without Close. */
  unexpectedEOF: 'unexpected EOF',
  /** What the jsonrpc client makes of an empty error string. */
  unspecifiedError: 'unspecified error',
  /** Server: `method` without a dot. */
  illFormed: (method: string) => `rpc: service/method request ill-formed: ${method}`,
  canNotFindService: (method: string) => `rpc: can't find service ${method}`,
  canNotFindMethod: (method: string) => `rpc: can't find method ${method}`,
  missingParams: 'jsonrpc: request body missing params',
  /** Server: params that are not an array (kind = object, string, number, bool). */
  paramsNotArray: (jsonKind: string) => `json: cannot unmarshal ${jsonKind} into Go value of type [1]interface {}`,
  /** Client: a response whose `error` is neither null nor a string, or both null. */
  invalidError: (formatted: string) => `invalid error ${formatted}`,
  /** Client: a response id that is not a uint64. */
  badResponseId: (jsonKind: string) => `json: cannot unmarshal ${jsonKind} into Go struct field clientResponse.id of type uint64`,
  /** Client: the failing call's error when its result does not decode. */
  readingBody: (detail: string) => `reading body ${detail}`,
} as const;

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
