/**
 * A daemon whose every free-text field carries markup meant to run in a browser: `<script>` and
 * an attribute break-out with an `onerror` handler. Each payload sets `window.__xss` if it ever
 * runs. Resource IDs cannot carry markup (the model refuses them), so workloads get plain IDs.
 */
import type { CallContext, DaemonImplementation } from '../../src/flux/api.js';
import {
  container,
  controllerStatus,
  GoTime,
  imageInfo,
  parseImageRef,
  ResourceId,
  type ControllerStatus,
  type FluxEvent,
  type GitConfig,
  type ImageStatus,
  type JobStatus,
} from '../../src/flux/model/index.js';

export const SCRIPT = '<script>window.__xss="script"</script>';
export const BREAKOUT = '"><img src=x onerror="window.__xss=\'img\'">';
export const BOTH = `${SCRIPT}${BREAKOUT}`;

const ID = ResourceId.parse('evil:deployment/app');
/** An image whose name and tag carry both payloads (the tag has no `/`: `</script>` would split it). */
const REF = `evil.example/x${BREAKOUT.replace(/\//g, '')}:t${'<svg onload=window.__xss=1>'}`;
const current = () => imageInfo({ id: parseImageRef(REF), createdAt: GoTime.fromDate(new Date('2024-01-01T00:00:00Z')) });

export function hostileEvent(): FluxEvent {
  const t = GoTime.fromDate(new Date());
  return {
    id: 0,
    serviceIds: [ID],
    type: `sync${BREAKOUT}`,
    startedAt: t,
    endedAt: t,
    logLevel: 'error',
    message: `live ${BOTH}`,
    metadata: null,
  };
}

export class HostileDaemon implements DaemonImplementation {
  async ping(): Promise<void> {}
  async version(): Promise<string> {
    return `v1${BOTH}`;
  }
  async export(): Promise<Uint8Array | null> {
    return null;
  }
  private status(): ControllerStatus {
    return controllerStatus({
      id: ID,
      containers: [container({ name: `c${BOTH}`, current: current() })],
      status: `error${BREAKOUT}`,
      rollout: { desired: 1, updated: 0, ready: 0, available: 0, outdated: 1, messages: [`rollout ${BOTH}`] },
      syncError: `sync failed ${BOTH}`,
      readOnly: `ro${BREAKOUT}`,
      labels: new Map([[`l${BREAKOUT}`, BOTH]]),
      automated: true,
      locked: true,
      policies: new Map([
        ['automated', 'true'],
        ['locked', 'true'],
        ['locked_msg', `msg ${BOTH}`],
        ['locked_user', `user${BREAKOUT}`],
        [`tag.c${BOTH}`, `glob:${BOTH}`],
      ]),
    });
  }
  async listServices(): Promise<readonly ControllerStatus[] | null> {
    return [this.status()];
  }
  async listServicesWithOptions(): Promise<readonly ControllerStatus[] | null> {
    return [this.status()];
  }
  async listImages(ctx: CallContext): Promise<readonly ImageStatus[] | null> {
    return this.listImagesWithOptions(ctx);
  }
  async listImagesWithOptions(_ctx?: CallContext): Promise<readonly ImageStatus[] | null> {
    const info = current();
    return [{ id: ID, containers: [container({ name: `c${BOTH}`, current: info, latestFiltered: info, available: [info], availableError: `unavailable ${BOTH}` })] }];
  }
  async updateManifests(): Promise<string> {
    return 'job-1';
  }
  async notifyChange(): Promise<void> {}
  async jobStatus(): Promise<JobStatus> {
    return { result: { revision: '', spec: null, result: new Map([[ID.toString(), { status: 'failed', error: `no ${BOTH}`, perContainer: null }]]) }, err: `job failed ${BOTH}`, statusString: 'failed' };
  }
  async syncStatus(): Promise<readonly string[] | null> {
    return [];
  }
  async gitRepoConfig(): Promise<GitConfig> {
    return {
      remote: { url: `git@github.com:o/r${BOTH}`, branch: `main${BOTH}`, path: `p${BOTH}` },
      publicSSHKey: { key: `ssh-ed25519 AAAA${BOTH}`, fingerprints: new Map([[`md5${BREAKOUT}`, { hash: `h${BOTH}`, randomart: BOTH }]]) },
      status: `ready${BREAKOUT}`,
      error: `err ${BOTH}`,
    };
  }
}
