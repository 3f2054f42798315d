/**
 * The upstream side's client for a connected daemon: ONE generic client for protocol versions V6…V11
 * (flux `pkg/remote/rpc/clientV6.go` … `clientV11.go`), driven by the method table (methods.ts) and
 * the version table (versions.ts).
 *
 * Each call: (1) the version provides the method natively, by a shim, or fails at once with
 * UpgradeNeededError; (2) a native method runs its kind check before any I/O; (3) one RPC, whose
 * reply is decoded in the version's form; (4) the value goes through the method's `after` hook
 * (the rollout polyfill).
 *
 * Errors, classified in one place (docs/rpc.md §6.1):
 * - an RPC error string (`ServerError`: daemon internal error, unknown method, bad argument) is
 *   returned raw by V7+, and wrapped in a RemoteApplicationError by V6 (except Ping and Version);
 *   Version's `rpc: can't find method RPCServer.Version` gives `"unknown"` with no error;
 * - a union reply's non-null `ApplicationError` is thrown as the decoded `FluxError`;
 * - anything else (closed or broken connection, malformed reply, a reply of the wrong form, …) is a
 *   `FatalError` wrapping it, and the connection is closed: the daemon must be disconnected;
 * - checks before any I/O throw their own errors (UpgradeNeededError, UnsupportedResourceKind, the
 *   shim's filter conflict, an argument the model cannot encode) and leave the connection alone;
 * - a call aborted through `ctx.signal` rejects with the signal's reason, and one past
 *   `ctx.deadline` with `DeadlineExceededError`; neither is fatal: the wire has no cancel message,
 *   so the daemon finishes the call and its late reply is dropped.
 *
 * A large reply (parsed in time slices by the RPC client) is decoded in time slices too, and so is
 * the rollout polyfill over a large list: one daemon's 60 MB reply does not hold the event loop.
 *
 * Where Go returns a value together with an error, the error is thrown and the value dropped.
 *
 * Deliberate differences from Go's evident bugs are listed in ../README.md ("Deviations from Go"):
 * notably Export on V7+ succeeds without error (Go returns its nil ApplicationError pointer as a
 * non-nil error after every success).
 */
import type { ByteStream } from '../../transport/byte-stream.js';
import { RawJson } from '../../codec/go-json.js';
import { TimeSlicer } from '../../codec/time-slice.js';
import { Client, type ClientOptions } from '../../rpc/client.js';
import { DeadlineExceededError, ServerError } from '../../rpc/errors.js';
import { GoText } from '../../runtime/go-text.js';
import type { CallContext, FluxApi, ProtocolVersion } from '../api.js';
import type { Change } from '../model/change.js';
import type { ControllerStatus } from '../model/controller-status.js';
import { FatalError } from '../model/fatal-error.js';
import { UpgradeNeededError } from '../model/flux-error.js';
import type { GitConfig } from '../model/git-config.js';
import type { ImageStatus } from '../model/image-status.js';
import type { JobId, JobStatus } from '../model/job.js';
import type { ListImagesOptions, ListServicesOptions } from '../model/options.js';
import type { UpdateSpec } from '../model/update-spec.js';
import { METHODS, type MethodSpec } from './methods.js';
import { decodeReply, decodeReplyInSlices, mapInSlices, type DecodedReply } from './replies.js';
import { versionSpec, type VersionSpec } from './versions.js';

export interface FluxClient extends FluxApi {
  /**
   * The protocol version spoken. (Named `protocolVersion`, not `version`: `version(ctx)` is the
   * Flux API method asking the daemon for its version.)
   */
  readonly protocolVersion: ProtocolVersion;
  /** The RPC client underneath (shared with whoever passed it in). */
  readonly rpc: Client;
  /** Closes the connection; pending calls fail with FatalError (`connection is shut down`). */
  close(): Promise<void>;
  /** Resolves with the error that ended the connection (`connection is shut down` after `close`). */
  readonly closed: Promise<Error>;
  /** Calls `listener` once the connection has ended, as `closed.then(listener)` would (without a promise per client). */
  onceClosed(listener: (error: Error) => void): void;
}

/**
 * The RPC client's reader options, used only for a ByteStream: the largest reply accepted
 * (`maxValueBytes`, default 64 MiB; `maxValueElements`, default 4 Mi) and when and how large replies
 * are parsed and decoded in time slices (`slicedParseBytes`, default 512 KiB; `sliceMs`, default 4).
 */
export type FluxClientOptions = ClientOptions;

/** A client speaking protocol `version` over `transport` (a byte stream, or an RPC client already on one). */
export function createFluxClient(version: ProtocolVersion, transport: ByteStream | Client, options: FluxClientOptions = {}): FluxClient {
  const spec = versionSpec(version);
  const rpc = transport instanceof Client ? transport : new Client(transport, options);
  return new GenericFluxClient(spec, rpc);
}

type ReplyDecoder = (json: unknown, slicer: TimeSlicer | undefined) => DecodedReply<unknown> | Promise<DecodedReply<unknown>>;

/** Each version's reply decoder per method, made once (not a closure per call). */
const replyDecoders = new Map<VersionSpec, Map<MethodSpec<any, any>, ReplyDecoder>>();

