/**
 * Writing replies as Flux's `pkg/http` does (`WriteError`, `ErrorResponse`, `JSONResponse`), for
 * the API handler and for anything else that answers Flux clients (the hub's `/v6/events`, its
 * 401s). Bodies are exact; every reply gets a `Content-Length`.
 */
import { Buffer } from 'node:buffer';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { TimeSlicer } from '../codec/time-slice.js';
import { CoverAllError, encodeFluxError, FluxError, FluxErrorType } from '../flux/model/flux-error.js';
import { negotiateContentType } from './accept.js';
import { BusyError, HttpRequestError, UnauthorizedError } from './errors.js';

export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';
export const TEXT_CONTENT_TYPE = 'text/plain; charset=utf-8';

/** The request's `Accept` header lines (Go keeps repeated headers apart; so does `headersDistinct`). */
function acceptLines(req: IncomingMessage): readonly string[] {
  return req.headersDistinct?.['accept'] ?? (req.headers.accept === undefined ? [] : [req.headers.accept]);
}

/** A whole reply with a `Content-Length` (a HEAD request gets the headers only, as node:http does). */
export function send(res: ServerResponse, status: number, headers: Record<string, string>, body: string | Uint8Array): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, { ...headers, 'Content-Length': String(Buffer.byteLength(body)) });
  res.end(body);
}

/**
 * The error body for a request, by content negotiation (docs/wire.md App. A): `Accept` with JSON
 * preferred → `{"type","help","error"}` for a Flux error, the Go error value's JSON otherwise;
 * `text/plain` preferred → a Flux error's help, another error's message; no `Accept` (or none of
 * the two types listed) → the message.
 */
export function errorBody(req: IncomingMessage, err: Error): { contentType: string; body: string } {
  const lines = acceptLines(req);
  if (lines.length > 0 && lines[0] !== '') {
    switch (negotiateContentType(lines, ['application/json', 'text/plain'])) {
      case 'application/json':
        return {
          contentType: JSON_CONTENT_TYPE,
          body: err instanceof FluxError ? encodeFluxError(err) : err instanceof HttpRequestError ? err.jsonBody : '{}',
        };
      case 'text/plain':
        return { contentType: TEXT_CONTENT_TYPE, body: err instanceof FluxError ? err.help : err.message };
    }
  }
  return { contentType: TEXT_CONTENT_TYPE, body: err.message };
}

/** Go's `WriteError(w, r, code, err)`. */
export function writeError(req: IncomingMessage, res: ServerResponse, status: number, err: Error): void {
  const { contentType, body } = errorBody(req, err);
  const headers: Record<string, string> = { 'Content-Type': contentType };
  if (err instanceof BusyError) headers['Retry-After'] = String(err.retryAfterSeconds);
  send(res, status, headers, body);
}

/**
 * The Flux error an API failure is reported as (Go's `errors.Cause` then `CoverAllError`): the
 * first `FluxError` on the error's `cause` chain, or the error itself wrapped in `CoverAllError`.
 */
export function toFluxError(err: unknown): FluxError {
  let e: unknown = err;
  for (let depth = 0; depth < 100 && !(e instanceof FluxError) && e instanceof Error && e.cause !== undefined; depth++) e = e.cause;
  if (e instanceof FluxError) return e;
  return new CoverAllError(err instanceof Error ? err : new Error(String(err)));
}

/** The status for a Flux error: `missing` 404, `user` 422, anything else 500 (401 for `UnauthorizedError`). */
export function statusForFluxError(e: FluxError): number {
  if (e instanceof UnauthorizedError) return 401;
  switch (e.type) {
    case FluxErrorType.Missing:
      return 404;
    case FluxErrorType.User:
      return 422;
    default:
      return 500;
  }
}

/** Go's `ErrorResponse(w, r, err)`. */
export function errorResponse(req: IncomingMessage, res: ServerResponse, err: unknown): void {
  const fluxErr = toFluxError(err);
  writeError(req, res, statusForFluxError(fluxErr), fluxErr);
}

/** Go's `JSONResponse` with an already encoded body (200, no trailing newline). */
export function jsonResponse(res: ServerResponse, json: string | Uint8Array, status = 200): void {
  send(res, status, { 'Content-Type': JSON_CONTENT_TYPE }, json);
}

/** Bytes of body handed to the response per write of a list reply. */
const LIST_WRITE_BYTES = 64 * 1024;

/**
 * `jsonResponse` for a large Go slice (a 60 MB ListServices reply takes about 500 ms to encode):
 * the same bytes and headers (`Content-Length` included), but the elements are encoded in time
 * slices, then written a batch at a time, waiting for the socket to drain whenever it is full. A
 * client that goes away stops the work. Resolves when the body is handed over or the response is
 * gone.
 */
export async function jsonListResponse<E>(res: ServerResponse, items: readonly E[], encode: (e: E) => string, status = 200, slicer = new TimeSlicer()): Promise<void> {
  const parts: (string | undefined)[] = new Array(items.length);
  let length = 2 + Math.max(0, items.length - 1); // brackets and commas
  for (let i = 0; i < items.length; i++) {
    const part = encode(items[i]!);
    parts[i] = part;
    length += Buffer.byteLength(part);
    if (slicer.due) {
      await slicer.next();
      if (res.destroyed) return;
    }
  }
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, { 'Content-Type': JSON_CONTENT_TYPE, 'Content-Length': String(length) });
  let batch = '[';
  for (let i = 0; i < parts.length; i++) {
    batch += i === 0 ? parts[i] : ',' + parts[i];
    parts[i] = undefined;
    if (batch.length < LIST_WRITE_BYTES) continue;
    const more = res.write(batch);
    batch = '';
    if (!more) await drained(res);
    else if (slicer.due) await slicer.next();
    if (res.destroyed) return;
  }
  res.end(batch + ']');
}

/** Resolves once `res` can take more (or is closed). */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/** A reply without a body (`w.WriteHeader(204)` / `202`). */
export function emptyResponse(res: ServerResponse, status: number): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, status === 204 || status === 304 ? {} : { 'Content-Length': '0' });
  res.end();
}
