import { test } from 'node:test';
import assert from 'node:assert/strict';
import { daemonRoute, inferEndpoints, routeUrl } from './endpoints.js';

test('endpoints are inferred by swapping the scheme only (docs/wire.md §7.2)', () => {
  assert.deepEqual(inferEndpoints('http://cloud.weave.works/api/flux'), { http: 'http://cloud.weave.works/api/flux', ws: 'ws://cloud.weave.works/api/flux' });
  assert.deepEqual(inferEndpoints('https://hub.example:8443/api/flux'), { http: 'https://hub.example:8443/api/flux', ws: 'wss://hub.example:8443/api/flux' });
  assert.deepEqual(inferEndpoints('ws://hub:8080'), { http: 'http://hub:8080/', ws: 'ws://hub:8080/' });
  assert.deepEqual(inferEndpoints('WSS://cloud.example/api/flux?x=1'), { http: 'https://cloud.example/api/flux?x=1', ws: 'wss://cloud.example/api/flux?x=1' });
});

test('unsupported schemes fail with fluxd\'s text', () => {
  assert.throws(() => inferEndpoints('ftp://x/y'), { message: 'inferring WS/HTTP endpoints: unsupported scheme ftp' });
  assert.throws(() => inferEndpoints('host:3030/x'), { message: 'inferring WS/HTTP endpoints: unsupported scheme host' });
  assert.throws(() => inferEndpoints('cloud.example/api'), { message: 'inferring WS/HTTP endpoints: unsupported scheme ' });
  assert.throws(() => inferEndpoints('wss://u:p@host/x'), /user info/);
});

test('routes join like path.Join and drop the query', () => {
  assert.equal(routeUrl('wss://cloud.example/api/flux', daemonRoute(11)), 'wss://cloud.example/api/flux/v11/daemon');
  assert.equal(routeUrl('ws://hub:8080/', daemonRoute(11)), 'ws://hub:8080/v11/daemon');
  assert.equal(routeUrl('ws://hub:8080//api//flux/?token=x#f', daemonRoute(6)), 'ws://hub:8080/api/flux/v6/daemon');
  assert.equal(routeUrl('https://cloud.example/api/flux?x=1', '/v6/events'), 'https://cloud.example/api/flux/v6/events');
});
