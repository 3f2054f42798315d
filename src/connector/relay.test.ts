/**
 * Relay mode in one process: hub ← connector (relay) → a fluxd-like HTTP API (our handler over the
 * demo cluster). Every call made at the hub is answered by the "fluxd" behind the relay; when that
 * fluxd cannot be reached, callers get flux's "unavailable" error without its address.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { FluxError } from '../flux/model/index.js';
import { unavailableHelp } from '../flux/model/flux-error-help.js';
import { FluxHttpError } from '../http/errors.js';
import { createFluxHttpHandler } from '../http/api-handler.js';
import { FluxHttpClient } from '../http/client.js';
import { DemoCluster } from '../demo/cluster.js';
import { Hub } from '../hub/hub.js';
import { DaemonConnector } from './connector.js';
import type { Logger, LogFields } from '../runtime/log.js';
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
    await assert.rejects(api.jobStatus(ctx, 'nope'), (e: unknown) => e instanceof FluxError && e.type === 'missing' && e.message === 'unknown job "nope"');
    assert.deepEqual(seen, ['GET /api/flux/v11/services?namespace=shop&services=', 'GET /api/flux/v6/jobs?id=nope']);
  } finally {
    await c.close();
    await hub.close();
    fluxd.close();
  }
});

/** A logger that keeps what it is given. */
function recordingLogger(lines: { level: string; msg: string; fields: LogFields }[], base: LogFields = {}): Logger {
  const at = (level: string) => (msg: string, fields: LogFields = {}) => void lines.push({ level, msg, fields: { ...base, ...fields } });
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: (fields) => recordingLogger(lines, { ...base, ...fields }) };
}

/** A hub with a relay connector in front of `fluxdUrl`; `api` calls the hub as fluxctl would. */
async function relayThroughHub(fluxdUrl: string, logger: Logger, timeoutMs?: number) {
  const hub = new Hub({ tokens: new Map([['t', 'prod']]) });
  const addr = await hub.listen(0);
  const c = new DaemonConnector({ url: addr.url, token: 't', implementation: relayTo({ fluxdUrl, logger, timeoutMs }) });
  const up = c.next('connected');
  c.start();
  await up;
  while (!hub.registry.isConnected('prod')) await new Promise((r) => setImmediate(r));
  return {
    api: new FluxHttpClient({ baseUrl: addr.url + '/api/flux', token: 't' }),
    close: async () => {
      await c.close();
      await hub.close();
    },
  };
}

/** A loopback port nothing listens on (taken, then released). */
async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

describe('fluxd down behind the relay', { timeout: 20_000 }, () => {
  test("callers get flux's UnavailableError without fluxd's address; the daemon side logs it", async () => {
    const port = await closedPort();
    const lines: { level: string; msg: string; fields: LogFields }[] = [];
    const { api, close } = await relayThroughHub(`http://127.0.0.1:${port}/api/flux`, recordingLogger(lines));
    try {
      const ctx = { signal: AbortSignal.timeout(10_000) };
      // Methods whose replies carry a Flux error get flux's UnavailableError; Ping and Version
      // replies cannot carry one (in Go's protocol too), so theirs is the same text as a plain error.
      for (const [call, help] of [
        [() => api.listServices(ctx, ''), unavailableHelp()],
        [() => api.syncStatus(ctx, 'HEAD'), unavailableHelp()],
        [() => api.ping(ctx), /^Error: cannot reach the Flux daemon \(fluxd\) behind the relay: connection refused\n\nWe don't have a specific help message/],
      ] as const) {
        await assert.rejects(call(), (e: unknown) => {
          assert.ok(e instanceof FluxHttpError, String(e));
          assert.deepEqual([e.status, e.type, e.message], [422, 'user', 'cannot reach the Flux daemon (fluxd) behind the relay: connection refused']);
          if (typeof help === 'string') assert.equal(e.help, help);
          else assert.match(e.help, help);
          assert.doesNotMatch(e.message + e.help, new RegExp(`127\\.0\\.0\\.1|${port}|ECONNREFUSED`));
          return true;
        });
      }
      const logged = lines.filter((l) => l.msg === 'fluxd cannot be reached');
      assert.equal(logged.length, 3);
      assert.deepEqual({ ...logged[0]!.fields, error: undefined }, { component: 'relay', method: 'ListServicesWithOptions', fluxd: `http://127.0.0.1:${port}/api/flux`, reason: 'connection refused', error: undefined });
      assert.match(String(logged[0]!.fields.error), new RegExp(`ECONNREFUSED 127\\.0\\.0\\.1:${port}`));
    } finally {
      await close();
    }
  });

  test('a fluxd that accepts but never answers: unavailable once the relay\'s timeout passes', async () => {
    const silent = http.createServer(() => undefined); // reads requests, never replies
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const { port } = silent.address() as AddressInfo;
    const lines: { level: string; msg: string; fields: LogFields }[] = [];
    const { api, close } = await relayThroughHub(`http://127.0.0.1:${port}`, recordingLogger(lines), 200);
    try {
      await assert.rejects(api.jobStatus({ signal: AbortSignal.timeout(10_000) }, 'j1'), (e: unknown) => {
        assert.ok(e instanceof FluxHttpError, String(e));
        assert.deepEqual([e.status, e.type, e.message, e.help], [422, 'user', 'cannot reach the Flux daemon (fluxd) behind the relay: no reply within 200 ms', unavailableHelp()]);
        assert.doesNotMatch(e.message + e.help, new RegExp(`127\\.0\\.0\\.1|${port}`));
        return true;
      });
      assert.equal(lines[0]?.fields.fluxd, `http://127.0.0.1:${port}/api/flux`);
    } finally {
      await close();
      silent.closeAllConnections();
      silent.close();
    }
  });
});
