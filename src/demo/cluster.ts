/**
 * A sample cluster that serves the Flux API from memory, for `fluxrpc daemon --demo` and
 * `fluxrpc demo`, answering as fluxd v1.25.4 answers (so that fluxctl behaves against it as it does
 * against a real fluxd). It keeps a git repository (manifests at HEAD, a history of commits, the
 * sync marker), a cluster (what the last sync applied), a registry (sample-data.ts) and a deploy key:
 *
 * - Listings read the cluster, with policies from the repository, as fluxd does; `ListImages`
 *   applies each container's tag policy.
 * - `UpdateManifests` runs jobs as fluxd's do: releases (image and containers specs) select, filter
 *   and report every workload as fluxd's release code does (release.ts), policy changes skip
 *   workloads that are not in the repository or do not change, and a job that changes the
 *   repository commits (a made-up but well-formed 40-hex revision, the job's note on it). A release
 *   that changes nothing fails with fluxd's `no changes made in repo`; a dry run's errors are the
 *   call's error; a sync job's revision is HEAD; `auto` specs get fluxd's `unknown update type`.
 * - Commits are applied to the cluster shortly after they are made (`applyDelayMs`, as fluxd's loop
 *   syncs after a job), or at once on `NotifyChange` for the repository; `SyncStatus` answers as
 *   fluxd's `git log <sync>..<ref>` (git-history.ts), so fluxctl's wait for a commit ends.
 * - `GitRepoConfig` gives an OpenSSH ed25519 deploy key with fluxd's md5/sha256 fingerprints and
 *   pictures (ssh-key.ts); `regenerate` makes a new key.
 * - Events: a `commit` event per commit, and at each sync a `sync` event plus a `release` event per
 *   release commit applied, as fluxd posts them. Two differences, for the hub's status page: the
 *   events carry a message (a commit event the commit message, others fluxd's text for the event),
 *   and a sync event names every workload (fluxd names those whose manifests changed).
 *
 * Jobs run at once (fluxd queues them, so a poller may first see `queued`); the newest 100 job
 * statuses are kept (fluxd's cache size), older jobs that committed are found through their commit.
 */
import type { CallContext, DaemonImplementation } from '../flux/api.js';
import {
  container as makeContainer,
  controllerStatus,
  FluxError,
  FluxErrorType,
  GoTime,
  imageInfo,
  imageRefString,
  newJobId,
  Policy,
  ReadOnlyReason,
  RELEASE_CONTAINERS_SPEC_TYPE,
  RELEASE_IMAGE_SPEC_TYPE,
  ResourceId,
  type Change,
  type ControllerStatus,
  type EventMetadata,
  type FluxEvent,
  type GitConfig,
  type ImageStatus,
  type JobId,
  type JobResult,
  type JobStatus,
  type ListImagesOptions,
  type ListServicesOptions,
  type PolicyUpdates,
  type UpdateResult,
  type UpdateSpec,
  type WorkloadResult,
  RESOURCE_SPEC_ALL,
} from '../flux/model/index.js';
import { getTagPattern, imagesToSort, newContainer, strconvQuote } from '../flux/policy/index.js';
import { PACKAGE_VERSION } from '../runtime/version.js';
import { exportYaml } from './export.js';
import { GitHistory, type DemoCommit } from './git-history.js';
import { DemoRegistry, type DemoImage } from './registry.js';
import { containersReleaseMessage, imageReleaseMessage, planContainersRelease, planImageRelease, resultError, writeUpdates, type ReleasePlan } from './release.js';
import { SAMPLE_GIT, SAMPLE_IMAGES, SAMPLE_WORKLOADS } from './sample-data.js';
import { generateDeployKey, type SshPublicKeyText } from './ssh-key.js';
import { cloneWorkloads, hasPolicy, updatePolicies, workloadsFromSample, type DemoWorkload, type Workloads } from './workloads.js';

export interface DemoClusterOptions {
  /** Called for every event the cluster produces (the connector posts them upstream). */
  onEvent?: (event: FluxEvent) => void;
  /** Clock, for tests. */
  now?: () => Date;
  /** How long after a commit it is applied to the cluster (default 1000 ms; fluxd syncs after each job). */
  applyDelayMs?: number;
}

/** What a commit's note holds (fluxd's git note: the job's spec and result). */
interface Note {
  spec: UpdateSpec;
  result: UpdateResult;
}

const JOB_CACHE_SIZE = 100;
const DEPLOY_KEY_COMMENT = 'flux-demo';

