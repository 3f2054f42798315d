/**
 * Which replica holds which instance's daemon: the KV bucket `fluxrpc-owners` (names.ts), one key
 * per instance, value `{replica, connection, protocol, since, remote, userAgent}`.
 *
 * - A registration here `put`s the instance's entry (last writer wins; the revision orders them).
 * - Every replica watches the bucket. A replica whose own connection's entry was overwritten by a
 *   later revision naming another connection kicks its connection: a newer registration anywhere
 *   replaces the older one, wherever it is (the registry's kick, now cluster-wide).
 * - Entries live `ttlMs` (bucket TTL, default 30 s) unless their owner refreshes them (`update`
 *   with the revision it holds, every `refreshMs`, default 10 s): a replica that dies without
 *   cleaning up stops being shown as the holder within the TTL. (Its calls fail sooner: its
 *   subscriptions end with its NATS connection; see forward.ts.)
 * - A daemon leaving deletes the entry only if it is still ours (delete at our revision).
 * - After NATS comes back, every local connection is announced again: refreshed if its entry is
 *   still ours, created if it expired, and if another connection's entry is there, the newer of the
 *   two (by registration time) stays and the older is kicked. Deletions that could not be made
 *   while NATS was down are made then.
 *
 * Operations on one instance's key run one after the other (a per-instance queue), so a quick
 * disconnect/reconnect cannot reorder its delete and put.
 */
import type { NatsConnection, QueuedIterator } from '@nats-io/transport-node';
import type { KV, KvWatchEntry } from '@nats-io/kv';
import type { ConnectionInfo } from '../registry.js';
import type { Logger } from '../../runtime/log.js';
import { openSharedBucket } from './kv-bucket.js';
import { decodeInstance, encodeInstance, OWNERS_BUCKET } from './names.js';

export interface OwnerEntry {
  replica: string;
  /** `<replica>/<local connection id>`: tells two connections of one replica apart. */
  connection: string;
  protocol: number;
  /** ISO time of the registration. */
  since: string;
  remote: string;
  userAgent: string;
}

/** An instance as the bucket shows it. */
export interface Holder {
  instance: string;
  entry: OwnerEntry;
  revision: number;
}

interface Local {
  id: number;
  entry: OwnerEntry;
  sinceMs: number;
  /** The revision of our entry, once announced. */
  revision: number | undefined;
}

interface Seen {
  entry: OwnerEntry | undefined;
  revision: number;
  /** Local time the watch delivered it (the refreshes keep it recent; no clock of another machine involved). */
  seenAt: number;
}

export interface OwnershipOptions {
  replicaId: string;
  ttlMs: number;
  refreshMs: number;
  /** Stream replicas of the bucket (1 for a single NATS server). */
  replicas: number;
  log: Logger;
  /** Closes local connection `id` of `instance` (registry.kick). */
  kick(instance: string, id: number, reason: string): void;
  /** Told after the watch delivered a change of `instance`'s entry (the cluster view's live updates). */
  changed?(instance: string): void;
}

function parseEntry(e: KvWatchEntry | { value: Uint8Array }): OwnerEntry | undefined {
  try {
    const v = JSON.parse(Buffer.from(e.value).toString('utf8')) as Partial<OwnerEntry>;
    if (typeof v.replica !== 'string' || typeof v.connection !== 'string' || typeof v.since !== 'string') return undefined;
    return { replica: v.replica, connection: v.connection, protocol: Number(v.protocol), since: v.since, remote: String(v.remote ?? ''), userAgent: String(v.userAgent ?? '') };
  } catch {
    return undefined;
  }
}

const isWrongSequence = (e: unknown) => e instanceof Error && /wrong last sequence/i.test(e.message);

export class Ownership {
  private kv: KV | undefined;
  private watcher: QueuedIterator<KvWatchEntry> | undefined;
  private readonly locals = new Map<string, Local>();
  private readonly seen = new Map<string, Seen>();
  /** Entries of ours to delete once NATS is back: instance → revision. */
  private readonly withdrawals = new Map<string, number>();
  private readonly queues = new Map<string, Promise<void>>();
  private readonly timer: NodeJS.Timeout;
  private generation = 0;

  constructor(private readonly o: OwnershipOptions) {
    this.timer = setInterval(() => this.refreshAll(), o.refreshMs);
    this.timer.unref();
  }

  // --- local connections (registry listener) ---------------------------------------------------

  connected(instance: string, c: ConnectionInfo & { id: number; since: Date }): void {
    const entry: OwnerEntry = { replica: this.o.replicaId, connection: `${this.o.replicaId}/${c.id}`, protocol: c.protocol, since: c.since.toISOString(), remote: c.remote, userAgent: c.userAgent };
    this.locals.set(instance, { id: c.id, entry, sinceMs: c.since.getTime(), revision: undefined });
    this.withdrawals.delete(instance);
    this.enqueue(instance, () => this.announce(instance, 'fresh'));
  }

  disconnected(instance: string, id: number): void {
    const local = this.locals.get(instance);
    if (!local || local.id !== id) return;
    this.locals.delete(instance);
    const revision = local.revision;
    if (revision === undefined) return;
    this.withdrawals.set(instance, revision);
    this.enqueue(instance, () => this.withdraw(instance));
  }

  // --- the bus ------------------------------------------------------------------------------------

