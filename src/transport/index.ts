/**
 * The transport layer: bytes between two peers behind one interface, `ByteStream`, which the RPC
 * layer above reads and writes without knowing what carries them. It may import only the runtime
 * layer (src/runtime/) and Node; nothing of codec, rpc or above. One module per job:
 * - `byte-stream.ts`: the `ByteStream` and `StreamSink` interfaces, the high-water mark rules, and a message
 *   produced a chunk at a time (`MessageSource`: large replies);
 * - `stream-base.ts`: bookkeeping shared by the implementations (write accounting, `writable()`,
 *   one delivery of the end, `closed`);
 * - `memory.ts`: an in-memory pair of connected streams (tests, in-process use);
 * - `tcp.ts`: a TCP or Unix socket as a stream (`dialTcp`, `listenTcp`);
 * - `websocket.ts`: Flux's websocket adapter (docs/wire.md §6), on our own RFC 6455 in
 *   `websocket/` (see its README.md);
 * - `heartbeat.ts`: Flux's ping period and read and write deadlines for one connection;
 * - `shared-timer.ts`: one Node timer for the deadlines of every connection.
 */
export type { ByteStream, StreamSink, FlowOptions, MessageSource } from './byte-stream.js';
export { DEFAULT_HIGH_WATER_MARK, MIN_FILL_BYTES, sourceToBuffer } from './byte-stream.js';
export { StreamBase, StreamClosedError } from './stream-base.js';
export { MemoryStream, memoryPipe } from './memory.js';
export { SocketStream, dialTcp, listenTcp } from './tcp.js';
export { Heartbeat, FLUX_PING_PERIOD_MS, FLUX_PONG_WAIT_MS, FLUX_WRITE_WAIT_MS, type HeartbeatOptions } from './heartbeat.js';
export { WebSocketStream, WebSocketAcceptor, DialError, DialTimeoutError, HandshakeError, WebSocketError, dialWebSocket, DEFAULT_MAX_PAYLOAD, type DialOptions, type AcceptOptions, type WebSocketStreamOptions } from './websocket.js';
