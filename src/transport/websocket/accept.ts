/**
 * The server side: upgrades requests from an `http.Server`'s 'upgrade' event (req, socket, head)
 * as Flux's `websocket.Upgrade` (gorilla's Upgrader with any origin, no subprotocol, no
 * compression). A bad handshake gets gorilla's HTTP error and the connection is closed.
 */
import type { Buffer } from 'node:buffer';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { checkUpgradeRequest, refusal, switchingProtocols } from './handshake.js';
import { WebSocketStream, type WebSocketStreamOptions } from './stream.js';

export type AcceptOptions = WebSocketStreamOptions;

/** An upgrade request we refused (answered with `status`), or a connection gone before the answer. */
export class HandshakeError extends Error {
  override name = 'HandshakeError';
  readonly code = 'FLUXRPC_ERR_HANDSHAKE';
  constructor(
    readonly status: number,
    reason: string,
  ) {
    super(`websocket handshake rejected${status ? ` (${status})` : ''}: ${reason}`);
  }
}

export class WebSocketAcceptor {
  constructor(private readonly options: AcceptOptions = {}) {}

  /**
   * Resolves with the stream; rejects with a HandshakeError if the request is no valid websocket
   * handshake. `remote` describes the peer (default `address:port` of the request's socket).
   */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, remote?: string): Promise<WebSocketStream> {
    const refused = checkUpgradeRequest(req.method, req.headers);
    if (refused) {
      socket.on('error', () => undefined);
      socket.end(refusal(refused.status), () => socket.destroy());
      return Promise.reject(new HandshakeError(refused.status, refused.reason));
    }
    if (socket.destroyed || !socket.writable) return Promise.reject(new HandshakeError(0, 'the connection closed before the upgrade'));
    socket.write(switchingProtocols(req.headers['sec-websocket-key'] as string));
    return Promise.resolve(new WebSocketStream(socket, 'server', this.options, remote ?? `${req.socket.remoteAddress}:${req.socket.remotePort}`, head));
  }
}