/** fluxd's `unknownJobError`. */
function unknownJobError(id: JobId): FluxError {
  return new FluxError(
    FluxErrorType.Missing,
    `Job not found

This is often because the job did not result in committing changes,
and therefore had no lasting effect. A release dry-run is an example
of a job that does not result in a commit.

If you were expecting changes to be committed, this may mean that the
job failed, but its status was lost.

In both of the above cases it is OK to retry the operation that
resulted in this error.

If you get this error repeatedly, it's probably a bug. Please log an
issue describing what you were attempting, and posting logs from the
daemon if possible:

    https://github.com/fluxcd/flux/issues

`,
    `unknown job ${strconvQuote(id)}`,
  );
}

/** git's `Remote.Equivalent`: the same host and path, whatever the protocol or a `.git` suffix. */
function sameRepository(a: string, b: string): boolean {
  const parts = (u: string) => {
    const scp = /^(?:[^@/]+@)?([^:/]+):(?!\/\/)(.*)$/.exec(u);
    if (scp) return { host: scp[1], path: scp[2]! };
    try {
      const url = new URL(u);
      return { host: url.host, path: url.pathname };
    } catch {
      return undefined;
    }
  };
  const x = parts(a);
  const y = parts(b);
  const trim = (p: string) => p.replace(/^\//, '').replace(/\.git$/, '');
  return x !== undefined && y !== undefined && x.host === y.host && trim(x.path) === trim(y.path);
}

const ZERO_IMAGE: DemoImage = { info: imageInfo(), tag: '', ref: '' };

/** A job that failed with a partial result (fluxd records both). */
class JobFailure extends Error {
  override name = 'JobFailure';
  constructor(
    message: string,
    readonly result: JobResult,
  ) {
    super(message);
  }
}

export class DemoCluster implements DaemonImplementation {
  /** The manifests at HEAD. */
  private repo: Workloads;
  /** The running workloads: the manifests as of the last sync. */
  private cluster: Workloads;
  private readonly registry = new DemoRegistry(SAMPLE_IMAGES);
  private readonly git = new GitHistory<Note>({ branch: SAMPLE_GIT.branch }, 'Add the demo cluster');
  private readonly jobs = new Map<JobId, JobStatus>();
  private deployKey: SshPublicKeyText = generateDeployKey(DEPLOY_KEY_COMMENT);
  private applyTimer: NodeJS.Timeout | undefined;
  private readonly applyDelayMs: number;

  constructor(private readonly options: DemoClusterOptions = {}) {
    this.repo = workloadsFromSample(SAMPLE_WORKLOADS);
    this.cluster = cloneWorkloads(this.repo);
    this.applyDelayMs = options.applyDelayMs ?? 1000;
  }

  async ping(ctx: CallContext): Promise<void> {
    ctx.signal.throwIfAborted();
  }

  async version(): Promise<string> {
    return `fluxrpc-demo-${PACKAGE_VERSION}`;
  }

  async export(): Promise<Uint8Array | null> {
    return Buffer.from(exportYaml(this.cluster), 'utf8');
  }

  async listServices(ctx: CallContext, namespace: string): Promise<readonly ControllerStatus[] | null> {
    return this.listServicesWithOptions(ctx, { namespace, services: null });
  }

  async listServicesWithOptions(_ctx: CallContext, options: ListServicesOptions): Promise<readonly ControllerStatus[] | null> {
    const services = options.services ?? [];
    if (options.namespace !== '' && services.length > 0) throw new Error("cannot filter by 'namespace' and 'workloads' at the same time");
    return this.running(services, options.namespace).map((w) => this.status(w));
  }

  async listImages(ctx: CallContext, spec: string): Promise<readonly ImageStatus[] | null> {
    return this.listImagesWithOptions(ctx, { spec, overrideContainerFields: null, namespace: '' });
  }

  async listImagesWithOptions(_ctx: CallContext, options: ListImagesOptions): Promise<readonly ImageStatus[] | null> {
    if (options.namespace !== '' && options.spec !== RESOURCE_SPEC_ALL) throw new Error("cannot filter by 'namespace' and 'workload' at the same time");
    let ids: ResourceId[] = [];
    if (options.spec !== RESOURCE_SPEC_ALL) {
      try {
        ids = [ResourceId.parse(options.spec)];
      } catch (e) {
        throw new Error(`treating workload spec as ID: ${(e as Error).message}`, { cause: e });
      }
    }
    return this.running(ids, options.namespace).map((w) => ({
      id: w.id,
      containers: w.containers.map((c) => {
        const repository = this.registry.repository(c.image);
        // Tags without metadata still count, with only their tag known (as fluxd has them).
        const images = repository.tags.map((tag) => repository.images.get(tag) ?? { info: imageInfo({ id: { domain: '', image: '', tag, sha: '' } }), tag, ref: `:${tag}` });
        const current = repository.images.get(c.image.tag) ?? ZERO_IMAGE;
        const f = newContainer(c.name, imagesToSort(images), current, getTagPattern(this.repo.get(w.id.toString())?.policies, c.name), options.overrideContainerFields);
        return makeContainer({
          name: f.name,
          current: f.current?.info ?? imageInfo(),
          latestFiltered: f.latestFiltered?.info ?? imageInfo(),
          available: f.available.length === 0 ? null : f.available.map((i) => i.info),
          availableError: f.availableError,
          availableImagesCount: f.availableImagesCount,
          newAvailableImagesCount: f.newAvailableImagesCount,
          filteredImagesCount: f.filteredImagesCount,
          newFilteredImagesCount: f.newFilteredImagesCount,
        });
      }),
    }));
  }

  async updateManifests(_ctx: CallContext, spec: UpdateSpec): Promise<JobId> {
    const id = newJobId();
    switch (spec.type) {
      case 'image':
        return this.release(id, spec, spec.spec.kind, (ctx) => planImageRelease(spec.spec, ctx), () => spec.cause.message || imageReleaseMessage(spec.spec));
      case 'containers':
        return this.release(id, spec, spec.spec.kind, (ctx) => planContainersRelease(spec.spec, ctx), (plan) => spec.cause.message || containersReleaseMessage(plan.results));
      case 'policy':
        this.run(id, () => this.policyJob(id, spec, spec.spec));
        return id;
      case 'sync':
        // fluxd's sync job fetches and reports HEAD; the loop then syncs what is new.
        this.run(id, () => {
          this.scheduleApply();
          return { revision: this.git.head, spec: null, result: null };
        });
        return id;
      default:
        // fluxd's UpdateManifests takes the decoded `auto` spec for no known kind of change.
        if ((spec.type as string) === '') throw new Error('no type in update spec');
        throw new Error(`unknown update type ${strconvQuote(spec.type)}`);
    }
  }

  async notifyChange(_ctx: CallContext, change: Change): Promise<void> {
    if (change.kind !== 'git') return; // image changes only start a registry scan in fluxd
    const source = change.source as { url: string; branch: string };
    // fluxd ignores a change to another branch of its repository (and refreshes for anything else).
    if (sameRepository(SAMPLE_GIT.url, source.url) && source.branch !== SAMPLE_GIT.branch) return;
    this.apply();
  }

  async syncNotify(): Promise<void> {
    this.apply();
  }

  async jobStatus(_ctx: CallContext, id: JobId): Promise<JobStatus> {
    const job = this.jobs.get(id);
    if (job) return job;
    const commit = this.git.findJob(id);
    if (commit !== undefined) return { result: { revision: commit.revision, spec: commit.note!.data.spec, result: commit.note!.data.result }, err: '', statusString: 'succeeded' };
    throw unknownJobError(id);
  }

  async syncStatus(_ctx: CallContext, ref: string): Promise<readonly string[] | null> {
    return this.git.commitsToApply(ref);
  }

  async gitRepoConfig(_ctx: CallContext, regenerate: boolean): Promise<GitConfig> {
    if (regenerate) this.deployKey = generateDeployKey(DEPLOY_KEY_COMMENT);
    const k = this.deployKey;
    return {
      remote: { url: SAMPLE_GIT.url, branch: SAMPLE_GIT.branch, path: SAMPLE_GIT.path },
      publicSSHKey: {
        key: k.key,
        fingerprints: new Map([
          ['md5', k.md5],
          ['sha256', k.sha256],
        ]),
      },
      status: 'ready',
      error: '',
    };
  }

  /** The running workloads with these IDs (in that order), or in `namespace` (all for `""`). */
  private running(ids: readonly ResourceId[], namespace: string): DemoWorkload[] {
    if (ids.length > 0) return ids.flatMap((id) => this.cluster.get(id.toString()) ?? []);
    return [...this.cluster.values()].filter((w) => namespace === '' || w.id.components()[0] === namespace);
  }

  /** fluxd's ControllerStatus: containers as running (name and image only), policies from the repository. */
  private status(w: DemoWorkload): ControllerStatus {
    const policies = this.repo.get(w.id.toString())?.policies;
    return controllerStatus({
      id: w.id,
      containers: w.containers.map((c) => makeContainer({ name: c.name, current: imageInfo({ id: c.image }) })),
      readOnly: policies === undefined ? ReadOnlyReason.Missing : ReadOnlyReason.OK,
      status: 'ready',
      rollout: { desired: w.replicas, updated: w.replicas, ready: w.replicas, available: w.replicas, outdated: 0, messages: null },
      labels: w.labels,
      automated: hasPolicy(policies ?? new Map(), Policy.Automated),
      locked: hasPolicy(policies ?? new Map(), Policy.Locked),
      ignore: hasPolicy(policies ?? new Map(), Policy.Ignore),
      policies: policies === undefined ? null : new Map(policies),
    });
  }

  /** Runs a job at once and records its status: its result, or `failed` with the error's text. */
  private run(id: JobId, job: () => JobResult): JobStatus {
    let status: JobStatus;
    try {
      status = { result: job(), err: '', statusString: 'succeeded' };
    } catch (e) {
      const result = e instanceof JobFailure ? e.result : { revision: '', spec: null, result: null };
      status = { result, err: (e as Error).message, statusString: 'failed' };
    }
    this.jobs.set(id, status);
    for (const old of this.jobs.keys()) {
      if (this.jobs.size <= JOB_CACHE_SIZE) break;
      this.jobs.delete(old);
    }
    return status;
  }

  /**
   * A release job: planned on the repository and cluster as they are; a dry run records the plan
   * (and its errors are the call's), an execution writes the updates and commits them.
   */
  private release(id: JobId, spec: UpdateSpec, kind: string, plan: (ctx: { repo: Workloads; cluster: Workloads; registry: DemoRegistry }) => ReleasePlan, message: (plan: ReleasePlan) => string): JobId {
    const ctx = { repo: this.repo, cluster: this.cluster, registry: this.registry };
    if (kind === 'plan') {
      const status = this.run(id, () => ({ revision: '', spec, result: plan(ctx).results }));
      if (status.statusString === 'failed') throw new Error(status.err);
      return id;
    }
    this.run(id, () => {
      const p = plan(ctx);
      const working = cloneWorkloads(this.repo);
      // git's verdict on the working copy: nothing to commit.
      if (!writeUpdates(working, p.updates)) throw new Error('no changes made in repo');
      return this.commit(id, spec, p.results, working, message(p));
    });
    return id;
  }

  /** fluxd's updatePolicies: each named workload's manifest edited; unknown or unchanged ones are skipped. */
  private policyJob(id: JobId, spec: UpdateSpec, updates: PolicyUpdates): JobResult {
    const results = new Map<string, WorkloadResult>();
    const working = cloneWorkloads(this.repo);
    let changed = false;
    for (const [key, update] of updates ?? []) {
      const w = working.get(key);
      let updated = false;
      try {
        updated = w !== undefined && updatePolicies(w, update);
      } catch (e) {
        results.set(key, { status: 'failed', error: (e as Error).message, perContainer: null });
        throw new JobFailure((e as Error).message, { revision: '', spec, result: results });
      }
      results.set(key, { status: updated ? 'success' : 'skipped', error: '', perContainer: null });
      changed ||= updated;
    }
    if (!changed) return { revision: '', spec, result: results };
    return this.commit(id, spec, results, working, policyCommitMessage(updates, spec.cause.message));
  }

  /** Commits the working copy as the new HEAD, posts the commit event and schedules the sync. */
  private commit(jobId: JobId, spec: UpdateSpec, results: Map<string, WorkloadResult>, working: Workloads, message: string): JobResult {
    const { revision } = this.git.commit(message, { jobId, data: { spec, result: results } });
    this.repo = working;
    const ids = succeededIds(results);
    this.event('commit', ids, message, { kind: 'commit', revision, spec, result: results });
    this.scheduleApply();
    return { revision, spec, result: results };
  }

  private scheduleApply(): void {
    if (this.applyTimer !== undefined || this.git.pending().length === 0) return;
    this.applyTimer = setTimeout(() => {
      this.applyTimer = undefined;
      this.apply();
    }, this.applyDelayMs);
    this.applyTimer.unref();
  }

  /** A sync: the cluster takes the manifests at HEAD, the sync marker moves, events are posted. */
  private apply(): void {
    clearTimeout(this.applyTimer);
    this.applyTimer = undefined;
    const applied = this.git.markSynced();
    if (applied.length === 0) return;
    this.cluster = cloneWorkloads(this.repo);
    const includes = new Map<string, boolean>();
    for (const c of applied) includes.set(noteEventType(c), true);
    const ids = [...this.cluster.values()].map((w) => w.id);
    const shortRange = applied.length <= 2 ? applied[0]!.revision.slice(0, 7) : `${applied[applied.length - 1]!.revision.slice(0, 7)}..${applied[0]!.revision.slice(0, 7)}`;
    this.event('sync', ids, `Sync: ${shortRange}, ${ids.join(', ')}`, {
      kind: 'sync',
      revisions: null,
      commits: applied.map((c) => ({ revision: c.revision, message: c.message.split('\n')[0]! })),
      includes,
      errors: null,
      initialSync: false,
    });
    for (const c of [...applied].reverse()) this.releaseEvent(c);
  }

  /** fluxd's `release` event for an applied release commit. */
  private releaseEvent(c: DemoCommit<Note>): void {
    const note = c.note?.data;
    if (note === undefined || (note.spec.type !== 'image' && note.spec.type !== 'containers')) return;
    const results = note.result ?? new Map<string, WorkloadResult>();
    const ids = succeededIds(results);
    const images = [...new Set([...results.values()].filter((r) => r.status === 'success').flatMap((r) => (r.perContainer ?? []).map((u) => imageRefString(u.target))))].sort();
    const all = note.spec.type === 'image' && (note.spec.spec.serviceSpecs ?? []).includes(RESOURCE_SPEC_ALL);
    const by = note.spec.cause.user === '' ? '' : `, by ${note.spec.cause.user}`;
    const withMessage = note.spec.cause.message === '' ? '' : `, with message ${strconvQuote(note.spec.cause.message)}`;
    const targets = all ? 'all workloads' : ids.length === 0 ? 'no workloads' : ids.join(', ');
    const message = `Released: ${images.length === 0 ? 'no image changes' : images.join(', ')} to ${targets}${by}${withMessage}`;
    this.event('release', ids, message, {
      kind: 'release',
      revision: c.revision,
      result: results,
      error: resultError(results),
      spec:
        note.spec.type === 'image'
          ? { type: RELEASE_IMAGE_SPEC_TYPE, releaseImageSpec: note.spec.spec, releaseContainersSpec: null }
          : { type: RELEASE_CONTAINERS_SPEC_TYPE, releaseImageSpec: null, releaseContainersSpec: note.spec.spec },
      cause: note.spec.cause,
    });
  }

  private event(type: string, ids: ResourceId[], message: string, metadata: EventMetadata): void {
    const now = GoTime.fromDate(this.options.now?.() ?? new Date());
    this.options.onEvent?.({ id: 0, serviceIds: ids, type, startedAt: now, endedAt: now, logLevel: 'info', message, metadata });
  }
}

/** The workloads a job updated. */
function succeededIds(results: ReadonlyMap<string, WorkloadResult>): ResourceId[] {
  return [...results].filter(([, r]) => r.status === 'success').map(([k]) => ResourceId.parse(k));
}

/** The event type a commit's note stands for in a sync event's `includes` (fluxd's collectNoteEvents). */
function noteEventType(c: DemoCommit<Note>): string {
  switch (c.note?.data.spec.type) {
    case 'image':
    case 'containers':
      return 'release';
    case 'policy':
      return 'update_policy';
    default:
      return 'other';
  }
}

/** fluxd's policyCommitMessage: one line per kind of change (automate, lock, …), listing the workloads. */
function policyCommitMessage(updates: PolicyUpdates, causeMessage: string): string {
  const byType = new Map<string, string[]>();
  for (const [key, u] of updates ?? []) {
    const types = new Set<string>();
    for (const name of u.add?.keys() ?? []) types.add(name === Policy.Automated ? 'automate' : name === Policy.Locked ? 'lock' : 'update_policy');
    for (const name of u.remove?.keys() ?? []) types.add(name === Policy.Automated ? 'deautomate' : name === Policy.Locked ? 'unlock' : 'update_policy');
    for (const t of types) byType.set(t, [...(byType.get(t) ?? []), key]);
  }
  const label: Record<string, string> = { automate: 'Automated', deautomate: 'Deautomated', lock: 'Locked', unlock: 'Unlocked', update_policy: 'Updated policies' };
  const lines = [...byType.keys()].sort().map((t) => `${label[t]}: ${byType.get(t)!.join(', ')}`);
  let prefix = '- ';
  let head = '';
  if (causeMessage !== '') head = `${causeMessage}\n\n`;
  else if (lines.length > 1) head = 'Updated workload policies\n\n';
  else prefix = '';
  return head + lines.map((l) => `${prefix}${l}\n`).join('');
}