function replyDecoder<R>(spec: VersionSpec, m: MethodSpec<any, R>): (json: unknown, slicer: TimeSlicer | undefined) => DecodedReply<R> | Promise<DecodedReply<R>> {
  let byMethod = replyDecoders.get(spec);
  if (byMethod === undefined) replyDecoders.set(spec, (byMethod = new Map()));
  let decode = byMethod.get(m);
  if (decode === undefined) {
    const form = spec.replies;
    decode = (json, slicer) => (slicer === undefined ? decodeReply(m, form, json) : decodeReplyInSlices(m, form, json, slicer));
    byMethod.set(m, decode);
  }
  return decode as (json: unknown, slicer: TimeSlicer | undefined) => DecodedReply<R> | Promise<DecodedReply<R>>;
}

/** Lists at least this long go through `after` in time slices. */
const SLICED_AFTER_MIN = 1024;

class GenericFluxClient implements FluxClient {
  readonly protocolVersion: ProtocolVersion;

  constructor(
    private readonly spec: VersionSpec,
    readonly rpc: Client,
  ) {
    this.protocolVersion = spec.version;
  }

  get closed(): Promise<Error> {
    return this.rpc.closed;
  }

  onceClosed(listener: (error: Error) => void): void {
    this.rpc.onceClosed(listener);
  }

  async close(): Promise<void> {
    await this.rpc.close();
  }

  // The typed facade: one line per API method, the same for every version.
  ping(ctx: CallContext): Promise<void> {
    return this.invoke(METHODS.Ping, ctx, undefined);
  }
  version(ctx: CallContext): Promise<string> {
    return this.invoke(METHODS.Version, ctx, undefined);
  }
  export(ctx: CallContext): Promise<Uint8Array | null> {
    return this.invoke(METHODS.Export, ctx, undefined);
  }
  listServices(ctx: CallContext, namespace: string): Promise<readonly ControllerStatus[] | null> {
    return this.invoke(METHODS.ListServices, ctx, namespace);
  }
  listServicesWithOptions(ctx: CallContext, options: ListServicesOptions): Promise<readonly ControllerStatus[] | null> {
    return this.invoke(METHODS.ListServicesWithOptions, ctx, options);
  }
  listImages(ctx: CallContext, spec: string): Promise<readonly ImageStatus[] | null> {
    return this.invoke(METHODS.ListImages, ctx, spec);
  }
  listImagesWithOptions(ctx: CallContext, options: ListImagesOptions): Promise<readonly ImageStatus[] | null> {
    return this.invoke(METHODS.ListImagesWithOptions, ctx, options);
  }
  updateManifests(ctx: CallContext, spec: UpdateSpec): Promise<JobId> {
    return this.invoke(METHODS.UpdateManifests, ctx, spec);
  }
  syncNotify(ctx: CallContext): Promise<void> {
    return this.invoke(METHODS.SyncNotify, ctx, undefined);
  }
  notifyChange(ctx: CallContext, change: Change): Promise<void> {
    return this.invoke(METHODS.NotifyChange, ctx, change);
  }
  jobStatus(ctx: CallContext, id: JobId): Promise<JobStatus> {
    return this.invoke(METHODS.JobStatus, ctx, id);
  }
  syncStatus(ctx: CallContext, ref: string): Promise<readonly string[] | null> {
    return this.invoke(METHODS.SyncStatus, ctx, ref);
  }
  gitRepoConfig(ctx: CallContext, regenerate: boolean): Promise<GitConfig> {
    return this.invoke(METHODS.GitRepoConfig, ctx, regenerate);
  }

  /** Every method of every version goes through here. */
  private async invoke<P, R>(m: MethodSpec<P, R>, ctx: CallContext, param: P): Promise<R> {
    switch (this.spec.methods[m.name as keyof typeof METHODS]) {
      case 'upgrade-needed':
        throw new UpgradeNeededError(`${m.name} method not implemented`);
      case 'shim':
        return m.shim!(this, ctx, param, this.spec.kinds);
      case 'native':
        break;
    }
    const refused = m.kindCheck?.(param, this.spec.kinds);
    if (refused !== undefined) throw this.spec.kindError(refused);
    const request = new RawJson(m.param.encode(param));
    let reply;
    try {
      reply = await this.rpc.call(m.wire, request, { signal: ctx.signal, deadline: ctx.deadline, decode: replyDecoder(this.spec, m) });
    } catch (error) {
      if (error instanceof ServerError && m.missingMethodValue !== undefined && error.message === GoText.canNotFindMethod(m.wire)) {
        return m.missingMethodValue;
      }
      throw this.classify(m, error, ctx.signal);
    }
    if (reply.applicationError !== null) throw reply.applicationError;
    if (m.after === undefined) return reply.value;
    if (m.afterEach !== undefined && Array.isArray(reply.value) && reply.value.length >= SLICED_AFTER_MIN) {
      return (await mapInSlices(reply.value, m.afterEach, new TimeSlicer())) as R;
    }
    return m.after(reply.value);
  }

  /** docs/rpc.md §6.1: the one place where failures are sorted. */
  private classify(m: MethodSpec<any, any>, error: unknown, signal: AbortSignal | undefined): unknown {
    if (error instanceof ServerError) {
      const wrap = m.reply === 'versioned' ? this.spec.wrapServerError : undefined;
      return wrap ? wrap(error) : error;
    }
    if (signal?.aborted && error === signal.reason) return error;
    if (error instanceof DeadlineExceededError) return error;
    void this.rpc.close();
    return error instanceof FatalError ? error : new FatalError(error instanceof Error ? error : new Error(String(error)));
  }
}
