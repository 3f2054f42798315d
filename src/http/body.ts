/**
 * Request bodies: reading them with a size limit, and decoding them as Flux's handlers do
 * (`json.NewDecoder(r.Body).Decode(&v)`), with failures as 400 `HttpRequestError`s that carry Go's
 * message and the JSON form Go would write for the error value.
 */
import { Buffer } from 'node:buffer';
import type { IncomingMessage } from 'node:http';
import { decodeEvent, type FluxEvent } from '../flux/model/event.js';
import { decodeFirstValue, goErrorValueJson } from './go-json-reader.js';
import { BusyError, HttpRequestError } from './errors.js';
import type { ByteBudget } from '../runtime/budget.js';
import { GoText } from '../runtime/go-text.js';

/** The default limit on request bodies (Go sets none; a relay or hub should). */
export const DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024;

/** `Retry-After` of a body refused because the memory budget is used up. */
export const DEFAULT_RETRY_AFTER_SECONDS = 5;

/** The first buffer a body of unknown length is read into; it doubles as needed. */
const FIRST_BUFFER_BYTES = 64 * 1024;

export interface ReadBodyOptions {
  /**
   * Charged with the bytes the body is held in, shared with everything else that buffers: a body
   * that does not fit is refused with `BusyError` (503, `Retry-After`) and nothing it held stays
   * charged. Without it, bodies are only bounded one by one (`maxBytes`).
   */
  budget?: ByteBudget;
  /**
   * The charge stays until this emits 'close' (pass the `ServerResponse`: the body is held while
   * the request is served). Without it, it is released when the read ends.
   */
  holdUntil?: { once(event: 'close', listener: () => void): unknown; readonly closed?: boolean };
  /** `Retry-After` of a `BusyError` (default 5 s). */
  retryAfterSeconds?: number;
}

const tooLarge = () => new HttpRequestError(413, GoText.requestBodyTooLarge);

/**
 * Reads the whole body; more than `maxBytes` → 413 `http: request body too large` (Go's
 * `MaxBytesReader` text); over `options.budget` → 503 `BusyError`. After a refusal the rest of
 * the body is read and discarded, so the reply can still be written.
 *
 * Memory: the body is copied into one buffer, so what is held is that buffer, never the socket's
 * read chunks (a 1-byte chunk can pin a 64 KiB slab). With a `Content-Length`, the buffer has
 * that size and is charged as it fills (its pages become resident as they are written); a length
 * that does not fit the budget at the start is refused before any byte is read. Without one
 * (chunked), the buffer doubles from 64 KiB as needed and is charged at its full size; while it
 * grows, the old and the new one are both charged.
 */
export async function readRequestBody(req: IncomingMessage, maxBytes = DEFAULT_MAX_BODY_BYTES, options: ReadBodyOptions = {}): Promise<Buffer> {
  const { budget } = options;
  const busy = () => new BusyError(options.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS);
  const header = req.headers['content-length'];
  const declared = header === undefined ? undefined : Number(header);
  // After a refusal the rest is read and dropped (not kept), so that the reply can be written.
  const discardRest = (error: unknown) => {
    req.resume();
    return error;
  };
  if (declared !== undefined && declared > maxBytes) throw discardRest(tooLarge());
  if (budget && declared !== undefined && !budget.fits(declared)) throw discardRest(busy());
  let charged = 0;
  const charge = (bytes: number) => {
    if (!budget) return;
    if (!budget.fits(bytes)) throw busy();
    budget.charge(bytes);
    charged += bytes;
  };
  const uncharge = (bytes: number) => {
    if (!budget) return;
    budget.release(bytes);
    charged -= bytes;
  };
  let buffer = Buffer.alloc(0);
  let size = 0;
  try {
    for await (const chunk of req.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
      const needed = size + chunk.length;
      if (needed > maxBytes) throw tooLarge();
      if (declared !== undefined) {
        // node's parser never delivers more than the Content-Length.
        if (buffer.length === 0) buffer = Buffer.allocUnsafe(declared);
        charge(chunk.length);
      } else if (needed > buffer.length) {
        const capacity = Math.min(Math.max(needed, buffer.length * 2, FIRST_BUFFER_BYTES), Math.max(maxBytes, needed));
        charge(capacity);
        const grown = Buffer.allocUnsafe(capacity);
        buffer.copy(grown, 0, 0, size);
        uncharge(buffer.length);
        buffer = grown;
      }
      chunk.copy(buffer, size);
      size = needed;
    }
  } catch (e) {
    uncharge(charged);
    throw discardRest(e);
  }
  if (charged > 0) {
    const release = () => uncharge(charged);
    if (options.holdUntil && !options.holdUntil.closed) options.holdUntil.once('close', release);
    else release();
  }
  return buffer.subarray(0, size);
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
