/**
 * What a websocket peer can do wrong, as errors: each has a stable `code` for logs and metrics and
 * the close code we send before dropping the connection (1002 protocol error, 1009 too big). The
 * texts keep gorilla/websocket's words where it has them (`websocket: bad MASK`, `bad close code`).
 */

import { CLOSE_PROTOCOL_ERROR, CLOSE_TOO_BIG } from './protocol.js';

export type WebSocketErrorCode = 'FLUXRPC_ERR_WS_PROTOCOL' | 'FLUXRPC_ERR_WS_TOO_BIG';

export class WebSocketError extends Error {
  override name = 'WebSocketError';
  constructor(
    readonly code: WebSocketErrorCode,
    /** The close code sent to the peer. */
    readonly closeCode: number,
    /** The text without the `websocket: ` prefix; sent as the close reason (cut to fit). */
    readonly reason: string,
  ) {
    super(`websocket: ${reason}`);
  }
}

export function protocolError(reason: string): WebSocketError {
  return new WebSocketError('FLUXRPC_ERR_WS_PROTOCOL', CLOSE_PROTOCOL_ERROR, reason);
}

export function tooBigError(limit: number): WebSocketError {
  return new WebSocketError('FLUXRPC_ERR_WS_TOO_BIG', CLOSE_TOO_BIG, `read limit exceeded: a message larger than ${limit} bytes`);
}

