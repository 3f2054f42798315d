/**
 * A sample cluster that serves the Flux API from memory, for `fluxrpc daemon --demo` and
 * `fluxrpc demo`: a few workloads with images and tag policies (sample-data.ts). It behaves like a
 * small fluxd: listings honour namespaces, ID filters and container fields; releases, container
 * updates and policy changes are applied at once and recorded as jobs; each applied change adds a
 * commit that is "pending" until the next `notifyChange`, and produces an event.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { CallContext, DaemonImplementation } from '../flux/api.js';
import {
  container as makeContainer,
  controllerStatus,
  FluxError,
  GoTime,
  imageInfo,
  newJobId,
  parseImageRef,
  ResourceId,
  imageRefString,
  type Change,
  type ContainerUpdate,
  type ControllerStatus,
  type EventMetadata,
  type FluxEvent,
  type GitConfig,
  type ImageInfo,
  type ImageStatus,
  type JobId,
  type JobStatus,
  type ListImagesOptions,
  type ListServicesOptions,
  type UpdateSpec,
  type WorkloadResult,
} from '../flux/model/index.js';
import { getTagPattern, imagesToSort, newContainer, type ImageFacts } from '../flux/policy/index.js';
import { PACKAGE_VERSION } from '../runtime/version.js';
import { SAMPLE_GIT, SAMPLE_IMAGES, SAMPLE_WORKLOADS, type SampleWorkload } from './sample-data.js';

/** An image as the demo registry knows it, with the facts tag policies read. */
interface DemoImage extends ImageFacts {
  info: ImageInfo;
}

interface Workload {
  id: ResourceId;
  containers: { name: string; repository: string; tag: string }[];
  policies: Map<string, string>;
  replicas: number;
  labels: Map<string, string>;
}

export interface DemoClusterOptions {
  /** Called for every event the cluster produces (the connector posts them upstream). */
  onEvent?: (event: FluxEvent) => void;
  /** Clock, for tests. */
  now?: () => Date;
}

const ALL = '<all>';
const ALL_LATEST = '<all latest>';

function toImage(repository: string, tag: string, created: string): DemoImage {
  const time = GoTime.fromDate(new Date(created));
  const info = imageInfo({
    id: parseImageRef(`${repository}:${tag}`),
    digest: 'sha256:' + createHash('sha256').update(`${repository}:${tag}`).digest('hex'),
    createdAt: time,
  });
  return { info, tag, ref: imageRefString(info.id), createdNs: BigInt(time.unixSeconds) * 1_000_000_000n + BigInt(time.nanos) };
}

export class DemoCluster implements DaemonImplementation {
  private readonly workloads: Workload[];
  private readonly images = new Map<string, DemoImage[]>();
  private readonly jobs = new Map<JobId, JobStatus>();
  private readonly pending: string[] = [];
  private readonly messages = new Map<string, string>();
  private head = 'c0ffee0000000000000000000000000000000000';
  private sshKey = DemoCluster.newKey();

  constructor(private readonly options: DemoClusterOptions = {}) {
    for (const [repo, tags] of Object.entries(SAMPLE_IMAGES)) this.images.set(repo, tags.map(([tag, created]) => toImage(repo, tag, created)));
    this.workloads = SAMPLE_WORKLOADS.map((w: SampleWorkload) => ({
      id: ResourceId.parse(w.id),
      containers: w.containers.map((c) => ({ ...c })),
      policies: new Map(Object.entries(w.policies)),
      replicas: w.replicas,
      labels: new Map(Object.entries(w.labels ?? {})),
    }));
  }

  private static newKey(): string {
    return 'ssh-ed25519 ' + randomBytes(32).toString('base64') + ' flux-demo';
  }

  async ping(ctx: CallContext): Promise<void> {
    ctx.signal.throwIfAborted();
  }

  async version(): Promise<string> {
    return `fluxrpc-demo-${PACKAGE_VERSION}`;
  }

  async export(): Promise<Uint8Array | null> {
    const docs = this.workloads.map((w) => {
      const [ns, kind, name] = w.id.components();
      const annotations = [...w.policies].map(([k, v]) => `    fluxcd.io/${k}: "${v}"`).join('\n');
      const containers = w.containers.map((c) => `      - name: ${c.name}\n        image: ${c.repository}:${c.tag}`).join('\n');
      const kindName = kind === 'statefulset' ? 'StatefulSet' : kind === 'daemonset' ? 'DaemonSet' : 'Deployment';
      return `---\napiVersion: apps/v1\nkind: ${kindName}\nmetadata:\n  name: ${name}\n  namespace: ${ns}\n  annotations:\n${annotations}\nspec:\n  replicas: ${w.replicas}\n  template:\n    spec:\n      containers:\n${containers}\n`;
    });
    return Buffer.from(docs.join(''), 'utf8');
  }

