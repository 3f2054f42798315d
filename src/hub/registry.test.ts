import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { CallContext, FluxApi } from '../flux/api.js';
import { controllerStatus, FatalError, FluxError, ResourceId, UnavailableError } from '../flux/model/index.js';
import { ServerError } from '../rpc/errors.js';
import { createLogger } from '../runtime/log.js';
import { DaemonRegistry, type DaemonClient } from './registry.js';
import { hubMetrics } from './metrics.js';

/** A daemon client whose methods are scripted; `close()` resolves `closed`. */
function fakeClient(methods: Partial<Record<keyof FluxApi, (ctx: CallContext, ...a: unknown[]) => Promise<unknown>>> = {}) {
  let resolveClosed!: (e: Error) => void;
  const closed = new Promise<Error>((r) => (resolveClosed = r));
  const calls: string[] = [];
  let closes = 0;
  const client = new Proxy(
    {},
    {
      get(_t, key: string) {
        if (key === 'closed') return closed;
        if (key === 'close') return () => (closes++, resolveClosed(new Error('connection is shut down')));
        if (key === 'then') return undefined;
        return (ctx: CallContext, ...a: unknown[]) => {
          calls.push(key);
          const m = methods[key as keyof FluxApi];
          return m ? m(ctx, ...a) : Promise.resolve(`${key}-ok`);
        };
      },
    },
  ) as DaemonClient;
  return { client, calls, closes: () => closes, end: (e: Error) => resolveClosed(e) };
}

const info = (protocol: 6 | 11 = 11) => ({ protocol, remote: '127.0.0.1:1', userAgent: 'fluxd/test' });
const ctx = () => ({ signal: new AbortController().signal });

