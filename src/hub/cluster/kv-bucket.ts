/**
 * Opening a JetStream key-value bucket that replicas share: created with this replica's settings,
 * or opened as it is when it exists (or cannot be created), then its TTL brought to this
 * replica's. `ttl: 'exact'` sets it to this replica's (the last replica started decides: the
 * owners bucket); `'at-least'` only ever raises it (the revoked sessions bucket: a revocation must
 * outlive the longest session any replica signs).
 */
import { nanos, type NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { Kvm, type KV, type KvOptions } from '@nats-io/kv';
import type { Logger } from '../../runtime/log.js';

export interface SharedBucketOptions extends Partial<KvOptions> {
  ttl: number;
}

/** `label` names the bucket in log lines ("owners", "revoked sessions"). */
export async function openSharedBucket(nc: NatsConnection, name: string, label: string, options: SharedBucketOptions, ttlRule: 'exact' | 'at-least', log: Logger): Promise<KV> {
  const kvm = new Kvm(nc);
  let kv: KV;
  try {
    kv = await kvm.create(name, options);
  } catch (e) {
    log.warn(`cannot create the ${label} bucket; opening it as it is`, { bucket: name, error: e as Error });
    kv = await kvm.open(name);
  }
  const ttl = (await kv.status()).ttl;
  if (ttlRule === 'exact' ? ttl !== options.ttl : ttl < options.ttl) {
    log.warn(`${label} bucket: changing its TTL to this replica's`, { bucket: name, ttlMs: [ttl, options.ttl] });
    const jsm = await jetstreamManager(nc);
    const stream = `KV_${name}`;
    const { config } = await jsm.streams.info(stream);
    await jsm.streams.update(stream, { ...config, max_age: nanos(options.ttl), duplicate_window: nanos(Math.min(options.ttl, 120_000)) });
  }
  return kv;
}
