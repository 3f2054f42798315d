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
 *
 * Large list values (ListServices, ListImages, …: a realistic 60 MB reply takes 280 ms to decode
 * and more to encode) are encoded as one part per element (`encodeReplyParts`, never joined into
 * one string) and decoded an element at a time in time slices (`decodeReplyInSlices`), with the
 * same result and the same errors as the whole-value functions.
 */
import type { TimeSlicer } from '../../codec/time-slice.js';
import { encodeFluxError, fluxErrorValue, type FluxError } from '../model/flux-error.js';
import { Decoder, field, goStruct, isJsonObject, keyMatcher, unmarshal, type ValueDecoder } from '../model/go-decode.js';
import { decodeValue, type AnyMethodSpec, type ListCodec, type MethodSpec } from './methods.js';

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

/** Lists shorter than this are encoded as one string. */
const PARTS_MIN_ELEMENTS = 64;

/**
 * `encodeReply` as parts to be written in order: for a list value, one part per element and
 * separator (the text is the same as `encodeReply`'s, byte for byte); otherwise the one string.
 */
export function encodeReplyParts<R>(m: MethodSpec<any, R>, form: ReplyForm, value: R): string | string[] {
  const list = m.result?.list as ListCodec<unknown> | undefined;
  if (list === undefined || m.reply !== 'versioned' || !Array.isArray(value) || value.length < PARTS_MIN_ELEMENTS) return encodeReply(m, form, value);
  const parts = listParts(value, list.encodeElem, form === 'flat' ? '[' : '{"Result":[');
  parts.push(form === 'flat' ? ']' : '],"ApplicationError":null}');
  return parts;
}

/** Go's encoding of a non-nil slice as parts: `prefix` + elements with commas between them. */
export function listParts<E>(items: readonly E[], encode: (e: E) => string, prefix = '['): string[] {
  const parts: string[] = new Array(items.length * 2);
  parts[0] = prefix;
  for (let i = 0; i < items.length; i++) {
    if (i > 0) parts[2 * i] = ',';
    parts[2 * i + 1] = encode(items[i]!);
  }
  if (items.length === 0) parts.length = 1;
  return parts;
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

/** Elements decoded between looks at the clock. */
const ELEMENTS_PER_CHECK = 64;

/** Go's choice of `rpc.<X>Response` field for a key (the same two fields for every method). */
const unionKeys = keyMatcher(['Result', 'ApplicationError']);

/**
 * `decodeReply` for a large reply, in time slices: a list value is decoded an element at a time,
 * yielding through `slicer` (anything else is decoded at once). Same value, same errors (Go's
 * first-error-wins and field context) as `decodeReply`.
 */
export async function decodeReplyInSlices<R>(m: MethodSpec<any, R>, form: ReplyForm, json: unknown, slicer: TimeSlicer): Promise<DecodedReply<R>> {
  const list = m.result?.list as ListCodec<unknown> | undefined;
  if (list === undefined || m.reply !== 'versioned') return decodeReply(m, form, json);
  const codec = m.result!;
  const d = new Decoder();
  let value: unknown;
  let applicationError: FluxError | null = null;
  try {
    if (form === 'flat') {
      value = await decodeListInSlices(list, codec.goType, json, d, slicer);
    } else {
      // `rpc.<X>Response` with one Result holding the list: goStruct's walk, with the list sliced.
      if (!isJsonObject(json)) return decodeReply(m, form, json);
      const keys = Object.keys(json);
      if (keys.filter((k) => unionKeys(k) === 'Result').length !== 1) return decodeReply(m, form, json);
      const struct = m.unionType.replace(/^rpc\./, '');
      value = codec.zero;
      for (const k of keys) {
        const f = unionKeys(k);
        if (f === undefined) continue;
        const depth = d.depth;
        const prev = d.enterField(struct, f);
        if (f === 'Result') value = await decodeListInSlices(list, codec.goType, json[k], d, slicer);
        else applicationError = fluxErrorValue(json[k], d, applicationError);
        d.leaveField(prev, depth);
      }
    }
  } catch (err) {
    throw d.addContext(err);
  }
  if (d.savedError !== undefined) throw d.savedError;
  return { value: value as R, applicationError };
}

/** `goSlice(list.elem, list.zero, goType)` decoding into a nil slice, an element at a time. */
async function decodeListInSlices(list: ListCodec<unknown>, goType: string, json: unknown, d: Decoder, slicer: TimeSlicer): Promise<unknown[] | null> {
  if (json === null) return null;
  if (!Array.isArray(json)) {
    d.mismatch(json, goType);
    return null;
  }
  return mapInSlices<unknown, unknown>(json, (e) => list.elem(e, d, list.zero()), slicer);
}

/** `list.map(each)` in time slices. */
export async function mapInSlices<E, F = E>(list: readonly E[], each: (e: E) => F, slicer: TimeSlicer): Promise<F[]> {
  const out: F[] = new Array(list.length);
  for (let i = 0; i < list.length; i++) {
    out[i] = each(list[i]!);
    if (i % ELEMENTS_PER_CHECK === 0 && slicer.due) await slicer.next();
  }
  return out;
}
