/**
 * Cluster mode's failure behaviour with real processes: nats-server (JetStream, a temporary store)
 * and hub replicas started as `fluxrpc hub --nats …`, a daemon (our connector, in this process, so
 * that its calls can be held in flight) reaching the replicas directly or through a TCP front.
 *
 * - kill -9 of the replica holding an instance while calls for it are in flight through another:
 *   each call ends with a clear error, none hangs; the daemon comes back through the front on a
 *   live replica and calls work again; an instance that does not come back stops being shown as
 *   held once its entry's TTL has passed.
 * - the same instance connecting to two replicas at once: exactly one connection survives.
 * - nats-server stopped: each replica serves its own daemons, cross-replica calls fail at once
 *   with "unavailable", events are kept; NATS back: replicas announce again, calls and events work.
 * - every hub replica restarted, then nats-server restarted with its store: events are still listed.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CallContext } from '../../src/flux/api.js';
import type { ControllerStatus, ListServicesOptions } from '../../src/flux/model/index.js';
import { DaemonConnector, type ConnectorEvent } from '../../src/connector/connector.js';
import { MockDaemon } from '../fakes/mock-daemon.js';
import { NatsServer, requireNatsServer } from './nats-server.js';
import { Front, Replica } from './processes.js';
import { rawRequest, waitFor } from './http.js';

const INSTANCES = ['prod', 'dev', 'twin0', 'twin1', 'twin2', 'twin3', 'twin4', 'ev'];
const tokensFile = join(mkdtempSync(join(tmpdir(), 'fluxrpc-cluster-')), 'tokens.json');
writeFileSync(tokensFile, JSON.stringify(Object.fromEntries(INSTANCES.map((i) => [`tok-${i}`, i]))));
const auth = (instance: string) => ({ Authorization: `Scope-Probe token=tok-${instance}` });
/** Short call timeout and owner TTL: the tests wait for them. */
const REPLICA_FLAGS = ['--call-timeout', '3s', '--owner-ttl', '3s'];

const cleanups: (() => Promise<unknown> | unknown)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function natsServer(): Promise<NatsServer> {
  const s = await NatsServer.start();
  cleanups.push(() => s.dispose());
  return s;
}

async function replica(id: string, nats: NatsServer): Promise<Replica> {
  const r = await Replica.start(id, nats.url, tokensFile, REPLICA_FLAGS);
  cleanups.push(() => r.kill9());
  return r;
}

/** A daemon whose ListServicesWithOptions is held until its connection goes (calls stay in flight). */
class HoldingDaemon extends MockDaemon {
  held = 0;
  override listServicesWithOptions(ctx: CallContext, options: ListServicesOptions): Promise<readonly ControllerStatus[] | null> {
    this.calls.push({ method: 'listServicesWithOptions', arg: options, signal: ctx.signal });
    this.held++;
    return new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason as Error), { once: true }));
  }
}

function daemon(url: string, instance: string, impl = new MockDaemon(), backoffMs = 200): { connector: DaemonConnector; events: ConnectorEvent[] } {
  impl.versionAnswer ||= `daemon of ${instance}`;
  const events: ConnectorEvent[] = [];
  const connector = new DaemonConnector({ url: `${url}/api/flux`, token: `tok-${instance}`, implementation: impl, backoff: { initialMs: backoffMs, multiplier: 2, maxMs: backoffMs * 4, jitter: 0 }, onEvent: (e) => events.push(e) });
  cleanups.push(() => connector.close());
  return { connector, events };
}

/** The replica `at`'s status page row for `instance`: whether connected, and the replica holding it. */
async function row(at: Replica, instance: string): Promise<{ connected: boolean; replica: string } | undefined> {
  const page = (await rawRequest(at.url, 'GET', '/')).body.toString();
  const m = new RegExp(`<tr data-instance="${instance}" data-connected="(true|false)">.*?<td class="replica">([^<]*)</td></tr>`).exec(page);
  return m ? { connected: m[1] === 'true', replica: m[2]! } : undefined;
}

async function shownHeldBy(at: Replica, instance: string, holder: string | undefined): Promise<void> {
  await waitFor(async () => {
    const r = await row(at, instance);
    return holder === undefined ? r?.connected === false : r?.connected === true && r.replica === holder;
  }, `${at.id}'s status page shows ${instance} held by ${holder ?? 'nobody'}`);
}

