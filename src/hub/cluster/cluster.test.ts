/**
 * Cluster mode in one process: hub replicas A, B, C on a real nats-server, daemons on A (our RPC
 * stack over memory pipes, or our connector over a websocket), callers on every replica. The
 * failure cases with replica *processes* (kill -9, NATS stopped, restarts) are in
 * test/cluster/failures.test.ts.
 */
import { observations, sampleValue } from '../metrics.js';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import type { CallContext } from '../../flux/api.js';
import { MODEL_CODECS, ResourceId, type UpdateSpec } from '../../flux/model/index.js';
import { createFluxClient } from '../../flux/versions/index.js';
import { serveFlux } from '../../flux/server.js';
import { memoryPipe } from '../../transport/memory.js';
import { DaemonConnector } from '../../connector/connector.js';
import { DemoCluster } from '../../demo/cluster.js';
import { Hub, type ListenAddress } from '../hub.js';
import { MockDaemon } from '../../../test/fakes/mock-daemon.js';
import { NatsServer, NATS_SERVER, requireNatsServer } from '../../../test/cluster/nats-server.js';
import { rawRequest, waitFor, type RawAnswer } from '../../../test/cluster/http.js';
import { callSubject } from './names.js';

const TOKENS = new Map([
  ['tok-prod', 'prod'],
  ['tok-dev', 'dev'],
  ['tok-big', 'big'],
  ['tok-kick', 'kick.me'],
]);
const ctx = (): CallContext => ({ signal: AbortSignal.timeout(20_000) });
const auth = (token: string) => ({ Authorization: `Scope-Probe token=${token}` });

/** A daemon (our RPC server over a memory pipe) registered directly with `hub`'s registry. */
function memoryDaemon(hub: Hub, instance: string, impl: MockDaemon): void {
  const [up, down] = memoryPipe();
  serveFlux(impl, down);
  hub.registry.register(instance, createFluxClient(11, up), { protocol: 11, remote: 'memory', userAgent: 'test/mock' });
}

/** A mock answering with what the demo cluster answers (realistic values, fixed from now on). */
async function realisticMock(): Promise<MockDaemon> {
  const demo = new DemoCluster();
  const m = new MockDaemon();
  m.versionAnswer = await demo.version();
  m.exportAnswer = await demo.export();
  m.listServicesAnswer = await demo.listServices(ctx(), '');
  m.listImagesAnswer = await demo.listImages(ctx(), '<all>');
  m.gitRepoConfigAnswer = await demo.gitRepoConfig(ctx(), false);
  m.updateManifestsAnswer = 'job-0001';
  m.syncStatusAnswer = ['c1', 'c2 <&>'];
  m.jobStatusAnswer = { result: { revision: 'abc123', spec: null, result: null }, err: '', statusString: 'succeeded' };
  return m;
}

function updateSpec(message: string): string {
  const spec: UpdateSpec = {
    type: 'image',
    cause: { message, user: 'alice' },
    spec: { serviceSpecs: ['default:deployment/podinfo'], imageSpec: '<all latest>', kind: 'execute', excludes: [ResourceId.parse('default:deployment/other')], force: false },
  };
  return MODEL_CODECS['update.Spec'].encode(spec);
}

/** Every route of the Flux HTTP API, with valid arguments. */
const ROUTE_REQUESTS: [method: string, path: string, body?: string, contentType?: string][] = [
  ['GET', '/api/flux/v11/ping'],
  ['GET', '/api/flux/v11/version'],
  ['POST', '/api/flux/v11/notify', '{"Kind":"git","Source":{"URL":"git@github.com:org/repo","Branch":"master"}}'],
  ['GET', '/api/flux/v6/services?namespace=default'],
  ['GET', '/api/flux/v11/services?namespace=&services=default:deployment/podinfo'],
  ['GET', '/api/flux/v6/images?service=%3Call%3E'],
  ['GET', '/api/flux/v10/images?service=default:deployment/podinfo&containerFields=Name,Current,LatestFiltered&namespace='],
  ['POST', '/api/flux/v9/update-manifests', updateSpec('release <all> & more')],
  ['GET', '/api/flux/v6/jobs?id=job-0001'],
  ['GET', '/api/flux/v6/sync?ref=HEAD'],
  ['GET', '/api/flux/v6/export'],
  ['HEAD', '/api/flux/v6/export'],
  ['POST', '/api/flux/v9/git-repo-config', 'false'],
  ['POST', '/api/flux/v6/update-images?service=default:deployment/podinfo&image=%3Call+latest%3E&kind=plan&user=bob', 'message=hi', 'application/x-www-form-urlencoded'],
  ['PATCH', '/api/flux/v6/policies?user=a&message=m', '{"default:deployment/podinfo":{"add":{"automated":"true"}}}'],
  ['GET', '/api/flux/v6/identity.pub'],
  ['POST', '/api/flux/v6/identity.pub'],
];
const ACCEPTS = [undefined, 'application/json', 'text/plain'];

