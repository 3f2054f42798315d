/**
 * Dashboard actions recorded as events in the hub's event log (in cluster mode the stream, so
 * every replica lists them and one replica notifies them), with the user's name, so they
 * show on the timelines, reach the notification sinks and stream live like a daemon's events.
 *
 * Types follow Flux's (`pkg/event`): a release is `release` with Flux's release metadata (the
 * cause carries the user, as fluxctl `--user` does); automate, deautomate, lock, unlock and
 * tag-filter changes are `automate`, `deautomate`, `lock`, `unlock`, `update_policy`; a sync
 * request is `other`. Those carry `{user, job, revision, error}` as generic metadata.
 */
import { encodeEvent, GoTime, ResourceId, type FluxEvent } from '../flux/model/index.js';
import type { EventLog } from '../hub/events.js';
import type { TrackedJob } from './jobs.js';

export type PolicyAction = 'automate' | 'deautomate' | 'lock' | 'unlock' | 'update_policy';

function ids(list: readonly string[]): ResourceId[] {
  const out: ResourceId[] = [];
  for (const s of list) {
    try {
      out.push(ResourceId.parse(s));
    } catch {
      // `<all>` and other non-IDs name no workload
    }
  }
  return out;
}

function outcome(job: TrackedJob): string {
  if (job.stage === 'failed') return ` — failed: ${job.error}`;
  if (job.stage === 'unknown') return ` — outcome unknown: ${job.error}`;
  if (job.revision) return ` (commit ${job.revision.slice(0, 7)}${job.stage === 'applied' ? ', applied' : ''})`;
  return ' (nothing to change)';
}

/** The event for a finished job. */
export function jobEvent(job: TrackedJob, action: PolicyAction | 'release' | 'sync', workloads: readonly string[]): FluxEvent {
  const at = GoTime.fromDate(job.updatedAt);
  const base = { id: 0, serviceIds: ids(workloads), startedAt: GoTime.fromDate(job.startedAt), endedAt: at, logLevel: job.stage === 'failed' || job.stage === 'unknown' ? 'error' : 'info' };
  const message = `${job.title}, by ${job.user}${outcome(job)}`;
  if (action === 'release' && job.spec?.type === 'image') {
    const result = new Map(
      job.results.map((r) => [r.workload, { status: r.status, error: r.error, perContainer: null }] as const),
    );
    return {
      ...base,
      type: 'release',
      message,
      metadata: { kind: 'release', revision: job.revision, result: result.size === 0 ? null : result, error: job.stage === 'failed' ? job.error : '', spec: { type: 'releaseImageSpecType', releaseImageSpec: job.spec.spec, releaseContainersSpec: null }, cause: job.spec.cause },
    };
  }
  const meta = new Map<string, string>([
    ['user', job.user],
    ['job', job.id],
    ['revision', job.revision],
    ['error', job.error],
  ]);
  return { ...base, type: action === 'sync' || action === 'release' ? 'other' : action, message, metadata: { kind: 'unknown', value: meta } };
}

/** Appends the job's event to `log` (as a daemon's event body); resolves once the log has it. */
export async function recordJob(log: EventLog, job: TrackedJob, action: PolicyAction | 'release' | 'sync', workloads: readonly string[]): Promise<void> {
  const event = jobEvent(job, action, workloads);
  await log.append(job.instance, event, Buffer.from(encodeEvent(event)));
}
