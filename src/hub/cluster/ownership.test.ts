/**
 * The owners bucket on a real nats-server, with Ownership objects standing for replicas (no hubs):
 * who is kicked when two registrations meet, re-announcing after a replica was cut off, entries of
 * a replica that stopped refreshing expiring, and the bucket's TTL following the replicas' setting.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Kvm } from '@nats-io/kv';
import { silentLogger } from '../../runtime/log.js';
import { NatsServer, NATS_SERVER, requireNatsServer } from '../../../test/cluster/nats-server.js';
import { waitFor } from '../../../test/cluster/http.js';
import { OWNERS_BUCKET } from './names.js';
import { Ownership } from './ownership.js';

interface Kick {
  instance: string;
  id: number;
  reason: string;
}

describe('ownership (KV bucket) on a real nats-server', { timeout: 60_000 }, () => {
  let server: NatsServer | undefined;
  const conns: NatsConnection[] = [];
  const all: Ownership[] = [];
  before(async () => {
    if (NATS_SERVER !== undefined) server = await NatsServer.start();
  });
  after(async () => {
    for (const o of all) o.close();
    for (const c of conns) await c.close();
    await server?.dispose();
  });

  async function replica(id: string, ttlMs = 30_000, refreshMs = 10_000): Promise<{ o: Ownership; kicks: Kick[]; nc: NatsConnection }> {
    const nc = await connect({ servers: server!.url });
    conns.push(nc);
    const kicks: Kick[] = [];
    const o = new Ownership({ replicaId: id, ttlMs, refreshMs, replicas: 1, log: silentLogger, kick: (instance, cid, reason) => void kicks.push({ instance, id: cid, reason }) });
    all.push(o);
    return { o, kicks, nc };
  }
  const conn = (id: number, since: number) => ({ id, since: new Date(since), protocol: 11 as const, remote: `10.0.0.${id}:1`, userAgent: 'test' });
  const holder = (o: Ownership, instance: string) => o.holders().find((h) => h.instance === instance)?.entry.replica;

  test('a newer registration on another replica kicks the older one; the newer one is not kicked', async (t) => {
    if (!requireNatsServer(t)) return;
    const a = await replica('A');
    const b = await replica('B');
    await a.o.attach(a.nc);
    await b.o.attach(b.nc);
    a.o.connected('one', conn(1, 1000));
    await waitFor(() => holder(b.o, 'one') === 'A', 'B sees one on A');
    b.o.connected('one', conn(7, 2000));
    await waitFor(() => a.kicks.length === 1, 'A kicks its connection');
    assert.deepEqual(a.kicks[0], { instance: 'one', id: 1, reason: 'replaced by a newer connection from 10.0.0.7:1 on replica B' });
    a.o.disconnected('one', 1); // what the registry does after a kick
    await a.o.settle();
    await waitFor(() => holder(a.o, 'one') === 'B', 'A sees one on B');
    assert.equal(b.kicks.length, 0);
    // A's delete-if-ours did not remove B's entry.
    assert.equal(holder(b.o, 'one'), 'B');
    b.o.disconnected('one', 7);
    await b.o.settle();
    await waitFor(() => holder(a.o, 'one') === undefined, 'the entry is gone once its owner leaves');
  });

  test('after being cut off, a replica re-announces: its older connection yields, its newer one wins', async (t) => {
    if (!requireNatsServer(t)) return;
    const a = await replica('A');
    const b = await replica('B');
    await a.o.attach(a.nc);
    // B registers while it has no NATS (not attached): once older than A's, once newer.
    b.o.connected('older', conn(1, Date.now() - 60_000));
    b.o.connected('newer', conn(2, Date.now() + 60_000));
    a.o.connected('older', conn(3, Date.now()));
    a.o.connected('newer', conn(4, Date.now()));
    await a.o.settle();
    await b.o.attach(b.nc);
    await b.o.settle();
    await waitFor(() => b.kicks.length === 1 && a.kicks.length === 1, 'one kick on each side');
    assert.deepEqual(b.kicks.map((k) => [k.instance, k.id]), [['older', 1]]);
    assert.deepEqual(a.kicks.map((k) => [k.instance, k.id]), [['newer', 4]]);
    await waitFor(() => holder(a.o, 'newer') === 'B' && holder(b.o, 'older') === 'A', 'each instance held by the newer connection');
  });

  test('a replica that stops refreshing (dead) stops being shown as holder after the TTL; a live one is refreshed past it', async (t) => {
    if (!requireNatsServer(t)) return;
    const dead = await replica('D', 1_500, 500);
    const live = await replica('L', 1_500, 500);
    const watcher = await replica('W', 1_500, 500);
    for (const r of [dead, live, watcher]) await r.o.attach(r.nc);
    dead.o.connected('d', conn(1, 1));
    live.o.connected('l', conn(1, 1));
    await waitFor(() => holder(watcher.o, 'd') === 'D' && holder(watcher.o, 'l') === 'L', 'both shown');
    dead.o.close(); // no refresh, no clean-up: as after kill -9
    await waitFor(() => holder(watcher.o, 'd') === undefined, 'the dead replica\u2019s entry expired');
    assert.equal(holder(watcher.o, 'l'), 'L');
    const kv = await new Kvm(watcher.nc).open(OWNERS_BUCKET);
    assert.equal((await kv.status()).ttl, 1_500, 'the bucket took the replicas\u2019 TTL');
    assert.equal(await kv.get('iZA'), null, 'the entry of "d" is gone from the bucket, not only from the view');
  });
});
