/**
 * The RPC layer: Go's `net/rpc` with the `net/rpc/jsonrpc` codec over any `ByteStream`
 * (docs/wire.md §3–§5). One module per job:
 * - `client.ts`: `Client`, calls matched by id, cancellation and deadlines, the first failure of
 *   the stream failing every pending call;
 * - `server.ts`: `Server`, services and methods, Go's error strings, one lifecycle per connection;
 * - `envelope.ts`: the JSON-RPC 1.0 envelopes, with Go's quirks, and how a Go client classifies a
 *   response;
 * - `errors.ts`: `ServerError` (the call failed) against `ConnectionError` (the connection did);
 * - `go-format.ts`: Go's `%v` of a decoded value, for the texts Go's client reports. The texts
 *   themselves are in ../runtime/go-text.ts (`GoText`, re-exported here).
 */
export { Client, type CallOptions, type ClientOptions } from './client.js';
export { Server, type ConnectionLifecycle, type ConnectionState, type MethodContext, type MethodDefinition, type ServiceDefinition, type ServeOptions, type ServerConnection } from './server.js';
export { RpcError, ServerError, DeadlineExceededError, ConnectionError, ShutdownError, TransportError, ProtocolError, isFatal, type RpcErrorCode } from './errors.js';
export { GoText } from '../runtime/go-text.js';
export { encodeRequest, encodeSuccess, encodeFailure, classifyResponse, parseRequest } from './envelope.js';
