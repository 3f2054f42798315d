/**
 * Following a job the dashboard started, as fluxctl does (`await`): `JobStatus` until the job
 * succeeds or fails (queued → running → done), then, when it made a commit, `SyncStatus(revision)`
 * until the daemon reports no pending commits (the commit is applied in the cluster). Polling
 * backs off from `pollMs` to 2 s; the whole wait is bounded (`timeoutMs`, default 10 min), after
 * which the outcome is "unknown" as fluxctl reports a timeout. Every change of a job is told to
 * subscribers (the live stream) and, once it ends, `onDone` (the audit event).
 *
 * Jobs are kept in memory, the newest `capacity` (default 500); a job pushed out stops being followed.
 * Adopted jobs have their own bound (`adoptedCapacity`, default 100, oldest pushed out first), so
 * that opening pages of other replicas' jobs never pushes out a job started here.
 *
 * A job started elsewhere (through another replica of a cluster, or before a restart) is followed
 * from the daemon alone when its page or live stream is asked for (`adopt`): a daemon job that
 * `JobStatus` knows, with its kind, user and title taken from the spec the daemon reports once
 * the job has run; a sync, whose id says it is one (`sync-…`), by `SyncStatus(HEAD)`. Only the
 * replica that started a job records its event (the dashboard's `onDone` knows the jobs it started).
 */
import { randomBytes } from 'node:crypto';
import type { FluxApi } from '../flux/api.js';
import type { UpdateSpec, WorkloadResult, JobResult } from '../flux/model/index.js';
import { IMAGE_SPEC_LATEST, imageRefString, RESOURCE_SPEC_ALL } from '../flux/model/index.js';
import { Listeners } from '../runtime/listeners.js';
import { deadline } from '../runtime/time.js';
import { clip, MAX_MESSAGE } from './data.js';

/** Runs one daemon call under `parent` and a per-call timeout (no `AbortSignal.any`: see runtime/time.ts). */
async function bounded<T>(parent: AbortSignal, ms: number, call: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const d = deadline(parent, ms, () => new Error(`the daemon did not answer within ${ms} ms`));
  try {
    return await call(d.signal);
  } finally {
    d.dispose();
  }
}

export type JobStage = 'queued' | 'running' | 'committed' | 'applied' | 'done' | 'failed' | 'unknown';

export interface ResultRow {
  workload: string;
  status: string;
  error: string;
  updates: { container: string; current: string; target: string }[];
}

export interface TrackedJob {
  instance: string;
  id: string;
  kind: 'release' | 'policy' | 'sync';
  user: string;
  title: string;
  stage: JobStage;
  revision: string;
  error: string;
  results: ResultRow[];
  startedAt: Date;
  updatedAt: Date;
  spec: UpdateSpec | undefined;
  /** Started elsewhere (another replica, an earlier run) and followed here since `startedAt`. */
  adopted: boolean;
}

/** A new id for a sync "job" (no daemon job: the dashboard follows SyncStatus); it says what it is. */
export function newSyncJobId(): string {
  return `sync-${randomBytes(8).toString('hex')}`;
}

const SYNC_JOB_ID = /^sync-[0-9a-f]{16}$/;

/** Kind, user and title of a job from the spec its daemon reports (an adopted job). */
function described(spec: UpdateSpec | null, id: string): Pick<TrackedJob, 'kind' | 'user' | 'title'> {
  const user = clip(spec?.cause.user ?? '', 128) || 'someone';
  if (spec?.type === 'image') {
    const s = spec.spec;
    const who = (s.serviceSpecs ?? []).includes(RESOURCE_SPEC_ALL) ? 'all workloads' : (s.serviceSpecs ?? []).join(', ');
    return { kind: 'release', user, title: clip(`Release ${s.imageSpec === IMAGE_SPEC_LATEST ? 'the newest allowed images' : s.imageSpec} to ${who}`) };
  }
  if (spec?.type === 'policy') return { kind: 'policy', user, title: clip(`Policy change of ${[...(spec.spec ?? new Map()).keys()].join(', ')}`) };
  if (spec?.type === 'containers') return { kind: 'release', user, title: 'Release of containers' };
  return { kind: 'release', user, title: clip(`Job ${id}`) };
}