  /** On each (re)connection: open the bucket, watch it, announce every local connection again. */
  async attach(nc: NatsConnection): Promise<void> {
    const generation = ++this.generation;
    this.stopWatch();
    // An existing bucket keeps its TTL: it becomes this replica's (the last replica started sets it).
    const kv = await openSharedBucket(nc, OWNERS_BUCKET, 'owners', { ttl: this.o.ttlMs, history: 1, storage: 'memory', replicas: this.o.replicas, description: 'fluxrpc: which hub replica holds each instance' }, 'exact', this.o.log);
    if (generation !== this.generation) return;
    this.kv = kv;
    this.seen.clear();
    const watcher = await kv.watch();
    if (generation !== this.generation) {
      watcher.stop();
      return;
    }
    this.watcher = watcher;
    void this.consume(watcher);
    for (const instance of this.locals.keys()) this.enqueue(instance, () => this.announce(instance, 'again'));
    for (const instance of this.withdrawals.keys()) this.enqueue(instance, () => this.withdraw(instance));
  }

  /** The connection is gone: nothing to write to until the next `attach`. */
  detach(): void {
    this.generation++;
    this.kv = undefined;
    this.stopWatch();
  }

  /** Waits for queued writes (before closing the connection). */
  async settle(): Promise<void> {
    await Promise.all([...this.queues.values()]);
  }

  close(): void {
    clearInterval(this.timer);
    this.detach();
  }

  /** Every instance some replica holds, as last seen, without entries older than the TTL. */
  holders(): Holder[] {
    const now = Date.now();
    const out: Holder[] = [];
    for (const [instance, s] of this.seen) if (s.entry && now - s.seenAt <= this.o.ttlMs) out.push({ instance, entry: s.entry, revision: s.revision });
    return out;
  }

  /** Whether the bucket is open and watched. */
  get ready(): boolean {
    return this.kv !== undefined && this.watcher !== undefined;
  }

  // --- internals ------------------------------------------------------------------------------------

  private stopWatch(): void {
    this.watcher?.stop();
    this.watcher = undefined;
  }

  private enqueue(instance: string, op: () => Promise<void>): void {
    const prev = this.queues.get(instance) ?? Promise.resolve();
    const next = prev
      .then(op)
      .catch((e: unknown) => this.o.log.warn('owners bucket: an update failed (retried at the next refresh)', { instance, error: e as Error }))
      .finally(() => {
        if (this.queues.get(instance) === next) this.queues.delete(instance);
      });
    this.queues.set(instance, next);
  }

  private refreshAll(): void {
    if (!this.kv) return;
    for (const [instance, local] of this.locals) this.enqueue(instance, () => this.announce(instance, local.revision === undefined ? 'again' : 'refresh'));
  }

  private async announce(instance: string, mode: 'fresh' | 'refresh' | 'again'): Promise<void> {
    const kv = this.kv;
    const local = this.locals.get(instance);
    if (!kv || !local) return;
    const key = encodeInstance(instance);
    const value = JSON.stringify(local.entry);
    if (mode === 'fresh') {
      local.revision = await kv.put(key, value);
      return this.check(instance);
    }
    if (mode === 'refresh' && local.revision !== undefined) {
      try {
        local.revision = await kv.update(key, value, local.revision);
        return this.check(instance);
      } catch (e) {
        if (!isWrongSequence(e)) throw e;
      }
    }
    // Compare with what is there now (another connection may have registered while we were cut off).
    for (let attempt = 0; attempt < 3; attempt++) {
      if (this.locals.get(instance) !== local) return;
      const current = await kv.get(key);
      const other = current && current.operation === 'PUT' ? parseEntry(current) : undefined;
      if (other && other.connection !== local.entry.connection && this.isNewer(other, local)) {
        this.o.kick(instance, local.id, `replaced by a newer connection from ${other.remote} on replica ${other.replica}`);
        return;
      }
      try {
        local.revision = current ? await kv.update(key, value, current.revision) : await kv.create(key, value);
        return this.check(instance);
      } catch (e) {
        if (!isWrongSequence(e)) throw e;
      }
    }
    throw new Error('the entry kept changing while announcing it');
  }

  private isNewer(other: OwnerEntry, local: Local): boolean {
    const t = Date.parse(other.since);
    return t > local.sinceMs || (t === local.sinceMs && other.connection > local.entry.connection);
  }

  private async withdraw(instance: string): Promise<void> {
    const revision = this.withdrawals.get(instance);
    const kv = this.kv;
    if (revision === undefined || !kv) return;
    try {
      await kv.delete(encodeInstance(instance), { previousSeq: revision });
    } catch (e) {
      if (!isWrongSequence(e)) throw e; // someone else's entry by now: leave it
    }
    if (this.withdrawals.get(instance) === revision) this.withdrawals.delete(instance);
  }

  private async consume(watcher: QueuedIterator<KvWatchEntry>): Promise<void> {
    try {
      for await (const e of watcher) {
        let instance: string;
        try {
          instance = decodeInstance(e.key);
        } catch {
          continue; // not ours
        }
        this.seen.set(instance, { entry: e.operation === 'PUT' ? parseEntry(e) : undefined, revision: e.revision, seenAt: Date.now() });
        this.check(instance);
        this.o.changed?.(instance);
      }
    } catch (e) {
      if (this.watcher === watcher) this.o.log.warn('owners bucket: the watch ended', { error: e as Error });
    }
  }

  /** Our connection's entry was overwritten by a later registration elsewhere (kick), or removed (announce again). */
  private check(instance: string): void {
    const local = this.locals.get(instance);
    const s = this.seen.get(instance);
    if (!local || local.revision === undefined || !s || s.revision <= local.revision) return;
    if (s.entry === undefined) {
      local.revision = undefined;
      this.enqueue(instance, () => this.announce(instance, 'again'));
    } else if (s.entry.connection !== local.entry.connection) {
      this.o.kick(instance, local.id, `replaced by a newer connection from ${s.entry.remote} on replica ${s.entry.replica}`);
    }
  }
}
