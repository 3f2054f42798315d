/**
 * Request bodies: reading them with a size limit, and decoding them as Flux's handlers do
 * (`json.NewDecoder(r.Body).Decode(&v)`), with failures as 400 `HttpRequestError`s that carry Go's
 * message and the JSON form Go would write for the error value.
 */
import { Buffer } from 'node:buffer';
import type { IncomingMessage } from 'node:http';
import { decodeEvent, type FluxEvent } from '../flux/model/event.js';
import { decodeFirstValue, goErrorValueJson } from './go-json-reader.js';
import { HttpRequestError } from './errors.js';

/** The default limit on request bodies (Go sets none; a relay or hub should). */
export const DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024;

/** Reads the whole body; more than `maxBytes` → 413 `http: request body too large` (Go's `MaxBytesReader` text). */
export async function readRequestBody(req: IncomingMessage, maxBytes = DEFAULT_MAX_BODY_BYTES): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    req.resume();
    throw new HttpRequestError(413, 'http: request body too large');
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) {
      req.resume();
      throw new HttpRequestError(413, 'http: request body too large');
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}

/** A decode failure as the 400 Go's handlers write (`WriteError(w, r, 400, err)`). */
export function badRequest(err: unknown): HttpRequestError {
  const e = err instanceof Error ? err : new Error(String(err));
  return new HttpRequestError(400, e.message, goErrorValueJson(e), { cause: e });
}

/**
 * Decodes a request body as `json.NewDecoder(body).Decode(&v)` into a value of the type `decode`
 * reads (the first JSON value counts; trailing bytes are ignored; no value is `EOF`). Failures are
 * 400 `HttpRequestError`s.
 */
export function decodeRequestBody<T>(body: Uint8Array, decode: (json: unknown) => T): T {
  try {
    return decode(decodeFirstValue(body));
  } catch (err) {
    throw badRequest(err);
  }
}

/**
 * The body of `POST <base>/v6/events` (the daemon's `LogEvent`, docs/wire.md §7.5) as an `event.Event`,
 * decoded as the historic upstream did. Failures are 400 `HttpRequestError`s to answer with
 * `writeError`.
 */
export function parseEventBody(body: Uint8Array): FluxEvent {
  return decodeRequestBody(body, decodeEvent);
}
