/**
 * Go's `net/url` and `gorilla/mux` URL handling, as far as Flux's HTTP API depends on it: query
 * escaping (`url.QueryEscape`, `url.Values.Encode`), query parsing (`url.ParseQuery`, which skips
 * `;`-separated and badly escaped pairs; mux's `findFirstQueryKey`, which splits on `&` and `;`),
 * path unescaping and escaping, and `cleanPath` (what Go's ServeMux redirects to).
 *
 * Everything works on bytes: a Node request target arrives as a string of byte values (latin1),
 * and escapes decode to UTF-8 bytes, which become a JavaScript string only at the end (invalid
 * UTF-8 becomes U+FFFD; Go would keep the raw bytes in its string).
 */
import { Buffer } from 'node:buffer';
import { strconvQuote } from '../flux/policy/go-strings.js';
import { GoText } from '../runtime/go-text.js';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** `strconv.Quote` of raw bytes: valid UTF-8 as Go quotes text, otherwise byte by byte. */
function quoteBytes(bytes: Uint8Array): string {
  try {
    return strconvQuote(strictUtf8.decode(bytes));
  } catch {
    let out = '"';
    for (const b of bytes) {
      if (b >= 0x80) out += '\\x' + b.toString(16).padStart(2, '0');
      else out += strconvQuote(String.fromCharCode(b)).slice(1, -1);
    }
    return out + '"';
  }
}

/** Go's `url.EscapeError`: `invalid URL escape "%zz"`. */
export class UrlEscapeError extends Error {
  override name = 'UrlEscapeError';
  readonly code = 'FLUXRPC_ERR_URL_ESCAPE';
  constructor(bytes: Uint8Array) {
    super(GoText.invalidUrlEscape(quoteBytes(bytes)));
  }
}

/** Go's error for a query pair containing `;` (Go 1.17+). */
export class QuerySemicolonError extends Error {
  override name = 'QuerySemicolonError';
  readonly code = 'FLUXRPC_ERR_QUERY_SEMICOLON';
  constructor() {
    super(GoText.invalidSemicolonSeparator);
  }
}

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

function hexValue(c: number): number {
  if (c <= 0x39) return c - 0x30;
  if (c <= 0x46) return c - 0x41 + 10;
  return c - 0x61 + 10;
}

/** The bytes of a string that holds one byte per character (a raw request target). */
function rawBytes(s: string): Buffer {
  return Buffer.from(s, 'latin1');
}

/**
 * Go's `unescape` for query components (`+` is a space) or paths (`+` stays). Throws
 * `UrlEscapeError` for a `%` not followed by two hex digits, with Go's excerpt of the bad escape.
 */
function unescapeBytes(raw: string, plusIsSpace: boolean): string {
  if (!raw.includes('%') && !(plusIsSpace && raw.includes('+'))) return Buffer.from(raw, 'latin1').toString('utf8');
  const src = rawBytes(raw);
  const out = Buffer.alloc(src.length);
  let n = 0;
  for (let i = 0; i < src.length; ) {
    const c = src[i]!;
    if (c === 0x25) {
      if (i + 2 >= src.length || !isHex(src[i + 1]!) || !isHex(src[i + 2]!)) {
        throw new UrlEscapeError(src.subarray(i, i + 3));
      }
      out[n++] = (hexValue(src[i + 1]!) << 4) | hexValue(src[i + 2]!);
      i += 3;
    } else {
      out[n++] = c === 0x2b && plusIsSpace ? 0x20 : c;
      i++;
    }
  }
  return out.toString('utf8', 0, n);
}

/** `url.QueryUnescape`. */
export function goQueryUnescape(raw: string): string {
  return unescapeBytes(raw, true);
}

/** `url.PathUnescape`. */
export function goPathUnescape(raw: string): string {
  return unescapeBytes(raw, false);
}

const UPPER_HEX = '0123456789ABCDEF';

