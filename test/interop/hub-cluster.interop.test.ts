/**
 * Real Go against our hub in cluster mode: two replicas A and B on a real nats-server. flux
 * v1.25.4's own `daemon.NewUpstream` (fluxd's connect loop, serving flux's MockServer) registers
 * with A on each route /v7 … /v11/daemon, and flux's own HTTP client (fluxctl's) calls every API
 * route through B: the answers are the ones a single hub gives (hub.interop.test.ts). Also: a
 * protocol-6 daemon on A (a Go one on /v6/daemon, and ours speaking V6) called through B, the Go
 * daemon's events read on B, and a second fluxd on B kicking the first on A.
 * The Go side is test/interop/go/cmd/hubpeer.
 */
import { sampleValue } from '../../src/hub/metrics.js';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Hub, type ListenAddress } from '../../src/hub/hub.js';
import { DaemonConnector } from '../../src/connector/connector.js';
import { MockDaemon } from '../fakes/mock-daemon.js';
import { NatsServer, NATS_SERVER, requireNatsServer } from '../cluster/nats-server.js';
import { waitFor } from '../cluster/http.js';
import { requirePeer } from './go-peer.js';
import { checkGoMockAnswers, HubPeer } from './hubpeer.js';

const TOKENS = new Map([
  ['go-prod', 'prod'],
  ['go-v6', 'v6'],
  ['ours-v6', 'ours6'],
  ['go-kick', 'kick'],
]);
const peers: HubPeer[] = [];
const closers: (() => Promise<unknown>)[] = [];
after(async () => {
  peers.forEach((p) => p.kill());
  for (const c of closers.reverse()) await c();
});

function goDaemon(addr: ListenAddress, token: string, args: string[] = []): HubPeer {
  const p = HubPeer.start(['daemon', '--connect', `${addr.url}/api/flux`, '--token', token, ...args]);
  peers.push(p);
  return p;
}

async function goClient(addr: ListenAddress, token: string): Promise<Map<string, { value: any; error: string; errorType?: string }>> {
  const c = HubPeer.start(['client', '--url', `${addr.url}/api/flux`, '--token', token]);
  peers.push(c);
  return c.results(0);
}

