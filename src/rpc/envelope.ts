/**
 * The JSON-RPC 1.0 envelopes of Go's `net/rpc/jsonrpc`, with its quirks (docs/wire.md §3):
 * requests `{"method":…,"params":[arg],"id":N}`, responses `{"id":…,"result":…,"error":…}`,
 * Go's case-insensitive field matching, the raw echo of request ids, and how a Go client classifies
 * a response. No I/O here: text in, text or values out.
 */
import { Buffer } from 'node:buffer';
import { RawJson, goFoldKey, goQuote, goQuoteParts, goStringify, jsonKind } from '../codec/go-json.js';
import { Byte, skipSpace, stringEnd, valueEnd } from '../codec/json-scan.js';
import { GoText } from '../runtime/go-text.js';
import type { MessageSource } from '../transport/byte-stream.js';
import { goFormatValue } from './go-format.js';

/** A value to encode: plain data (encoded as Go would) or pre-encoded `RawJson`. */
export type Encodable = unknown;

/**
 * The value's JSON text as pieces, never joined: a large plain string is not copied into a quoted
 * string, and a `RawJson` made of parts (a list reply, one part per element) is not joined into one
 * string before it is copied into the message buffer.
 */
function valueParts(value: Encodable): readonly string[] {
  if (value instanceof RawJson) return value.parts;
  return typeof value === 'string' ? goQuoteParts(value) : [goStringify(value)];
}

/** Encodes pieces of UTF-8 text into one buffer of the exact size, without building a joined string first. */
export function concatToBuffer(parts: readonly string[]): Buffer {
  let size = 0;
  for (const p of parts) size += Buffer.byteLength(p, 'utf8');
  const buf = Buffer.allocUnsafe(size);
  let offset = 0;
  for (const p of parts) offset += buf.write(p, offset, 'utf8');
  return buf;
}

const utf8 = new TextEncoder();

function isHighSurrogate(unit: number): boolean {
  return unit >= 0xd800 && unit <= 0xdbff;
}

function isLowSurrogate(unit: number): boolean {
  return unit >= 0xdc00 && unit <= 0xdfff;
}

/**
 * Pieces of text as a `MessageSource`: their UTF-8 bytes, produced a chunk at a time (the same
 * bytes as `concatToBuffer`, lone surrogates included, which both write as U+FFFD). A chunk ends
 * before a character that does not fit whole, so no UTF-8 sequence or surrogate pair is cut.
 */
export class TextPartsSource implements MessageSource {
  readonly byteLength: number;
  /** The part being written, and the UTF-16 offset reached in it. */
  private part = 0;
  private at = 0;

  constructor(private readonly parts: readonly string[]) {
    let size = 0;
    for (const p of parts) size += Buffer.byteLength(p, 'utf8');
    this.byteLength = size;
  }

  fill(target: Buffer, offset: number): number {
    const parts = this.parts;
    while (offset < target.length && this.part < parts.length) {
      const p = parts[this.part]!;
      const room = target.length - offset;
      // A UTF-16 unit is at most 3 bytes of UTF-8 (a pair, 2 units, is 4): a rest this short fits.
      if ((p.length - this.at) * 3 <= room) {
        offset += target.write(this.at === 0 ? p : p.slice(this.at), offset, 'utf8');
        this.part++;
        this.at = 0;
        continue;
      }
      // At most `room` units (each is at least one byte), not ending between the halves of a pair.
      let end = Math.min(p.length, this.at + room);
      if (end < p.length && isHighSurrogate(p.charCodeAt(end - 1)) && isLowSurrogate(p.charCodeAt(end))) end--;
      const { read, written } = utf8.encodeInto(p.slice(this.at, end), offset === 0 && room === target.length ? target : target.subarray(offset));
      if (read === 0) break; // the next character does not fit
      this.at += read;
      offset += written;
      if (this.at === p.length) {
        this.part++;
        this.at = 0;
      }
    }
    return offset;
  }
}

export function encodeRequest(method: string, param: Encodable, id: number): Buffer {
  return concatToBuffer(['{"method":', goQuote(method), ',"params":[', ...valueParts(param), '],"id":', String(id), '}\n']);
}

export function encodeSuccess(rawId: string, result: Encodable): Buffer {
  return concatToBuffer(successParts(rawId, result));
}

/**
 * The success envelope as a source producing it a chunk at a time (`TextPartsSource`): what a
 * large reply is written as, so the sender never holds its whole UTF-8 text.
 */
export function encodeSuccessSource(rawId: string, result: Encodable): TextPartsSource {
  return new TextPartsSource(successParts(rawId, result));
}

function successParts(rawId: string, result: Encodable): string[] {
  return ['{"id":', rawId, ',"result":', ...valueParts(result), ',"error":null}\n'];
}

export function encodeFailure(rawId: string, message: string): Buffer {
  return concatToBuffer(['{"id":', rawId, ',"result":null,"error":', goQuote(message), '}\n']);
}

/** Looks a field up as Go's decoder matches struct fields: the last key equal to it ignoring case. */
export function goField(obj: Record<string, unknown>, name: string): { present: boolean; value: unknown } {
  let present = false;
  let value: unknown;
  for (const k in obj) {
    if (k === name || (k.length === name.length && goFoldKey(k) === name)) {
      present = true;
      value = obj[k];
    }
  }
  return { present, value };
}

// ---------------------------------------------------------------------------------------------
// Responses, as a Go client reads them.

export type ParsedResponse =
  | { kind: 'success'; id: number; result: unknown }
  | { kind: 'server-error'; id: number; message: string }
  /** The Go client would stop reading: every pending call fails with `message`. */
  | { kind: 'fatal'; message: string };

