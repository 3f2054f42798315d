/**
 * Real Go against our hub: flux v1.25.4's own `daemon.NewUpstream` (what `fluxd --connect` runs)
 * serving flux's `remote.MockServer` registers with our hub on each route /v6 … /v11/daemon, then
 * flux's own HTTP client (what fluxctl uses) calls every API route through our hub. Also: a second
 * daemon for the same instance kicks the first, a bad token gets 401 (fluxd retries), a refused
 * protocol gets 410 (fluxd exits 1), and fluxd comes back after the hub restarts.
 * The Go side is test/interop/go/cmd/hubpeer.
 */
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Hub, type HubOptions, type ListenAddress } from '../../src/hub/hub.js';
import { sampleValue } from '../../src/hub/metrics.js';
import { requirePeer } from './go-peer.js';
import { checkGoMockAnswers, HubPeer } from './hubpeer.js';

const TOKEN = 'go-interop-token';
const peers: HubPeer[] = [];
const hubs: Hub[] = [];
after(async () => {
  peers.forEach((p) => p.kill());
  for (const h of hubs) await h.close();
});

async function startHub(options: Partial<HubOptions> = {}, port = 0): Promise<{ hub: Hub; addr: ListenAddress }> {
  const hub = new Hub({ tokens: new Map([[TOKEN, 'prod']]), ...options });
  hubs.push(hub);
  return { hub, addr: await hub.listen(port, '127.0.0.1') };
}

function goDaemon(addr: ListenAddress, args: string[] = []): HubPeer {
  const p = HubPeer.start(['daemon', '--connect', `${addr.url}/api/flux`, '--token', TOKEN, ...args]);
  peers.push(p);
  return p;
}

async function registered(hub: Hub, userAgent?: string): Promise<void> {
  const ok = () => hub.registry.list().some((s) => s.instance === 'prod' && s.connected && (userAgent === undefined || s.userAgent === userAgent));
  for (let i = 0; !ok(); i++) {
    if (i > 2000) throw new Error('the Go daemon did not register');
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function goClient(addr: ListenAddress): Promise<Map<string, { value: any; error: string }>> {
  const c = HubPeer.start(['client', '--url', `${addr.url}/api/flux`, '--token', TOKEN]);
  peers.push(c);
  return c.results(0);
}

describe('Go fluxd (daemon.NewUpstream) → our hub ← Go fluxctl client (pkg/http/client)', { timeout: 60_000 }, () => {
  for (const version of [7, 8, 9, 10, 11]) {
    test(`route /v${version}/daemon: every API route reaches the Go daemon through a V${version} client`, async (t) => {
      if (!requirePeer(t, 'hubpeer')) return;
      const { hub, addr } = await startHub();
      const daemon = goDaemon(addr, ['--route', `/v${version}/daemon`]);
      await daemon.line('LOG connected=true');
      await registered(hub);
      assert.equal(hub.registry.list().find((s) => s.instance === 'prod')!.protocol, version);
      assert.equal(hub.registry.list().find((s) => s.instance === 'prod')!.userAgent, 'fluxd/1.25.4');

      const r = await goClient(addr);
      checkGoMockAnswers(r, version);

      // The daemon's LogEvent reaches the hub's event store.
      const from = daemon.lines.length;
      daemon.send('event');
      const logged = await daemon.line('RESULT', (l) => l.includes('"LogEvent"'), 20_000, from);
      assert.match(logged, /"error":""/);
      const [stored] = hub.events.list('prod');
      assert.equal(stored!.event.message, 'synced <abc123>');
      assert.equal(stored!.event.type, 'sync');
      daemon.kill();
    });
  }

  test('route /v6/daemon: the hub speaks V6 (flat); a Go v1.25 daemon answers in the union form, which is fatal, so the hub drops it', async (t) => {
    if (!requirePeer(t, 'hubpeer')) return;
    const { hub, addr } = await startHub();
    const daemon = goDaemon(addr, ['--route', '/v6/daemon']);
    await daemon.line('LOG connected=true');
    await registered(hub);
    assert.equal(hub.registry.list().find((s) => s.instance === 'prod')!.protocol, 6);
    const r = await goClient(addr);
    assert.equal(r.get('Ping')!.error, '');
    assert.equal(r.get('Version')!.value, 'go-mock');
    assert.match(r.get('ListServices')!.error, /cannot unmarshal object/);
    await daemon.line('LOG disconnected=true');
    assert.equal(await sampleValue(hub.metrics.fatalDisconnects, { reason: 'fatal' }), 1);
    daemon.kill();
  });

  test('a second fluxd for the same instance kicks the first', async (t) => {
    if (!requirePeer(t, 'hubpeer')) return;
    const { hub, addr } = await startHub();
    const first = goDaemon(addr, ['--user-agent', 'fluxd/first', '--version-answer', 'first']);
    await first.line('LOG connected=true');
    await registered(hub, 'fluxd/first');
    const second = goDaemon(addr, ['--user-agent', 'fluxd/second', '--version-answer', 'second']);
    await second.line('LOG connected=true');
    await first.line('LOG disconnected=true');
    await registered(hub, 'fluxd/second');
    assert.equal(await sampleValue(hub.metrics.kicks), 1);
    const r = await goClient(addr);
    assert.equal(r.get('Version')!.value, 'second');
    first.kill();
    second.kill();
  });

  test('a bad token gets 401 and fluxd keeps retrying; a refused protocol gets 410 and fluxd exits 1', async (t) => {
    if (!requirePeer(t, 'hubpeer')) return;
    const { hub, addr } = await startHub({ minProtocol: 11 });
    const bad = HubPeer.start(['daemon', '--connect', `${addr.url}/api/flux`, '--token', 'wrong']);
    peers.push(bad);
    const refused = await bad.line('LOG err=');
    assert.match(refused, /executing websocket ws:\/\/127\.0\.0\.1:\d+\/api\/flux\/v11\/daemon: connecting to websocket .* \(http status code = 401\)/);
    assert.equal(hub.registry.isConnected('prod'), false);
    const old = goDaemon(addr, ['--route', '/v10/daemon']);
    assert.match(await old.line('LOG err='), /Your fluxd version is deprecated - please upgrade/);
    assert.equal(await old.exited, 1);
    assert.equal((await sampleValue(hub.metrics.rejectedRegistrations, { status: '401' })) >= 1, true);
    assert.equal((await sampleValue(hub.metrics.rejectedRegistrations, { status: '410' })), 1);
    bad.kill();
  });

  test('fluxd reconnects after the hub restarts (after its fixed 5 s wait)', async (t) => {
    if (!requirePeer(t, 'hubpeer')) return;
    const first = await startHub();
    const daemon = goDaemon(first.addr);
    await daemon.line('LOG connected=true');
    await registered(first.hub);
    const from = daemon.lines.length;
    await first.hub.close();
    await daemon.line('LOG disconnected=true', () => true, 20_000, from);
    const second = await startHub({}, first.addr.port);
    await daemon.line('LOG connected=true', () => true, 30_000, from);
    await registered(second.hub);
    const r = await goClient(second.addr);
    assert.equal(r.get('Version')!.value, 'go-mock');
    daemon.kill();
  });
});
