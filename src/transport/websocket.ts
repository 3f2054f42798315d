/**
 * Flux's websocket adapter (`pkg/http/websocket`, docs/wire.md §6) as a ByteStream, on our own
 * RFC 6455 implementation in `websocket/` (one job per module):
 * - `handshake.ts`: the opening handshake, both sides, as gorilla/websocket does it;
 * - `dial.ts` / `accept.ts`: `dialWebSocket` (client, fluxd's request) and `WebSocketAcceptor`
 *   (server, from an http.Server's 'upgrade' event);
 * - `frame-reader.ts`: the read state machine (payload straight to the sink, nothing buffered);
 * - `frame-writer.ts`: one binary message per write, batched per tick into one socket write;
 * - `mask.ts`: masking in place, 32 bits at a time;
 * - `stream.ts`: the adapter's behaviour (text ignored, heartbeat, close codes, close 1000 "ok").
 */
export { WebSocketStream, DEFAULT_MAX_PAYLOAD, type WebSocketStreamOptions } from './websocket/stream.js';
export { dialWebSocket, DialError, DialTimeoutError, MAX_DIAL_ERROR_BODY, type DialOptions } from './websocket/dial.js';
export { WebSocketAcceptor, HandshakeError, type AcceptOptions } from './websocket/accept.js';
export { WebSocketError, type WebSocketErrorCode } from './websocket/errors.js';