describe('cluster mode: three replicas on one nats-server', { timeout: 120_000 }, () => {
  let nats: NatsServer;
  const hubs: Hub[] = [];
  const addrs: ListenAddress[] = [];
  let a: Hub, b: Hub, c: Hub;
  let A: ListenAddress, B: ListenAddress, C: ListenAddress;

  before(async () => {
    if (NATS_SERVER === undefined) return;
    nats = await NatsServer.start();
    for (const id of ['A', 'B', 'C']) {
      const hub = new Hub({ tokens: TOKENS, callTimeoutMs: 10_000, cluster: { servers: [nats.url], replicaId: id } });
      hubs.push(hub);
      addrs.push(await hub.listen(0));
    }
    [a, b, c] = hubs as [Hub, Hub, Hub];
    [A, B, C] = addrs as [ListenAddress, ListenAddress, ListenAddress];
  });
  after(async () => {
    for (const h of hubs) await h.close();
    await nats?.dispose();
  });

  /** Waits until `replica`'s cluster view shows `instance` held by `holder` (undefined: by nobody). */
  async function heldBy(replica: Hub, instance: string, holder: string | undefined): Promise<void> {
    const now = () => replica.cluster!.instances().find((s) => s.instance === instance);
    await waitFor(() => now()?.replica === holder && (holder === undefined || now()!.connected), `${replica.cluster!.replicaId} sees ${instance} held by ${holder ?? 'nobody'} (sees ${now()?.replica})`);
  }

  /** Waits until B's NATS server knows of A's subscription for `instance` (so a request finds it). */
  async function routable(instance: string): Promise<void> {
    await waitFor(async () => {
      const r = await rawRequest(B.url, 'GET', '/api/flux/v11/ping', auth([...TOKENS].find(([, i]) => i === instance)![0]));
      return r.status === 204;
    }, `${instance} reachable through B`);
  }

  test('every route answers byte for byte as through the replica holding the daemon: successes, each kind of error, and no daemon at all', async (t) => {
    if (!requireNatsServer(t)) return;
    const mock = await realisticMock();
    memoryDaemon(a, 'prod', mock);
    await heldBy(b, 'prod', 'A');
    await routable('prod');
    const compare = async (label: string, token: string) => {
      for (const [method, path, body, contentType] of ROUTE_REQUESTS) {
        for (const accept of ACCEPTS) {
          const headers: Record<string, string> = { ...auth(token), ...(accept ? { Accept: accept } : {}), ...(contentType ? { 'Content-Type': contentType } : {}) };
          const local = await rawRequest(A.url, method, path, headers, body);
          const forwarded = await rawRequest(B.url, method, path, headers, body);
          assert.deepEqual(show(forwarded), show(local), `${label}: ${method} ${path} (Accept ${accept ?? 'none'})`);
          if (label === 'success' && method !== 'HEAD') assert.ok(local.status < 300, `${method} ${path}: ${local.status} ${local.body}`);
        }
      }
    };
    await compare('success', 'tok-prod');

    // Each kind of failure the daemon can give: Flux errors of each type, plain errors (RPC error strings).
    const { FluxError } = await import('../../flux/model/index.js');
    mock.pingError = new Error('ping failed <plain>');
    mock.versionError = new Error('no version');
    mock.exportError = new FluxError('server', 'Export help\n', 'export broke & <burned>');
    mock.listServicesError = new FluxError('missing', 'nothing here', 'no such namespace');
    mock.listImagesError = new Error('registry down');
    mock.updateManifestsError = new FluxError('user', 'fix your spec', 'bad spec');
    mock.notifyChangeError = new FluxError('user', '', '');
    mock.jobStatusError = new FluxError('missing', 'The job is gone.\n', 'unknown job job-0001');
    mock.syncStatusError = new Error('unknown revision HEAD');
    mock.gitRepoConfigError = new FluxError('weird-type', 'odd', 'odd error');
    await compare('daemon errors', 'tok-prod');

    // No daemon for the instance anywhere: the same UnavailableError, at once.
    await compare('no daemon', 'tok-dev');
    assert.ok((await observations(b.cluster!.metrics.forwarded, { method: 'Ping', outcome: 'no_owner' })) > 0);
    assert.ok((await observations(b.cluster!.metrics.forwarded, { method: 'ListServicesWithOptions', outcome: 'application_error' })) > 0);
    assert.ok((await observations(a.cluster!.metrics.served, { method: 'Version', outcome: 'server_error' })) > 0);
    // A local daemon never goes through NATS.
    assert.equal((await observations(a.cluster!.metrics.forwarded, { method: 'Version', outcome: 'ok' })) + (await observations(a.cluster!.metrics.forwarded, { method: 'Version', outcome: 'server_error' })), 0);
  });

  test('a 32 MiB Export and a 3 MiB UpdateManifests spec cross replicas (chunked both ways) intact', async (t) => {
    if (!requireNatsServer(t)) return;
    const mock = new MockDaemon();
    mock.exportAnswer = randomBytes(32 * 1024 * 1024);
    mock.updateManifestsAnswer = 'job-big';
    memoryDaemon(a, 'big', mock);
    await heldBy(c, 'big', 'A');
    await routable('big');
    const local = await rawRequest(A.url, 'GET', '/api/flux/v6/export', auth('tok-big'));
    const forwarded = await rawRequest(C.url, 'GET', '/api/flux/v6/export', auth('tok-big'));
    assert.equal(forwarded.status, 200);
    assert.equal(forwarded.body.length, local.body.length);
    assert.ok(forwarded.body.length > 44_000_000, 'base64 of 32 MiB in a JSON string');
    assert.equal(sha(forwarded.body), sha(local.body));
    assert.deepEqual(Buffer.from(JSON.parse(forwarded.body.toString()) as string, 'base64').equals(mock.exportAnswer), true);

    const big = updateSpec('x'.repeat(3 * 1024 * 1024) + ' <&> ü');
    const viaA = await rawRequest(A.url, 'POST', '/api/flux/v9/update-manifests', auth('tok-big'), big);
    const viaC = await rawRequest(C.url, 'POST', '/api/flux/v9/update-manifests', auth('tok-big'), big);
    assert.deepEqual(show(viaC), show(viaA));
    assert.equal(viaC.body.toString(), '"job-big"');
    const [fromA, fromC] = mock.argsOf('updateManifests');
    assert.deepEqual(fromC, fromA, 'the daemon received the same spec both ways');
    assert.equal(a.cluster!.forwarderOpen(), 0);
    assert.equal(c.cluster!.forwarderOpen(), 0);
  });

  test('instance names with dots, wildcards, spaces and other scripts each reach their own daemon only', async (t) => {
    if (!requireNatsServer(t)) return;
    const names = ['a.b', 'a.*', 'a.>', '*', '>', 'a b', 'ünï.cødé 😀', 'a'];
    for (const name of names) {
      const m = new MockDaemon();
      m.versionAnswer = `I am ${name}`;
      memoryDaemon(a, name, m);
    }
    for (const name of names) await heldBy(b, name, 'A');
    for (const name of names) {
      await waitFor(async () => (await b.cluster!.api(name).version(ctx()).catch(() => '')) !== '', `${name} reachable`);
      assert.equal(await b.cluster!.api(name).version(ctx()), `I am ${name}`);
      assert.equal(callSubject(name).split('.').length, 3);
    }
    // A name nobody holds that a wildcard would have matched in the historic scheme.
    await assert.rejects(b.cluster!.api('a.c').version(ctx()), /no daemon is connected for instance a\.c/);
  });

  test('a newer registration on another replica kicks the older connection; exactly one survives, and every replica shows where', async (t) => {
    if (!requireNatsServer(t)) return;
    const slow = { initialMs: 60_000, multiplier: 1, maxMs: 60_000, jitter: 0 };
    const first = new DaemonConnector({ url: `${A.url}/api/flux`, token: 'tok-kick', implementation: new DemoCluster(), backoff: slow, userAgent: 'first/1' });
    const second = new DaemonConnector({ url: `${B.url}/api/flux`, token: 'tok-kick', implementation: new DemoCluster(), backoff: slow, userAgent: 'second/1' });
    try {
      const up1 = first.next('connected');
      first.start();
      await up1;
      await heldBy(c, 'kick.me', 'A');
      const down1 = first.next('disconnected');
      const up2 = second.next('connected');
      second.start();
      await up2;
      await down1;
      await heldBy(c, 'kick.me', 'B');
      await heldBy(a, 'kick.me', 'B');
      assert.equal(a.registry.isConnected('kick.me'), false);
      assert.equal(b.registry.isConnected('kick.me'), true);
      assert.equal(await sampleValue(a.metrics.kicks), 1);
      const row = a.registry.list().find((s) => s.instance === 'kick.me')!;
      assert.match(row.lastError ?? '', /replaced by a newer connection from 127\.0\.0\.1:\d+ on replica B/);
      const page = (await rawRequest(C.url, 'GET', '/')).body.toString();
      assert.match(page, /<tr data-instance="kick\.me" data-connected="true">.*<td>second\/1<\/td>.*<td class="replica">B<\/td><\/tr>/);
      assert.match(page, /cluster mode · this replica: <b>C<\/b> · <span class="ok">NATS ok<\/span>/);
    } finally {
      await first.close();
      await second.close();
    }
  });

  test('events posted on one replica are listed by every replica and on their status pages', async (t) => {
    if (!requireNatsServer(t)) return;
    const event = (msg: string) => JSON.stringify({ serviceIDs: ['default:deployment/podinfo'], type: 'sync', startedAt: '2024-01-01T00:00:00Z', endedAt: '2024-01-01T00:00:01Z', logLevel: 'info', message: msg, metadata: { commits: [{ revision: 'abc', message: 'm' }] } });
    assert.equal((await rawRequest(A.url, 'POST', '/api/flux/v6/events', auth('tok-dev'), event('first <one>'))).status, 204);
    assert.equal((await rawRequest(B.url, 'POST', '/api/flux/v6/events', auth('tok-dev'), event('second'))).status, 204);
    // Read your own write at once; the others as soon as their copy has it.
    const onB = JSON.parse((await rawRequest(B.url, 'GET', '/api/flux/v6/events', auth('tok-dev'))).body.toString()) as { message: string }[];
    assert.equal(onB[0]!.message, 'second');
    for (const r of [A, B, C]) {
      await waitFor(async () => {
        const list = JSON.parse((await rawRequest(r.url, 'GET', '/api/flux/v6/events', auth('tok-dev'))).body.toString()) as { message: string }[];
        return list.map((e) => e.message).join('|') === 'second|first <one>';
      }, `events on ${r.url}`);
    }
    const page = (await rawRequest(C.url, 'GET', '/')).body.toString();
    assert.match(page, /<td>dev<\/td><td>sync<\/td><td>default:deployment\/podinfo<\/td><td>second<\/td>/);
    assert.match(page, /<td>first &lt;one&gt;<\/td>/);
    const tooBig = await rawRequest(A.url, 'POST', '/api/flux/v6/events', auth('tok-dev'), event('x'.repeat(70_000)));
    assert.equal(tooBig.status, 413);
  });

  test('/healthz reports the NATS connection; /metrics has the bus series of this replica', async (t) => {
    if (!requireNatsServer(t)) return;
    const health = await rawRequest(B.url, 'GET', '/healthz');
    assert.equal(health.status, 200);
    assert.match(health.body.toString(), /^ok\nreplica: B\nnats: connected to 127\.0\.0\.1:\d+ \(nats-server [\d.]+\)\ndaemons here: \d+; instances held in the cluster: \d+\n$/);
    const metrics = (await rawRequest(B.url, 'GET', '/metrics')).body.toString();
    assert.match(metrics, /^fluxrpc_hub_bus_connected 1$/m);
    assert.match(metrics, /^fluxrpc_hub_bus_request_duration_seconds_count\{method="Ping",outcome="ok"\} \d+$/m);
    assert.match((await rawRequest(A.url, 'GET', '/metrics')).body.toString(), /^fluxrpc_hub_bus_served_duration_seconds_count\{method="Export",outcome="ok"\} \d+$/m);
  });
});

function show(r: RawAnswer): unknown {
  return { status: r.status, headers: r.headers, body: r.body.length > 4096 ? `sha256:${sha(r.body)} (${r.body.length} bytes)` : r.body.toString('latin1') };
}

function sha(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}