/**
 * Classifies one parsed response value as the Go jsonrpc client codec does. Limit: it works on the
 * parsed value, so an id written `1.0` or `1e0` is taken as 1 (Go's client refuses it and fails the
 * connection); Go servers echo the integer ids our client sends, so this only matters with other peers.
 */
export function classifyResponse(value: unknown): ParsedResponse {
  if (value === null) return { kind: 'fatal', message: GoText.invalidError('<nil>') };
  if (typeof value !== 'object' || Array.isArray(value)) {
    return { kind: 'fatal', message: GoText.cannotUnmarshal(jsonKind(value), 'jsonrpc.clientResponse') };
  }
  const obj = value as Record<string, unknown>;
  const idField = goField(obj, 'id');
  let id = 0;
  if (idField.present && idField.value !== null) {
    const raw = idField.value;
    if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < 0 || raw >= 2 ** 64) {
      const kind = typeof raw === 'number' ? `number ${raw}` : jsonKind(raw);
      return { kind: 'fatal', message: GoText.badResponseId(kind) };
    }
    // A valid uint64 beyond the ids this client hands out cannot match a pending call.
    id = raw <= Number.MAX_SAFE_INTEGER ? raw : -1;
  }
  const error = goField(obj, 'error').value;
  const result = goField(obj, 'result').value;
  if (error === undefined || error === null) {
    if (result === undefined || result === null) return { kind: 'fatal', message: GoText.invalidError('<nil>') };
    return { kind: 'success', id, result };
  }
  if (typeof error !== 'string') return { kind: 'fatal', message: GoText.invalidError(goFormatValue(error)) };
  return { kind: 'server-error', id, message: error === '' ? GoText.unspecifiedError : error };
}

// ---------------------------------------------------------------------------------------------
// Requests, as a Go server reads them.

export type ParsedRequest =
  | {
      kind: 'request';
      method: string;
      /** The raw id, compacted and HTML-escaped as Go echoes it. */
      rawId: string;
      /** `undefined` when params are missing or null. */
      params: unknown;
    }
  /** The Go server would stop reading without replying and close the connection. */
  | { kind: 'bad-envelope'; message: string };

/**
 * Parses one request value. `bytes` is the value's JSON text, needed to echo the id exactly
 * (`1.50` stays `1.50`).
 */
export function parseRequest(bytes: Buffer, value: unknown): ParsedRequest {
  if (value === null) return { kind: 'request', method: '', rawId: 'null', params: undefined };
  if (typeof value !== 'object' || Array.isArray(value)) {
    return { kind: 'bad-envelope', message: GoText.cannotUnmarshal(jsonKind(value), 'jsonrpc.serverRequest') };
  }
  const obj = value as Record<string, unknown>;
  const method = goField(obj, 'method').value;
  if (method !== undefined && method !== null && typeof method !== 'string') {
    return { kind: 'bad-envelope', message: GoText.cannotUnmarshalField(jsonKind(method), 'serverRequest', 'method', 'string') };
  }
  const id = goField(obj, 'id');
  const rawId = !id.present || id.value === null ? 'null' : rawIdText(bytes, id.value);
  const params = goField(obj, 'params').value;
  return { kind: 'request', method: (method as string | null | undefined) ?? '', rawId, params: params ?? undefined };
}

/** Go's request `id` is written last as a plain integer by Go clients: `…,"id":17}`. */
const TRAILING_INTEGER_ID = /"id":(0|[1-9]\d{0,14})\}$/;
/** Enough of the end of a request for `TRAILING_INTEGER_ID`. */
const ID_TAIL_BYTES = 24;

function rawIdText(bytes: Buffer, parsed: unknown): string {
  const m = TRAILING_INTEGER_ID.exec(bytes.toString('latin1', Math.max(0, bytes.length - ID_TAIL_BYTES)));
  if (m && Number(m[1]) === parsed) return m[1]!;
  const raw = lastTopLevelMember(bytes, 'id');
  return raw === undefined ? goStringify(parsed) : compactHtmlEscaped(raw);
}

/**
 * The raw text of the last top-level member whose key equals `name` ignoring case, from the JSON
 * text of an object. The text is known to be valid JSON (it was parsed already).
 */
export function lastTopLevelMember(bytes: Buffer, name: string): string | undefined {
  let i = bytes.indexOf(Byte.OpenObject) + 1;
  let found: string | undefined;
  const n = bytes.length;
  while (i < n) {
    i = skipSpace(bytes, i);
    if (bytes[i] === Byte.CloseObject) break;
    const keyStart = i;
    i = stringEnd(bytes, i);
    const key = JSON.parse(bytes.toString('utf8', keyStart, i)) as string;
    i = skipSpace(bytes, i) + 1; // ':'
    const valueStart = skipSpace(bytes, i);
    i = valueEnd(bytes, valueStart);
    if (key === name || (key.length === name.length && goFoldKey(key) === name)) found = bytes.toString('utf8', valueStart, i);
    i = skipSpace(bytes, i);
    if (bytes[i] === Byte.Comma) i++;
  }
  return found;
}

/** Go's `json.Compact` with HTML escaping, as applied to a `json.RawMessage` it re-emits. */
export function compactHtmlEscaped(raw: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (inString) {
      if (c === '\\') {
        out += c + raw[++i];
        continue;
      }
      if (c === '"') inString = false;
      out += HTML_ESCAPES[c] ?? c;
    } else if (c === '"') {
      inString = true;
      out += c;
    } else if (c !== ' ' && c !== '\n' && c !== '\r' && c !== '\t') {
      out += c;
    }
  }
  return out;
}

const HTML_ESCAPES: Record<string, string> = {
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};