describe('DaemonRegistry', { timeout: 10_000 }, () => {
  test('calls to an instance without a daemon fail at once with UnavailableError', async () => {
    const metrics = hubMetrics();
    const r = new DaemonRegistry({ metrics });
    await assert.rejects(r.api('prod').listServices(ctx(), ''), (e: unknown) => e instanceof UnavailableError && /no daemon is connected for instance prod/.test(e.message));
    assert.equal(metrics.requestDuration.count({ method: 'ListServices', outcome: 'unavailable' }), 1);
  });

  test('calls reach the connected daemon; results and errors pass through, classified in metrics', async () => {
    const metrics = hubMetrics();
    const r = new DaemonRegistry({ metrics });
    const d = fakeClient({
      syncStatus: async () => {
        throw new FluxError('missing', 'help', 'no such ref');
      },
      jobStatus: async () => {
        throw new ServerError('rpc: can\'t find method');
      },
    });
    r.register('prod', d.client, info());
    assert.equal(await r.api('prod').version(ctx()), 'version-ok');
    await assert.rejects(r.api('prod').syncStatus(ctx(), 'HEAD'), FluxError);
    await assert.rejects(r.api('prod').jobStatus(ctx(), 'x'), ServerError);
    assert.deepEqual(d.calls, ['version', 'syncStatus', 'jobStatus']);
    assert.equal(metrics.requestDuration.count({ method: 'Version', outcome: 'ok' }), 1);
    assert.equal(metrics.requestDuration.count({ method: 'SyncStatus', outcome: 'application_error' }), 1);
    assert.equal(metrics.requestDuration.count({ method: 'JobStatus', outcome: 'server_error' }), 1);
    assert.equal(r.isConnected('prod'), true, 'non-fatal errors keep the daemon');
  });

  test('a new connection for the instance kicks the old one', async () => {
    const metrics = hubMetrics();
    const r = new DaemonRegistry({ metrics });
    const a = fakeClient();
    const b = fakeClient();
    r.register('prod', a.client, info(6));
    r.register('prod', b.client, { ...info(11), remote: '127.0.0.1:2' });
    assert.equal(a.closes(), 1);
    assert.equal(b.closes(), 0);
    await r.api('prod').ping(ctx());
    assert.deepEqual([a.calls, b.calls], [[], ['ping']]);
    assert.equal(metrics.kicks.get({ instance: 'prod' }), 1);
    assert.equal(metrics.connectedDaemons.get(), 1);
    const [st] = r.list();
    assert.equal(st!.protocol, 11);
    assert.equal(st!.lastError, undefined, 'the kick is no error of the connected instance');
    // The old connection's end, arriving late, does not disturb the new one.
    await new Promise((r) => setImmediate(r));
    assert.equal(r.isConnected('prod'), true);
    assert.equal(r.list()[0]!.lastError, undefined);
  });

  test('calls in flight on a kicked connection fail without counting or logging a fatal disconnect', async () => {
    const metrics = hubMetrics();
    const lines: string[] = [];
    const r = new DaemonRegistry({ metrics, logger: createLogger({ write: (l) => lines.push(l) }) });
    const a = fakeClient({
      // As the RPC client does: closing the connection fails the calls in flight.
      export: () =>
        a.client.closed.then(() => {
          throw new FatalError(new Error('connection is shut down'));
        }),
    });
    const b = fakeClient();
    r.register('prod', a.client, info());
    const inFlight = r.api('prod').export(ctx());
    r.register('prod', b.client, { ...info(), remote: '127.0.0.1:2' });
    await assert.rejects(inFlight, (e: unknown) => e instanceof UnavailableError && e.message === "the daemon's connection was closed: replaced by a newer connection from 127.0.0.1:2");
    assert.equal(metrics.fatalDisconnects.get({ instance: 'prod', reason: 'fatal' }), 0);
    assert.equal(metrics.requestDuration.count({ method: 'Export', outcome: 'fatal' }), 1);
    assert.equal(r.isConnected('prod'), true);
    assert.equal(b.closes(), 0);
    assert.equal(r.list()[0]!.lastError, undefined);
    assert.deepEqual(lines.map((l) => JSON.parse(l).msg), ['daemon connected', 'daemon disconnected by the hub', 'daemon connected']);
    assert.ok(!lines.some((l) => /fatal/.test(l)), lines.join('\n'));
  });

  test('a fatal error that ended the connection before the call saw it still counts as a fatal disconnect', async () => {
    const metrics = hubMetrics();
    const r = new DaemonRegistry({ metrics });
    const d = fakeClient({
      // As the RPC client does with an undecodable reply: it closes the connection, then the call fails.
      listServices: async () => {
        d.end(new Error('reading body json: cannot unmarshal object'));
        await new Promise((res) => setImmediate(res));
        throw new FatalError(new Error('reading body json: cannot unmarshal object'));
      },
    });
    r.register('prod', d.client, info());
    await assert.rejects(r.api('prod').listServices(ctx(), ''), (e: unknown) => e instanceof UnavailableError && e.message === 'reading body json: cannot unmarshal object');
    assert.equal(metrics.fatalDisconnects.get({ instance: 'prod', reason: 'fatal' }), 1);
    assert.equal(r.isConnected('prod'), false);
  });

  test('whenConnected resolves at the registration (at once when connected)', async () => {
    const r = new DaemonRegistry();
    const seen: string[] = [];
    const waiting = r.whenConnected('prod').then(() => seen.push('prod up'));
    r.register('dev', fakeClient().client, info());
    await new Promise((res) => setImmediate(res));
    assert.deepEqual(seen, []);
    r.register('prod', fakeClient().client, info());
    await waiting;
    await r.whenConnected('prod');
    assert.deepEqual(seen, ['prod up']);
  });

  test('call timeouts beyond a Node timer are refused', () => {
    assert.throws(() => new DaemonRegistry({ callTimeoutMs: 2 ** 31 }), RangeError);
    assert.throws(() => new DaemonRegistry({ callTimeoutMs: 600 * 3_600_000 }), /at most 2147483647/);
    new DaemonRegistry({ callTimeoutMs: 2 ** 31 - 1 });
  });

  test('a fatal error disconnects the daemon; the caller is told it is unavailable', async () => {
    const metrics = hubMetrics();
    const r = new DaemonRegistry({ metrics });
    const d = fakeClient({
      listServices: async () => {
        throw new FatalError(new Error('reading body json: cannot unmarshal object'));
      },
    });
    r.register('prod', d.client, info());
    await assert.rejects(r.api('prod').listServices(ctx(), ''), (e: unknown) => e instanceof UnavailableError && e.message === 'reading body json: cannot unmarshal object');
    assert.equal(r.isConnected('prod'), false);
    assert.equal(d.closes(), 1);
    assert.equal(metrics.fatalDisconnects.get({ instance: 'prod', reason: 'fatal' }), 1);
    assert.equal(metrics.connectedDaemons.get(), 0);
    await assert.rejects(r.api('prod').ping(ctx()), UnavailableError);
  });

  test('a call that outlives the call timeout disconnects the daemon', async () => {
    const metrics = hubMetrics();
    const r = new DaemonRegistry({ metrics, callTimeoutMs: 20 });
    const d = fakeClient({
      export: (c) => new Promise((_res, rej) => c.signal.addEventListener('abort', () => rej(c.signal.reason), { once: true })),
    });
    r.register('prod', d.client, info());
    await assert.rejects(r.api('prod').export(ctx()), (e: unknown) => e instanceof UnavailableError && /Export call timed out after 20 ms/.test(e.message));
    assert.equal(r.isConnected('prod'), false);
    assert.equal(metrics.fatalDisconnects.get({ instance: 'prod', reason: 'timeout' }), 1);
  });

  test('a caller that gives up does not disconnect the daemon', async () => {
    const r = new DaemonRegistry({ callTimeoutMs: 60_000 });
    const d = fakeClient({
      export: (c) => new Promise((_res, rej) => c.signal.addEventListener('abort', () => rej(c.signal.reason), { once: true })),
    });
    r.register('prod', d.client, info());
    const ac = new AbortController();
    const p = r.api('prod').export({ signal: ac.signal });
    ac.abort(new Error('client went away'));
    await assert.rejects(p, /client went away/);
    assert.equal(r.isConnected('prod'), true);
  });

  test('a daemon without ListServicesWithOptions (Go v1.25.4) gets it emulated with ListServices', async () => {
    const listed: string[] = [];
    const d = fakeClient({
      listServicesWithOptions: async () => {
        throw new ServerError("rpc: can't find method RPCServer.ListServicesWithOptions");
      },
      listServices: async (_c, ns) => {
        listed.push(String(ns));
        return [controllerStatus({ id: ResourceId.parse('default:deployment/a') }), controllerStatus({ id: ResourceId.parse('default:deployment/b') })];
      },
    });
    const r = new DaemonRegistry();
    r.register('prod', d.client, info());
    const only = await r.api('prod').listServicesWithOptions(ctx(), { namespace: '', services: [ResourceId.parse('default:deployment/b')] });
    assert.deepEqual(only!.map((s) => s.id.toString()), ['default:deployment/b']);
    const all = await r.api('prod').listServicesWithOptions(ctx(), { namespace: 'default', services: null });
    assert.equal(all!.length, 2);
    // Asked once; from then on the emulation is used directly.
    assert.deepEqual(d.calls, ['listServicesWithOptions', 'listServices', 'listServices']);
    assert.deepEqual(listed, ['', 'default']);
  });

  test('a daemon that goes away is shown as not connected, with why', async () => {
    const r = new DaemonRegistry();
    r.declare('idle');
    const d = fakeClient();
    r.register('prod', d.client, info());
    d.end(new Error('unexpected EOF'));
    await new Promise((res) => setImmediate(res));
    assert.deepEqual(
      r.list().map((s) => [s.instance, s.connected, s.lastError]),
      [
        ['idle', false, undefined],
        ['prod', false, 'connection ended: the daemon closed the connection'],
      ],
    );
  });
});

test('subscribers hear of each connect, kick and disconnect, with the status after the change', async () => {
  const r = new DaemonRegistry();
  const seen: string[] = [];
  const stop = r.subscribe((s) => seen.push(`${s.instance}:${s.connected}:${s.connections}`));
  r.subscribe(() => {
    throw new Error('a broken listener changes nothing');
  });
  const a = fakeClient();
  const b = fakeClient();
  r.register('prod', a.client, info());
  r.register('prod', b.client, info()); // kicks a: only the new connection counts
  b.end(new Error('unexpected EOF'));
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(seen, ['prod:true:1', 'prod:true:2', 'prod:false:2']);
  stop();
  r.register('prod', fakeClient().client, info());
  assert.equal(seen.length, 3);
  assert.ok(r.isConnected('prod'));
});
