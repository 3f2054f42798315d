export type { ByteStream, StreamSink, FlowOptions, MessageSource } from './byte-stream.js';
export { DEFAULT_HIGH_WATER_MARK, MIN_FILL_BYTES, sourceToBuffer } from './byte-stream.js';
export { StreamBase, StreamClosedError } from './stream-base.js';
export { MemoryStream, memoryPipe } from './memory.js';
export { SocketStream, dialTcp, listenTcp } from './tcp.js';
export { Heartbeat, FLUX_PING_PERIOD_MS, FLUX_PONG_WAIT_MS, FLUX_WRITE_WAIT_MS, type HeartbeatOptions } from './heartbeat.js';
export { WebSocketStream, WebSocketAcceptor, DialError, DialTimeoutError, HandshakeError, WebSocketError, dialWebSocket, DEFAULT_MAX_PAYLOAD, type DialOptions, type AcceptOptions, type WebSocketStreamOptions } from './websocket.js';
