export { Client, type CallOptions, type ClientOptions } from './client.js';
export { Server, type ConnectionLifecycle, type ConnectionState, type MethodContext, type MethodDefinition, type ServiceDefinition, type ServeOptions, type ServerConnection } from './server.js';
export { RpcError, ServerError, DeadlineExceededError, ConnectionError, ShutdownError, TransportError, ProtocolError, isFatal, type RpcErrorCode } from './errors.js';
export { GoText } from '../runtime/go-text.js';
export { encodeRequest, encodeSuccess, encodeFailure, classifyResponse, parseRequest } from './envelope.js';
