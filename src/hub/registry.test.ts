import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { CallContext, FluxApi } from '../flux/api.js';
import { controllerStatus, FatalError, FluxError, ResourceId, UnavailableError } from '../flux/model/index.js';
import { DeadlineExceededError, ServerError } from '../rpc/errors.js';
import { createLogger } from '../runtime/log.js';
import { MAX_KEPT_TEXT } from '../runtime/text.js';
import { DaemonRegistry, MAX_RELAYED_ERROR_TEXT, type DaemonClient } from './registry.js';
import { hubMetrics, observations, sampleValue } from './metrics.js';

/**
 * What a DaemonClient must do besides the method's own work: reject with `DeadlineExceededError`
 * once `ctx.deadline` passes (as the RPC client does).
 */
function honourDeadline<T>(ctx: CallContext, work: Promise<T>): Promise<T> {
  if (ctx.deadline === undefined) return work;
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_res, rej) => (timer = setTimeout(() => rej(new DeadlineExceededError()), Math.max(0, ctx.deadline! - Date.now()))));
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}

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
        if (key === 'then' || key === 'onceClosed') return undefined;
        return (ctx: CallContext, ...a: unknown[]) => {
          calls.push(key);
          const m = methods[key as keyof FluxApi];
          return honourDeadline(ctx, m ? m(ctx, ...a) : Promise.resolve(`${key}-ok`));
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
    assert.equal(await observations(metrics.requestDuration, { method: 'ListServices', outcome: 'unavailable' }), 1);
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
    assert.equal(await observations(metrics.requestDuration, { method: 'Version', outcome: 'ok' }), 1);
    assert.equal(await observations(metrics.requestDuration, { method: 'SyncStatus', outcome: 'application_error' }), 1);
    assert.equal(await observations(metrics.requestDuration, { method: 'JobStatus', outcome: 'server_error' }), 1);
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
    assert.equal(await sampleValue(metrics.kicks), 1);
    assert.equal(await sampleValue(metrics.connectedDaemons), 1);
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
    assert.equal(await sampleValue(metrics.fatalDisconnects, { reason: 'fatal' }), 0);
    assert.equal(await observations(metrics.requestDuration, { method: 'Export', outcome: 'fatal' }), 1);
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
    assert.equal(await sampleValue(metrics.fatalDisconnects, { reason: 'fatal' }), 1);
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
    assert.equal(await sampleValue(metrics.fatalDisconnects, { reason: 'fatal' }), 1);
    assert.equal(await sampleValue(metrics.connectedDaemons), 0);
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
    assert.equal(await sampleValue(metrics.fatalDisconnects, { reason: 'timeout' }), 1);
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

  test('whenConnected with a signal rejects with its reason, at once when already aborted, and forgets the waiter', async () => {
    const r = new DaemonRegistry();
    const ac = new AbortController();
    const waiting = r.whenConnected('prod', ac.signal);
    const reason = new Error('gave up waiting');
    ac.abort(reason);
    await assert.rejects(waiting, (e: unknown) => e === reason);
    await assert.rejects(r.whenConnected('prod', AbortSignal.abort(reason)), (e: unknown) => e === reason);
    // A waiter that stays resolves at the registration; the aborted one is gone.
    const stays = r.whenConnected('prod', new AbortController().signal);
    r.register('prod', fakeClient().client, info());
    await stays;
    assert.equal(await r.whenConnected('prod', AbortSignal.abort(reason)).then(() => 'resolved'), 'resolved', 'connected: resolves even with an aborted signal');
  });

  test('each connection is accounted for once, however it ends (state: open → closed by the hub | ended)', async () => {
    const metrics = hubMetrics({ processMetrics: false });
    const r = new DaemonRegistry({ metrics });
    const a = fakeClient();
    const b = fakeClient();
    const c = fakeClient({ export: async () => Promise.reject(new FatalError(new Error('reading body: bad'))) });
    r.register('prod', a.client, info());
    r.register('prod', b.client, info()); // kicks a (closed by the hub), whose client then ends too
    b.end(new Error('unexpected EOF')); // b ends by itself
    await new Promise((res) => setImmediate(res));
    r.register('prod', c.client, info());
    await assert.rejects(r.api('prod').export(ctx()), UnavailableError); // c: closed by the hub after a fatal error
    c.end(new Error('reading body: bad')); // and its end arrives late
    r.closeAll(); // nothing open: nothing to do
    await new Promise((res) => setImmediate(res));
    assert.equal(await observations(metrics.connectionDuration, { protocol: '11' }), 3, 'one observation per connection');
    assert.equal(await sampleValue(metrics.connectedDaemons), 0);
    assert.deepEqual([a.closes(), b.closes(), c.closes()], [1, 0, 1]);
  });

  test('disconnection texts say it once: the reason is a cause, the last error and the log line frame it', async () => {
    const lines: Record<string, unknown>[] = [];
    const r = new DaemonRegistry({ callTimeoutMs: 20, logger: createLogger({ write: (l) => lines.push(JSON.parse(l)) }) });
    const d = fakeClient({
      export: (c) => new Promise((_res, rej) => c.signal.addEventListener('abort', () => rej(c.signal.reason), { once: true })),
    });
    r.register('prod', d.client, info());
    await assert.rejects(r.api('prod').export(ctx()), (e: unknown) => e instanceof UnavailableError && e.message === 'Export call timed out after 20 ms');
    assert.equal(r.list()[0]!.lastError, 'disconnected by the hub: Export call timed out after 20 ms');
    const line = lines.find((l) => l.msg === 'daemon disconnected by the hub')!;
    assert.equal(line.reason, 'Export call timed out after 20 ms');
    const f = fakeClient({ listServices: async () => Promise.reject(new FatalError(new Error('reading body json: bad'))) });
    r.register('prod', f.client, info());
    await assert.rejects(r.api('prod').listServices(ctx(), ''), UnavailableError);
    assert.equal(r.list()[0]!.lastError, 'disconnected by the hub: fatal error in ListServices: reading body json: bad');
    for (const text of [...lines.map((l) => `${l.msg} ${l.reason ?? ''}`), ...r.list().map((s) => s.lastError ?? '')]) {
      assert.doesNotMatch(text, /disconnected.*disconnected/, text);
    }
  });

  test('every registry log line names the instance and the connection', async () => {
    const lines: Record<string, unknown>[] = [];
    const r = new DaemonRegistry({ logger: createLogger({ level: 'debug', write: (l) => lines.push(JSON.parse(l)) }) });
    const d = fakeClient({ listServicesWithOptions: async () => Promise.reject(new ServerError("rpc: can't find method RPCServer.ListServicesWithOptions")), listServices: async () => [] });
    r.register('prod', d.client, info());
    await r.api('prod').listServicesWithOptions(ctx(), { namespace: '', services: null });
    r.register('prod', fakeClient().client, info()); // kick
    r.register('dev', fakeClient().client, info());
    r.closeAll();
    await new Promise((res) => setImmediate(res));
    assert.deepEqual(lines.map((l) => l.msg), [
      'daemon connected',
      'daemon lacks ListServicesWithOptions; emulating it with ListServices',
      'daemon disconnected by the hub',
      'daemon connected',
      'daemon connected',
      'daemon disconnected by the hub',
      'daemon disconnected by the hub',
    ]);
    for (const l of lines) {
      assert.match(String(l.instance), /^(prod|dev)$/, JSON.stringify(l));
      assert.equal(typeof l.connection, 'number', JSON.stringify(l));
    }
  });

  test("a daemon's huge texts are cut: last error, status, log line, and what an API caller gets (64 KiB)", async () => {
    const lines: string[] = [];
    const r = new DaemonRegistry({ logger: createLogger({ write: (l) => lines.push(l) }) });
    const huge = 'e'.repeat(5_000_000);
    const d = fakeClient({
      version: async () => Promise.reject(new ServerError(huge)),
      syncStatus: async () => Promise.reject(new FluxError('user', huge, huge)),
      ping: async () => Promise.reject(new FatalError(new Error(huge))),
    });
    r.register('prod', d.client, { protocol: 11, remote: 'r'.repeat(100_000), userAgent: 'u'.repeat(100_000) });
    // Assertions on lengths only: an assertion message quoting a 5 MB text would take minutes.
    const bounded = (s: string | undefined, max: number) => s !== undefined && s.length <= max + 100 && s.includes('…[cut: ');
    const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as Error);
    const server = await failure(r.api('prod').version(ctx()));
    assert.ok(server instanceof ServerError && bounded(server.message, MAX_RELAYED_ERROR_TEXT) && server.message.startsWith('eee'), `RPC error text of ${server?.message.length} characters`);
    const flux = await failure(r.api('prod').syncStatus(ctx(), 'HEAD'));
    assert.ok(flux instanceof FluxError && flux.type === 'user' && bounded(flux.message, MAX_RELAYED_ERROR_TEXT) && bounded(flux.help, MAX_RELAYED_ERROR_TEXT), `Flux error of ${flux?.message.length} characters`);
    const fatal = await failure(r.api('prod').ping(ctx()));
    assert.ok(fatal instanceof UnavailableError && bounded(fatal.message, MAX_RELAYED_ERROR_TEXT), `fatal error of ${fatal?.message.length} characters`);
    const [st] = r.list();
    assert.ok(bounded(st!.lastError, MAX_KEPT_TEXT), `last error of ${st!.lastError?.length} characters`);
    assert.ok(bounded(st!.remote, MAX_KEPT_TEXT), `remote of ${st!.remote?.length} characters`);
    assert.ok(bounded(st!.userAgent, MAX_KEPT_TEXT), `user agent of ${st!.userAgent?.length} characters`);
    assert.equal(MAX_RELAYED_ERROR_TEXT, 64 * 1024);
    for (const l of lines) assert.ok(l.length < 20_000, `a log line of ${l.length} characters`);
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

test('listeners that throw: the connection is registered, served and accounted for when it ends; the failures are logged; the other listeners are told', async () => {
  const metrics = hubMetrics();
  const lines: Record<string, unknown>[] = [];
  const r = new DaemonRegistry({ metrics, logger: createLogger({ level: 'debug', write: (l) => lines.push(JSON.parse(l) as Record<string, unknown>) }) });
  r.listen({
    connected() {
      throw new Error('connected listener broke');
    },
    disconnected() {
      throw new Error('disconnected listener broke');
    },
  });
  const told: string[] = [];
  r.listen({ connected: (i, c) => told.push(`connected ${i} ${c.id}`), disconnected: (i, id) => told.push(`disconnected ${i} ${id}`) });
  r.subscribe(() => {
    throw new Error('status listener broke');
  });
  const d = fakeClient();
  const id = r.register('prod', d.client, info());
  assert.ok(r.isConnected('prod'));
  assert.equal(await r.api('prod').version(ctx()), 'version-ok');
  d.end(new Error('unexpected EOF'));
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(r.isConnected('prod'), false, 'its end was seen');
  assert.equal(r.list()[0]!.connected, false);
  assert.equal(await sampleValue(metrics.connectedDaemons), 0);
  assert.equal(await observations(metrics.connectionDuration, { protocol: '11' }), 1);
  assert.deepEqual(told, [`connected prod ${id}`, `disconnected prod ${id}`]);
  const failures = lines.filter((l) => l['msg'] === 'a registry listener failed');
  assert.deepEqual(failures.map((l) => [l['instance'], /(\w+) listener broke/.exec(JSON.stringify(l['error']))?.[1]]), [
    ['prod', 'connected'],
    ['prod', 'status'],
    ['prod', 'status'],
    ['prod', 'disconnected'],
  ]);
});
