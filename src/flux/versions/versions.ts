/**
 * The version table of the upstream clients V6…V11 (docs/rpc.md §2, §6.1, §6.2, §6.5): per version the
 * reply form, whether RPC error strings are wrapped (V6's remoteApplicationError), the resource
 * kinds the daemon accepts with the error raised for others, and how each method is provided:
 *
 * - `native`: one RPC with the method's wire name;
 * - `shim`: emulated with older calls (the method table's `shim`), for a version older than the
 *   method that has one;
 * - `upgrade-needed`: fails with UpgradeNeededError (`<Method> method not implemented`) without I/O.
 *
 * A method is native from the version that introduced it (`since` in the method table). A V12 is
 * one more row here (and its tests).
 */
import { isProtocolVersion, PROTOCOL_VERSIONS, type ProtocolVersion } from '../api.js';
import { RemoteApplicationError, UnsupportedResourceKindError, UpgradeNeededError, type FluxError } from '../model/flux-error.js';
import { KINDS_V6, KINDS_V8 } from './kinds.js';
import { METHOD_NAMES, METHODS, type MethodName } from './methods.js';
import type { ReplyForm } from './replies.js';

export type Provision = 'native' | 'shim' | 'upgrade-needed';

export interface VersionSpec {
  readonly version: ProtocolVersion;
  /** The shape of versioned replies. */
  readonly replies: ReplyForm;
  /**
   * How an RPC error string (a `ServerError`) of a versioned method reaches the caller: V6 wraps it
   * in a Flux error (remoteApplicationError), V7+ return it as is. Ping and Version never wrap.
   */
  readonly wrapServerError: ((error: Error) => FluxError) | undefined;
  /** Kinds accepted in IDs and specs; others fail before any I/O. */
  readonly kinds: readonly string[];
  /** The error for a refused kind (ListServicesWithOptions' shim always uses UnsupportedResourceKind). */
  readonly kindError: (message: string) => FluxError;
  /** How each method is provided. */
  readonly methods: Readonly<Record<MethodName, Provision>>;
}

function provisions(version: ProtocolVersion): Record<MethodName, Provision> {
  const out = {} as Record<MethodName, Provision>;
  for (const name of METHOD_NAMES) {
    const m = METHODS[name];
    out[name] = m.since <= version ? 'native' : m.shim !== undefined ? 'shim' : 'upgrade-needed';
  }
  return out;
}

function row(
  version: ProtocolVersion,
  replies: ReplyForm,
  wrapServerError: VersionSpec['wrapServerError'],
  kinds: readonly string[],
  kindError: (message: string) => FluxError,
): VersionSpec {
  return Object.freeze({
    version,
    replies,
    wrapServerError,
    kinds,
    kindError,
    methods: Object.freeze(provisions(version)),
  });
}

const remoteApplicationError = (error: Error): FluxError => new RemoteApplicationError(error);
const upgradeNeeded = (message: string): FluxError => new UpgradeNeededError(message);
const unsupportedKind = (message: string): FluxError => new UnsupportedResourceKindError(message);

export const VERSIONS: Readonly<Record<ProtocolVersion, VersionSpec>> = Object.freeze({
  //  version  replies  RPC error strings       kinds     refused kind
  6: row(6, 'flat', remoteApplicationError, KINDS_V6, upgradeNeeded),
  7: row(7, 'union', undefined, KINDS_V6, upgradeNeeded),
  8: row(8, 'union', undefined, KINDS_V8, unsupportedKind),
  9: row(9, 'union', undefined, KINDS_V8, unsupportedKind),
  10: row(10, 'union', undefined, KINDS_V8, unsupportedKind),
  11: row(11, 'union', undefined, KINDS_V8, unsupportedKind),
});

export function versionSpec(version: ProtocolVersion): VersionSpec {
  if (!isProtocolVersion(version)) throw new RangeError(`unsupported protocol version ${String(version)} (speak ${PROTOCOL_VERSIONS.join(', ')})`);
  return VERSIONS[version];
}
