/**
 * Jobs: `job.ID` (a string), `job.Status` (what `JobStatus` returns) and `job.Result`.
 */
import { randomBytes } from 'node:crypto';
import { goObject, goQuote, omitEmptyString } from './go-encode.js';
import { field, goPointer, goString, goStruct, unmarshal, type Mutable, type ValueDecoder } from './go-decode.js';
import { encodeUpdateSpec, updateSpecValue, ZERO_CAUSE, type UpdateSpec } from './update-spec.js';
import { MANUAL_SYNC } from './release-spec.js';
import { encodeUpdateResult, updateResultValue, type UpdateResult } from './update-result.js';

export type JobId = string;

/** `job.StatusString` values (`""` also occurs). */
export const JobStatusString = {
  Queued: 'queued',
  Running: 'running',
  Failed: 'failed',
  Succeeded: 'succeeded',
} as const;

export interface JobResult {
  /** Omitted when `""`. */
  readonly revision: string;
  /** Omitted when `null` (a nil pointer). */
  readonly spec: UpdateSpec | null;
  /** Omitted when nil or empty. */
  readonly result: UpdateResult;
}

export interface JobStatus {
  readonly result: JobResult;
  readonly err: string;
  readonly statusString: string;
}

export const ZERO_JOB_RESULT: JobResult = Object.freeze({ revision: '', spec: null, result: null });
export const ZERO_JOB_STATUS: JobStatus = Object.freeze({ result: ZERO_JOB_RESULT, err: '', statusString: '' });

/** A new job ID as fluxd makes them: 32 random hex digits grouped 8-4-4-4-12. */
export function newJobId(): JobId {
  const hex = randomBytes(16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function encodeJobId(id: JobId): string {
  return goQuote(id);
}

export function decodeJobId(json: unknown): JobId {
  return unmarshal(json, goString('job.ID'), '');
}

export function encodeJobResult(r: JobResult): string {
  return goObject([
    omitEmptyString('revision', r.revision),
    r.spec === null ? undefined : ['spec', encodeUpdateSpec(r.spec)],
    r.result === null || r.result.size === 0 ? undefined : ['result', encodeUpdateResult(r.result)],
  ]);
}

export function encodeJobStatus(s: JobStatus): string {
  return goObject([
    ['Result', encodeJobResult(s.result)],
    ['Err', goQuote(s.err)],
    ['StatusString', goQuote(s.statusString)],
  ]);
}

const ZERO_SPEC: UpdateSpec = { type: 'sync', cause: ZERO_CAUSE, spec: MANUAL_SYNC };

export const jobResultValue: ValueDecoder<JobResult> = goStruct<Mutable<JobResult>>('job.Result', 'Result', [
  field('revision', 'revision', goString()),
  field('spec', 'spec', goPointer(updateSpecValue, () => ZERO_SPEC)),
  field('result', 'result', updateResultValue),
]);

export const jobStatusValue: ValueDecoder<JobStatus> = goStruct<Mutable<JobStatus>>('job.Status', 'Status', [
  field('Result', 'result', jobResultValue),
  field('Err', 'err', goString()),
  field('StatusString', 'statusString', goString('job.StatusString')),
]);

export function decodeJobResult(json: unknown): JobResult {
  return unmarshal(json, jobResultValue, ZERO_JOB_RESULT);
}

export function decodeJobStatus(json: unknown): JobStatus {
  return unmarshal(json, jobStatusValue, ZERO_JOB_STATUS);
}