function syncEvent(message: string): string {
  return JSON.stringify({ serviceIDs: ['default:deployment/podinfo'], type: 'sync', startedAt: '2024-01-01T00:00:00Z', endedAt: '2024-01-01T00:00:01Z', logLevel: 'info', message, metadata: { commits: [{ revision: 'abc', message: 'm' }] } });
}

const version = (at: Replica, instance: string) => rawRequest(at.url, 'GET', '/api/flux/v11/version', auth(instance));

describe('cluster mode failures (real nats-server and hub replica processes)', { timeout: 180_000 }, () => {
  test('kill -9 of the replica holding an instance: calls in flight through another replica end with a clear error, the daemon comes back through the front, calls work again', async (t) => {
    if (!requireNatsServer(t)) return;
    const nats = await natsServer();
    const [a, b, c] = await Promise.all([replica('A', nats), replica('B', nats), replica('C', nats)]);
    const front = new Front(() => [a.port, c.port]);
    const frontUrl = await front.listen();
    cleanups.push(() => front.close());
    const impl = new HoldingDaemon();
    const prod = daemon(frontUrl, 'prod', impl);
    // An instance on A that will not come back: its entry must expire.
    const dev = daemon(a.url, 'dev', new MockDaemon(), 600_000);
    prod.connector.start();
    dev.connector.start();
    await shownHeldBy(b, 'prod', 'A');
    await shownHeldBy(b, 'dev', 'A');
    assert.deepEqual(front.routed, [a.port]);
    await waitFor(async () => (await version(b, 'prod')).status === 200, 'prod reachable through B');

    const inFlight = Array.from({ length: 8 }, () => rawRequest(b.url, 'GET', '/api/flux/v6/services?namespace=default', { ...auth('prod'), Accept: 'application/json' }));
    await waitFor(() => impl.held === 8, 'all 8 calls held by the daemon on A');
    await a.kill9();
    const answers = await Promise.all(inFlight);
    for (const r of answers) {
      assert.equal(r.status, 422, r.body.toString());
      const body = JSON.parse(r.body.toString()) as { type: string; error: string; help: string };
      assert.equal(body.type, 'user');
      assert.match(body.error, /^ListServicesWithOptions: no reply within \d+ ms from the replica holding instance prod$/);
      assert.match(body.help, /^Cannot contact Flux daemon\n/);
    }
    const metrics = (await rawRequest(b.url, 'GET', '/metrics')).body.toString();
    assert.match(metrics, /^fluxrpc_hub_bus_request_duration_seconds_count\{method="ListServicesWithOptions",outcome="timeout"\} 8$/m);

    // The daemon reconnects (its backoff) through the front, which skips the dead replica.
    await waitFor(() => prod.events.filter((e) => e.type === 'connected').length === 2, 'the daemon reconnected');
    assert.equal(front.routed.at(-1), c.port);
    await shownHeldBy(b, 'prod', 'C');
    await waitFor(async () => (await version(b, 'prod')).status === 200, 'calls for prod work again through B');
    assert.equal((await version(b, 'prod')).body.toString(), '"daemon of prod"');
    // dev's daemon stays away: its entry (held by the dead A) expires after the owner TTL.
    await shownHeldBy(b, 'dev', undefined);
    assert.equal((await version(b, 'dev')).status, 422);
    await Promise.all([b.stop(), c.stop()]);
    assert.equal(await b.exited, 0);
  });

  test('the same instance connecting to two replicas at once: exactly one connection survives, every time', async (t) => {
    if (!requireNatsServer(t)) return;
    const nats = await natsServer();
    const [a, b] = await Promise.all([replica('A', nats), replica('B', nats)]);
    for (let round = 0; round < 5; round++) {
      const instance = `twin${round}`;
      // No reconnection during the test: a kicked daemon stays kicked.
      const x = daemon(a.url, instance, new MockDaemon(), 600_000);
      const y = daemon(b.url, instance, new MockDaemon(), 600_000);
      x.connector.start();
      y.connector.start();
      await waitFor(() => x.events.some((e) => e.type === 'connected') && y.events.some((e) => e.type === 'connected'), `${instance}: both connected once`);
      const live = () => [x, y].filter((d) => !d.events.some((e) => e.type === 'disconnected'));
      await waitFor(() => live().length === 1, `${instance}: one of the two was kicked`);
      const survivor = live()[0] === x ? 'A' : 'B';
      await shownHeldBy(a, instance, survivor);
      await shownHeldBy(b, instance, survivor);
      assert.equal(live().length, 1, 'still exactly one');
      for (const r of [a, b]) assert.equal((await version(r, instance)).status, 200);
      await x.connector.close();
      await y.connector.close();
    }
  });

  test('nats-server stopped: replicas serve their own daemons, cross-replica calls fail at once; NATS back: everything works again without restarts', async (t) => {
    if (!requireNatsServer(t)) return;
    const nats = await natsServer();
    const [a, b] = await Promise.all([replica('A', nats), replica('B', nats)]);
    const prod = daemon(a.url, 'prod');
    prod.connector.start();
    await shownHeldBy(b, 'prod', 'A');
    await waitFor(async () => (await version(b, 'prod')).status === 200, 'prod reachable through B');

    await nats.stop();
    for (const r of [a, b]) await waitFor(async () => (await rawRequest(r.url, 'GET', '/healthz')).body.toString().startsWith('degraded: not connected to NATS'), `${r.id} says it is degraded`);
    assert.equal((await rawRequest(a.url, 'GET', '/healthz')).status, 200);
    const local = await version(a, 'prod');
    assert.equal(local.status, 200, 'A still serves its own daemon');
    const remote = await rawRequest(b.url, 'GET', '/api/flux/v11/version', { ...auth('prod'), Accept: 'application/json' });
    assert.equal(remote.status, 422);
    assert.match(JSON.parse(remote.body.toString()).error, /^no daemon is connected for instance prod on this replica, and the cluster bus \(NATS\) is not connected \(reconnecting\) to reach the others$/);
    assert.equal((await rawRequest(a.url, 'POST', '/api/flux/v6/events', auth('prod'), syncEvent('posted while NATS was down'))).status, 204);
    assert.match((await rawRequest(a.url, 'GET', '/api/flux/v6/events', auth('prod'))).body.toString(), /posted while NATS was down/);
    assert.match((await rawRequest(a.url, 'GET', '/healthz')).body.toString(), /events kept here until NATS takes them: 1/);

    await nats.restart();
    for (const r of [a, b]) await waitFor(async () => (await rawRequest(r.url, 'GET', '/healthz')).body.toString().startsWith('ok\n'), `${r.id} healthy again`);
    await shownHeldBy(b, 'prod', 'A');
    await waitFor(async () => (await version(b, 'prod')).status === 200, 'cross-replica calls work again');
    await waitFor(async () => /posted while NATS was down/.test((await rawRequest(b.url, 'GET', '/api/flux/v6/events', auth('prod'))).body.toString()), 'the kept event reached the stream and B');
    assert.doesNotMatch((await rawRequest(a.url, 'GET', '/healthz')).body.toString(), /events kept here/);
    assert.equal(prod.events.filter((e) => e.type === 'connected').length, 1, 'the daemon never had to reconnect');
  });

  test('every hub replica restarted, then nats-server restarted with its store: the events posted before are still listed', async (t) => {
    if (!requireNatsServer(t)) return;
    const nats = await natsServer();
    let [a, b] = await Promise.all([replica('A', nats), replica('B', nats)]);
    const post = (r: Replica, message: string) => rawRequest(r.url, 'POST', '/api/flux/v6/events', auth('ev'), syncEvent(message));
    assert.equal((await post(a, 'one')).status, 204);
    assert.equal((await post(b, 'two')).status, 204);
    const listed = async (r: Replica) => (JSON.parse((await rawRequest(r.url, 'GET', '/api/flux/v6/events', auth('ev'))).body.toString()) as { message: string }[]).map((e) => e.message).join(',');
    await a.kill9();
    await b.kill9();
    [a, b] = await Promise.all([replica('A', nats), replica('B', nats)]);
    assert.equal(await listed(a), 'two,one');
    assert.equal(await listed(b), 'two,one');

    await nats.restart();
    await waitFor(async () => (await rawRequest(a.url, 'GET', '/healthz')).body.toString().startsWith('ok\n'), 'A reconnected');
    assert.equal((await post(a, 'three')).status, 204);
    assert.equal(await listed(a), 'three,two,one');
    const fresh = await replica('C', nats);
    assert.equal(await listed(fresh), 'three,two,one');
  });
});
