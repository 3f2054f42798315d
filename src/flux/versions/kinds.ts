/**
 * Resource-kind checks done by the upstream clients before any I/O (docs/rpc.md §6.5). Each check
 * returns the underlying message of the error to raise (`Unsupported resource kind: <kind>`), or
 * `undefined` when the request passes; which Flux error wraps the message is the version's business
 * (versions.ts).
 *
 * What is checked:
 * - a ResourceSpec only if it parses as an ID (`<all>` and unparsable specs pass);
 * - an update spec: `policy` specs every key (Go iterates a map, so with several bad keys the one
 *   named is random in Go; here it is the first in the map's order), `image` specs each
 *   `ServiceSpecs` entry then each `Excludes` ID; `auto`, `sync`, `containers` are not checked;
 * - a list of IDs (ListServicesWithOptions' `Services`).
 *
 * Go reads an ID's kind with `Components()`, which panics for the zero ID (`""`); here the zero
 * ID's kind is `""`, so it is refused with `Unsupported resource kind: ` instead of crashing.
 */
import { ResourceId } from '../model/resource-id.js';
import type { UpdateSpec } from '../model/update-spec.js';

/** The kinds a V6 or V7 daemon accepts. */
export const KINDS_V6: readonly string[] = Object.freeze(['service']);
/** The kinds a V8 or newer daemon accepts (V10 and V11 reuse them). */
export const KINDS_V8: readonly string[] = Object.freeze(['deployment', 'daemonset', 'statefulset', 'cronjob', 'helmrelease']);

export function unsupportedKindMessage(kind: string): string {
  return `Unsupported resource kind: ${kind}`;
}

function kindOf(id: ResourceId): string {
  return id.isZero() ? '' : id.kind;
}

/** `requireServiceIDKinds`. */
export function checkIdKind(id: ResourceId, kinds: readonly string[]): string | undefined {
  const kind = kindOf(id);
  return kinds.includes(kind) ? undefined : unsupportedKindMessage(kind);
}

/** `requireServiceSpecKinds`: only a spec that parses as an ID is checked. */
export function checkSpecKind(spec: string, kinds: readonly string[]): string | undefined {
  let id: ResourceId;
  try {
    id = ResourceId.parse(spec);
  } catch {
    return undefined;
  }
  return checkIdKind(id, kinds);
}

/** Each ID in turn; the first refused one is reported. */
export function checkIdKinds(ids: readonly ResourceId[] | null, kinds: readonly string[]): string | undefined {
  for (const id of ids ?? []) {
    const bad = checkIdKind(id, kinds);
    if (bad !== undefined) return bad;
  }
  return undefined;
}

/** `requireSpecKinds`. */
export function checkUpdateSpecKinds(update: UpdateSpec, kinds: readonly string[]): string | undefined {
  switch (update.type) {
    case 'policy':
      for (const key of update.spec?.keys() ?? []) {
        const bad = checkIdKind(key === '' ? ResourceId.ZERO : ResourceId.parse(key), kinds);
        if (bad !== undefined) return bad;
      }
      return undefined;
    case 'image':
      for (const spec of update.spec.serviceSpecs ?? []) {
        const bad = checkSpecKind(spec, kinds);
        if (bad !== undefined) return bad;
      }
      return checkIdKinds(update.spec.excludes, kinds);
    default:
      return undefined;
  }
}
