/**
 * The demo cluster made to behave as fluxd does for a release (what fluxctl's await sees): a
 * job is `queued`, then `running`, then `succeeded` with its commit; `SyncStatus(<commit>)` lists
 * the commit as pending for a couple of calls, then the daemon syncs by itself (as fluxd's git
 * poll does: the sync event is posted) and reports nothing pending.
 */
import type { CallContext } from '../../src/flux/api.js';
import type { FluxEvent, JobId, JobStatus } from '../../src/flux/model/index.js';
import { DemoCluster } from '../../src/demo/cluster.js';

export class FluxdLikeDemo extends DemoCluster {
  private readonly polls = new Map<string, number>();

  constructor(onEvent: (e: FluxEvent) => void) {
    super({ onEvent });
  }

  override async jobStatus(ctx: CallContext, id: JobId): Promise<JobStatus> {
    const n = this.polls.get(id) ?? 0;
    this.polls.set(id, n + 1);
    const real = await super.jobStatus(ctx, id);
    if (n === 0) return { result: { revision: '', spec: null, result: null }, err: '', statusString: 'queued' };
    if (n === 1) return { result: { revision: '', spec: null, result: null }, err: '', statusString: 'running' };
    return real;
  }

  override async syncStatus(ctx: CallContext, ref: string): Promise<readonly string[] | null> {
    const key = `sync:${ref}`;
    const n = this.polls.get(key) ?? 0;
    this.polls.set(key, n + 1);
    if (n >= 2) await this.notifyChange(ctx, { kind: 'git', source: { url: '', branch: '' } });
    return super.syncStatus(ctx, ref);
  }
}
