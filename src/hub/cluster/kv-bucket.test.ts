/**
 * A bucket the replicas share, on a real nats-server: created with the first replica's TTL, then
 * brought to each later replica's by its rule: 'exact' follows the last one, 'at-least' only rises
 * (the revoked sessions bucket: lowering it would let a revocation expire before its session).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { silentLogger } from '../../runtime/log.js';
import { NatsServer, NATS_SERVER, requireNatsServer } from '../../../test/cluster/nats-server.js';
import { openSharedBucket } from './kv-bucket.js';

describe('a shared KV bucket on a real nats-server', { timeout: 60_000 }, () => {
  let server: NatsServer | undefined;
  let nc: NatsConnection | undefined;
  before(async () => {
    if (NATS_SERVER !== undefined) server = await NatsServer.start();
  });
  after(async () => {
    await nc?.close();
    await server?.dispose();
  });

  test("'at-least' raises an existing bucket's TTL and never lowers it; 'exact' sets it", async (t) => {
    if (!requireNatsServer(t)) return;
    nc = await connect({ servers: server!.url });
    const open = async (ttl: number, rule: 'exact' | 'at-least') => (await (await openSharedBucket(nc!, 'test-shared', 'test', { ttl, history: 1, storage: 'memory' }, rule, silentLogger)).status()).ttl;
    assert.equal(await open(60_000, 'at-least'), 60_000, 'created with the first TTL');
    assert.equal(await open(120_000, 'at-least'), 120_000, 'raised');
    assert.equal(await open(30_000, 'at-least'), 120_000, 'not lowered');
    assert.equal(await open(30_000, 'exact'), 30_000, "'exact' follows the last replica");
  });
});
