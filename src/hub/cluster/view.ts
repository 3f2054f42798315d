/**
 * The status page's list of instances in cluster mode: this replica's own view (every configured
 * instance, its local connection, its last error) joined with the owners bucket (which replica
 * holds each instance, since when, from where). An instance connected here is this replica's
 * whatever the bucket says; one held elsewhere shows that replica's entry; instances only other
 * replicas know (other token files) are listed too.
 */
import type { InstanceStatus } from '../registry.js';
import type { Holder } from './ownership.js';

export interface ClusterInstanceStatus extends InstanceStatus {
  /** The replica holding the daemon, if any. */
  replica: string | undefined;
}

export function clusterInstances(local: readonly InstanceStatus[], holders: readonly Holder[], replicaId: string): ClusterInstanceStatus[] {
  const byName = new Map<string, ClusterInstanceStatus>();
  for (const s of local) byName.set(s.instance, { ...s, replica: s.connected ? replicaId : undefined });
  for (const h of holders) {
    if (h.entry.replica === replicaId) continue; // ours: the registry knows better
    const row = byName.get(h.instance);
    if (row?.connected) continue;
    const since = new Date(h.entry.since);
    byName.set(h.instance, {
      instance: h.instance,
      connected: true,
      protocol: h.entry.protocol as InstanceStatus['protocol'],
      remote: h.entry.remote,
      userAgent: h.entry.userAgent,
      connectedSince: Number.isNaN(since.getTime()) ? undefined : since,
      lastSeen: undefined,
      lastError: row?.lastError,
      lastErrorAt: row?.lastErrorAt,
      connections: row?.connections ?? 0,
      replica: h.entry.replica,
    });
  }
  return [...byName.values()].sort((a, b) => (a.instance < b.instance ? -1 : a.instance > b.instance ? 1 : 0));
}

/** What of a row a live view shows: a change of any of these is news. */
function shown(s: ClusterInstanceStatus): string {
  return JSON.stringify([s.connected, s.replica, s.protocol, s.connectedSince?.getTime(), s.remote, s.lastError]);
}

export interface ViewChangesOptions {
  /** The whole view now (`Cluster.instances()`). */
  rows: () => ClusterInstanceStatus[];
  /** Told of each row that changed. */
  emit: (row: ClusterInstanceStatus) => void;
  /** How long after a change the view is compared (changes come in bursts: a reconnecting fleet). */
  debounceMs: number;
  /** How often the view is compared anyway: entries of a dead replica expire without a message. */
  sweepMs: number;
}

/**
 * Changes of the cluster view for live pages: after a change of the owners bucket or of this
 * replica's registry (debounced), and every `sweepMs` (entries whose owner stopped refreshing
 * them leave the view without any message), the view is compared with the last one told and each
 * row that differs is emitted; an instance that left the view is emitted as not connected.
 */
export class ViewChanges {
  private last = new Map<string, string>();
  private pending: NodeJS.Timeout | undefined;
  private readonly sweep: NodeJS.Timeout;

  constructor(private readonly o: ViewChangesOptions) {
    for (const row of o.rows()) this.last.set(row.instance, shown(row));
    this.sweep = setInterval(() => this.compare(), o.sweepMs);
    this.sweep.unref();
  }

  /** Something changed: compare soon. */
  poke(): void {
    this.pending ??= setTimeout(() => this.compare(), this.o.debounceMs);
  }

  private compare(): void {
    clearTimeout(this.pending);
    this.pending = undefined;
    const next = new Map<string, string>();
    for (const row of this.o.rows()) {
      const text = shown(row);
      next.set(row.instance, text);
      if (this.last.get(row.instance) !== text) this.o.emit(row);
    }
    for (const instance of this.last.keys()) {
      if (next.has(instance)) continue;
      this.o.emit({ instance, connected: false, protocol: undefined, remote: undefined, userAgent: undefined, connectedSince: undefined, lastSeen: undefined, lastError: undefined, lastErrorAt: undefined, connections: 0, replica: undefined });
    }
    this.last = next;
  }

  close(): void {
    clearTimeout(this.pending);
    clearInterval(this.sweep);
  }
}