export const FINAL_STAGES: readonly JobStage[] = ['applied', 'done', 'failed', 'unknown'];

export function resultRows(result: ReadonlyMap<string, WorkloadResult> | null): ResultRow[] {
  return [...(result ?? new Map<string, WorkloadResult>())].slice(0, 2000).map(([workload, r]) => ({
    workload: clip(workload),
    status: clip(r.status, 64),
    error: clip(r.error, MAX_MESSAGE),
    updates: (r.perContainer ?? []).slice(0, 50).map((u) => ({ container: clip(u.container), current: clip(imageRefString(u.current)), target: clip(imageRefString(u.target)) })),
  }));
}

/** Waits `ms`, or less if `signal` aborts; leaves no listener behind either way. */
const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });

export interface AwaitOptions {
  callTimeoutMs: number;
  pollMs?: number;
  signal: AbortSignal;
  /** Told of queued/running as they are seen. */
  onStatus?: (statusString: string) => void;
}

/** Waits for a job's end (fluxctl's awaitJob): its result, or throws with the job's error. */
export async function awaitJob(api: FluxApi, id: string, o: AwaitOptions): Promise<JobResult> {
  let delay = o.pollMs ?? 100;
  for (;;) {
    o.signal.throwIfAborted();
    const j = await bounded(o.signal, o.callTimeoutMs, (signal) => api.jobStatus({ signal }, id));
    if (j.statusString === 'failed' || (j.statusString === 'succeeded' && j.err !== '')) throw Object.assign(new Error(clip(j.err || 'the job failed', MAX_MESSAGE)), { result: j.result });
    if (j.statusString === 'succeeded') return j.result;
    o.onStatus?.(j.statusString || 'queued');
    await sleep(delay, o.signal);
    delay = Math.min(delay * 2, 2000);
  }
}

export interface JobTrackerOptions {
  api: (instance: string) => FluxApi;
  callTimeoutMs: number;
  pollMs?: number;
  timeoutMs?: number;
  capacity?: number;
  adoptedCapacity?: number;
  onDone?: (job: TrackedJob) => void;
}

export class JobTracker {
  private readonly jobs = new Map<string, TrackedJob>();
  private readonly stops = new WeakMap<TrackedJob, AbortController>();
  private readonly adopting = new Map<string, Promise<TrackedJob | undefined>>();
  /** A listener's failure is its own: the others are still told. */
  private readonly listeners = new Listeners<[TrackedJob]>();
  private readonly stop = new AbortController();

  constructor(private readonly o: JobTrackerOptions) {}

  get(instance: string, id: string): TrackedJob | undefined {
    return this.jobs.get(`${instance}\0${id}`);
  }

  subscribe(listener: (job: TrackedJob) => void): () => void {
    return this.listeners.add(listener);
  }

  /** Starts following `id` (`kind: 'sync'`: no job, only the sync of `revision` or HEAD). */
  track(instance: string, id: string, meta: Pick<TrackedJob, 'kind' | 'user' | 'title'> & { spec?: UpdateSpec; revision?: string; adopted?: boolean }): TrackedJob {
    const now = new Date();
    const job: TrackedJob = { instance, id, ...meta, spec: meta.spec, stage: meta.kind === 'sync' ? 'committed' : 'queued', revision: meta.revision ?? '', error: '', results: [], startedAt: now, updatedAt: now, adopted: meta.adopted ?? false };
    this.jobs.set(`${instance}\0${id}`, job);
    const adopted = [...this.jobs].filter(([, j]) => j.adopted);
    for (const [key] of adopted.slice(0, Math.max(0, adopted.length - (this.o.adoptedCapacity ?? 100)))) this.forget(key);
    while (this.jobs.size > (this.o.capacity ?? 500)) this.forget(this.jobs.keys().next().value!);
    const stop = new AbortController();
    this.stops.set(job, stop);
    void this.follow(job, stop.signal);
    return job;
  }

