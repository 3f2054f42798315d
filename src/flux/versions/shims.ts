/**
 * What the upstream clients do for daemons older than a method (flux `pkg/remote/rpc/compat.go`,
 * docs/rpc.md §6.4), written against `FluxApi` so that each shim calls the client's own (version-bound)
 * `listServices` / `listImages`, with that version's kind checks and error mapping.
 *
 * - `polyfillRolloutStatus`: statuses like `3 out of 5 updated` from old daemons become `updating`
 *   with the rollout counts filled in (Go's `fmt.Sscanf`, including its partial-scan side effect).
 * - `listServicesWithOptions`: filters a full `ListServices` (V6–V10).
 * - `listImagesWithOptions`: rebuilds each container from `ListImages` + `ListServices` policies
 *   with the V10 container-field logic (V6–V9).
 *
 * Where Go returns a value alongside an error, the error is thrown and the value dropped.
 */
import type { CallContext, FluxApi } from '../api.js';
import { container, type Container } from '../model/container.js';
import type { ControllerStatus } from '../model/controller-status.js';
import { UnsupportedResourceKindError } from '../model/flux-error.js';
import type { ImageStatus } from '../model/image-status.js';
import type { ListImagesOptions, ListServicesOptions } from '../model/options.js';
import { ResourceId } from '../model/resource-id.js';
import { RESOURCE_SPEC_ALL } from '../model/resource-spec.js';
/** The tag-policy code (with its RE2 engine), loaded by the first shimmed ListImages only: a hub of new daemons never needs it. */
type Policy = typeof import('../policy/index.js');
type ContainerFields<T> = import('../policy/container.js').ContainerFields<T>;
let policyModule: Promise<Policy> | undefined;
const loadPolicy = (): Promise<Policy> => (policyModule ??= import('../policy/index.js'));
import { sscanfInts } from './go-scanf.js';
import { infoFacts, infoOf, type InfoFacts } from './image-info-adapter.js';
import { checkIdKinds } from './kinds.js';

/** The format flux scans an old daemon's status text with. */
export const ROLLOUT_STATUS_FORMAT = '%d out of %d updated';
/** `cluster.StatusUpdating`. */
export const STATUS_UPDATING = 'updating';

/** The plain (non-Flux, non-fatal) error of the ListServicesWithOptions shim. */
export class FilterConflictError extends Error {
  override name = 'FilterConflictError';
  readonly code = 'FLUXRPC_ERR_FILTER_CONFLICT';
  constructor() {
    super("cannot filter by 'namespace' and 'services' at the same time");
  }
}

/** One status through the polyfill; the same object when nothing was scanned. */
export function polyfillStatus(status: ControllerStatus): ControllerStatus {
  const scan = sscanfInts(status.status, ROLLOUT_STATUS_FORMAT, 32);
  if (scan.count === 0) return status;
  const updated = scan.values[0]!;
  if (scan.count === 1) return { ...status, rollout: { ...status.rollout, updated } };
  return {
    ...status,
    status: STATUS_UPDATING,
    rollout: { ...status.rollout, updated, desired: scan.values[1]!, ready: updated, available: updated },
  };
}

/** `listServicesRolloutStatus`: every status of a list (`null` stays `null`). */
export function polyfillRolloutStatus(list: readonly ControllerStatus[] | null): readonly ControllerStatus[] | null {
  return list === null ? null : list.map(polyfillStatus);
}

/** The ListServicesWithOptions shim (V6–V10); `kinds` are the version's. */
export async function listServicesWithOptions(
  api: FluxApi,
  ctx: CallContext,
  options: ListServicesOptions,
  kinds: readonly string[],
): Promise<readonly ControllerStatus[] | null> {
  const wanted = options.services ?? [];
  if (options.namespace !== '' && wanted.length > 0) throw new FilterConflictError();
  const bad = checkIdKinds(wanted, kinds);
  if (bad !== undefined) throw new UnsupportedResourceKindError(bad);
  const all = polyfillRolloutStatus(await api.listServices(ctx, options.namespace));
  if (wanted.length === 0) return all;
  const ids = new Set(wanted.map((id) => id.toString()));
  const kept = (all ?? []).filter((status) => ids.has(status.id.toString()));
  return kept.length === 0 ? null : kept;
}

/** The ListImagesWithOptions shim (V6–V9). `options.namespace` is ignored, as in Go. */
export async function listImagesWithOptions(api: FluxApi, ctx: CallContext, options: ListImagesOptions): Promise<readonly ImageStatus[] | null> {
  const policy = loadPolicy();
  const statuses = await api.listImages(ctx, options.spec);
  const namespace = options.spec === RESOURCE_SPEC_ALL ? '' : namespaceOf(ResourceId.parse(options.spec));
  const services = await api.listServices(ctx, namespace);
  const policies = new Map<string, ReadonlyMap<string, string> | null>();
  for (const service of services ?? []) policies.set(service.id.toString(), service.policies);
  if (statuses === null) return null;
  const { alreadySorted, getTagPattern, newContainer } = await policy;
  const rebuildContainer = (c: Container, policies: ReadonlyMap<string, string> | null, fields: readonly string[] | null) =>
    rebuiltContainer(c, newContainer(c.name, alreadySorted((c.available ?? []).map(infoFacts)), infoFacts(c.current), getTagPattern(policies, c.name), fields), fields);
  return statuses.map((status) => {
    if (status.containers === null) return status;
    // A workload the services call knew has policies (maybe none); Go then passes an empty set,
    // which selects the same pattern as no set at all.
    const set = policies.get(status.id.toString()) ?? null;
    return { ...status, containers: status.containers.map((c) => rebuildContainer(c, set, options.overrideContainerFields)) };
  });
}

/** The daemon's container recomputed (`f`: policy's `newContainer` over its own `Available` list, taken as already sorted). */
function rebuiltContainer(c: Container, f: ContainerFields<InfoFacts>, fields: readonly string[] | null): Container {
  return container({
    name: f.name,
    current: infoOf(f.current),
    latestFiltered: infoOf(f.latestFiltered),
    // Go assigns the source list itself when `Available` is computed (nil stays nil).
    available: f.available.length === 0 ? (wantsAvailable(fields) ? c.available : null) : f.available.map((x) => x.info),
    availableError: f.availableError,
    availableImagesCount: f.availableImagesCount,
    newAvailableImagesCount: f.newAvailableImagesCount,
    filteredImagesCount: f.filteredImagesCount,
    newFilteredImagesCount: f.newFilteredImagesCount,
  });
}

function wantsAvailable(fields: readonly string[] | null): boolean {
  return fields === null || fields.length === 0 || fields.includes('Available');
}

/** The namespace of an ID (`""` for the zero ID, where Go would panic). */
function namespaceOf(id: ResourceId): string {
  return id.isZero() ? '' : id.namespace;
}
