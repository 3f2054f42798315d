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
