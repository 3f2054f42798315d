/**
 * The two reply forms of a versioned method (docs/rpc.md §2), written once for both sides: the server
 * encodes, the clients decode.
 *
 * - flat (V6): the value itself; a method without a value replies `{}`. A nil value is written as
 *   the method's `flatNil` (`[]`, `""`), never `null` (docs/rpc.md §5.1).
 * - union (V7+): `{"Result":<value>,"ApplicationError":<Flux error or null>}`, without `Result` for
 *   a method that has no value. Keys in that order, as Go writes the untagged structs.
 *
 * Ping's reply is `{}` and Version's the bare value, whatever the form.
 */
import { encodeFluxError, fluxErrorValue, type FluxError } from '../model/flux-error.js';
import { field, goStruct, unmarshal, type ValueDecoder } from '../model/go-decode.js';
import { decodeValue, type AnyMethodSpec, type MethodSpec } from './methods.js';

export type ReplyForm = 'flat' | 'union';

/** The reply text for a call that succeeded with `value`. */
export function encodeReply<R>(m: MethodSpec<any, R>, form: ReplyForm, value: R): string {
  const codec = m.result;
  if (m.reply === 'ignored') return '{}';
  if (m.reply === 'bare') return codec!.encode(value);
  if (form === 'flat') {
    if (codec === undefined) return '{}';
    return value === null || value === undefined ? m.flatNil : codec.encode(value);
  }
  return union(m, codec === undefined ? undefined : codec.encode(value), 'null');
}

/** The union reply text for a call that failed with an application error (Result = zero value). */
export function encodeApplicationErrorReply(m: AnyMethodSpec, error: FluxError): string {
  const codec = m.result;
  return union(m, codec === undefined ? undefined : codec.encode(codec.zero), encodeFluxError(error));
}

function union(m: AnyMethodSpec, result: string | undefined, applicationError: string): string {
  return m.result === undefined ? `{"ApplicationError":${applicationError}}` : `{"Result":${result},"ApplicationError":${applicationError}}`;
}

export interface DecodedReply<R> {
  readonly value: R;
  readonly applicationError: FluxError | null;
}

interface UnionWire {
  result: unknown;
  applicationError: FluxError | null;
}

/** `struct{}`, what a V6 client decodes a reply without a value into. */
const EMPTY_STRUCT = goStruct<object>('struct {}', '', []);

const unionDecoders = new WeakMap<AnyMethodSpec, ValueDecoder<UnionWire>>();

/** `rpc.<X>Response` as Go decodes it (unknown keys ignored, case-insensitive). */
function unionDecoder(m: AnyMethodSpec): ValueDecoder<UnionWire> {
  let d = unionDecoders.get(m);
  if (d === undefined) {
    const fields = [field<UnionWire, 'applicationError'>('ApplicationError', 'applicationError', fluxErrorValue)];
    if (m.result !== undefined) fields.unshift(field<UnionWire, 'result'>('Result', 'result', m.result.value));
    d = goStruct<UnionWire>(m.unionType, m.unionType.replace(/^rpc\./, ''), fields);
    unionDecoders.set(m, d);
  }
  return d;
}

/**
 * Decodes the `result` of a successful RPC reply as a Go client of the given form does. Throws
 * Go's decoding error (the rpc client turns it into `reading body …` and fails the connection).
 */
export function decodeReply<R>(m: MethodSpec<any, R>, form: ReplyForm, json: unknown): DecodedReply<R> {
  const codec = m.result;
  if (m.reply === 'ignored') return { value: undefined as R, applicationError: null };
  if (m.reply === 'bare' || form === 'flat') {
    if (codec === undefined) {
      unmarshal(json, EMPTY_STRUCT, {});
      return { value: undefined as R, applicationError: null };
    }
    return { value: decodeValue(codec, json), applicationError: null };
  }
  const wire = unmarshal<UnionWire>(json, unionDecoder(m), { result: codec?.zero, applicationError: null });
  return { value: wire.result as R, applicationError: wire.applicationError };
}
