/**
 * What the pages show, fetched from the daemons through the hub (its own daemons, or in cluster
 * mode any replica's) and turned into plain view objects. Everything from a daemon is bounded here (counts and string lengths) before any
 * page sees it; escaping is the template's job.
 *
 * The fleet page would otherwise call every daemon on every load: each instance's summary
 * (version, workloads, how many have a newer image allowed by their policy) is cached for
 * `summaryTtlMs` and fetched with a short timeout.
 */
import type { FluxApi } from '../flux/api.js';
import { imageRefString, RESOURCE_SPEC_ALL, type ControllerStatus, type ImageInfo, type ImageStatus } from '../flux/model/index.js';
import type { EventLog, StoredEvent } from '../hub/events.js';
import type { ClusterStartHook, FleetStatus } from '../hub/hub.js';
import { truncate } from '../runtime/text.js';

/** Longest text from a daemon kept for a page (names, tags, messages). */
export const MAX_FIELD = 512;
export const MAX_MESSAGE = 2000;
/** Most workloads, containers per workload and images per container shown. */
export const MAX_WORKLOADS = 2000;
export const MAX_CONTAINERS = 50;
export const MAX_IMAGES = 300;

export const clip = (s: string | undefined, max = MAX_FIELD): string => truncate(s ?? '', max);

const ctx = (ms: number) => ({ signal: AbortSignal.timeout(ms) });

export interface ContainerView {
  name: string;
  current: string;
  currentTag: string;
  /** The newest image the workload's tag policy allows, when there is one. */
  latest: string | undefined;
  latestTag: string | undefined;
  /** `latest` differs from `current`. */
  newer: boolean;
  tagPattern: string | undefined;
  availableError: string;
}

export interface WorkloadView {
  id: string;
  namespace: string;
  status: string;
  rollout: { desired: number; updated: number; ready: number; available: number; outdated: number; messages: string[] };
  syncError: string;
  readOnly: string;
  automated: boolean;
  locked: boolean;
  ignore: boolean;
  lockedMsg: string;
  lockedUser: string;
  policies: [string, string][];
  containers: ContainerView[];
}

const ref = (i: ImageInfo | undefined) => (i ? clip(imageRefString(i.id)) : '');

function toWorkload(s: ControllerStatus, images: ImageStatus | undefined): WorkloadView {
  const policies = [...(s.policies ?? new Map<string, string>())].slice(0, 100).map(([k, v]) => [clip(k), clip(v)] as [string, string]);
  const policy = (k: string) => policies.find(([n]) => n === k)?.[1];
  const named = new Map((images?.containers ?? []).map((c) => [c.name, c]));
  const containers = (s.containers ?? []).slice(0, MAX_CONTAINERS).map((c): ContainerView => {
    const withImages = named.get(c.name) ?? c;
    const latest = withImages.latestFiltered.id.image === '' ? undefined : ref(withImages.latestFiltered);
    const current = ref(c.current);
    return {
      name: clip(c.name),
      current,
      currentTag: clip(c.current.id.tag),
      latest,
      latestTag: latest === undefined ? undefined : clip(withImages.latestFiltered.id.tag),
      newer: latest !== undefined && latest !== current,
      tagPattern: policy(`tag.${c.name}`),
      availableError: clip(withImages.availableError),
    };
  });
  const id = s.id.toString();
  return {
    id,
    namespace: s.id.isZero() ? '' : s.id.namespace,
    status: clip(s.status, 64),
    rollout: { ...s.rollout, messages: (s.rollout.messages ?? []).slice(0, 10).map((m) => clip(m, MAX_MESSAGE)) },
    syncError: clip(s.syncError, MAX_MESSAGE),
    readOnly: clip(s.readOnly, 64),
    automated: s.automated,
    locked: s.locked,
    ignore: s.ignore,
    lockedMsg: policy('locked_msg') ?? '',
    lockedUser: policy('locked_user') ?? '',
    policies,
    containers,
  };
}

/** The fields asked for on list pages: no `Available` list, which can be large. */
const SUMMARY_FIELDS = ['Name', 'Current', 'LatestFiltered', 'AvailableError', 'NewFilteredImagesCount'];

