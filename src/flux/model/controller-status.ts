/**
 * `v6.ControllerStatus` (a workload, as `ListServices` returns it) and `cluster.RolloutStatus`. No
 * field is ever omitted; nil slices and maps are `null`.
 */
import { goBool as encBool, goInt as encInt, goKey, goMap as encMap, goQuote, goSlice as encSlice } from './go-encode.js';
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

const K_DESIRED = '{' + goKey('Desired');
const K_UPDATED = ',' + goKey('Updated');
const K_READY = ',' + goKey('Ready');
const K_AVAILABLE = ',' + goKey('Available');
const K_OUTDATED = ',' + goKey('Outdated');
const K_MESSAGES = ',' + goKey('Messages');

export function encodeRolloutStatus(r: RolloutStatus): string {
  return (
    K_DESIRED +
    encInt(r.desired) +
    K_UPDATED +
    encInt(r.updated) +
    K_READY +
    encInt(r.ready) +
    K_AVAILABLE +
    encInt(r.available) +
    K_OUTDATED +
    encInt(r.outdated) +
    K_MESSAGES +
    encSlice(r.messages, goQuote) +
    '}'
  );
}

const K_ID = '{' + goKey('ID');
const K_CONTAINERS = ',' + goKey('Containers');
const K_READ_ONLY = ',' + goKey('ReadOnly');
const K_STATUS = ',' + goKey('Status');
const K_ROLLOUT = ',' + goKey('Rollout');
const K_SYNC_ERROR = ',' + goKey('SyncError');
const K_ANTECEDENT = ',' + goKey('Antecedent');
const K_LABELS = ',' + goKey('Labels');
const K_AUTOMATED = ',' + goKey('Automated');
const K_LOCKED = ',' + goKey('Locked');
const K_IGNORE = ',' + goKey('Ignore');
const K_POLICIES = ',' + goKey('Policies');

export function encodeControllerStatus(s: ControllerStatus): string {
  // No member is omitted: Go's declaration order, keys quoted once above.
  return (
    K_ID +
    encodeResourceId(s.id) +
    K_CONTAINERS +
    encSlice(s.containers, encodeContainer) +
    K_READ_ONLY +
    goQuote(s.readOnly) +
    K_STATUS +
    goQuote(s.status) +
    K_ROLLOUT +
    encodeRolloutStatus(s.rollout) +
    K_SYNC_ERROR +
    goQuote(s.syncError) +
    K_ANTECEDENT +
    encodeResourceId(s.antecedent) +
    K_LABELS +
    encMap(s.labels, goQuote) +
    K_AUTOMATED +
    encBool(s.automated) +
    K_LOCKED +
    encBool(s.locked) +
    K_IGNORE +
    encBool(s.ignore) +
    K_POLICIES +
    encMap(s.policies, goQuote) +
    '}'
  );
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
