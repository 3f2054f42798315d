/**
 * Relay mode in one process: hub ← connector (relay) → a fluxd-like HTTP API (our handler over the
 * demo cluster). Every call made at the hub is answered by the "fluxd" behind the relay.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { FluxError } from '../flux/model/index.js';
import { createFluxHttpHandler } from '../http/api-handler.js';
import { FluxHttpClient } from '../http/client.js';
import { DemoCluster } from '../demo/cluster.js';
import { Hub } from '../hub/hub.js';
import { DaemonConnector } from './connector.js';
import { fluxdApiBase, relayTo } from './relay.js';

test('fluxd API bases', () => {
  assert.equal(fluxdApiBase('http://127.0.0.1:3030'), 'http://127.0.0.1:3030/api/flux');
  assert.equal(fluxdApiBase('http://fluxd:3030/api/flux/'), 'http://fluxd:3030/api/flux');
  assert.equal(fluxdApiBase('https://x/custom'), 'https://x/custom');
  assert.throws(() => fluxdApiBase('ws://x'), /http or https/);
});

test('calls at the hub are answered by the fluxd behind the relay', { timeout: 20_000 }, async () => {
  const seen: string[] = [];
  const handler = createFluxHttpHandler({ resolve: () => new DemoCluster(), basePath: '/api/flux' });
  const fluxd = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    void handler(req, res).then((handled) => handled || res.writeHead(404).end());
  });
  await new Promise<void>((r) => fluxd.listen(0, '127.0.0.1', r));
  const hub = new Hub({ tokens: new Map([['t', 'prod']]) });
  const addr = await hub.listen(0);
  const relay = relayTo({ fluxdUrl: `http://127.0.0.1:${(fluxd.address() as AddressInfo).port}` });
  const c = new DaemonConnector({ url: addr.url, token: 't', implementation: relay });
  try {
    const up = c.next('connected');
    c.start();
    await up;
    while (!hub.registry.isConnected('prod')) await new Promise((r) => setImmediate(r));
    const api = new FluxHttpClient({ baseUrl: addr.url + '/api/flux', token: 't' });
    const ctx = { signal: AbortSignal.timeout(10_000) };
    assert.deepEqual((await api.listServices(ctx, 'shop'))!.map((s) => s.id.toString()), ['shop:statefulset/redis']);
    await assert.rejects(api.jobStatus(ctx, 'nope'), (e: unknown) => e instanceof FluxError && e.type === 'missing' && e.message === 'unknown job nope');
    assert.deepEqual(seen, ['GET /api/flux/v11/services?namespace=shop&services=', 'GET /api/flux/v6/jobs?id=nope']);
  } finally {
    await c.close();
    await hub.close();
    fluxd.close();
  }
});
