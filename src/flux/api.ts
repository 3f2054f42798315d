/**
 * The Flux API a daemon implements and an upstream calls, one interface per protocol generation
 * (Go's `pkg/api` v6 … v11). `FluxApi` is the newest (V11); older generations are subsets, so a
 * V11 implementation serves every client and every client version can be used through `FluxApi`
 * (methods a daemon lacks fail with `UpgradeNeededError` or are emulated; docs/rpc.md §6.2).
 *
 * Every method takes an `AbortSignal` and an optional deadline: on the daemon side the signal is
 * aborted at the RPC timeout (Flux's `--rpc-timeout`) or when the connection is gone; on the
 * upstream side either stops the caller waiting (the wire has no cancel message: the daemon carries
 * on and its late reply is dropped).
 *
 * Errors: an application error is a `FluxError` (travels in the union response from V7 on); any
 * other Error is an internal error (travels as the RPC error string); on the upstream side a
 * `FatalError` means the connection to the daemon is unusable.
 */
import type { Change } from './model/change.js';
import type { ControllerStatus } from './model/controller-status.js';
import type { GitConfig } from './model/git-config.js';
import type { ImageStatus } from './model/image-status.js';
import type { JobId, JobStatus } from './model/job.js';
import type { ListImagesOptions, ListServicesOptions } from './model/options.js';
import type { UpdateSpec } from './model/update-spec.js';

export interface CallContext {
  /** Aborts the call (daemon side: at the RPC timeout or when the connection goes). */
  signal: AbortSignal;
  /**
   * When the call must be over: an absolute time in ms since the epoch (`Date.now()`'s clock, so
   * it can be passed between processes, e.g. hub replicas). Upstream side: the RPC client stops
   * waiting then and the call rejects with `DeadlineExceededError` (not fatal: the connection is
   * fine, the daemon's late reply is dropped), with one timer and no AbortController. Daemon side:
   * the end of the RPC timeout, for an implementation that passes it on.
   */
  deadline?: number;
}

/** V6: the oldest generation still spoken (`pkg/api/v6`). */
export interface FluxApiV6 {
  ping(ctx: CallContext): Promise<void>;
  version(ctx: CallContext): Promise<string>;
  /** The cluster's manifests as YAML bytes (`null` = Go's nil slice). */
  export(ctx: CallContext): Promise<Uint8Array | null>;
  /** `namespace` "" = all namespaces. `null` = Go's nil slice. */
  listServices(ctx: CallContext, namespace: string): Promise<readonly ControllerStatus[] | null>;
  /** `spec` is a ResourceSpec: `<all>` or a resource ID. */
  listImages(ctx: CallContext, spec: string): Promise<readonly ImageStatus[] | null>;
  updateManifests(ctx: CallContext, spec: UpdateSpec): Promise<JobId>;
  /** Deprecated since V9 (NotifyChange); not served by v1.25.4 daemons. */
  syncNotify(ctx: CallContext): Promise<void>;
  jobStatus(ctx: CallContext, id: JobId): Promise<JobStatus>;
  /** Commits not yet applied up to `ref`. */
  syncStatus(ctx: CallContext, ref: string): Promise<readonly string[] | null>;
  gitRepoConfig(ctx: CallContext, regenerate: boolean): Promise<GitConfig>;
}

/** V9 adds NotifyChange. */
export interface FluxApiV9 extends FluxApiV6 {
  notifyChange(ctx: CallContext, change: Change): Promise<void>;
}

/** V10 adds ListImagesWithOptions. */
export interface FluxApiV10 extends FluxApiV9 {
  listImagesWithOptions(ctx: CallContext, options: ListImagesOptions): Promise<readonly ImageStatus[] | null>;
}

/** V11 adds ListServicesWithOptions. The newest generation. */
export interface FluxApiV11 extends FluxApiV10 {
  listServicesWithOptions(ctx: CallContext, options: ListServicesOptions): Promise<readonly ControllerStatus[] | null>;
}

export type FluxApi = FluxApiV11;

/** A daemon-side implementation: the newest API (SyncNotify is optional; v1.25.4 does not serve it). */
export type DaemonImplementation = Omit<FluxApi, 'syncNotify'> & Partial<Pick<FluxApi, 'syncNotify'>>;

/** Protocol versions an upstream speaks, by the route the daemon dialled (`/v<N>/daemon`). */
export const PROTOCOL_VERSIONS = [6, 7, 8, 9, 10, 11] as const;
export type ProtocolVersion = (typeof PROTOCOL_VERSIONS)[number];
export const NEWEST_PROTOCOL: ProtocolVersion = 11;

export function isProtocolVersion(n: unknown): n is ProtocolVersion {
  return typeof n === 'number' && (PROTOCOL_VERSIONS as readonly number[]).includes(n);
}
