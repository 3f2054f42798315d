/**
 * Our connector against a Go upstream built from flux v1.25.4's `websocket.Upgrade` and
 * `rpc.NewClientV<N>` (test/interop/go/cmd/hubpeer `hub`): in demo mode for every protocol
 * version, and in relay mode in front of flux's own `daemon.NewHandler` (fluxd's HTTP API) over
 * flux's MockServer. Also: 401 on a bad token (retried), 410 (the connector stops), and
 * reconnection after the upstream drops the connection or restarts.
 */
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import type { ProtocolVersion } from '../../src/flux/api.js';
import { DaemonConnector, DeprecatedError } from '../../src/connector/connector.js';
import { relayTo } from '../../src/connector/relay.js';
import { silentLogger } from '../../src/runtime/log.js';
import { DemoCluster } from '../../src/demo/cluster.js';
import { demoConnector } from '../../src/cli/daemon-command.js';
import { PACKAGE_VERSION } from '../../src/runtime/version.js';
import { requirePeer } from './go-peer.js';
import { HubPeer } from './hubpeer.js';

const TOKEN = 'go-hub-token';
const FAST = { initialMs: 20, multiplier: 2, maxMs: 200, jitter: 0.1 };
const peers: HubPeer[] = [];
const connectors: DaemonConnector[] = [];
after(async () => {
  for (const c of connectors) await c.close();
  peers.forEach((p) => p.kill());
});

async function goHub(args: string[] = [], listen = '127.0.0.1:0'): Promise<{ hub: HubPeer; url: string; port: number }> {
  const hub = HubPeer.start(['hub', '--listen', listen, '--token', TOKEN, ...args]);
  peers.push(hub);
  const where = (await hub.line('LISTEN ')).slice('LISTEN '.length);
  return { hub, url: `ws://${where}`, port: Number(where.split(':')[1]) };
}

function track(c: DaemonConnector): DaemonConnector {
  connectors.push(c);
  return c;
}

/** Runs every method on the Go hub's newest connection; the results by method. */
async function calls(hub: HubPeer) {
  const from = hub.lines.length;
  hub.send('calls');
  return hub.results(from);
}

