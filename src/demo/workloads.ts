/**
 * The demo's workloads as both the git repository (manifests at HEAD) and the cluster (what the last
 * sync applied) hold them, and the policy edits fluxd makes to manifests (`resource.ChangesForPolicyUpdate`
 * and the annotation update, reporting whether the manifest changed).
 */
import { parseImageRef, Policy, ResourceId, isBooleanPolicy, isTagPolicy, tagPolicy, type ImageRef, type PolicyUpdate } from '../flux/model/index.js';
import { newPattern, PATTERN_ALL, strconvQuote } from '../flux/policy/index.js';
import type { SampleWorkload } from './sample-data.js';

export interface DemoContainer {
  readonly name: string;
  readonly image: ImageRef;
}

export interface DemoWorkload {
  readonly id: ResourceId;
  containers: DemoContainer[];
  /** Policy name → value (the `fluxcd.io/<policy>` annotations). */
  policies: Map<string, string>;
  replicas: number;
  labels: Map<string, string>;
}

/** Workloads by ID text, in a stable order. */
export type Workloads = Map<string, DemoWorkload>;

export function workloadsFromSample(sample: readonly SampleWorkload[]): Workloads {
  return new Map(
    sample.map((w) => {
      const id = ResourceId.parse(w.id);
      const workload: DemoWorkload = {
        id,
        containers: w.containers.map((c) => ({ name: c.name, image: parseImageRef(`${c.repository}:${c.tag}`) })),
        policies: new Map(Object.entries(w.policies)),
        replicas: w.replicas,
        labels: new Map(Object.entries(w.labels ?? {})),
      };
      return [id.toString(), workload];
    }),
  );
}

export function cloneWorkloads(workloads: Workloads): Workloads {
  return new Map([...workloads].map(([k, w]) => [k, { ...w, containers: [...w.containers], policies: new Map(w.policies), labels: new Map(w.labels) }]));
}

/** Go's `policy.Set.Has`: present, and for boolean policies (`automated`, `locked`, `ignore`) `"true"`. */
export function hasPolicy(policies: ReadonlyMap<string, string>, name: string): boolean {
  const value = policies.get(name);
  return value !== undefined && (!isBooleanPolicy(name) || value === 'true');
}

/**
 * Applies a policy update to a workload's manifest as fluxd does: `tag_all` becomes a tag policy per
 * container (or their removal for `glob:*`), removals are empty values, an invalid tag pattern is
 * an error (`invalid tag pattern: "…"`). Returns whether the manifest changed.
 */
export function updatePolicies(workload: DemoWorkload, update: PolicyUpdate): boolean {
  const add = new Map(update.add ?? []);
  const remove = new Set(update.remove?.keys() ?? []);
  const tagAll = add.get(Policy.TagAll);
  if (tagAll !== undefined) {
    add.delete(Policy.TagAll);
    for (const c of workload.containers) {
      if (tagAll === PATTERN_ALL.toString()) remove.add(tagPolicy(c.name));
      else add.set(tagPolicy(c.name), tagAll);
    }
  }
  const changes = new Map<string, string>();
  for (const [name, value] of add) {
    if (isTagPolicy(name) && !newPattern(value).valid()) throw new Error(`invalid tag pattern: ${strconvQuote(value)}`);
    changes.set(name, value);
  }
  for (const name of remove) changes.set(name, '');
  let changed = false;
  for (const [name, value] of changes) {
    // An empty value removes the annotation.
    if (value === '') changed = workload.policies.delete(name) || changed;
    else if (workload.policies.get(name) !== value) {
      workload.policies.set(name, value);
      changed = true;
    }
  }
  return changed;
}
