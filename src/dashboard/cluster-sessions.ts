/**
 * The dashboard's sign-in state shared by the replicas of a cluster, so that any request works on
 * any replica (loaded only in cluster mode, when the hub has joined the cluster):
 *
 * - Revoked sessions: KV bucket `fluxrpc-sessions-revoked` (file storage), key = the session id,
 *   value = its expiry (ms since the epoch), entries living as long as a session (the bucket's TTL).
 *   Every replica watches the bucket from its start (so it also learns the revocations still in
 *   force when it starts) and revokes what it sees; a sign-out here is put there, and retried once
 *   NATS is back if it was down. While NATS is down, a session ended here still works on replicas
 *   that have not heard of it, until NATS is back.
 * - Failed sign-ins: published on `fluxrpc.login.failed` (and a success clearing an account on
 *   `fluxrpc.login.cleared`), counted by every other replica as its own, so the limits (5 per
 *   account, 20 per address in 15 minutes) hold for the cluster. A replica started later knows
 *   none of the failures made before; while NATS is down each replica counts its own.
 *
 * The session key itself is not shared here: every replica reads the same `--session-key-file`.
 */
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import type { KV, KvWatchEntry } from '@nats-io/kv';
import { openSharedBucket } from '../hub/cluster/kv-bucket.js';
import type { QueuedIterator } from '@nats-io/transport-node';
import type { Cluster } from '../hub/cluster/cluster.js';
import type { Logger } from '../runtime/log.js';
import type { DashboardAuth } from './auth.js';
import type { SessionCodec } from './sessions.js';

export const REVOKED_BUCKET = 'fluxrpc-sessions-revoked';
export const LOGIN_FAILED_SUBJECT = 'fluxrpc.login.failed';
export const LOGIN_CLEARED_SUBJECT = 'fluxrpc.login.cleared';

/** Session ids are 24 base64url characters (sessions.ts); anything else in the bucket is not ours. */
const SESSION_ID = /^[A-Za-z0-9_-]{1,64}$/;
/** Longest account key and address taken from another replica (auth.ts cuts names to 128). */
const MAX_KEY = 256;

export interface SharedSessionsOptions {
  cluster: Pick<Cluster, 'bus' | 'replicaId' | 'streamReplicas'>;
  codec: SessionCodec;
  auth: DashboardAuth;
  log: Logger;
}

interface LoginMessage {
  replica: string;
  account: string;
  address?: string;
}

function parseLogin(data: Uint8Array): LoginMessage | undefined {
  try {
    const m = JSON.parse(Buffer.from(data).toString('utf8')) as Partial<LoginMessage>;
    if (typeof m.replica !== 'string' || typeof m.account !== 'string' || m.account.length > MAX_KEY) return undefined;
    if (m.address !== undefined && (typeof m.address !== 'string' || m.address.length > MAX_KEY)) return undefined;
    return m as LoginMessage;
  } catch {
    return undefined;
  }
}

export class SharedSessions {
  private kv: KV | undefined;
  private watcher: QueuedIterator<KvWatchEntry> | undefined;
  private subs: Subscription[] = [];
  private nc: NatsConnection | undefined;
  /** Revocations made here that the bucket does not have yet. */
  private readonly unsent = new Map<string, number>();
  private generation = 0;
  private closed = false;

  constructor(private readonly o: SharedSessionsOptions) {
    o.codec.onRevoke = (sid, exp) => {
      this.unsent.set(sid, exp);
      void this.send();
    };
    o.auth.share = {
      failed: (account, address) => this.publish(LOGIN_FAILED_SUBJECT, { replica: o.cluster.replicaId, account, address }),
      cleared: (account) => this.publish(LOGIN_CLEARED_SUBJECT, { replica: o.cluster.replicaId, account }),
    };
    o.cluster.bus.onUp((nc) => void this.attach(nc));
    o.cluster.bus.onDown(() => this.detach());
  }

  private async attach(nc: NatsConnection): Promise<void> {
    if (this.closed) return;
    const generation = ++this.generation;
    this.stop();
    this.nc = nc;
    this.subs = [
      nc.subscribe(LOGIN_FAILED_SUBJECT, { callback: (_e, m) => this.fromOther(m.data, true) }),
      nc.subscribe(LOGIN_CLEARED_SUBJECT, { callback: (_e, m) => this.fromOther(m.data, false) }),
    ];
    try {
      // A revocation must outlive the longest session any replica signs: an existing bucket's TTL
      // is raised to this replica's session lifetime, never lowered.
      const kv = await openSharedBucket(nc, REVOKED_BUCKET, 'revoked sessions', { ttl: this.o.codec.ttlMs, history: 1, storage: 'file', replicas: this.o.cluster.streamReplicas, description: 'fluxrpc: dashboard sessions ended before their expiry' }, 'at-least', this.o.log);
      const watcher = await kv.watch();
      if (generation !== this.generation) {
        watcher.stop();
        return;
      }
      this.kv = kv;
      this.watcher = watcher;
      void this.consume(watcher);
      await this.send();
    } catch (e) {
      if (generation !== this.generation) return;
      this.o.log.error('revoked sessions bucket not set up (retrying in 5 s); sign-outs are kept here until it is', { bucket: REVOKED_BUCKET, error: e as Error });
      setTimeout(() => {
        if (generation === this.generation && this.o.cluster.bus.connected === nc) void this.attach(nc);
      }, 5_000).unref();
    }
  }

  private detach(): void {
    this.generation++;
    this.stop();
  }

  private stop(): void {
    this.watcher?.stop();
    this.watcher = undefined;
    this.kv = undefined;
    for (const s of this.subs) s.unsubscribe();
    this.subs = [];
    this.nc = undefined;
  }

  private async consume(watcher: QueuedIterator<KvWatchEntry>): Promise<void> {
    try {
      for await (const e of watcher) {
        if (e.operation !== 'PUT' || !SESSION_ID.test(e.key)) continue;
        const exp = Number(Buffer.from(e.value).toString('utf8'));
        if (Number.isFinite(exp)) this.o.codec.revokeId(e.key, exp);
      }
    } catch (e) {
      if (this.watcher === watcher) this.o.log.warn('revoked sessions: the watch ended', { error: e as Error });
    }
  }

  /** Puts the revocations made here into the bucket, while it is open. */
  private async send(): Promise<void> {
    for (const [sid, exp] of [...this.unsent]) {
      const kv = this.kv;
      if (!kv) return;
      try {
        await kv.put(sid, String(exp));
        if (this.unsent.get(sid) === exp) this.unsent.delete(sid);
      } catch (e) {
        this.o.log.warn('a sign-out could not be shared yet (retried when NATS is back)', { error: e as Error });
        return;
      }
    }
  }

  private publish(subject: string, m: LoginMessage): void {
    try {
      this.nc?.publish(subject, JSON.stringify(m));
    } catch {
      // NATS going away: this replica counted it; the others will not.
    }
  }

  private fromOther(data: Uint8Array, failed: boolean): void {
    const m = parseLogin(data);
    if (!m || m.replica === this.o.cluster.replicaId) return;
    if (failed) {
      if (m.address !== undefined) this.o.auth.remote.failed(m.account, m.address);
    }
    else this.o.auth.remote.cleared(m.account);
  }

  close(): void {
    this.closed = true;
    this.detach();
    this.o.codec.onRevoke = undefined;
    this.o.auth.share = undefined;
  }
}
