/**
 * The Flux error (`*fluxerr.Error`): a type (`server`, `missing`, `user`), help text for people, and
 * the underlying error, whose message is the error's whole text. On the wire:
 * `{"type":…,"help":…,"error":…}` with `error` omitted when empty (docs/rpc.md §3).
 *
 * flux's helpers become subclasses, so callers can tell them apart with `instanceof` or `code`;
 * all of them are of type `user`, as in Go. A decoded error is a plain `FluxError` (the wire does
 * not say which helper made it).
 */
import { goObject, goQuote, omitEmptyString } from './go-encode.js';
import { field, goString, goStruct, unmarshal, type ValueDecoder } from './go-decode.js';
import { clusterHelp, coverAllHelp, remoteApplicationHelp, unavailableHelp, unsupportedResourceKindHelp, upgradeNeededHelp } from './flux-error-help.js';

export const FluxErrorType = { Server: 'server', Missing: 'missing', User: 'user' } as const;

export type FluxErrorCode =
  | 'FLUXRPC_ERR_FLUX'
  | 'FLUXRPC_ERR_UNAVAILABLE'
  | 'FLUXRPC_ERR_UPGRADE_NEEDED'
  | 'FLUXRPC_ERR_UNSUPPORTED_KIND'
  | 'FLUXRPC_ERR_CLUSTER'
  | 'FLUXRPC_ERR_COVER_ALL'
  | 'FLUXRPC_ERR_REMOTE_APPLICATION'
  // The HTTP API's Flux errors (src/http/errors.ts).
  | 'FLUXRPC_ERR_API_DEPRECATED'
  | 'FLUXRPC_ERR_API_NOT_FOUND'
  | 'FLUXRPC_ERR_UNAUTHORIZED'
  | 'FLUXRPC_ERR_HTTP_FLUX';

function asError(err: Error | string | undefined): Error | undefined {
  return typeof err === 'string' ? new Error(err) : err;
}

export class FluxError extends Error {
  override name = 'FluxError';
  readonly code: FluxErrorCode = 'FLUXRPC_ERR_FLUX';
  /** The underlying error (Go's `Err`); absent when the wire had no `error`. */
  readonly err: Error | undefined;

  constructor(
    /** `server`, `missing`, `user`, or whatever string a peer sent. */
    readonly type: string,
    readonly help: string,
    err?: Error | string,
  ) {
    const e = asError(err);
    // Go's Error() is Err.Error() (and panics without one); ours is "" then.
    super(e?.message ?? '', e === undefined ? undefined : { cause: e });
    this.err = e;
  }

  /** `fluxerr.IsMissing`. */
  isMissing(): boolean {
    return this.type === FluxErrorType.Missing;
  }
}

/** `remote.UnavailableError`: no daemon connected (or the bus could not reach it). */
export class UnavailableError extends FluxError {
  override name = 'UnavailableError';
  override readonly code = 'FLUXRPC_ERR_UNAVAILABLE';
  constructor(err: Error | string) {
    super(FluxErrorType.User, unavailableHelp(), err);
  }
}

/** `remote.UpgradeNeededError`: the daemon is too old for the request. */
export class UpgradeNeededError extends FluxError {
  override name = 'UpgradeNeededError';
  override readonly code = 'FLUXRPC_ERR_UPGRADE_NEEDED';
  constructor(err: Error | string) {
    super(FluxErrorType.User, upgradeNeededHelp(asError(err)!.message), err);
  }
}

/** `remote.UnsupportedResourceKind`: a release names a kind the daemon cannot release. */
export class UnsupportedResourceKindError extends FluxError {
  override name = 'UnsupportedResourceKindError';
  override readonly code = 'FLUXRPC_ERR_UNSUPPORTED_KIND';
  constructor(err: Error | string) {
    super(FluxErrorType.User, unsupportedResourceKindHelp(asError(err)!.message), err);
  }
}

/** `remote.ClusterError`: the daemon runs but cannot complete the request. */
export class ClusterError extends FluxError {
  override name = 'ClusterError';
  override readonly code = 'FLUXRPC_ERR_CLUSTER';
  constructor(err: Error | string) {
    super(FluxErrorType.User, clusterHelp(asError(err)!.message), err);
  }
}

/** `fluxerr.CoverAllError`: wraps an error that has no specific help. */
export class CoverAllError extends FluxError {
  override name = 'CoverAllError';
  override readonly code = 'FLUXRPC_ERR_COVER_ALL';
  constructor(err: Error | string) {
    super(FluxErrorType.User, coverAllHelp(asError(err)!.message), err);
  }
}

/** The V6 client's `remoteApplicationError`: a V6 daemon's error string, as a Flux error. */
export class RemoteApplicationError extends FluxError {
  override name = 'RemoteApplicationError';
  override readonly code = 'FLUXRPC_ERR_REMOTE_APPLICATION';
  constructor(err: Error | string) {
    super(FluxErrorType.User, remoteApplicationHelp(asError(err)!.message), err);
  }
}

export function encodeFluxError(e: FluxError): string {
  return goObject([['type', goQuote(e.type)], ['help', goQuote(e.help)], omitEmptyString('error', e.err?.message ?? '')]);
}

interface FluxErrorWire {
  type: string;
  help: string;
  error: string;
}

const wireValue = goStruct<FluxErrorWire>(
  'struct { Type string "json:\\"type\\""; Help string "json:\\"help\\""; Err string "json:\\"error,omitempty\\"" }',
  '',
  [field('type', 'type', goString()), field('help', 'help', goString()), field('error', 'error', goString())],
);

/**
 * A `*fluxerr.Error` field (such as a reply's `ApplicationError`): `null` is no error; an object
 * gives a `FluxError` whose underlying error exists only if `error` is a non-empty string.
 */
export const fluxErrorValue: ValueDecoder<FluxError | null> = (json) => {
  if (json === null) return null;
  const w = unmarshal<FluxErrorWire>(json, wireValue, { type: '', help: '', error: '' });
  return new FluxError(w.type, w.help, w.error === '' ? undefined : w.error);
};

export function decodeFluxError(json: unknown): FluxError | null {
  return unmarshal(json, fluxErrorValue, null);
}
