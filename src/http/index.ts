/**
 * Flux's daemon HTTP API (what fluxctl and flux's Go `pkg/http/client` speak; docs/wire.md Appendix A),
 * both sides, on node:http only.
 *
 * - `createFluxHttpHandler({ resolve, basePath, callTimeoutMs })` serves a `FluxApi` as fluxd
 *   v1.25.4 does (`pkg/http/daemon` behind `NewRouter`, mounted at `/api/flux/`). It resolves
 *   `false` for paths that are not its own, including the upstream's `/v<N>/daemon` and
 *   `POST /v6/events`, so a hub can chain handlers.
 * - `FluxHttpClient` is a `FluxApi` over that API, as flux's Go `pkg/http/client` (relay mode to a
 *   real fluxd; the CLI against the hub).
 * - `ROUTES` is the route table both are driven by; `writeError` / `errorResponse` /
 *   `parseEventBody` let other handlers (the hub's `/v6/events`, its 401s) answer Flux clients
 *   the same way. (Tests run handlers in process with `test/fakes/inject.ts`.)
 *
 * Error model. Server side: an API failure is reported as the first `FluxError` on its `cause`
 * chain (Go: `errors.Cause`), otherwise as `CoverAllError`; status by type (`missing` 404, `user`
 * 422, other 500; `UnauthorizedError` 401); body by the request's `Accept` (JSON error object,
 * text/plain help, or the bare message). Requests refused before the call (bad query, bad body)
 * are `HttpRequestError`s (400, 413) written as Go writes a plain error. Client side: Flux errors
 * come back as `FluxHttpError` (a `FluxError` carrying the status), 401 as `UnauthorizedError`;
 * other replies as `HttpStatusError`, undecodable bodies as `HttpDecodeError`, no reply as
 * `HttpTransportError`/`HttpTimeoutError`; an aborted `signal` rejects with its reason.
 *
 * Differences from Go, on purpose (each pinned by a test):
 * - GitRepoConfig: fluxd writes a 400 for an undecodable body, then calls the API anyway and
 *   appends its reply; on an API error it appends the zero GitConfig to the error body, which its
 *   own client then fails to read. We answer the 400 or the error alone.
 * - Under JSON negotiation, a 400 for a JSON *type* error in a body is `{}`; Go marshals its
 *   `*json.UnmarshalTypeError` (`{"Value":…,"Type":{},"Offset":…,…}`). Syntax errors match.
 * - Request bodies are limited (`maxBodyBytes`, 413); calls may time out (`callTimeoutMs`,
 *   `UnavailableError`); a call's signal is aborted when the HTTP client goes away.
 * - The client does not follow redirects, does not ask for gzip, may time out, and has no
 *   `syncNotify` (no such route: `UpgradeNeededError` without I/O). Transport error texts are
 *   Node's, not Go's.
 */
export { createFluxHttpHandler, type FluxHttpHandler, type FluxHttpHandlerOptions } from './api-handler.js';
export { FluxHttpClient, type FluxHttpClientOptions } from './client.js';
export { EncodedJson } from './encoded-json.js';
export { setTokenHeader } from './token-header.js';
export {
  ROUTES,
  ROUTE_LIST,
  DEPRECATED_VERSIONS,
  UPSTREAM_ROUTES,
  matchRoute,
  STRING_CODEC,
  BOOL_CODEC,
  STRING_SLICE_CODEC,
  PUBLIC_KEY_CODEC,
  type ApiRoute,
  type RouteName,
  type RouteMatch,
  type HttpMethod,
  type JsonCodec,
  type ClientRead,
} from './routes.js';
export {
  ApiDeprecatedError,
  ApiNotFoundError,
  UnauthorizedError,
  HttpRequestError,
  BusyError,
  FluxHttpError,
  HttpStatusError,
  HttpDecodeError,
  HttpTransportError,
  HttpTimeoutError,
  describeHttpError,
  deprecatedHelp,
  unauthorizedHelp,
  apiNotFoundHelp,
} from './errors.js';
export { writeError, errorResponse, errorBody, jsonResponse, emptyResponse, send, toFluxError, statusForFluxError, JSON_CONTENT_TYPE, TEXT_CONTENT_TYPE } from './respond.js';
export { htmlEscape } from './html.js';
export { readRequestBody, decodeRequestBody, parseEventBody, badRequest, DEFAULT_MAX_BODY_BYTES, DEFAULT_RETRY_AFTER_SECONDS, type ReadBodyOptions } from './body.js';
export { negotiateContentType, parseAccept, type AcceptSpec } from './accept.js';
export { decodeFirstValue, unmarshalWhole, GoJsonSyntaxError, GoJsonEofError, goErrorValueJson, goQuoteChar } from './go-json-reader.js';
export {
  GoQuery,
  goQueryEscape,
  goQueryUnescape,
  goPathEscape,
  goPathUnescape,
  goEncodeQuery,
  findFirstQueryKey,
  muxQueryVar,
  cleanPath,
  splitRequestTarget,
  UrlEscapeError,
  QuerySemicolonError,
} from './go-url.js';
