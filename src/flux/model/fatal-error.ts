/**
 * `remote.FatalError`: not a Flux error but a wrapper meaning "the connection to this daemon is
 * unusable: disconnect it". Its text is the inner error's text (docs/rpc.md §7.3).
 */
export class FatalError extends Error {
  override name = 'FatalError';
  readonly code = 'FLUXRPC_ERR_FATAL';
  constructor(readonly err: Error) {
    super(err.message, { cause: err });
  }
}
