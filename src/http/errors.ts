/**
 * Errors of Flux's daemon HTTP API (`pkg/http/errors.go`, help texts byte for byte) and of our
 * HTTP client. Flux's own errors are `FluxError`s (type, help, message), so they travel in the
 * `{"type","help","error"}` body and through the RPC union unchanged; the client's transport and
 * protocol failures are plain errors with a stable `code` and Go's message text.
 *
 * Every error the client throws can be printed on one line with `describeHttpError`.
 */
import { encodeFluxError, FluxError, FluxErrorType } from '../flux/model/flux-error.js';
import { GoText } from '../runtime/go-text.js';

export function deprecatedHelp(): string {
  return `The API endpoint requested appears to have been deprecated.

This indicates your client (fluxctl) needs to be updated: please see

    https://github.com/fluxcd/flux/releases

If you still have this problem after upgrading, please file an issue at

    https://github.com/fluxcd/flux/issues

mentioning what you were attempting to do.
`;
}

export function unauthorizedHelp(): string {
  return `The request failed authentication

This most likely means you have a missing or incorrect token. Please
make sure you supply a service token, either by setting the
environment variable FLUX_SERVICE_TOKEN, or using the argument --token
with fluxctl.

`;
}

export function apiNotFoundHelp(path: string): string {
  return `The API endpoint requested is not supported by this server.

This indicates that your client (probably fluxctl) is either out of
date, or faulty. Please see

    https://github.com/fluxcd/flux/releases

for releases of fluxctl.

If you still have problems, please file an issue at

    https://github.com/fluxcd/flux/issues

mentioning what you were attempting to do, and include this path:

    ${path}
`;
}

/** `http.ErrorDeprecated`: a path under `/v1/` … `/v5/` (answered with 410). */
export class ApiDeprecatedError extends FluxError {
  override name = 'ApiDeprecatedError';
  override readonly code = 'FLUXRPC_ERR_API_DEPRECATED';
  constructor() {
    super(FluxErrorType.Missing, deprecatedHelp(), GoText.apiDeprecated);
  }
}

/** `http.MakeAPINotFound(path)`: an unknown path or method (answered with 404). */
export class ApiNotFoundError extends FluxError {
  override name = 'ApiNotFoundError';
  override readonly code = 'FLUXRPC_ERR_API_NOT_FOUND';
  constructor(readonly path: string) {
    super(FluxErrorType.Missing, apiNotFoundHelp(path), 'API endpoint not found');
  }
}

/**
 * `http.ErrorUnauthorized`. The Go client returns it for every 401 reply, whatever the body. A
 * handler's `resolve` throws it to answer 401.
 */
export class UnauthorizedError extends FluxError {
  override name = 'UnauthorizedError';
  override readonly code = 'FLUXRPC_ERR_UNAUTHORIZED';
  readonly status = 401;
  constructor() {
    super(FluxErrorType.User, unauthorizedHelp(), 'request failed authentication');
  }
}

/**
 * A request the handler refuses before calling the API, answered with a plain Go error (400 for a
 * bad query or body, 413 for an oversized body): not a Flux error, so under JSON negotiation the
 * body is what `json.Marshal` makes of the Go error value (`{}`, or `{"Offset":N}` for a JSON
 * syntax error; see `jsonBody`).
 */
