/**
 * The RPC layer's errors. Two families that callers must tell apart:
 *
 * - `ServerError`: the remote answered the call with an error string (Go's `rpc.ServerError`).
 *   The connection is fine.
 * - `ConnectionError` and its subclasses: the connection is unusable. Every pending call fails with
 *   one, and the client is shut down. Flux treats all of these as fatal (the daemon is dropped).
 *
 * A call aborted through its `AbortSignal` rejects with the signal's reason instead; a call that
 * reaches its `deadline` rejects with `DeadlineExceededError` (not fatal: the connection is fine).
 */
import { GoText } from '../runtime/go-text.js';

export type RpcErrorCode =
  | 'FLUXRPC_ERR_SERVER'
  | 'FLUXRPC_ERR_SHUTDOWN'
  | 'FLUXRPC_ERR_UNEXPECTED_EOF'
  | 'FLUXRPC_ERR_TRANSPORT'
  | 'FLUXRPC_ERR_MALFORMED'
  | 'FLUXRPC_ERR_OVERSIZE'
  | 'FLUXRPC_ERR_TOO_MANY_ELEMENTS'
  | 'FLUXRPC_ERR_DEADLINE_EXCEEDED'
  | 'FLUXRPC_ERR_BAD_RESPONSE'
  | 'FLUXRPC_ERR_REPLY_DECODE';

export abstract class RpcError extends Error {
  abstract readonly code: RpcErrorCode;
  /** True when the connection is unusable after this error. */
  abstract readonly fatal: boolean;
}

/** The remote's error string for one call (Go's `rpc.ServerError`). */
export class ServerError extends RpcError {
  override name = 'ServerError';
  readonly code = 'FLUXRPC_ERR_SERVER';
  readonly fatal = false;
}

/**
 * The call's deadline passed before its reply came (Go's `context.DeadlineExceeded` text). Only
 * that call is given up: its late reply is dropped and the connection stays usable. Also the
 * abort reason a server-side method sees at its timeout.
 */
export class DeadlineExceededError extends RpcError {
  override name = 'DeadlineExceededError';
  readonly code = 'FLUXRPC_ERR_DEADLINE_EXCEEDED';
  readonly fatal = false;
  constructor() {
    super(GoText.contextDeadlineExceeded);
  }
}

/** The connection failed or was closed; fatal for the connection. */
export class ConnectionError extends RpcError {
  override name = 'ConnectionError';
  readonly fatal = true;
  constructor(
    readonly code: Exclude<RpcErrorCode, 'FLUXRPC_ERR_SERVER' | 'FLUXRPC_ERR_DEADLINE_EXCEEDED'>,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** Calls on a client that was closed or already failed: `connection is shut down`. */
export class ShutdownError extends ConnectionError {
  override name = 'ShutdownError';
  constructor(options?: ErrorOptions) {
    super('FLUXRPC_ERR_SHUTDOWN', GoText.shutdown, options);
  }
}

/** The byte stream ended or broke (clean end mid-call is `unexpected EOF`, as in Go). */
export class TransportError extends ConnectionError {
  override name = 'TransportError';
}

/** The peer sent bytes that are not a valid response stream (malformed, oversize, bad envelope). */
export class ProtocolError extends ConnectionError {
  override name = 'ProtocolError';
}

/** Whether an error means the connection is gone (as opposed to a per-call server error or abort). */
export function isFatal(error: unknown): boolean {
  return error instanceof RpcError && error.fatal;
}
