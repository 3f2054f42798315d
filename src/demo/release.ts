/**
 * What fluxd's release machinery (`pkg/release`, `pkg/update`) decides for an image release or a
 * containers release, over the demo's repository (manifests at HEAD), cluster (running workloads)
 * and registry: which workloads are selected, the result for every workload with flux's statuses
 * and messages (`ignored: not included`, `skipped: locked`, `skipped: image(s) up to date`, …),
 * and the container updates to write. Errors carry fluxd's texts.
 */
import {
  imageInfo,
  IMAGE_SPEC_LATEST,
  imageRefString,
  parseImageRef,
  RESOURCE_SPEC_ALL,
  ResourceId,
  tagPolicy,
  type ContainerUpdate,
  type ImageName,
  type ImageRef,
  type ReleaseContainersSpec,
  type ReleaseImageSpec,
  type WorkloadResult,
} from '../flux/model/index.js';
import { filterAndSortRepositoryMetadata, newPattern, PATTERN_ALL, strconvQuote, type Pattern, type RepositoryMetadata } from '../flux/policy/index.js';
import { canonicalKey, type DemoImage, type DemoRegistry } from './registry.js';
import { hasPolicy, type DemoWorkload, type Workloads } from './workloads.js';


/** flux's `update.*` result messages. */
export const ResultMessage = {
  Locked: 'locked',
  Ignore: 'ignore',
  NotIncluded: 'not included',
  Excluded: 'excluded',
  DifferentImage: 'a different image',
  NotAccessibleInCluster: 'not accessible in cluster',
  NotInRepo: 'not found in repository',
  ImageNotFound: 'cannot find one or more images',
  ImageUpToDate: 'image(s) up to date',
  DoesNotUseImage: 'does not use image(s)',
} as const;

export interface ReleaseContext {
  /** The manifests at HEAD. */
  readonly repo: Workloads;
  /** The running workloads. */
  readonly cluster: Workloads;
  readonly registry: DemoRegistry;
}

/** A workload to update: its ID and the container updates to write to its manifest. */
export interface WorkloadUpdate {
  readonly id: ResourceId;
  readonly updates: ContainerUpdate[];
}

export interface ReleasePlan {
  readonly updates: WorkloadUpdate[];
  /** By workload ID text. */
  readonly results: Map<string, WorkloadResult>;
}

interface Candidate {
  readonly id: ResourceId;
  /** The manifest (policies for tag patterns and locks). */
  readonly resource: DemoWorkload;
  /** The running workload (its containers are what is updated from). */
  readonly workload: DemoWorkload;
}

/** A filter's verdict: `undefined` lets the workload through. */
type Filter = (c: Candidate) => WorkloadResult | undefined;

const result = (status: string, error = '', perContainer: ContainerUpdate[] | null = null): WorkloadResult => ({ status, error, perContainer });

const includeFilter =
  (ids: readonly ResourceId[]): Filter =>
  (c) =>
    ids.some((id) => id.equals(c.id)) ? undefined : result('ignored', ResultMessage.NotIncluded);
const excludeFilter =
  (ids: readonly ResourceId[]): Filter =>
  (c) =>
    ids.some((id) => id.equals(c.id)) ? result('ignored', ResultMessage.Excluded) : undefined;
const specificImageFilter =
  (ref: ImageRef): Filter =>
  (c) => {
    if (c.workload.containers.length === 0) return result('ignored', ResultMessage.NotAccessibleInCluster);
    const wanted = canonicalKey(ref);
    return c.workload.containers.some((k) => canonicalKey(k.image) === wanted) ? undefined : result('ignored', ResultMessage.DifferentImage);
  };
const lockedFilter: Filter = (c) => (hasPolicy(c.resource.policies, 'locked') ? result('skipped', ResultMessage.Locked) : undefined);
// fluxd reads `ignore` from the running workload and `locked` from the manifest.
const ignoreFilter: Filter = (c) => (hasPolicy(c.workload.policies, 'ignore') ? result('skipped', ResultMessage.Ignore) : undefined);

function firstVerdict(c: Candidate, filters: readonly Filter[]): WorkloadResult | undefined {
  for (const f of filters) {
    const verdict = f(c);
    if (verdict !== undefined) return verdict;
  }
  return undefined;
}

/**
 * `ReleaseContext.SelectWorkloads`: every workload defined in the repository gets a result from the
 * prefilters (or "not accessible in cluster" until the cluster is asked), then the running ones a
 * result from the postfilters; those passing both are the candidates.
 */
