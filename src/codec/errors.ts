/**
 * Errors raised while turning bytes into JSON values. Each carries a stable `code` for logs, metric
 * labels and tests. Any codec error is permanent for its stream: the connection must be closed.
 *
 * - `FLUXRPC_ERR_MALFORMED`: bytes that are not JSON (Go's syntax error text where Go has one, e.g.
 *   `invalid character 'x' looking for beginning of value`, `… exceeded max depth`);
 * - `FLUXRPC_ERR_OVERSIZE`, `FLUXRPC_ERR_TOO_MANY_ELEMENTS`: a value over a limit;
 * - `FLUXRPC_ERR_WRONG_TYPE`: a value that cannot be decoded into the Go type expected (Go's
 *   `json: cannot unmarshal <kind> into Go value of type <type>`);
 * - `FLUXRPC_ERR_UNEXPECTED_EOF`: the stream ended inside a value.
 */
export type CodecErrorCode = 'FLUXRPC_ERR_MALFORMED' | 'FLUXRPC_ERR_OVERSIZE' | 'FLUXRPC_ERR_TOO_MANY_ELEMENTS' | 'FLUXRPC_ERR_WRONG_TYPE' | 'FLUXRPC_ERR_UNEXPECTED_EOF';

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

/**
 * A complete value whose text is not valid JSON (found by the parser, not the splitter). `detail`
 * is the parser's message; the RPC layers put it in their own words.
 */
export class JsonParseError extends CodecError {
  override name = 'JsonParseError';
  constructor(readonly detail: string, options?: ErrorOptions) {
    super('FLUXRPC_ERR_MALFORMED', `malformed JSON: ${detail}`, options);
  }
}