describe('Go fluxd → replica A, Go fluxctl client → replica B (cluster mode on a real nats-server)', { timeout: 120_000 }, () => {
  let a: Hub;
  let b: Hub;
  let A: ListenAddress;
  let B: ListenAddress;
  before(async () => {
    if (NATS_SERVER === undefined) return;
    const nats = await NatsServer.start();
    closers.push(() => nats.dispose());
    a = new Hub({ tokens: TOKENS, cluster: { servers: [nats.url], replicaId: 'A' } });
    b = new Hub({ tokens: TOKENS, cluster: { servers: [nats.url], replicaId: 'B' } });
    closers.push(() => a.close(), () => b.close());
    A = await a.listen(0);
    B = await b.listen(0);
  });

  /** Waits until B sees `instance` held by A and a call through B reaches it. */
  async function heldByA(instance: string, version?: number): Promise<void> {
    await waitFor(() => b.cluster!.instances().some((s) => s.instance === instance && s.connected && s.replica === 'A' && (version === undefined || s.protocol === version)), `B sees ${instance} on A`);
    await waitFor(async () => (await b.cluster!.api(instance).ping({ signal: AbortSignal.timeout(5_000) }).then(() => true, () => false)), `${instance} reachable through B`);
  }

  for (const version of [7, 8, 9, 10, 11]) {
    test(`route /v${version}/daemon on A: every API route reaches the Go daemon through B`, async (t) => {
      if (!requireNatsServer(t) || !requirePeer(t, 'hubpeer')) return;
      const daemon = goDaemon(A, 'go-prod', ['--route', `/v${version}/daemon`]);
      await daemon.line('LOG connected=true');
      await heldByA('prod', version);
      assert.equal(b.cluster!.instances().find((s) => s.instance === 'prod')!.userAgent, 'fluxd/1.25.4');
      checkGoMockAnswers(await goClient(B, 'go-prod'), version);
      assert.equal(b.registry.isConnected('prod'), false, 'B answered without a daemon of its own');

      // The Go daemon's LogEvent, posted to A, is listed by B.
      const from = daemon.lines.length;
      daemon.send('event');
      assert.match(await daemon.line('RESULT', (l) => l.includes('"LogEvent"'), 20_000, from), /"error":""/);
      await waitFor(() => b.cluster!.events.list('prod').some((e) => e.event.message === 'synced <abc123>'), 'the event on B');
      daemon.kill();
      await waitFor(() => !a.registry.isConnected('prod'), 'the Go daemon gone from A');
    });
  }

  test('a Go daemon on /v6/daemon at A, called through B: what a single hub gives (the union reply is fatal to V6, so A drops it)', async (t) => {
    if (!requireNatsServer(t) || !requirePeer(t, 'hubpeer')) return;
    const daemon = goDaemon(A, 'go-v6', ['--route', '/v6/daemon']);
    await daemon.line('LOG connected=true');
    await heldByA('v6', 6);
    const r = await goClient(B, 'go-v6');
    assert.equal(r.get('Ping')!.error, '');
    assert.equal(r.get('Version')!.value, 'go-mock');
    assert.match(r.get('ListServices')!.error, /cannot unmarshal object/);
    await daemon.line('LOG disconnected=true');
    assert.equal(await sampleValue(a.metrics.fatalDisconnects, { reason: 'fatal' }), 1);
    daemon.kill();
  });

  test('our daemon speaking protocol 6 on A: the Go client gets the same answers through B as through A', async (t) => {
    if (!requireNatsServer(t) || !requirePeer(t, 'hubpeer')) return;
    const mock = new MockDaemon();
    mock.versionAnswer = 'ours-v6';
    mock.syncStatusAnswer = ['c1'];
    mock.exportAnswer = new TextEncoder().encode('---\nkind: Namespace\n');
    mock.updateManifestsAnswer = 'job-6';
    const c = new DaemonConnector({ url: `${A.url}/api/flux`, token: 'ours-v6', implementation: mock, protocol: 6, backoff: { initialMs: 50, multiplier: 2, maxMs: 200, jitter: 0 } });
    closers.push(() => c.close());
    const up = c.next('connected');
    c.start();
    await up;
    await heldByA('ours6', 6);
    const viaA = await goClient(A, 'ours-v6');
    const viaB = await goClient(B, 'ours-v6');
    assert.deepEqual(viaB, viaA);
    assert.equal(viaB.get('Version')!.value, 'ours-v6');
    assert.deepEqual(viaB.get('SyncStatus')!.value, ['c1']);
    assert.equal(viaB.get('Ping')!.error, '');
  });

  test('a second fluxd registering on B kicks the first on A', async (t) => {
    if (!requireNatsServer(t) || !requirePeer(t, 'hubpeer')) return;
    const first = goDaemon(A, 'go-kick', ['--user-agent', 'fluxd/first', '--version-answer', 'first']);
    await first.line('LOG connected=true');
    await heldByA('kick');
    const second = goDaemon(B, 'go-kick', ['--user-agent', 'fluxd/second', '--version-answer', 'second']);
    await second.line('LOG connected=true');
    await first.line('LOG disconnected=true');
    first.kill(); // fluxd would dial again after 5 s and kick the second in turn
    assert.equal(await sampleValue(a.metrics.kicks), 1);
    await waitFor(() => a.cluster!.instances().some((s) => s.instance === 'kick' && s.replica === 'B' && s.userAgent === 'fluxd/second'), 'A shows kick on B');
    const r = await goClient(A, 'go-kick');
    assert.equal(r.get('Version')!.value, 'second');
    second.kill();
  });
});