export class HttpRequestError extends Error {
  override name = 'HttpRequestError';
  readonly code: string = 'FLUXRPC_ERR_HTTP_REQUEST';
  constructor(
    readonly status: number,
    message: string,
    /** The body under JSON negotiation. */
    readonly jsonBody: string = '{}',
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * 503: the server holds as many request bodies in memory as its budget allows (`ByteBudget`), so
 * this one is refused rather than buffered; answered with `Retry-After`. Under JSON negotiation
 * the body is a Flux error (type `server`), which Flux's clients show.
 */
export class BusyError extends HttpRequestError {
  override name = 'BusyError';
  override readonly code = 'FLUXRPC_ERR_BUSY';
  constructor(
    /** Sent as `Retry-After`. */
    readonly retryAfterSeconds: number,
    message = `the server is busy: the request bodies it holds have reached its memory budget; retry in ${retryAfterSeconds} s`,
  ) {
    super(503, message, encodeFluxError(new FluxError(FluxErrorType.Server, `${message}\n`, message)));
  }
}

// --- client side ----------------------------------------------------------------------------

/** A Flux error decoded from an error reply: a plain `FluxError` plus the HTTP status it came with. */
export class FluxHttpError extends FluxError {
  override name = 'FluxError';
  override readonly code = 'FLUXRPC_ERR_HTTP_FLUX';
  constructor(
    type: string,
    help: string,
    message: string,
    readonly status: number,
    readonly statusText: string,
  ) {
    super(type, help, message);
  }
}

/**
 * An error reply that carries no Flux error: Go's `<status line> <body>`, with the context Go's
 * client adds (`executing HTTP request: 500 Internal Server Error boom`, what fluxctl prints).
 */
export class HttpStatusError extends Error {
  override name = 'HttpStatusError';
  readonly code = 'FLUXRPC_ERR_HTTP_STATUS';
  constructor(
    readonly status: number,
    /** Go's `resp.Status`, e.g. `500 Internal Server Error`. */
    readonly statusLine: string,
    readonly body: string,
  ) {
    super(GoText.httpStatus(statusLine, body));
  }
}

/**
 * A reply body that does not decode, with Go's texts: `decoding response from server: …` (success
 * replies) or `executing HTTP request: decoding response body of error: …` (error replies with a
 * JSON content type).
 */
export class HttpDecodeError extends Error {
  override name = 'HttpDecodeError';
  readonly code = 'FLUXRPC_ERR_HTTP_DECODE';
  constructor(
    readonly status: number,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The request did not get a reply: connection refused, reset, DNS failure, TLS failure, … */
export class HttpTransportError extends Error {
  override name = 'HttpTransportError';
  readonly code = 'FLUXRPC_ERR_HTTP_TRANSPORT';
  constructor(
    readonly method: string,
    readonly url: string,
    cause: Error,
  ) {
    super(`executing HTTP request: ${method} ${url}: ${describeCause(cause)}`, { cause });
  }
}

/** No complete reply within the client's `timeoutMs`. */
export class HttpTimeoutError extends Error {
  override name = 'HttpTimeoutError';
  readonly code = 'FLUXRPC_ERR_HTTP_TIMEOUT';
  constructor(
    readonly method: string,
    readonly url: string,
    readonly timeoutMs: number,
  ) {
    super(`executing HTTP request: ${method} ${url}: no complete reply within ${timeoutMs} ms`);
  }
}

function describeCause(err: Error): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (err instanceof AggregateError && err.errors.length > 0) return describeCause(err.errors[0] as Error);
  return err.message !== '' ? err.message : (code ?? err.name);
}

function firstLine(s: string): string {
  const line = s.split('\n').find((l) => l.trim() !== '') ?? '';
  return line.trim();
}

/**
 * One line for a CLI, for any error the HTTP client throws: Flux errors show their type, status
 * and message (the help text is for `--verbose`); other errors their message's first line.
 */
export function describeHttpError(err: unknown): string {
  if (err instanceof FluxHttpError) return `${err.message || firstLine(err.help)} (flux ${err.type} error, HTTP ${err.status})`;
  if (err instanceof UnauthorizedError) return `${err.message} (HTTP 401: missing or wrong token)`;
  if (err instanceof FluxError) return `${err.message || firstLine(err.help)} (flux ${err.type || 'unknown'} error)`;
  if (err instanceof HttpStatusError) {
    const body = firstLine(err.body);
    return body === '' ? `HTTP ${err.statusLine}` : `HTTP ${err.statusLine}: ${body}`;
  }
  if (err instanceof Error) return firstLine(err.message) || err.name;
  return String(err);
}