/** An instance's workloads with their containers and the newest image each policy allows. */
export async function loadWorkloads(api: FluxApi, timeoutMs: number, namespace = ''): Promise<WorkloadView[]> {
  const [services, images] = await Promise.all([
    api.listServicesWithOptions(ctx(timeoutMs), { namespace, services: null }),
    api.listImagesWithOptions(ctx(timeoutMs), { spec: RESOURCE_SPEC_ALL, overrideContainerFields: SUMMARY_FIELDS, namespace }).catch(() => null),
  ]);
  const byId = new Map((images ?? []).map((i) => [i.id.toString(), i]));
  return (services ?? [])
    .slice(0, MAX_WORKLOADS)
    .map((s) => toWorkload(s, byId.get(s.id.toString())))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

export interface ImageView {
  ref: string;
  tag: string;
  created: Date | undefined;
  current: boolean;
  latest: boolean;
}

/** One workload, with every image its containers could run (newest first, as the daemon sorts them). */
export async function loadWorkload(api: FluxApi, timeoutMs: number, id: string): Promise<{ workload: WorkloadView; images: Map<string, ImageView[]> } | undefined> {
  const [services, images] = await Promise.all([
    api.listServicesWithOptions(ctx(timeoutMs), { namespace: '', services: null }),
    api.listImagesWithOptions(ctx(timeoutMs), { spec: id, overrideContainerFields: null, namespace: '' }),
  ]);
  const s = (services ?? []).find((x) => x.id.toString() === id);
  if (!s) return undefined;
  const st = (images ?? []).find((x) => x.id.toString() === id);
  const workload = toWorkload(s, st);
  const lists = new Map<string, ImageView[]>();
  for (const c of (st?.containers ?? []).slice(0, MAX_CONTAINERS)) {
    const current = ref(c.current);
    const latest = ref(c.latestFiltered);
    lists.set(
      clip(c.name),
      (c.available ?? []).slice(0, MAX_IMAGES).map((i) => {
        const r = ref(i);
        return { ref: r, tag: clip(i.id.tag), created: i.createdAt.isZero() ? undefined : i.createdAt.toDate(), current: r === current, latest: r === latest };
      }),
    );
  }
  return { workload, images: lists };
}

/**
 * What the dashboard needs of the hub; `Hub` implements it, alone or as a replica of a cluster
 * (then `instances` lists the whole cluster, `api` reaches daemons on any replica, `eventLog` is
 * the cluster's stream and both subscriptions tell of changes on every replica).
 */
export interface DashboardHub {
  api(instance: string): FluxApi;
  instances(): FleetStatus[];
  subscribeInstances(listener: (status: FleetStatus) => void): () => void;
  readonly eventLog: EventLog;
  /** Cluster mode's start (the dashboard shares its sessions there); absent for a hub that has none. */
  onClusterStart?(hook: ClusterStartHook): Promise<void>;
}

export interface InstanceSummary {
  status: FleetStatus;
  version: string | undefined;
  workloads: number | undefined;
  /** Workloads with at least one container whose policy allows a newer image. */
  outdated: number | undefined;
  /** Why the summary could not be fetched. */
  error: string | undefined;
  lastSync: { revision: string; at: Date } | undefined;
  recentErrors: { at: Date; text: string }[];
}

export interface FleetOptions {
  hub: DashboardHub;
  timeoutMs?: number;
  summaryTtlMs?: number;
  now?: () => number;
}

function lastSync(events: StoredEvent[]): InstanceSummary['lastSync'] {
  for (const e of events) {
    if (e.event.type !== 'sync') continue;
    const m = e.event.metadata;
    const revision = m?.kind === 'sync' ? (m.commits?.[0]?.revision ?? m.revisions?.[0] ?? '') : '';
    return { revision: clip(revision, 64), at: e.event.endedAt.isZero() ? e.receivedAt : e.event.endedAt.toDate() };
  }
  return undefined;
}

function recentErrors(status: FleetStatus, events: StoredEvent[]): InstanceSummary['recentErrors'] {
  const out: InstanceSummary['recentErrors'] = [];
  if (status.lastError && status.lastErrorAt) out.push({ at: status.lastErrorAt, text: clip(status.lastError, MAX_MESSAGE) });
  for (const e of events) {
    const m = e.event.metadata;
    if (e.event.logLevel === 'error') out.push({ at: e.receivedAt, text: clip(e.event.message || e.event.type, MAX_MESSAGE) });
    if (m?.kind === 'sync') for (const r of (m.errors ?? []).slice(0, 5)) out.push({ at: e.receivedAt, text: clip(`${r.id.toString()}: ${r.error}`, MAX_MESSAGE) });
    if (out.length >= 5) break;
  }
  return out.sort((a, b) => b.at.getTime() - a.at.getTime()).slice(0, 5);
}

export class Fleet {
  private readonly cache = new Map<string, { at: number; value: Pick<InstanceSummary, 'version' | 'workloads' | 'outdated' | 'error'> }>();
  private readonly now: () => number;

  constructor(private readonly o: FleetOptions) {
    this.now = o.now ?? Date.now;
  }

  get timeoutMs(): number {
    return this.o.timeoutMs ?? 5000;
  }

  api(instance: string): FluxApi {
    return this.o.hub.api(instance);
  }

  status(instance: string): FleetStatus | undefined {
    return this.o.hub.instances().find((s) => s.instance === instance);
  }

  /** Forgets an instance's cached summary (after a change made through the dashboard). */
  invalidate(instance: string): void {
    this.cache.delete(instance);
  }

  private async fetch(instance: string) {
    const hit = this.cache.get(instance);
    if (hit && this.now() - hit.at < (this.o.summaryTtlMs ?? 30_000)) return hit.value;
    let value: Pick<InstanceSummary, 'version' | 'workloads' | 'outdated' | 'error'>;
    try {
      const api = this.api(instance);
      const [version, workloads] = await Promise.all([api.version(ctx(this.timeoutMs)), loadWorkloads(api, this.timeoutMs)]);
      value = { version: clip(version, 128), workloads: workloads.length, outdated: workloads.filter((w) => w.containers.some((c) => c.newer)).length, error: undefined };
    } catch (e) {
      value = { version: undefined, workloads: undefined, outdated: undefined, error: clip((e as Error).message, MAX_MESSAGE) };
    }
    this.cache.set(instance, { at: this.now(), value });
    return value;
  }

  /** Summaries of the instances `visible` lets through, fetched in parallel. */
  async summaries(visible: (instance: string) => boolean): Promise<InstanceSummary[]> {
    const statuses = this.o.hub.instances().filter((s) => visible(s.instance));
    return Promise.all(
      statuses.map(async (status) => {
        const events = this.o.hub.eventLog.list(status.instance);
        const live = status.connected ? await this.fetch(status.instance) : { version: undefined, workloads: undefined, outdated: undefined, error: undefined };
        return { status, ...live, lastSync: lastSync(events), recentErrors: recentErrors(status, events) };
      }),
    );
  }
}