  private forget(key: string): void {
    this.stops.get(this.jobs.get(key)!)?.abort();
    this.jobs.delete(key);
  }

  /**
   * The job `id` of `instance`, followed from now on if it is not yet (started through another
   * replica): undefined when the daemon does not know it (or cannot be asked now).
   */
  adopt(instance: string, id: string): Promise<TrackedJob | undefined> {
    const known = this.get(instance, id);
    if (known) return Promise.resolve(known);
    if (SYNC_JOB_ID.test(id)) return Promise.resolve(this.track(instance, id, { kind: 'sync', user: 'someone', title: 'Sync', adopted: true }));
    const key = `${instance}\0${id}`;
    let pending = this.adopting.get(key);
    if (!pending) {
      pending = bounded(this.stop.signal, this.o.callTimeoutMs, (signal) => this.o.api(instance).jobStatus({ signal }, id))
        .then((status) => this.get(instance, id) ?? this.track(instance, id, { ...described(status.result.spec, id), ...(status.result.spec ? { spec: status.result.spec } : {}), adopted: true }))
        .catch(() => undefined)
        .finally(() => this.adopting.delete(key));
      this.adopting.set(key, pending);
    }
    return pending;
  }

  private set(job: TrackedJob, change: Partial<TrackedJob>): void {
    Object.assign(job, change, { updatedAt: new Date() });
    this.listeners.tell(job);
    if (FINAL_STAGES.includes(job.stage)) this.o.onDone?.(job);
  }

  private async follow(job: TrackedJob, stop: AbortSignal): Promise<void> {
    const whole = deadline(stop, this.o.timeoutMs ?? 600_000, () => new Error('timed out'));
    const signal = whole.signal;
    const api = this.o.api(job.instance);
    const retrying = async <T>(f: () => Promise<T>): Promise<T> => {
      // A daemon that is away for a moment (reconnecting) does not end the wait; the deadline does.
      for (let delay = 500; ; delay = Math.min(delay * 2, 5000)) {
        try {
          return await f();
        } catch (e) {
          if (signal.aborted || (e as { result?: unknown }).result !== undefined) throw e;
          await sleep(delay, signal);
        }
      }
    };
    try {
      if (job.kind !== 'sync') {
        const result = await retrying(() =>
          awaitJob(api, job.id, { callTimeoutMs: this.o.callTimeoutMs, pollMs: this.o.pollMs, signal, onStatus: (s) => s !== job.stage && (s === 'queued' || s === 'running') && this.set(job, { stage: s }) }),
        );
        // An adopted job learns what it is once the daemon reports its spec.
        if (job.adopted && result.spec && !job.spec) Object.assign(job, described(result.spec, job.id), { spec: result.spec });
        const results = resultRows(result.result);
        const failed = results.filter((r) => r.status === 'failed');
        if (result.revision === '') return this.set(job, { stage: 'done', results, error: failed.length > 0 ? `${failed.length} workload(s) failed` : '' });
        this.set(job, { stage: 'committed', revision: clip(result.revision, 64), results });
      }
      let delay = this.o.pollMs ?? 250;
      for (;;) {
        const pending = await retrying(() => bounded(signal, this.o.callTimeoutMs, (s) => api.syncStatus({ signal: s }, job.revision || 'HEAD')));
        if ((pending ?? []).length === 0) return this.set(job, { stage: 'applied' });
        await sleep(delay, signal);
        signal.throwIfAborted();
        delay = Math.min(delay * 2, 2000);
      }
    } catch (e) {
      const r = (e as { result?: JobResult }).result;
      if (r !== undefined) return this.set(job, { stage: 'failed', error: clip((e as Error).message, MAX_MESSAGE), results: resultRows(r.result) });
      if (stop.aborted) return;
      this.set(job, { stage: 'unknown', error: signal.aborted ? 'timed out waiting for the outcome; check the cluster or the commit log' : clip((e as Error).message, MAX_MESSAGE) });
    } finally {
      whole.dispose();
    }
  }

  close(): void {
    this.stop.abort();
    for (const job of this.jobs.values()) this.stops.get(job)?.abort();
  }
}
