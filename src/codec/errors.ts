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

/** Go's description of a byte as `%q` would quote a rune, e.g. `'x'` or `'\x00'`. */
export function describeByte(b: number): string {
  if (b >= 0x20 && b < 0x7f) return b === 0x27 ? "'\\''" : `'${String.fromCharCode(b)}'`;
  return `'\\x${b.toString(16).padStart(2, '0')}'`;
}