  async listServices(_ctx: CallContext, namespace: string): Promise<readonly ControllerStatus[] | null> {
    return this.workloads.filter((w) => namespace === '' || w.id.namespace === namespace).map((w) => this.status(w));
  }

  async listServicesWithOptions(_ctx: CallContext, options: ListServicesOptions): Promise<readonly ControllerStatus[] | null> {
    const services = options.services ?? [];
    if (options.namespace !== '' && services.length > 0) throw new Error("cannot filter by 'namespace' and 'workloads' at the same time");
    if (services.length === 0) return this.listServices(_ctx, options.namespace);
    return this.workloads.filter((w) => services.some((id) => id.equals(w.id))).map((w) => this.status(w));
  }

  async listImages(ctx: CallContext, spec: string): Promise<readonly ImageStatus[] | null> {
    return this.listImagesWithOptions(ctx, { spec, overrideContainerFields: null, namespace: '' });
  }

  async listImagesWithOptions(_ctx: CallContext, options: ListImagesOptions): Promise<readonly ImageStatus[] | null> {
    let selected = this.workloads;
    if (options.spec !== '' && options.spec !== ALL) {
      const id = ResourceId.parse(options.spec);
      selected = selected.filter((w) => w.id.equals(id));
    }
    if (options.namespace !== '') selected = selected.filter((w) => w.id.namespace === options.namespace);
    return selected.map((w) => ({
      id: w.id,
      containers: w.containers.map((c) => {
        const available = this.images.get(c.repository) ?? [];
        const current = available.find((i) => i.tag === c.tag) ?? toImage(c.repository, c.tag, '0001-01-01T00:00:00Z');
        const f = newContainer(c.name, imagesToSort(available), current, getTagPattern(w.policies, c.name), options.overrideContainerFields);
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
    const { results, applied } = this.apply(spec);
    const revision = applied ? this.commit(`${spec.type} by ${spec.cause.user || 'anonymous'}`) : '';
    this.jobs.set(id, { result: { revision, spec, result: results.size === 0 ? null : results }, err: '', statusString: 'succeeded' });
    if (applied) {
      const ids = [...results].filter(([, r]) => r.status === 'success').map(([k]) => ResourceId.parse(k));
      this.event('commit', ids, spec.cause.message || `${spec.type} update`, { kind: 'commit', revision, spec, result: results });
    }
    return id;
  }

  async notifyChange(_ctx: CallContext, change: Change): Promise<void> {
    if (change.kind === 'git' && this.pending.length > 0) {
      const commits = this.pending.map((revision) => ({ revision, message: this.messages.get(revision) ?? '' }));
      this.pending.length = 0;
      this.event('sync', this.workloads.map((w) => w.id), `synced ${this.head.slice(0, 7)}`, {
        kind: 'sync',
        revisions: null,
        commits,
        includes: null,
        errors: null,
        initialSync: false,
      });
    }
  }

  async syncNotify(): Promise<void> {
    this.pending.length = 0;
  }

  async jobStatus(_ctx: CallContext, id: JobId): Promise<JobStatus> {
    const job = this.jobs.get(id);
    if (!job) throw new FluxError('missing', `The job ID ${id} is not known to this daemon. Jobs are kept only while the daemon runs.\n`, `unknown job ${id}`);
    return job;
  }

  async syncStatus(_ctx: CallContext, ref: string): Promise<readonly string[] | null> {
    if (ref !== 'HEAD' && ref !== this.head && !this.pending.includes(ref)) throw new Error(`unknown revision ${ref}`);
    return [...this.pending];
  }

  async gitRepoConfig(_ctx: CallContext, regenerate: boolean): Promise<GitConfig> {
    if (regenerate) this.sshKey = DemoCluster.newKey();
    const sha = createHash('sha256').update(this.sshKey).digest('base64').replace(/=+$/, '');
    return {
      remote: { url: SAMPLE_GIT.url, branch: SAMPLE_GIT.branch, path: SAMPLE_GIT.path },
      publicSSHKey: { key: this.sshKey, fingerprints: new Map([['sha256', { hash: `SHA256:${sha}`, randomart: '' }]]) },
      status: 'ready',
      error: '',
    };
  }

  private status(w: Workload): ControllerStatus {
    return controllerStatus({
      id: w.id,
      containers: w.containers.map((c) => {
        const current = this.images.get(c.repository)?.find((i) => i.tag === c.tag);
        return makeContainer({ name: c.name, current: current?.info ?? imageInfo({ id: parseImageRef(`${c.repository}:${c.tag}`) }) });
      }),
      status: 'ready',
      rollout: { desired: w.replicas, updated: w.replicas, ready: w.replicas, available: w.replicas, outdated: 0, messages: null },
      labels: w.labels,
      automated: w.policies.get('automated') === 'true',
      locked: w.policies.get('locked') === 'true',
      ignore: w.policies.get('ignore') === 'true',
      policies: new Map(w.policies),
    });
  }

  /** Works out (and, unless it is a dry run, applies) an update; returns the per-workload results. */
  private apply(spec: UpdateSpec): { results: Map<string, WorkloadResult>; applied: boolean } {
    const results = new Map<string, WorkloadResult>();
    let applied = false;
    switch (spec.type) {
      case 'image': {
        const s = spec.spec;
        const execute = s.kind !== 'plan';
        const specs = s.serviceSpecs ?? [];
        const targets = specs.includes(ALL) ? this.workloads : this.workloads.filter((w) => specs.some((x) => x === w.id.toString()));
        for (const w of targets) {
          if (s.excludes?.some((x) => x.equals(w.id))) {
            results.set(w.id.toString(), { status: 'skipped', error: 'excluded', perContainer: null });
            continue;
          }
          if (w.policies.get('locked') === 'true' && !s.force) {
            results.set(w.id.toString(), { status: 'skipped', error: 'locked', perContainer: null });
            continue;
          }
          const updates: ContainerUpdate[] = [];
          for (const c of w.containers) {
            const target = this.target(w, c, s.imageSpec);
            if (!target || target === c.tag) continue;
            updates.push({ container: c.name, current: parseImageRef(`${c.repository}:${c.tag}`), target: parseImageRef(`${c.repository}:${target}`) });
            if (execute) c.tag = target;
          }
          if (updates.length === 0) results.set(w.id.toString(), { status: 'skipped', error: 'image(s) up to date', perContainer: null });
          else {
            results.set(w.id.toString(), { status: 'success', error: '', perContainer: updates });
            applied ||= execute;
          }
        }
        return { results, applied };
      }
      case 'containers': {
        const execute = spec.spec.kind !== 'plan';
        for (const [idText, updates] of spec.spec.containerSpecs ?? new Map()) {
          const w = this.workloads.find((x) => x.id.toString() === idText);
          if (!w) {
            results.set(idText, { status: 'failed', error: 'not found', perContainer: null });
            continue;
          }
          for (const u of updates ?? []) {
            const c = w.containers.find((x) => x.name === u.container);
            if (c && execute) c.tag = u.target.tag;
          }
          results.set(idText, { status: 'success', error: '', perContainer: updates ?? null });
          applied ||= execute;
        }
        return { results, applied };
      }
      case 'policy': {
        for (const [idText, update] of spec.spec ?? new Map()) {
          const w = this.workloads.find((x) => x.id.toString() === idText);
          if (!w) {
            results.set(idText, { status: 'failed', error: 'not found', perContainer: null });
            continue;
          }
          for (const k of update.remove?.keys() ?? []) w.policies.delete(k);
          for (const [k, v] of update.add ?? []) w.policies.set(k, v);
          results.set(idText, { status: 'success', error: '', perContainer: null });
          applied = true;
        }
        return { results, applied };
      }
      default:
        return { results, applied };
    }
  }

  /** The tag a release moves container `c` to, if any. */
  private target(w: Workload, c: Workload['containers'][number], imageSpec: string): string | undefined {
    const available = this.images.get(c.repository) ?? [];
    if (imageSpec === ALL_LATEST) {
      const current = available.find((i) => i.tag === c.tag);
      if (!current) return undefined;
      const f = newContainer(c.name, imagesToSort(available), current, getTagPattern(w.policies, c.name), ['LatestFiltered']);
      return f.latestFiltered?.tag;
    }
    const ref = parseImageRef(imageSpec);
    const repository = imageRefString({ ...ref, tag: '', sha: '' });
    if (repository !== c.repository && imageRefString({ ...parseImageRef(`${c.repository}:x`), tag: '', sha: '' }) !== repository) return undefined;
    return ref.tag || undefined;
  }

  private commit(message: string): string {
    this.head = createHash('sha1').update(this.head + message).digest('hex');
    this.pending.unshift(this.head);
    this.messages.set(this.head, message);
    return this.head;
  }

  private event(type: string, ids: ResourceId[], message: string, metadata: EventMetadata): void {
    const now = GoTime.fromDate(this.options.now?.() ?? new Date());
    this.options.onEvent?.({ id: 0, serviceIds: ids, type, startedAt: now, endedAt: now, logLevel: 'info', message, metadata });
  }
}
