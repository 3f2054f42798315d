/**
 * Errors raised while turning bytes into JSON values. Each carries a stable `code` for logs, metric
 * labels and tests. Any codec error is permanent for its stream: the connection must be closed.
 */
export type CodecErrorCode = 'FLUXRPC_ERR_MALFORMED' | 'FLUXRPC_ERR_OVERSIZE' | 'FLUXRPC_ERR_UNEXPECTED_EOF';

export class CodecError extends Error {
  override name = 'CodecError';
  constructor(
    readonly code: CodecErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
