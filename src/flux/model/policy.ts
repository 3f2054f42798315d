/**
 * Policies: `policy.Set` (policy name → value), `resource.PolicyUpdate` (`add`/`remove` sets) and
 * `resource.PolicyUpdates` (workload ID → update), the `spec` of a `policy` update.
 */
import { goMap as encMap, goObject, goQuote } from './go-encode.js';
import { field, goMap, goSlice, goString, goStruct, unmarshal, type Mutable, type ValueDecoder } from './go-decode.js';
import { encodeResourceIdMap, resourceIdKey } from './resource-id.js';

/** Policy names (`policy.Policy`); tag patterns use `tag.<container>`. */
export const Policy = {
  Ignore: 'ignore',
  Locked: 'locked',
  LockedUser: 'locked_user',
  LockedMsg: 'locked_msg',
  Automated: 'automated',
  TagAll: 'tag_all',
} as const;

/** The value of `ignore` that ignores a workload for syncs only. */
export const IGNORE_SYNC_ONLY = 'sync_only';

/** Whether a policy counts as set only when its value is `"true"` (`policy.Boolean`). */
export function isBooleanPolicy(name: string): boolean {
  return name === Policy.Locked || name === Policy.Automated || name === Policy.Ignore;
}

export function tagPolicy(container: string): string {
  return 'tag.' + container;
}

export function isTagPolicy(name: string): boolean {
  return name.startsWith('tag.');
}

/** `policy.Set`: `null` when nil. */
export type PolicySet = ReadonlyMap<string, string> | null;

export interface PolicyUpdate {
  readonly add: PolicySet;
  readonly remove: PolicySet;
}

/** `resource.PolicyUpdates`: keyed by resource ID text. */
export type PolicyUpdates = ReadonlyMap<string, PolicyUpdate> | null;

export const ZERO_POLICY_UPDATE: PolicyUpdate = Object.freeze({ add: null, remove: null });

export function encodePolicySet(s: PolicySet): string {
  return encMap(s, goQuote);
}

export function encodePolicyUpdate(u: PolicyUpdate): string {
  return goObject([
    ['add', encodePolicySet(u.add)],
    ['remove', encodePolicySet(u.remove)],
  ]);
}

export function encodePolicyUpdates(u: PolicyUpdates): string {
  return encodeResourceIdMap(u, encodePolicyUpdate);
}

const setAsMap = goMap(goString(), () => '', 'policy.set');
const setAsList = goSlice(goString('policy.Policy'), () => '', '[]policy.Policy');

/**
 * `(*Set).UnmarshalJSON`: the map form, or else the legacy list form (`["automated"]` →
 * `{"automated":"true"}`); when neither fits, the list form's error is reported.
 */
export const policySetValue: ValueDecoder<PolicySet> = (json, _d, current) => {
  try {
    return unmarshal(json, setAsMap, current);
  } catch {
    const list = unmarshal(json, setAsList, null);
    return new Map((list ?? []).map((p) => [p, 'true'] as const));
  }
};

export const policyUpdateValue: ValueDecoder<PolicyUpdate> = goStruct<Mutable<PolicyUpdate>>('resource.PolicyUpdate', 'PolicyUpdate', [
  field('add', 'add', policySetValue),
  field('remove', 'remove', policySetValue),
]);

export const policyUpdatesValue: ValueDecoder<PolicyUpdates> = goMap(
  policyUpdateValue,
  () => ZERO_POLICY_UPDATE,
  'resource.PolicyUpdates',
  resourceIdKey,
);

export function decodePolicySet(json: unknown): PolicySet {
  return unmarshal(json, policySetValue, null);
}

export function decodePolicyUpdate(json: unknown): PolicyUpdate {
  return unmarshal(json, policyUpdateValue, ZERO_POLICY_UPDATE);
}

export function decodePolicyUpdates(json: unknown): PolicyUpdates {
  return unmarshal(json, policyUpdatesValue, null);
}