function selectWorkloads(ctx: ReleaseContext, results: Map<string, WorkloadResult>, pre: readonly Filter[], post: readonly Filter[]): Candidate[] {
  const asked: DemoWorkload[] = [];
  for (const [key, resource] of ctx.repo) {
    const verdict = firstVerdict({ id: resource.id, resource, workload: resource }, pre);
    if (verdict === undefined) {
      results.set(key, result('skipped', ResultMessage.NotAccessibleInCluster));
      asked.push(resource);
    } else results.set(key, verdict);
  }
  const candidates: Candidate[] = [];
  for (const resource of asked) {
    const workload = ctx.cluster.get(resource.id.toString());
    if (workload === undefined) continue;
    const c = { id: resource.id, resource, workload };
    const verdict = firstVerdict(c, post);
    // Go stores the empty result for those passing; the update calculation replaces it.
    results.set(c.id.toString(), verdict ?? result(''));
    if (verdict === undefined) candidates.push(c);
  }
  return candidates;
}

/**
 * `ReleaseImageSpec.CalculateRelease`. Throws fluxd's errors: an unparsable workload or image, or a
 * specific image the registry does not have (`image "…" does not exist: invalid image ID`).
 */
export function planImageRelease(spec: ReleaseImageSpec, ctx: ReleaseContext): ReleasePlan {
  const results = new Map<string, WorkloadResult>();
  const specs = spec.serviceSpecs ?? [];
  // "<all>" overrides the IDs before it; those after it are not even parsed.
  let ids: ResourceId[] = [];
  for (const s of specs) {
    if (s === RESOURCE_SPEC_ALL) {
      ids = [];
      break;
    }
    ids.push(ResourceId.parse(s));
  }
  const pre: Filter[] = [];
  const post: Filter[] = [];
  if (ids.length > 0) pre.push(includeFilter(ids));
  if ((spec.excludes ?? []).length > 0) pre.push(excludeFilter(spec.excludes!));
  const latest = spec.imageSpec === IMAGE_SPEC_LATEST;
  const specific = latest ? undefined : parseImageRef(spec.imageSpec);
  if (specific !== undefined) post.push(specificImageFilter(specific));
  if (!(ids.length > 0 && spec.force)) post.push(lockedFilter, ignoreFilter);

  const candidates = selectWorkloads(ctx, results, pre, post);
  // markSkipped: named workloads the repository does not define.
  for (const s of specs) {
    let id: ResourceId;
    try {
      id = ResourceId.parse(s);
    } catch {
      continue; // "<all>" and anything else that is not an ID
    }
    if (!results.has(id.toString())) results.set(id.toString(), result('skipped', ResultMessage.NotInRepo));
  }

  // The image metadata: the whole repository of each running image, or just the one image asked for.
  let metadata: (name: ImageName) => RepositoryMetadata<DemoImage>;
  let singleRepo = '';
  if (specific === undefined) metadata = (name) => ctx.registry.repository(name);
  else {
    if (ctx.registry.image(specific) === undefined) throw new Error(`image ${strconvQuote(imageRefString(specific))} does not exist: invalid image ID`);
    singleRepo = canonicalKey(specific);
    metadata = (name) => {
      if (canonicalKey(name) !== singleRepo) return { tags: [], images: new Map() };
      // Only the tag asked for, known by its ref alone (as fluxd's exactImageRepos has it).
      const ref = { domain: name.domain, image: name.image, tag: specific.tag, sha: '' };
      const image: DemoImage = { info: imageInfo({ id: ref }), tag: specific.tag, ref: imageRefString(ref) };
      return { tags: [specific.tag], images: new Map([[specific.tag, image]]) };
    };
  }

  const updates: WorkloadUpdate[] = [];
  for (const c of candidates) {
    let verdict: 'ignored' | 'skipped' | 'unknown' = 'ignored';
    const containerUpdates: ContainerUpdate[] = [];
    for (const container of c.workload.containers) {
      const current = container.image;
      let pattern: Pattern = PATTERN_ALL;
      const policy = c.resource.policies.get(tagPolicy(container.name));
      if ((!spec.force || latest) && policy !== undefined) pattern = newPattern(policy);
      let sorted: DemoImage[];
      try {
        sorted = filterAndSortRepositoryMetadata(metadata(current), pattern);
      } catch {
        verdict = 'unknown'; // a tag without metadata
        continue;
      }
      const newest = sorted[0];
      if (newest === undefined) {
        verdict = canonicalKey(current) !== singleRepo ? 'ignored' : 'unknown';
        continue;
      }
      if (newest.tag === current.tag && current.sha === '') {
        verdict = 'skipped';
        continue;
      }
      containerUpdates.push({ container: container.name, current, target: { ...current, tag: newest.tag } });
    }
    const key = c.id.toString();
    if (containerUpdates.length > 0) {
      updates.push({ id: c.id, updates: containerUpdates });
      results.set(key, result('success', '', containerUpdates));
    } else if (verdict === 'skipped') results.set(key, result('skipped', ResultMessage.ImageUpToDate));
    else if (verdict === 'ignored') results.set(key, result('ignored', ResultMessage.DoesNotUseImage));
    else results.set(key, result('skipped', ResultMessage.ImageNotFound));
  }
  return { updates, results };
}

