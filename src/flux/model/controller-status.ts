/**
 * `v6.ControllerStatus` (a workload, as `ListServices` returns it) and `cluster.RolloutStatus`. No
 * field is ever omitted; nil slices and maps are `null`.
 */
import { goBool as encBool, goInt as encInt, goMap as encMap, goObject, goQuote, goSlice as encSlice } from './go-encode.js';
import { field, goBool, goInt, goMap, goSlice, goString, goStruct, unmarshal, type Mutable, type ValueDecoder } from './go-decode.js';
import { encodeResourceId, resourceIdValue, ResourceId } from './resource-id.js';
import { containerValue, encodeContainer, ZERO_CONTAINER, type Container } from './container.js';

export interface RolloutStatus {
  readonly desired: number;
  readonly updated: number;
  readonly ready: number;
  readonly available: number;
  readonly outdated: number;
  readonly messages: readonly string[] | null;
}

/** `v6.ReadOnlyReason` values (`""` means writable). */
export const ReadOnlyReason = {
  OK: '',
  Missing: 'NotInRepo',
  System: 'System',
  NoRepo: 'NoRepo',
  NotReady: 'NotReady',
  ROMode: 'ReadOnlyMode',
} as const;

export interface ControllerStatus {
  readonly id: ResourceId;
  readonly containers: readonly Container[] | null;
  readonly readOnly: string;
  /** `unknown`, `error`, `ready`, `updating`, `started`, or an old daemon's free text. */
  readonly status: string;
  readonly rollout: RolloutStatus;
  readonly syncError: string;
  readonly antecedent: ResourceId;
  readonly labels: ReadonlyMap<string, string> | null;
  readonly automated: boolean;
  readonly locked: boolean;
  readonly ignore: boolean;
  readonly policies: ReadonlyMap<string, string> | null;
}

export const ZERO_ROLLOUT_STATUS: RolloutStatus = Object.freeze({ desired: 0, updated: 0, ready: 0, available: 0, outdated: 0, messages: null });

export const ZERO_CONTROLLER_STATUS: ControllerStatus = Object.freeze({
  id: ResourceId.ZERO,
  containers: null,
  readOnly: '',
  status: '',
  rollout: ZERO_ROLLOUT_STATUS,
  syncError: '',
  antecedent: ResourceId.ZERO,
  labels: null,
  automated: false,
  locked: false,
  ignore: false,
  policies: null,
});

export function controllerStatus(fields: Partial<ControllerStatus> = {}): ControllerStatus {
  return { ...ZERO_CONTROLLER_STATUS, ...fields };
}

export function encodeRolloutStatus(r: RolloutStatus): string {
  return goObject([
    ['Desired', encInt(r.desired)],
    ['Updated', encInt(r.updated)],
    ['Ready', encInt(r.ready)],
    ['Available', encInt(r.available)],
    ['Outdated', encInt(r.outdated)],
    ['Messages', encSlice(r.messages, goQuote)],
  ]);
}

export function encodeControllerStatus(s: ControllerStatus): string {
  return goObject([
    ['ID', encodeResourceId(s.id)],
    ['Containers', encSlice(s.containers, encodeContainer)],
    ['ReadOnly', goQuote(s.readOnly)],
    ['Status', goQuote(s.status)],
    ['Rollout', encodeRolloutStatus(s.rollout)],
    ['SyncError', goQuote(s.syncError)],
    ['Antecedent', encodeResourceId(s.antecedent)],
    ['Labels', encMap(s.labels, goQuote)],
    ['Automated', encBool(s.automated)],
    ['Locked', encBool(s.locked)],
    ['Ignore', encBool(s.ignore)],
    ['Policies', encMap(s.policies, goQuote)],
  ]);
}

export const rolloutStatusValue: ValueDecoder<RolloutStatus> = goStruct<Mutable<RolloutStatus>>('cluster.RolloutStatus', 'RolloutStatus', [
  field('Desired', 'desired', goInt('int32')),
  field('Updated', 'updated', goInt('int32')),
  field('Ready', 'ready', goInt('int32')),
  field('Available', 'available', goInt('int32')),
  field('Outdated', 'outdated', goInt('int32')),
  field('Messages', 'messages', goSlice(goString(), () => '', '[]string')),
]);

const stringMap = goMap(goString(), () => '', 'map[string]string');

export const controllerStatusValue: ValueDecoder<ControllerStatus> = goStruct<Mutable<ControllerStatus>>('v6.ControllerStatus', 'ControllerStatus', [
  field('ID', 'id', resourceIdValue),
  field('Containers', 'containers', goSlice(containerValue, () => ZERO_CONTAINER, '[]v6.Container')),
  field('ReadOnly', 'readOnly', goString('v6.ReadOnlyReason')),
  field('Status', 'status', goString()),
  field('Rollout', 'rollout', rolloutStatusValue),
  field('SyncError', 'syncError', goString()),
  field('Antecedent', 'antecedent', resourceIdValue),
  field('Labels', 'labels', stringMap),
  field('Automated', 'automated', goBool()),
  field('Locked', 'locked', goBool()),
  field('Ignore', 'ignore', goBool()),
  field('Policies', 'policies', stringMap),
]);

export const controllerStatusListValue = goSlice(controllerStatusValue, () => ZERO_CONTROLLER_STATUS, '[]v6.ControllerStatus');

export function decodeRolloutStatus(json: unknown): RolloutStatus {
  return unmarshal(json, rolloutStatusValue, ZERO_ROLLOUT_STATUS);
}

export function decodeControllerStatus(json: unknown): ControllerStatus {
  return unmarshal(json, controllerStatusValue, ZERO_CONTROLLER_STATUS);
}

/** `ListServices`' result, `[]v6.ControllerStatus`. */
export function encodeControllerStatusList(list: readonly ControllerStatus[] | null): string {
  return encSlice(list, encodeControllerStatus);
}

export function decodeControllerStatusList(json: unknown): readonly ControllerStatus[] | null {
  return unmarshal(json, controllerStatusListValue, null);
}