describe('our connector → Go upstream (websocket.Upgrade + rpc.NewClientV<N>)', { timeout: 60_000 }, () => {
  for (const protocol of [6, 7, 8, 9, 10, 11] as ProtocolVersion[]) {
    test(`demo mode, protocol ${protocol}: the Go client V${protocol} gets the demo cluster's answers`, async (t) => {
      if (!requirePeer(t, 'hubpeer')) return;
      const { hub, url } = await goHub();
      // Commits stay pending for the whole test (SyncStatus is checked right after UpdateManifests).
      const c = track(demoConnector({ url, token: TOKEN, protocol, logger: silentLogger, applyDelayMs: 600_000 }));
      c.start();
      const connected = await hub.line('CONNECTED ');
      assert.equal(connected, `CONNECTED 1 ${protocol} fluxrpc/${PACKAGE_VERSION}`);
      const r = await calls(hub);
      const ok = (m: string) => {
        assert.equal(r.get(m)?.error, '', `${m}: ${r.get(m)?.error}`);
        return r.get(m)!.value;
      };
      ok('Ping');
      assert.equal(ok('Version'), `fluxrpc-demo-${PACKAGE_VERSION}`);
      assert.deepEqual(ok('ListServices').map((s: { ID: string }) => s.ID), ['default:deployment/podinfo', 'default:deployment/helloworld']);
      assert.equal(ok('ListImages').length, 3);
      // UpdateManifests (V8+) left one commit to sync.
      assert.equal(ok('SyncStatus').length, protocol >= 8 ? 1 : 0);
      assert.match(ok('Export'), /kind: StatefulSet\n {2}metadata:|name: redis/);
      assert.equal(ok('GitRepoConfig').remote.url, 'git@github.com:example/demo-cluster');
      if (protocol >= 8) {
        // V11 calls our server's ListServicesWithOptions natively (Go's server lacks it); V8–V10 filter ListServices.
        assert.deepEqual(ok('ListServicesWithOptions').map((s: { ID: string }) => s.ID), ['shop:statefulset/redis']);
        assert.equal(ok('ListImagesWithOptions')[0].Containers[0].LatestFiltered.ID, 'ghcr.io/stefanprodan/podinfo:5.2.1');
        const job = ok('UpdateManifests');
        assert.match(job, /^[0-9a-f]{8}-/);
        assert.equal(ok('JobStatus').StatusString, 'succeeded');
        // The daemon posts a commit event for the release; Go's event.Event decodes it.
        const event = await hub.line('EVENT ', (l) => l.includes('"type":"commit"'));
        assert.match(event, /"serviceIDs":\["default:deployment\/podinfo"\]/);
      } else {
        assert.match(r.get('ListServicesWithOptions')!.error, /Unsupported resource kind: statefulset/);
        assert.match(r.get('UpdateManifests')!.error, /Unsupported resource kind: deployment/);
      }
      if (protocol >= 9) ok('NotifyChange');
      else assert.match(r.get('NotifyChange')!.error, /NotifyChange method not implemented/);
      await c.close();
      await hub.line('DISCONNECTED 1');
    });
  }

  test('relay mode: the Go upstream reaches flux\'s fluxd HTTP API (daemon.NewHandler) through our connector', async (t) => {
    if (!requirePeer(t, 'hubpeer')) return;
    const fluxd = HubPeer.start(['fluxd', '--listen', '127.0.0.1:0']);
    peers.push(fluxd);
    const fluxdAt = (await fluxd.line('LISTEN ')).slice('LISTEN '.length);
    const { hub, url } = await goHub();
    const c = track(new DaemonConnector({ url, token: TOKEN, implementation: relayTo({ fluxdUrl: `http://${fluxdAt}/api/flux` }), backoff: FAST }));
    c.start();
    await hub.line('CONNECTED 1 11');
    const r = await calls(hub);
    const ok = (m: string) => {
      assert.equal(r.get(m)?.error, '', `${m}: ${r.get(m)?.error}`);
      return r.get(m)!.value;
    };
    ok('Ping');
    assert.equal(ok('Version'), 'go-fluxd-mock');
    assert.deepEqual(ok('ListServices').map((s: { ID: string }) => s.ID), ['default:deployment/helloworld']);
    assert.deepEqual(ok('ListServicesWithOptions').map((s: { ID: string }) => s.ID), ['default:deployment/helloworld']);
    assert.equal(ok('ListImages')[0].Containers[0].LatestFiltered.ID, 'quay.io/weaveworks/helloworld:master-a000002');
    assert.equal(ok('ListImagesWithOptions')[0].Containers[0].Name, 'helloworld');
    assert.equal(ok('UpdateManifests'), 'job-0001');
    assert.deepEqual(ok('JobStatus'), { Result: { revision: 'abc123' }, Err: '', StatusString: 'succeeded' });
    assert.deepEqual(ok('SyncStatus'), ['c1', 'c2']);
    assert.equal(ok('Export'), '---\nkind: Deployment\nmetadata:\n  name: helloworld\n');
    assert.equal(ok('GitRepoConfig').publicSSHKey.key, 'ssh-rsa AAAAB3Nza go-mock');
    ok('NotifyChange');
  });

  test("relay mode: fluxd's Flux error for GitRepoConfig (error body plus a second JSON value) reaches the Go upstream as that Flux error", async (t) => {
    if (!requirePeer(t, 'hubpeer')) return;
    const fluxd = HubPeer.start(['fluxd', '--listen', '127.0.0.1:0', '--git-repo-error']);
    peers.push(fluxd);
    const fluxdAt = (await fluxd.line('LISTEN ')).slice('LISTEN '.length);
    const { hub, url } = await goHub();
    const c = track(new DaemonConnector({ url, token: TOKEN, implementation: relayTo({ fluxdUrl: `http://${fluxdAt}/api/flux` }), backoff: FAST }));
    c.start();
    await hub.line('CONNECTED 1 11');
    const r = await calls(hub);
    // Go's own client against fluxd reports "decoding response body of error: …"; the relay reads the
    // first JSON value, so the upstream gets the daemon's application error (a *fluxerr.Error).
    assert.deepEqual({ error: r.get('GitRepoConfig')?.error, type: r.get('GitRepoConfig')?.errorType }, { error: 'git repo not configured', type: '*errors.Error' });
    assert.equal(r.get('Ping')?.error, '', 'the connection is fine');
  });

  test('a bad token gets 401 and is retried; the right one connects', async (t) => {
    if (!requirePeer(t, 'hubpeer')) return;
    const { hub, url } = await goHub();
    const c = track(new DaemonConnector({ url, token: 'wrong', implementation: new DemoCluster(), backoff: FAST }));
    const statuses: (number | undefined)[] = [];
    c.subscribe((e) => e.type === 'dial-failed' && statuses.push(e.status));
    const twice = new Promise<void>((resolve) => c.subscribe((e) => e.type === 'dial-failed' && statuses.length >= 2 && resolve()));
    c.start();
    await twice;
    assert.deepEqual(statuses.slice(0, 2), [401, 401]);
    await hub.line('REFUSED 401 fluxrpc/');
    await c.close();
    const good = track(new DaemonConnector({ url, token: TOKEN, implementation: new DemoCluster(), backoff: FAST }));
    good.start();
    await hub.line('CONNECTED 1 11');
  });

  test('410 Gone stops the connector with the deprecation message', async (t) => {
    if (!requirePeer(t, 'hubpeer')) return;
    const { hub, url } = await goHub(['--gone']);
    const c = track(new DaemonConnector({ url, token: TOKEN, implementation: new DemoCluster(), backoff: FAST }));
    c.start();
    const error = await c.closed;
    assert.ok(error instanceof DeprecatedError);
    assert.equal(error.message, 'Your fluxd version is deprecated - please upgrade, see https://github.com/weaveworks/flux-adapter');
    await hub.line('REFUSED 410');
  });

  test('reconnects when the upstream closes the connection, and after the upstream restarts', async (t) => {
    if (!requirePeer(t, 'hubpeer')) return;
    const first = await goHub();
    const c = track(new DaemonConnector({ url: first.url, token: TOKEN, implementation: new DemoCluster(), backoff: FAST }));
    const seen: string[] = [];
    c.subscribe((e) => seen.push(e.type));
    c.start();
    await first.hub.line('CONNECTED 1');
    first.hub.send('close'); // Go's websocket Close: close frame 1000 "ok"
    await first.hub.line('CONNECTED 2');
    assert.deepEqual(seen.slice(0, 6), ['connecting', 'connected', 'disconnected', 'waiting', 'connecting', 'connected']);
    const gone = c.next('disconnected');
    first.hub.kill();
    await gone;
    const failed = c.next('dial-failed');
    await failed; // the upstream is down
    const second = await goHub([], `127.0.0.1:${first.port}`);
    await second.hub.line('CONNECTED 1 11');
    const r = await calls(second.hub);
    assert.equal(r.get('Ping')!.error, '');
  });
});