/** `ReleaseImageSpec.CommitMessage`: `Release <image> to <workloads>` without the angle brackets. */
export function imageReleaseMessage(spec: ReleaseImageSpec): string {
  const trim = (s: string) => s.replace(/^[<>]+|[<>]+$/g, '');
  return `Release ${trim(spec.imageSpec)} to ${(spec.serviceSpecs ?? []).map(trim).join(', ')}`;
}

const sameRef = (a: ImageRef, b: ImageRef) => a.domain === b.domain && a.image === b.image && a.tag === b.tag && a.sha === b.sha;
const isZeroRef = (r: ImageRef) => r.domain === '' && r.image === '' && r.tag === '' && r.sha === '';

/**
 * `ReleaseContainersSpec.CalculateRelease`: the exact container updates asked for, checked against
 * the running images (`container(s) tag mismatch: …` unless mismatches are skipped, `container(s)
 * not found: …`). Throws `cannot satisfy specs` when a workload failed and `no changes found` when
 * none succeeded, as fluxd does (no result reaches the caller then).
 */
export function planContainersRelease(spec: ReleaseContainersSpec, ctx: ReleaseContext): ReleasePlan {
  const results = new Map<string, WorkloadResult>();
  const specs = spec.containerSpecs ?? new Map<string, readonly ContainerUpdate[] | null>();
  const ids = [...specs.keys()].map((s) => ResourceId.parse(s));
  const candidates = selectWorkloads(ctx, results, [includeFilter(ids)], spec.force ? [] : [lockedFilter, ignoreFilter]);
  const updates: WorkloadUpdate[] = [];
  for (const c of candidates) {
    const running = new Map(c.workload.containers.map((k) => [k.name, k]));
    const mismatch: string[] = [];
    const notFound: string[] = [];
    const containerUpdates: ContainerUpdate[] = [];
    for (const u of specs.get(c.id.toString()) ?? []) {
      const container = running.get(u.container);
      if (container === undefined) notFound.push(u.container);
      else if (!isZeroRef(u.current) && !sameRef(container.image, u.current)) mismatch.push(u.container);
      else if (!sameRef(container.image, u.target)) containerUpdates.push(u);
    }
    const mismatchError = `container(s) tag mismatch: ${mismatch.join(', ')}`;
    const skippedMismatches = spec.skipMismatches && mismatch.length > 0;
    const key = c.id.toString();
    if (notFound.length > 0) results.set(key, result('failed', `container(s) not found: ${notFound.join(', ')}`));
    else if (!spec.skipMismatches && mismatch.length > 0) results.set(key, result('failed', mismatchError));
    else if (containerUpdates.length === 0) results.set(key, result('skipped', skippedMismatches ? mismatchError : ResultMessage.ImageUpToDate));
    else {
      updates.push({ id: c.id, updates: containerUpdates });
      results.set(key, result('success', skippedMismatches ? mismatchError : '', containerUpdates));
    }
  }
  const statuses = [...results.values()].map((r) => r.status);
  if (statuses.includes('failed')) throw new Error('cannot satisfy specs');
  if (!statuses.includes('success')) throw new Error('no changes found');
  return { updates, results };
}

/** `ReleaseContainersSpec.CommitMessage`. */
export function containersReleaseMessage(results: ReadonlyMap<string, WorkloadResult>): string {
  const affected = [...results].filter(([, r]) => r.status === 'success').map(([k]) => k);
  let body = '';
  for (const id of affected) {
    body += `\n${id}`;
    for (const u of results.get(id)!.perContainer ?? []) body += `\n- ${imageRefString(u.target)}`;
    body += '\n';
  }
  const failure = resultError(results);
  if (failure !== '') body += `\n${failure}`;
  return `Update image refs in ${affected.join(', ')}\n${body}`;
}

/** `update.Result.Error()`: the failed workloads, or `""`. */
export function resultError(results: ReadonlyMap<string, WorkloadResult>): string {
  const failed = [...results].filter(([, r]) => r.status === 'failed');
  if (failed.length === 0) return '';
  if (failed.length === 1) return `${failed[0]![0]} failed: ${failed[0]![1].error}`;
  return `Multiple workloads failed: ${failed.map(([k]) => k).join(', ')}`;
}

/**
 * Writes the updates into the manifests (the repository's workloads); whether any manifest changed
 * (updates computed from the running images may already be in the repository).
 */
export function writeUpdates(repo: Workloads, updates: readonly WorkloadUpdate[]): boolean {
  let changed = false;
  for (const u of updates) {
    const w = repo.get(u.id.toString());
    if (w === undefined) continue;
    w.containers = w.containers.map((c) => {
      const change = u.updates.find((x) => x.container === c.name);
      if (change === undefined || sameRef(change.target, c.image)) return c;
      changed = true;
      return { name: c.name, image: change.target };
    });
  }
  return changed;
}
