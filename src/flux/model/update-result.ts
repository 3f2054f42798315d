/**
 * `update.Result` (workload ID → `update.WorkloadResult`): what a release did to each workload.
 */
import { goObject, goQuote, omitEmptyString } from './go-encode.js';
import { field, goMap, goString, goStruct, unmarshal, type Mutable, type ValueDecoder } from './go-decode.js';
import { encodeResourceIdMap, resourceIdKey } from './resource-id.js';
import { containerUpdateListValue, encodeContainerUpdateList, type ContainerUpdate } from './release-spec.js';

/** `update.WorkloadUpdateStatus` values. */
export const WorkloadUpdateStatus = {
  Success: 'success',
  Failed: 'failed',
  Skipped: 'skipped',
  Ignored: 'ignored',
  Unknown: 'unknown',
} as const;

export interface WorkloadResult {
  readonly status: string;
  /** Why it was skipped or failed (`locked`, `image(s) up to date`, …); omitted when `""`. */
  readonly error: string;
  readonly perContainer: readonly ContainerUpdate[] | null;
}

/** Keyed by workload ID text; `null` when nil. */
export type UpdateResult = ReadonlyMap<string, WorkloadResult> | null;

export const ZERO_WORKLOAD_RESULT: WorkloadResult = Object.freeze({ status: '', error: '', perContainer: null });

export function encodeWorkloadResult(r: WorkloadResult): string {
  return goObject([['Status', goQuote(r.status)], omitEmptyString('Error', r.error), ['PerContainer', encodeContainerUpdateList(r.perContainer)]]);
}

export function encodeUpdateResult(r: UpdateResult): string {
  return encodeResourceIdMap(r, encodeWorkloadResult);
}

export const workloadResultValue: ValueDecoder<WorkloadResult> = goStruct<Mutable<WorkloadResult>>('update.WorkloadResult', 'WorkloadResult', [
  field('Status', 'status', goString('update.WorkloadUpdateStatus')),
  field('Error', 'error', goString()),
  field('PerContainer', 'perContainer', containerUpdateListValue),
]);

export const updateResultValue: ValueDecoder<UpdateResult> = goMap(workloadResultValue, () => ZERO_WORKLOAD_RESULT, 'update.Result', resourceIdKey);

export function decodeWorkloadResult(json: unknown): WorkloadResult {
  return unmarshal(json, workloadResultValue, ZERO_WORKLOAD_RESULT);
}

export function decodeUpdateResult(json: unknown): UpdateResult {
  return unmarshal(json, updateResultValue, null);
}
