/**
 * A daemon implementation whose every method returns a preset answer or throws a preset error,
 * after flux `pkg/remote/mock.go` `MockServer`, and which records the arguments it received (so
 * that argument fidelity can be asserted, which flux's battery does not do).
 */
import type { CallContext, DaemonImplementation } from '../../src/flux/api.js';
import type { Change } from '../../src/flux/model/change.js';
import type { ControllerStatus } from '../../src/flux/model/controller-status.js';
import { ZERO_GIT_CONFIG, type GitConfig } from '../../src/flux/model/git-config.js';
import type { ImageStatus } from '../../src/flux/model/image-status.js';
import { ZERO_JOB_STATUS, type JobId, type JobStatus } from '../../src/flux/model/job.js';
import type { ListImagesOptions, ListServicesOptions } from '../../src/flux/model/options.js';
import type { UpdateSpec } from '../../src/flux/model/update-spec.js';

export interface ReceivedCall {
  readonly method: string;
  readonly arg: unknown;
  readonly signal: AbortSignal;
}

export class MockDaemon implements DaemonImplementation {
  pingError: Error | undefined;
  versionAnswer = '';
  versionError: Error | undefined;
  exportAnswer: Uint8Array | null = null;
  exportError: Error | undefined;
  listServicesAnswer: readonly ControllerStatus[] | null = null;
  listServicesError: Error | undefined;
  listImagesAnswer: readonly ImageStatus[] | null = null;
  listImagesError: Error | undefined;
  /** Returns an error to throw (before the preset answer/error), as Go's `UpdateManifestsArgTest`. */
  updateManifestsArgTest: ((spec: UpdateSpec) => Error | undefined) | undefined;
  updateManifestsAnswer: JobId = '';
  updateManifestsError: Error | undefined;
  notifyChangeError: Error | undefined;
  syncStatusAnswer: readonly string[] | null = null;
  syncStatusError: Error | undefined;
  jobStatusAnswer: JobStatus = ZERO_JOB_STATUS;
  jobStatusError: Error | undefined;
  gitRepoConfigAnswer: GitConfig = ZERO_GIT_CONFIG;
  gitRepoConfigError: Error | undefined;

  /** Every call received, in order. */
  readonly calls: ReceivedCall[] = [];

  private answer<T>(method: string, ctx: CallContext, arg: unknown, value: T, error: Error | undefined): Promise<T> {
    this.calls.push({ method, arg, signal: ctx.signal });
    return error === undefined ? Promise.resolve(value) : Promise.reject(error);
  }

  /** The arguments the named method received, in order. */
  argsOf(method: string): unknown[] {
    return this.calls.filter((c) => c.method === method).map((c) => c.arg);
  }

  ping(ctx: CallContext): Promise<void> {
    return this.answer('ping', ctx, undefined, undefined, this.pingError);
  }
  version(ctx: CallContext): Promise<string> {
    return this.answer('version', ctx, undefined, this.versionAnswer, this.versionError);
  }
  export(ctx: CallContext): Promise<Uint8Array | null> {
    return this.answer('export', ctx, undefined, this.exportAnswer, this.exportError);
  }
  listServices(ctx: CallContext, namespace: string): Promise<readonly ControllerStatus[] | null> {
    return this.answer('listServices', ctx, namespace, this.listServicesAnswer, this.listServicesError);
  }
  listServicesWithOptions(ctx: CallContext, options: ListServicesOptions): Promise<readonly ControllerStatus[] | null> {
    return this.answer('listServicesWithOptions', ctx, options, this.listServicesAnswer, this.listServicesError);
  }
  listImages(ctx: CallContext, spec: string): Promise<readonly ImageStatus[] | null> {
    return this.answer('listImages', ctx, spec, this.listImagesAnswer, this.listImagesError);
  }
  listImagesWithOptions(ctx: CallContext, options: ListImagesOptions): Promise<readonly ImageStatus[] | null> {
    return this.answer('listImagesWithOptions', ctx, options, this.listImagesAnswer, this.listImagesError);
  }
  updateManifests(ctx: CallContext, spec: UpdateSpec): Promise<JobId> {
    const argError = this.updateManifestsArgTest?.(spec);
    if (argError !== undefined) return this.answer('updateManifests', ctx, spec, '', argError);
    return this.answer('updateManifests', ctx, spec, this.updateManifestsAnswer, this.updateManifestsError);
  }
  notifyChange(ctx: CallContext, change: Change): Promise<void> {
    return this.answer('notifyChange', ctx, change, undefined, this.notifyChangeError);
  }
  jobStatus(ctx: CallContext, id: JobId): Promise<JobStatus> {
    return this.answer('jobStatus', ctx, id, this.jobStatusAnswer, this.jobStatusError);
  }
  syncStatus(ctx: CallContext, ref: string): Promise<readonly string[] | null> {
    return this.answer('syncStatus', ctx, ref, this.syncStatusAnswer, this.syncStatusError);
  }
  gitRepoConfig(ctx: CallContext, regenerate: boolean): Promise<GitConfig> {
    return this.answer('gitRepoConfig', ctx, regenerate, this.gitRepoConfigAnswer, this.gitRepoConfigError);
  }
}
