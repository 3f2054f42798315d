/**
 * The hub end to end in one process: real websockets on loopback, our connector serving the demo
 * cluster, our Flux HTTP client calling the hub's API.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { ProtocolVersion } from '../flux/api.js';
import { FluxError, encodeEvent, decodeEvent, type FluxEvent } from '../flux/model/index.js';
import { UnauthorizedError } from '../http/errors.js';
import { dialWebSocket, DialError } from '../transport/websocket.js';
import { DeprecatedError } from '../connector/connector.js';
import { DemoCluster } from '../demo/cluster.js';
import type { DaemonImplementation } from '../flux/api.js';
import { rawExchange as raw, H2C_OFFER } from '../../test/fakes/raw-http.js';
import { callCtx, hubHarness } from '../../test/fakes/hub-harness.js';
import { sampleValue } from './metrics.js';
import { createLogger } from '../runtime/log.js';
import { DEFAULT_MAX_EVENT_BYTES, type Hub, type ListenAddress } from './hub.js';

const { startHub, connector, connected, api } = hubHarness();
const ctx = callCtx;

const rawExchange = (addr: ListenAddress, head: string, body?: string) => raw(addr.port, head, body);
const H2C = H2C_OFFER;

describe('hub', { timeout: 30_000 }, () => {
  let hub: Hub;
  let addr: ListenAddress;
  before(async () => ({ hub, addr } = await startHub()));

  test('a daemon registers with its token; the API reaches it at /api/flux and at the root', async () => {
    await connected(hub, connector(addr));
    const services = await api(addr).listServices(ctx(), 'shop');
    assert.deepEqual(services!.map((s) => s.id.toString()), ['shop:statefulset/redis']);
    assert.match(await api(addr, 'tok-prod', '').version(ctx()), /^fluxrpc-demo-/);
    const [prod] = hub.registry.list().filter((s) => s.instance === 'prod');
    assert.equal(prod!.connected, true);
    assert.equal(prod!.protocol, 11);
    assert.match(prod!.userAgent!, /^fluxrpc\//);
  });

  test('a missing or unknown token gets 401: no upgrade, no API', async () => {
    for (const headers of [{}, { Authorization: 'Scope-Probe token=nope' }, { Authorization: 'Bearer tok-prod' }] as Record<string, string>[]) {
      await assert.rejects(dialWebSocket(`ws://127.0.0.1:${addr.port}/v11/daemon`, { headers }), (e: unknown) => e instanceof DialError && e.status === 401);
    }
    await assert.rejects(api(addr, 'nope').ping(ctx()), UnauthorizedError);
    assert.equal(await sampleValue(hub.metrics.rejectedRegistrations, { status: '401' }), 3);
  });

  test('registration routes: unknown versions are 404, plain GETs 400, both only after the token check', async () => {
    const auth = { Authorization: 'Scope-Probe token=tok-prod' };
    await assert.rejects(dialWebSocket(`ws://127.0.0.1:${addr.port}/v12/daemon`, { headers: auth }), (e: unknown) => e instanceof DialError && e.status === 404);
    await assert.rejects(dialWebSocket(`ws://127.0.0.1:${addr.port}/api/flux/v5/daemon`, { headers: auth }), (e: unknown) => e instanceof DialError && e.status === 404);
    assert.equal((await fetch(`${addr.url}/v11/daemon`, { headers: auth })).status, 400);
    assert.equal((await fetch(`${addr.url}/v11/daemon`)).status, 401);
  });

  test('an instance without a daemon is unavailable at once', async () => {
    await assert.rejects(api(addr, 'tok-dev').listServices(ctx(), ''), (e: unknown) => e instanceof FluxError && e.type === 'user' && e.message === 'no daemon is connected for instance dev' && /Cannot contact Flux daemon/.test(e.help));
  });

  test('events posted by the daemon are stored per instance, listed, and shown on the status page', async () => {
    const c = connector(addr);
    const event: FluxEvent = decodeEvent({ id: 0, serviceIDs: ['default:deployment/podinfo'], type: 'other', startedAt: '2024-01-02T03:04:05Z', endedAt: '2024-01-02T03:04:05Z', logLevel: 'info', message: 'hello <b>world</b>' });
    await c.logEvent(encodeEvent(event));
    const res = await fetch(`${addr.url}/api/flux/v6/events`, { headers: { Authorization: 'Scope-Probe token=tok-prod' } });
    assert.equal(res.status, 200);
    const listed = (await res.json()) as { message: string }[];
    assert.equal(listed[0]!.message, 'hello <b>world</b>');
    const devEvents = await (await fetch(`${addr.url}/v6/events`, { headers: { Authorization: 'Scope-Probe token=tok-dev' } })).json();
    assert.deepEqual(devEvents, []);
    const page = await (await fetch(addr.url + '/')).text();
    assert.match(page, /hello &lt;b&gt;world&lt;\/b&gt;/);
    assert.doesNotMatch(page, /tok-prod|tok-dev/);
    const bad = await fetch(`${addr.url}/v6/events`, { method: 'POST', headers: { Authorization: 'Scope-Probe token=tok-prod' }, body: '{"type":""}' });
    assert.equal(bad.status, 400);
    const anon = await fetch(`${addr.url}/v6/events`, { method: 'POST', body: '{}' });
    assert.equal(anon.status, 401);
  });

  test('requests with an Upgrade header that are no daemon registration are served as plain HTTP, then closed', async () => {
    const health = await rawExchange(addr, `GET /healthz HTTP/1.1\r\nHost: hub\r\n${H2C}\r\n`);
    assert.match(health, /^HTTP\/1\.1 200 OK\r\n/);
    assert.match(health, /\r\nConnection: close\r\n/i);
    assert.ok(health.endsWith('\r\n\r\nok\n'), health);
    // A websocket upgrade of a path that is not a registration route is no registration either.
    assert.match(await rawExchange(addr, `GET /healthz HTTP/1.1\r\nHost: hub\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n`), /^HTTP\/1\.1 200 OK\r\n[^]*\r\n\r\nok\n$/);
    // An API route with a body (curl --http2 -d … offers h2c and waits for 100 Continue).
    const event = '{"type":"other","message":"via h2c offer","serviceIDs":["default:deployment/podinfo"]}';
    const posted = await rawExchange(
      addr,
      `POST /api/flux/v6/events HTTP/1.1\r\nHost: hub\r\nAuthorization: Scope-Probe token=tok-dev\r\n${H2C}Expect: 100-continue\r\nContent-Length: ${event.length}\r\n\r\n`,
      event,
    );
    assert.match(posted, /^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 204 No Content\r\n/);
    const listed = await rawExchange(addr, `GET /v6/events HTTP/1.1\r\nHost: hub\r\nAuthorization: Scope-Probe token=tok-dev\r\n${H2C}\r\n`);
    assert.match(listed, /^HTTP\/1\.1 200 OK\r\n/);
    assert.match(listed, /"message":"via h2c offer"/);
    // A registration route without a websocket upgrade: gorilla's 400, after the token check.
    assert.match(await rawExchange(addr, `GET /v11/daemon HTTP/1.1\r\nHost: hub\r\n${H2C}\r\n`), /^HTTP\/1\.1 401 /);
    const plain = await rawExchange(addr, `GET /v11/daemon HTTP/1.1\r\nHost: hub\r\nAuthorization: Scope-Probe token=tok-dev\r\n${H2C}\r\n`);
    assert.match(plain, /^HTTP\/1\.1 400 Bad Request\r\n[^]*Sec-Websocket-Version: 13\r\n[^]*\r\n\r\nBad Request\n$/i);
    // A chunked body cannot be read there: 411.
    assert.match(await rawExchange(addr, `POST /v6/events HTTP/1.1\r\nHost: hub\r\n${H2C}Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n`), /^HTTP\/1\.1 411 Length Required\r\n/);
  });

  test('events are capped in size; the status page cuts long messages', async () => {
    const auth = { Authorization: 'Scope-Probe token=tok-dev' };
    const big = JSON.stringify({ type: 'other', message: 'x'.repeat(DEFAULT_MAX_EVENT_BYTES) });
    const tooBig = await fetch(`${addr.url}/v6/events`, { method: 'POST', headers: auth, body: big });
    assert.equal(tooBig.status, 413);
    assert.equal(await tooBig.text(), `event too large: the hub accepts events of at most ${DEFAULT_MAX_EVENT_BYTES} bytes`);
    assert.equal(DEFAULT_MAX_EVENT_BYTES, 64 * 1024);
    const long = await fetch(`${addr.url}/v6/events`, { method: 'POST', headers: auth, body: JSON.stringify({ type: 'other', message: 'y'.repeat(1000) }) });
    assert.equal(long.status, 204);
    const page = await (await fetch(addr.url + '/')).text();
    assert.ok(page.includes(`<td>${'y'.repeat(300)}…[cut: 1000 characters in all]</td>`), 'cut to 300 characters');
    assert.ok(!page.includes('y'.repeat(301)));
    const listed = (await (await fetch(`${addr.url}/v6/events`, { headers: auth })).json()) as { message: string }[];
    assert.equal(listed[0]!.message, 'y'.repeat(1000), 'the API has the whole message');
  });

  test('/healthz, /metrics and the status page', async () => {
    assert.equal(await (await fetch(addr.url + '/healthz')).text(), 'ok\n');
    const metrics = await (await fetch(addr.url + '/metrics')).text();
    const res = await fetch(addr.url + '/metrics');
    assert.equal(res.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
    assert.match(metrics, /^fluxrpc_hub_request_duration_seconds_bucket\{le="\+Inf",method="ListServicesWithOptions",outcome="ok"\} [1-9]/m);
    assert.match(metrics, /^fluxrpc_hub_connected_daemons [0-9]+$/m);
    for (const name of ['fluxrpc_hub_kicks_total', 'fluxrpc_hub_fatal_disconnects_total', 'fluxrpc_hub_connection_duration_seconds', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds']) assert.match(metrics, new RegExp(`# TYPE ${name} `));
    const page = await (await fetch(addr.url + '/')).text();
    assert.match(page, /<tr data-instance="prod" data-connected="true"><td>prod<\/td><td><span class="ok">connected<\/span><\/td><td>v11<\/td>/);
    assert.match(page, /<tr data-instance="dev" data-connected="false">/);
  });
});

describe('hub: versions, kicks, deprecation, timeouts, restarts', { timeout: 30_000 }, () => {
  for (const protocol of [6, 7, 8, 9, 10, 11] as ProtocolVersion[]) {
    test(`protocol ${protocol}: the route picks the client version, and the API works through it`, async () => {
      const { hub, addr } = await startHub();
      // Registration routes are served at the root and under /api/flux.
      const c = connector(addr, { protocol, url: protocol % 2 === 0 ? addr.url : `${addr.url}/api/flux` });
      await connected(hub, c);
      assert.equal(hub.registry.list().find((s) => s.instance === 'prod')!.protocol, protocol);
      const services = await api(addr).listServices(ctx(), 'default');
      assert.deepEqual(services!.map((s) => s.id.toString()), ['default:deployment/podinfo', 'default:deployment/helloworld']);
      // NotifyChange exists from V9 on; older clients refuse it without asking the daemon.
      const notify = api(addr).notifyChange(ctx(), { kind: 'git', source: { url: 'x', branch: 'main' } });
      if (protocol >= 9) await notify;
      else await assert.rejects(notify, /NotifyChange method not implemented/);
      await c.close();
    });
  }

  test('a second connection for the same instance kicks the first', async () => {
    const { hub, addr } = await startHub();
    const first = connector(addr, { backoff: { initialMs: 3_600_000, maxMs: 3_600_000, jitter: 0 } });
    await connected(hub, first);
    const firstGone = first.next('disconnected');
    const second = connector(addr, { userAgent: 'second' });
    const secondUp = second.next('connected');
    second.start();
    await Promise.all([firstGone, secondUp]);
    assert.equal(await sampleValue(hub.metrics.kicks), 1);
    while (hub.registry.list().find((s) => s.instance === 'prod')!.userAgent !== 'second') await new Promise((r) => setImmediate(r));
    await api(addr).ping(ctx());
    assert.equal(hub.registry.isConnected('prod'), true);
  });

  test('protocols below the hub\'s minimum get 410 and the connector stops', async () => {
    const { addr } = await startHub({ minProtocol: 8 });
    const c = connector(addr, { protocol: 7 });
    c.start();
    assert.ok((await c.closed) instanceof DeprecatedError);
  });

  test('a call that exceeds the call timeout disconnects the daemon, which comes back', async () => {
    const { hub, addr } = await startHub({ callTimeoutMs: 100 });
    const demo = new DemoCluster();
    const slow: DaemonImplementation = Object.assign(Object.create(demo) as DemoCluster, {
      export: (c: { signal: AbortSignal }) => new Promise<never>((_r, reject) => c.signal.addEventListener('abort', () => reject(c.signal.reason), { once: true })),
    });
    const c = connector(addr, { implementation: slow, rpcTimeoutMs: 60_000 });
    await connected(hub, c);
    const dropped = c.next('disconnected');
    await assert.rejects(api(addr).export(ctx()), /Export call timed out after 100 ms/);
    await dropped;
    assert.equal(await sampleValue(hub.metrics.fatalDisconnects, { reason: 'timeout' }), 1);
    await c.next('connected');
    while (!hub.registry.isConnected('prod')) await new Promise((r) => setImmediate(r));
    await api(addr).ping(ctx());
  });

  test('the connector reconnects after the hub restarts', async () => {
    const first = await startHub();
    const c = connector(first.addr);
    await connected(first.hub, c);
    const events: string[] = [];
    c.subscribe((e) => events.push(e.type));
    const back = new Promise<void>((resolve) => c.subscribe((e) => e.type === 'dial-failed' && resolve()));
    await first.hub.close();
    await back; // the hub is down: dials fail
    const second = await startHub({}, first.addr.port);
    while (!second.hub.registry.isConnected('prod')) await new Promise((r) => setTimeout(r, 5));
    await api(second.addr).ping(ctx());
    assert.deepEqual(events.slice(0, 4), ['disconnected', 'waiting', 'connecting', 'dial-failed']);
    assert.equal(events.at(-1), 'connected');
  });
});

test('a request hook answers before the hub routes, or leaves the request to them; extra metrics are appended', async () => {
  const { hub, addr } = await startHub({ extraMetrics: { metrics: async () => '# TYPE extra_total counter\nextra_total 3\n' } });
  hub.requestHook = async (req, res) => {
    if (req.url !== '/') return false;
    res.writeHead(200, { 'Content-Type': 'text/plain' }).end('hooked');
    return true;
  };
  assert.equal(await (await fetch(addr.url + '/')).text(), 'hooked');
  assert.equal(await (await fetch(addr.url + '/healthz')).text(), 'ok\n');
  const metrics = await (await fetch(addr.url + '/metrics')).text();
  assert.match(metrics, /fluxrpc_hub_connected_daemons 0\n/);
  assert.match(metrics, /\nextra_total 3\n$/);
});

test("refusals are counted by reason; the dashboard's 401s and 503s are neither the API's nor the budget's, and have log throttles of their own", async () => {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({ level: 'debug', write: (l) => lines.push(JSON.parse(l) as Record<string, unknown>) });
  const { hub, addr } = await startHub({ logger, logIntervalMs: 600_000 });
  // Answers as the dashboard does: /live with 503 (too many live streams), a failed sign-in with 401.
  hub.requestHook = async (req, res) => {
    await Promise.resolve();
    if (req.url === '/live') return res.writeHead(503, { 'Retry-After': '30' }).end('too many live streams\n'), true;
    if (req.url === '/login') return res.writeHead(401).end('Wrong user name or password.\n'), true;
    return false;
  };
  for (let i = 0; i < 3; i++) {
    assert.equal((await fetch(addr.url + '/live')).status, 503);
    assert.equal((await fetch(addr.url + '/login', { method: 'POST' })).status, 401);
    await assert.rejects(api(addr, 'no-such-token').ping(ctx()), UnauthorizedError);
  }
  const refused = (reason: string) => sampleValue(hub.metrics.refusedRequests, { reason });
  // (A response is counted when it has finished, which the client may see a moment before.)
  while ((await refused('token')) + (await refused('dashboard_sign_in')) + (await refused('dashboard_busy')) < 9) await new Promise((r) => setTimeout(r, 2));
  assert.equal(await refused('token'), 3);
  assert.equal(await refused('dashboard_sign_in'), 3);
  assert.equal(await refused('dashboard_busy'), 3);
  assert.equal(await refused('budget'), 0);
  assert.equal(await sampleValue(hub.metrics.budgetRefusals, { kind: 'api' }), 0, 'the dashboard\'s 503 is no budget refusal');
  const logged = lines.filter((l) => l['msg'] === 'request refused');
  assert.deepEqual(logged.map((l) => l['reason']).sort(), ['dashboard_busy', 'dashboard_sign_in', 'token'], 'one line per kind: the dashboard\'s 401 does not silence the API\'s');
  assert.equal(await sampleValue(hub.metrics.suppressedLogLines, { reason: 'request_401' }), 2);
  assert.equal(await sampleValue(hub.metrics.suppressedLogLines, { reason: 'dashboard_401' }), 2);
  assert.equal(await sampleValue(hub.metrics.suppressedLogLines, { reason: 'dashboard_503' }), 2);
  assert.equal(await sampleValue(hub.metrics.suppressedLogLines, { reason: 'request_503' }), 0);
  assert.match(await (await fetch(addr.url + '/metrics')).text(), /^fluxrpc_hub_refused_requests_total\{reason="token"\} 3$/m);
});
