/**
 * The JSON-RPC 1.0 envelopes of Go's `net/rpc/jsonrpc`, with its quirks (docs/wire.md §3):
 * requests `{"method":…,"params":[arg],"id":N}`, responses `{"id":…,"result":…,"error":…}`,
 * Go's case-insensitive field matching, the raw echo of request ids, and how a Go client classifies
 * a response. No I/O here: text in, text or values out.
 */
import { Buffer } from 'node:buffer';
import { RawJson, goFoldKey, goQuote, goQuoteParts, goStringify } from '../codec/go-json.js';
import { GoText, goFormatValue, jsonKind } from './go-text.js';

/** A value to encode: plain data (encoded as Go would) or pre-encoded `RawJson`. */
export type Encodable = unknown;

export function encodeValue(value: Encodable): string {
  return value instanceof RawJson ? value.text : goStringify(value);
}

/** The value's JSON text as pieces (a large plain string is not copied into a quoted string). */
function valueParts(value: Encodable): string[] {
  return typeof value === 'string' ? goQuoteParts(value) : [encodeValue(value)];
}

/** Encodes pieces of ASCII/UTF-8 text into one buffer without building a joined string first. */
export function concatToBuffer(parts: string[]): Buffer {
  let size = 0;
  for (const p of parts) size += Buffer.byteLength(p, 'utf8');
  const buf = Buffer.allocUnsafe(size);
  let offset = 0;
  for (const p of parts) offset += buf.write(p, offset, 'utf8');
  return buf;
}

export function encodeRequest(method: string, param: Encodable, id: number): Buffer {
  return concatToBuffer(['{"method":', goQuote(method), ',"params":[', ...valueParts(param), '],"id":', String(id), '}\n']);
}

export function encodeSuccess(rawId: string, result: Encodable): Buffer {
  return concatToBuffer(['{"id":', rawId, ',"result":', ...valueParts(result), ',"error":null}\n']);
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
 * Parses one request value. `text` is the value's JSON text, needed to echo the id exactly
 * (`1.50` stays `1.50`).
 */
export function parseRequest(text: string, value: unknown): ParsedRequest {
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
  const rawId = !id.present || id.value === null ? 'null' : rawIdText(text, id.value);
  const params = goField(obj, 'params').value;
  return { kind: 'request', method: (method as string | null | undefined) ?? '', rawId, params: params ?? undefined };
}

/** Go's request `id` is written last as a plain integer by Go clients: `…,"id":17}`. */
const TRAILING_INTEGER_ID = /"id":(0|[1-9]\d{0,14})\}$/;

function rawIdText(text: string, parsed: unknown): string {
  const m = TRAILING_INTEGER_ID.exec(text);
  if (m && Number(m[1]) === parsed) return m[1]!;
  const raw = lastTopLevelMember(text, 'id');
  return raw === undefined ? goStringify(parsed) : compactHtmlEscaped(raw);
}

/**
 * The raw text of the last top-level member whose key equals `name` ignoring case, from the JSON
 * text of an object. The text is known to be valid JSON (it was parsed already).
 */
export function lastTopLevelMember(text: string, name: string): string | undefined {
  let i = text.indexOf('{') + 1;
  let found: string | undefined;
  const n = text.length;
  const skipWs = () => {
    while (i < n && (text[i] === ' ' || text[i] === '\n' || text[i] === '\r' || text[i] === '\t')) i++;
  };
  while (i < n) {
    skipWs();
    if (text[i] === '}') break;
    const keyStart = i;
    i = endOfString(text, i);
    const key = JSON.parse(text.slice(keyStart, i)) as string;
    skipWs();
    i++; // ':'
    skipWs();
    const valueStart = i;
    i = endOfValue(text, i);
    if (key === name || (key.length === name.length && goFoldKey(key) === name)) found = text.slice(valueStart, i);
    skipWs();
    if (text[i] === ',') i++;
  }
  return found;
}

function endOfString(text: string, i: number): number {
  i++;
  while (text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
  return i + 1;
}

function endOfValue(text: string, i: number): number {
  const c = text[i];
  if (c === '"') return endOfString(text, i);
  if (c === '{' || c === '[') {
    let depth = 0;
    for (; i < text.length; i++) {
      const d = text[i];
      if (d === '"') {
        i = endOfString(text, i) - 1;
      } else if (d === '{' || d === '[') depth++;
      else if (d === '}' || d === ']') {
        if (--depth === 0) return i + 1;
      }
    }
    return i;
  }
  while (i < text.length && !',}] \n\r\t'.includes(text[i]!)) i++;
  return i;
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