function isUnreserved(c: number): boolean {
  return (
    (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x5f || c === 0x2e || c === 0x7e
  );
}

/** `url.QueryEscape`: unreserved bytes kept, space → `+`, everything else `%XX`. */
export function goQueryEscape(s: string): string {
  let out = '';
  for (const c of Buffer.from(s, 'utf8')) {
    if (isUnreserved(c)) out += String.fromCharCode(c);
    else if (c === 0x20) out += '+';
    else out += '%' + UPPER_HEX[c >> 4] + UPPER_HEX[c & 15];
  }
  return out;
}

/** Go's `escape(s, encodePath)`: also keeps `$ & + , / : ; = @`. */
export function goPathEscape(s: string): string {
  let out = '';
  for (const c of Buffer.from(s, 'utf8')) {
    if (isUnreserved(c) || '$&+,/:;=@'.includes(String.fromCharCode(c))) out += String.fromCharCode(c);
    else out += '%' + UPPER_HEX[c >> 4] + UPPER_HEX[c & 15];
  }
  return out;
}

/**
 * `url.Values.Encode()`: keys sorted (byte-wise), each pair `QueryEscape(k)=QueryEscape(v)`, joined
 * with `&`. Pairs are given as a flat list so a key can repeat.
 */
export function goEncodeQuery(pairs: ReadonlyArray<readonly [string, string]>): string {
  const byKey = new Map<string, string[]>();
  for (const [k, v] of pairs) {
    const list = byKey.get(k);
    if (list) list.push(v);
    else byKey.set(k, [v]);
  }
  const keys = [...byKey.keys()].sort((a, b) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')));
  const parts: string[] = [];
  for (const k of keys) {
    for (const v of byKey.get(k)!) parts.push(goQueryEscape(k) + '=' + goQueryEscape(v));
  }
  return parts.join('&');
}

/** `url.Values` as parsed by `url.ParseQuery`: values by key, in order, plus the first error. */
export class GoQuery {
  private constructor(
    private readonly values: ReadonlyMap<string, readonly string[]>,
    /** The first error `url.ParseQuery` reported (pairs it could parse are kept, as in Go). */
    readonly error: Error | undefined,
  ) {}

  /** `url.ParseQuery(rawQuery)`. */
  static parse(rawQuery: string): GoQuery {
    const values = new Map<string, string[]>();
    let error: Error | undefined;
    for (const pair of rawQuery.split('&')) {
      if (pair.includes(';')) {
        error ??= new QuerySemicolonError();
        continue;
      }
      if (pair === '') continue;
      const eq = pair.indexOf('=');
      const rawKey = eq >= 0 ? pair.slice(0, eq) : pair;
      const rawValue = eq >= 0 ? pair.slice(eq + 1) : '';
      let key: string;
      let value: string;
      try {
        key = goQueryUnescape(rawKey);
        value = goQueryUnescape(rawValue);
      } catch (err) {
        error ??= err as Error;
        continue;
      }
      const list = values.get(key);
      if (list) list.push(value);
      else values.set(key, [value]);
    }
    return new GoQuery(values, error);
  }

  /** `Values.Get`: the first value, or `""`. */
  get(key: string): string {
    return this.values.get(key)?.[0] ?? '';
  }

  /** `Values[key]`: every value (empty when absent). */
  all(key: string): readonly string[] {
    return this.values.get(key) ?? [];
  }

  has(key: string): boolean {
    return this.values.has(key);
  }

  /** This query's values first, then `other`'s (Go's `r.Form` after `ParseForm`: body, then URL). */
  concat(other: GoQuery): GoQuery {
    const values = new Map<string, string[]>();
    for (const source of [this.values, other.values]) {
      for (const [k, vs] of source) values.set(k, [...(values.get(k) ?? []), ...vs]);
    }
    return new GoQuery(values, this.error ?? other.error);
  }
}

/**
 * mux's `findFirstQueryKey` (what `Queries("id", "{id}")` matches and `mux.Vars` holds): the first
 * pair, split on `&` or `;`, whose unescaped key is `key` and whose value unescapes; `undefined`
 * when there is none.
 */
export function findFirstQueryKey(rawQuery: string, key: string): string | undefined {
  for (const pair of rawQuery.split(/[&;]/)) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const rawKey = eq >= 0 ? pair.slice(0, eq) : pair;
    const rawValue = eq >= 0 ? pair.slice(eq + 1) : '';
    try {
      if (goQueryUnescape(rawKey) !== key) continue;
      return goQueryUnescape(rawValue);
    } catch {
      continue;
    }
  }
  return undefined;
}

/**
 * A mux query template `{name}` (pattern `.*`) matches a value unless it holds a newline (Go's `.`
 * does not match `\n`).
 */
export function muxQueryVar(rawQuery: string, key: string): string | undefined {
  const v = findFirstQueryKey(rawQuery, key);
  return v === undefined || v.includes('\n') ? undefined : v;
}

/** Go's `path.Clean` for a rooted path. */
function cleanRooted(p: string): string {
  const out: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') out.pop();
    else out.push(seg);
  }
  return '/' + out.join('/');
}

/** The `cleanPath` of Go's ServeMux and gorilla/mux: `path.Clean`, keeping a trailing slash. */
export function cleanPath(p: string): string {
  if (p === '') return '/';
  if (!p.startsWith('/')) p = '/' + p;
  let np = cleanRooted(p);
  if (p.endsWith('/') && np !== '/') np += '/';
  return np;
}

/** A request target split as Go's `url.ParseRequestURI` splits it (path still escaped). */
export function splitRequestTarget(target: string): { rawPath: string; rawQuery: string } {
  const q = target.indexOf('?');
  return q >= 0 ? { rawPath: target.slice(0, q), rawQuery: target.slice(q + 1) } : { rawPath: target, rawQuery: '' };
}
