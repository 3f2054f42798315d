/**
 * One hub, many tenants, none of whom may hurt the others: the memory budget for request bodies,
 * bounded daemon texts, constant-cost token lookup with reloads, throttled refusal logs. Real
 * sockets on loopback; no timing assertions (waits are for states, bounded by the test timeout).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CallContext } from '../flux/api.js';
import { FatalError, FluxError, type ListServicesOptions } from '../flux/model/index.js';
import { ServerError } from '../rpc/errors.js';
import { UnauthorizedError } from '../http/errors.js';
import { createLogger } from '../runtime/log.js';
import { MAX_KEPT_TEXT } from '../runtime/text.js';
import { dialWebSocket, DialError } from '../transport/websocket.js';
import type { ByteStream } from '../transport/byte-stream.js';
import { callCtx, hubHarness } from '../../test/fakes/hub-harness.js';
import { sampleValue } from './metrics.js';
import { MAX_RELAYED_ERROR_TEXT, type DaemonClient } from './registry.js';
import { Hub, type ListenAddress } from './hub.js';
import { DemoCluster } from '../demo/cluster.js';

const { startHub, connector, connected, api } = hubHarness();
const KiB = 1024;
const ctx = callCtx;

/** Resolves once `check()` holds (checked every few ms; the test's timeout bounds the wait). */
async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setTimeout(r, 2));
}

/** A raw HTTP request whose body the test sends in parts. */
function slowRequest(addr: ListenAddress, head: string) {
  const socket = net.connect(addr.port, '127.0.0.1');
  let received = '';
  socket.setEncoding('utf8');
  socket.on('data', (c: string) => (received += c));
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  socket.write(head);
  return {
    send: (s: string | Buffer) => socket.write(s),
    /** Resolves with what the hub wrote once it has written a whole response head. */
    answered: async () => {
      await until(() => received.includes('\r\n\r\n'));
      return received;
    },
    /** Resolves with all the hub wrote once the connection has closed. */
    response: async () => {
      await closed;
      return received;
    },
    end: () => socket.end(),
  };
}

/** Log lines as objects. */
function capture() {
  const lines: Record<string, unknown>[] = [];
  return { lines, logger: createLogger({ level: 'debug', write: (l) => lines.push(JSON.parse(l) as Record<string, unknown>) }) };
}

const NOTIFY = '{"kind":"git","source":{"url":"x","branch":"main"}}';
const AUTH = (token: string) => ({ Authorization: `Scope-Probe token=${token}` });

describe('fleet: one budget for all buffered request bodies', { timeout: 30_000 }, () => {
  test('a body that does not fit gets 503 with Retry-After; the body in flight, another tenant and a small body succeed; the budget never exceeds its limit', async () => {
    const log = capture();
    const { hub, addr } = await startHub({ maxBufferedBytes: 1024 * KiB, retryAfterSeconds: 3, logger: log.logger });
    await connected(hub, connector(addr));
    await connected(hub, connector(addr, { token: 'tok-dev' }), 'dev');

    // prod sends most of a 1000 KiB body (a valid NotifyChange padded with spaces), then pauses:
    // the hub holds 990 KiB of its 1024 KiB.
    const big = Buffer.alloc(1000 * KiB, ' ');
    big.write(NOTIFY);
    const held = slowRequest(addr, `POST /api/flux/v11/notify HTTP/1.1\r\nHost: hub\r\nAuthorization: Scope-Probe token=tok-prod\r\nContent-Length: ${big.length}\r\nConnection: close\r\n\r\n`);
    held.send(big.subarray(0, 990 * KiB));
    await until(() => hub.budget.used >= 990 * KiB);

    // dev's 500 KiB body does not fit: 503 at once, with Retry-After; its 60 KiB event neither.
    const refused = await fetch(`${addr.url}/api/flux/v11/notify`, { method: 'POST', headers: AUTH('tok-dev'), body: Buffer.alloc(500 * KiB, ' ') });
    assert.equal(refused.status, 503);
    assert.equal(refused.headers.get('retry-after'), '3');
    assert.match(await refused.text(), /busy/);
    const event = await fetch(`${addr.url}/v6/events`, { method: 'POST', headers: AUTH('tok-dev'), body: JSON.stringify({ type: 'other', message: 'm'.repeat(60 * KiB) }) });
    assert.equal(event.status, 503);
    assert.equal(event.headers.get('retry-after'), '3');

    // dev's calls without a body, and with a small one, go through meanwhile.
    await api(addr, 'tok-dev').ping(ctx());
    await api(addr, 'tok-dev').notifyChange(ctx(), { kind: 'git', source: { url: 'x', branch: 'main' } });

    // prod's body completes and is served.
    held.send(big.subarray(990 * KiB));
    assert.match(await held.response(), /^HTTP\/1\.1 20[024] /);
    await until(() => hub.budget.used === 0);
    assert.ok(hub.budget.peak <= hub.budget.limit, `peak ${hub.budget.peak} > limit ${hub.budget.limit}`);
    assert.equal(await sampleValue(hub.metrics.budgetRefusals, { kind: 'api' }), 1);
    assert.equal(await sampleValue(hub.metrics.budgetRefusals, { kind: 'event' }), 1);
    assert.equal(await sampleValue(hub.metrics.refusedRequests, { reason: 'budget' }), 2);
    assert.ok(log.lines.some((l) => l.msg === 'request refused' && l.status === 503));
    assert.match(await (await fetch(addr.url + '/metrics')).text(), /^fluxrpc_hub_buffered_bytes_limit 1048576$/m);
  });

  test('ten concurrent large bodies: each is served or refused with 503, the hub holds at most its budget, and lets go of all of it', async () => {
    const { hub, addr } = await startHub({ maxBufferedBytes: 1024 * KiB });
    await connected(hub, connector(addr));
    const body = Buffer.alloc(310 * KiB, ' ');
    body.write(NOTIFY);
    const statuses = await Promise.all(Array.from({ length: 10 }, async () => (await fetch(`${addr.url}/api/flux/v11/notify`, { method: 'POST', headers: AUTH('tok-prod'), body })).status));
    assert.ok(statuses.every((s) => s === 202 || s === 200 || s === 204 || s === 503), statuses.join(' '));
    assert.ok(statuses.some((s) => s !== 503), 'some are served');
    await until(() => hub.budget.used === 0);
    assert.ok(hub.budget.peak <= hub.budget.limit, `peak ${hub.budget.peak} > limit ${hub.budget.limit}`);
  });

  test('a chunked body that outgrows the budget mid-read is answered 503 (not reset), and what it held is released', async () => {
    const { hub, addr } = await startHub({ maxBufferedBytes: 256 * KiB });
    const r = slowRequest(addr, `POST /api/flux/v11/notify HTTP/1.1\r\nHost: hub\r\nAuthorization: Scope-Probe token=tok-prod\r\nTransfer-Encoding: chunked\r\n\r\n`);
    const chunk = Buffer.alloc(64 * KiB, ' ');
    for (let i = 0; i < 8; i++) r.send(Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]));
    r.send('0\r\n\r\n');
    const answer = await r.answered();
    assert.match(answer, /^HTTP\/1\.1 503 Service Unavailable\r\n/);
    assert.match(answer, /\r\nRetry-After: 5\r\n/i);
    r.end();
    await until(() => hub.budget.used === 0);
    assert.ok(hub.budget.peak <= hub.budget.limit);
  });
});

/**
 * A daemon (flux's protocol over our websocket) that answers its first call with a string result
 * of `total` bytes, sent in `chunk`-byte messages as fast as the hub reads them, and finished only
 * if `finish` is set; `stalled` while the hub is not reading (its writes are held back).
 */
async function hoardingDaemon(addr: ListenAddress, token: string, total: number, finish: boolean, chunk = 64 * KiB) {
  const stream = await dialWebSocket(`ws://127.0.0.1:${addr.port}/api/flux/v11/daemon`, { headers: AUTH(token) });
  const state = { sent: 0, stalled: false, done: false, stream };
  let request = '';
  const pour = async (id: string) => {
    stream.write(Buffer.from(`{"id":${id},"result":"`));
    while (state.sent < total) {
      const ok = stream.write(Buffer.alloc(Math.min(chunk, total - state.sent), 'x'));
      state.sent += Math.min(chunk, total - state.sent);
      if (!ok) {
        state.stalled = true;
        const open = await stream.writable().then(() => true, () => false);
        state.stalled = false;
        if (!open) return;
      }
    }
    if (finish) stream.write(Buffer.from('","error":null}\n'));
    state.done = true;
  };
  stream.start({
    data: (c) => {
      if (request === undefined) return;
      request += c.toString();
      const id = /"id":(\d+)/.exec(request)?.[1];
      if (id !== undefined) {
        request = undefined!;
        void pour(id);
      }
    },
    end: () => undefined,
  });
  return state;
}

describe("fleet: daemons' replies are charged to the same budget", { timeout: 60_000 }, () => {
  test('several daemons sending large replies at once: the hub holds at most its budget plus a read each, stops reading them, serves the other tenants, and lets go', async () => {
    const limit = 24 * 1024 * KiB;
    const reply = 20 * 1024 * KiB; // each fits the budget alone; together they do not
    const tokens = new Map([['tok-prod', 'prod'], ['tok-h1', 'h1'], ['tok-h2', 'h2'], ['tok-h3', 'h3'], ['tok-h4', 'h4']]);
    const { hub, addr } = await startHub({ tokens, maxBufferedBytes: limit, callTimeoutMs: 60_000 });
    await connected(hub, connector(addr));
    // Three daemons that never finish their reply, one that does.
    const hoarders = [
      await hoardingDaemon(addr, 'tok-h1', reply, false),
      await hoardingDaemon(addr, 'tok-h2', reply, false),
      await hoardingDaemon(addr, 'tok-h3', reply, false),
      await hoardingDaemon(addr, 'tok-h4', reply, true),
    ];
    for (const i of ['h1', 'h2', 'h3', 'h4']) await hub.registry.whenConnected(i, AbortSignal.timeout(10_000));
    const outcome = (p: Promise<unknown>) => p.then((value) => ({ value, error: undefined }), (error: unknown) => ({ value: undefined, error }));
    const calls = ['h1', 'h2', 'h3', 'h4'].map((i) => outcome(api(addr, `tok-${i}`).version({ signal: AbortSignal.timeout(60_000) })));

    // All four send at once: the budget fills and the hub stops reading them (each sender is held
    // back, or has handed all it had to the network), holding at most the budget plus one socket
    // read (64 KiB) each.
    await until(() => hub.budget.exceeded && hoarders.every((h) => h.stalled || h.done));
    const read = 64 * KiB;
    const bound = limit + hoarders.length * read;
    assert.ok(hub.budget.peak <= bound, `peak ${hub.budget.peak} > ${bound}`);
    assert.ok(hoarders.some((h) => h.stalled), 'the hub stopped reading some daemon');

    // Another tenant's calls are served meanwhile.
    assert.ok(((await api(addr).listServices(ctx(), '')) ?? []).length > 0);
    assert.equal(typeof (await api(addr).version(ctx())), 'string');

    // The three that never finish are disconnected (as their call timeout would, here their tokens
    // are withdrawn): what they held is released, the fourth resumes and its call completes; then
    // nothing is held. (A daemon whose connection is paused is not read, so its own going away is
    // seen only at the hub's next ping or its call timeout.)
    hub.setTokens(new Map([['tok-prod', 'prod'], ['tok-h4', 'h4']]));
    const done = await calls[3]!;
    assert.equal((done.value as string | undefined)?.length, reply, String(done.error));
    for (const c of calls.slice(0, 3)) assert.ok((await c).error instanceof FluxError, 'a daemon that went away: unavailable');
    await until(() => hub.budget.used === 0);
    assert.ok(hub.budget.peak <= bound, `peak ${hub.budget.peak} > ${bound}`);
    for (const h of hoarders) h.stream.close();
  });
});

describe("fleet: each daemon's replies are bounded (maxValueBytes, maxValueElements)", { timeout: 30_000 }, () => {
  /** The demo cluster, with a version string of `versionBytes` and `copies` times its workloads. */
  class BigDemo extends DemoCluster {
    constructor(
      private readonly versionBytes = 0,
      private readonly copies = 1,
    ) {
      super();
    }
    override async version(): Promise<string> {
      return this.versionBytes > 0 ? 'v'.repeat(this.versionBytes) : super.version();
    }
    override async listServicesWithOptions(c: CallContext, options: ListServicesOptions) {
      const one = (await super.listServicesWithOptions(c, options)) ?? [];
      return Array.from({ length: this.copies }, () => one).flat();
    }
  }

  test('a reply over maxValueBytes costs its daemon the connection, with the reason logged; the caller gets a clear error; another daemon is served', async () => {
    const log = capture();
    const { hub, addr } = await startHub({ maxValueBytes: 16 * KiB, logger: log.logger });
    await connected(hub, connector(addr, { implementation: new BigDemo(64 * KiB), backoff: { initialMs: 60_000, multiplier: 1, maxMs: 60_000, jitter: 0 } }));
    await connected(hub, connector(addr, { token: 'tok-dev', implementation: new BigDemo(8 * KiB) }), 'dev');

    await assert.rejects(api(addr).version(ctx()), (e: unknown) => e instanceof FluxError && /exceeds the limit of 16384 bytes/.test(e.message), 'the caller is told why');
    await until(() => !hub.registry.isConnected('prod'));
    const prod = hub.registry.list().find((s) => s.instance === 'prod')!;
    assert.match(prod.lastError ?? '', /exceeds the limit of 16384 bytes/);
    const line = log.lines.find((l) => l['instance'] === 'prod' && /daemon disconnected/.test(String(l['msg'])));
    assert.ok(line, 'the disconnection is logged');
    assert.match(JSON.stringify(line), /exceeds the limit of 16384 bytes/, 'with its reason');

    // The other daemon's replies within the limit go through, on the same hub.
    assert.equal((await api(addr, 'tok-dev').version(ctx())).length, 8 * KiB);
    assert.ok(((await api(addr, 'tok-dev').listServices(ctx(), '')) ?? []).length > 0);
    assert.equal(hub.registry.isConnected('dev'), true);
  });

  test('a reply over maxValueElements costs its daemon the connection; another daemon is served', async () => {
    const { hub, addr } = await startHub({ maxValueElements: 2000 });
    await connected(hub, connector(addr, { implementation: new BigDemo(0, 500), backoff: { initialMs: 60_000, multiplier: 1, maxMs: 60_000, jitter: 0 } }));
    await connected(hub, connector(addr, { token: 'tok-dev' }), 'dev');
    await assert.rejects(api(addr).listServices(ctx(), ''), (e: unknown) => e instanceof FluxError && /exceeds the limit of 2000 elements/.test(e.message));
    await until(() => !hub.registry.isConnected('prod'));
    assert.ok(((await api(addr, 'tok-dev').listServices(ctx(), '')) ?? []).length > 0);
  });

  test('limits that are not positive integers are refused when the hub is made', () => {
    for (const bad of [0, -1, 1.5, NaN]) {
      assert.throws(() => new Hub({ tokens: new Map(), maxValueBytes: bad }), /HubOptions\.maxValueBytes must be a positive integer/);
      assert.throws(() => new Hub({ tokens: new Map(), maxValueElements: bad }), /HubOptions\.maxValueElements must be a positive integer/);
    }
  });
});

/** A daemon client whose every call fails as `fail(method)` says; `close()` ends it and the stream. */
function failingClient(stream: ByteStream, fail: (method: string) => Error): DaemonClient {
  let end!: (e: Error) => void;
  const closed = new Promise<Error>((r) => (end = r));
  return new Proxy({} as DaemonClient, {
    get(_t, key: string) {
      if (key === 'closed') return closed;
      if (key === 'close') return () => (stream.close(), end(new Error('closed')));
      if (key === 'then' || key === 'onceClosed') return undefined;
      return (_ctx: CallContext) => Promise.reject(fail(key));
    },
  });
}

describe("fleet: a daemon's huge texts stay small wherever they go", { timeout: 30_000 }, () => {
  test('a daemon error of several MB: the API caller gets at most 64 KiB, the last error, status page and log lines stay small', async () => {
    const huge = 'E'.repeat(6_000_000);
    const log = capture();
    const { hub, addr } = await startHub({
      logger: log.logger,
      createClient: (_v, stream) => failingClient(stream, (m) => (m === 'ping' ? new FatalError(new Error(huge)) : m === 'version' ? new ServerError(huge) : new FluxError('user', huge, huge))),
    });
    const stream = await dialWebSocket(`ws://127.0.0.1:${addr.port}/v11/daemon`, { headers: { ...AUTH('tok-prod'), 'User-Agent': `fluxd/${'u'.repeat(6000)}` } });
    await hub.registry.whenConnected('prod', AbortSignal.timeout(10_000));
    const client = api(addr);
    const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as Error);
    for (const call of [() => client.version(ctx()), () => client.syncStatus(ctx(), 'HEAD'), () => client.ping(ctx())] as (() => Promise<unknown>)[]) {
      const e = await failure(call());
      assert.ok(e instanceof FluxError, String(e?.name));
      assert.ok(e.message.length <= MAX_RELAYED_ERROR_TEXT + 100 && e.help.length <= MAX_RELAYED_ERROR_TEXT + 2000, `relayed error of ${e.message.length} + ${e.help.length} characters`);
    }
    const prod = hub.registry.list().find((s) => s.instance === 'prod')!;
    assert.equal(prod.connected, false, 'the fatal error disconnected it');
    assert.ok(prod.lastError!.length <= MAX_KEPT_TEXT + 100, `last error of ${prod.lastError!.length}`);
    assert.ok(prod.userAgent!.length <= MAX_KEPT_TEXT + 100, `user agent of ${prod.userAgent!.length}`);
    const page = await (await fetch(addr.url + '/')).text();
    assert.ok(page.length < 20_000, `a status page of ${page.length} characters`);
    const longest = Math.max(...log.lines.map((l) => JSON.stringify(l).length));
    assert.ok(longest < 20_000, `a log line of ${longest} characters`);
    stream.close();
  });
});

describe('fleet: tokens', { timeout: 30_000 }, () => {
  test('10,000 tokens: registrations and API calls authenticate; refusals are throttled in the log', async () => {
    const tokens = new Map<string, string>();
    for (let i = 0; i < 10_000; i++) tokens.set(`tok-${i}`, `i${i % 5000}`);
    tokens.set('tok-prod', 'prod');
    const log = capture();
    const { hub, addr } = await startHub({ tokens, logger: log.logger, logIntervalMs: 3_600_000 });
    await connected(hub, connector(addr));
    await connected(hub, connector(addr, { token: 'tok-9999' }), 'i4999');
    await api(addr, 'tok-4999').listServices(ctx(), '').catch((e: unknown) => assert.ok(e instanceof FluxError && /no daemon is connected for instance i4999/.test(e.message), String(e)));
    await api(addr, 'tok-prod').ping(ctx());
    // A flood of bad tokens: every one refused, one log line per kind.
    for (let i = 0; i < 30; i++) {
      await assert.rejects(dialWebSocket(`ws://127.0.0.1:${addr.port}/v11/daemon`, { headers: AUTH(`bad-${i}`) }), (e: unknown) => e instanceof DialError && e.status === 401);
      await assert.rejects(api(addr, `bad-${i}`).ping(ctx()), UnauthorizedError);
    }
    assert.equal(log.lines.filter((l) => l.msg === 'daemon registration refused').length, 1);
    assert.equal(log.lines.filter((l) => l.msg === 'request refused' && l.status === 401).length, 1);
    assert.equal(await sampleValue(hub.metrics.suppressedLogLines, { reason: 'registration_401' }), 29);
    assert.equal(await sampleValue(hub.metrics.suppressedLogLines, { reason: 'request_401' }), 29);
    assert.equal(await sampleValue(hub.metrics.refusedRequests, { reason: 'token' }), 30, 'each API refusal is counted');
    assert.equal(await sampleValue(hub.metrics.rejectedRegistrations, { status: '401' }), 30, 'each refusal is counted');
  });

  test('the tokens file reloads: an added token registers while others stay connected; a removed one is disconnected and gets 401; an invalid file keeps the old tokens', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fluxrpc-hub-tokens-'));
    const file = join(dir, 'tokens.json');
    const write = (tokens: Record<string, string> | string) => {
      // As editors and secret mounts do: a new file renamed over the old one.
      writeFileSync(join(dir, 'next.json'), typeof tokens === 'string' ? tokens : JSON.stringify(tokens));
      renameSync(join(dir, 'next.json'), file);
    };
    write({ 'tok-prod': 'prod', 'tok-dev': 'dev' });
    const log = capture();
    const { hub, addr } = await startHub({ tokensFile: file, tokenReloadDebounceMs: 20, logger: log.logger });
    const prod = connector(addr);
    await connected(hub, prod);
    const dev = connector(addr, { token: 'tok-dev' });
    await connected(hub, dev, 'dev');
    const prodEvents: string[] = [];
    prod.subscribe((e) => prodEvents.push(e.type));

    // Add a cluster.
    write({ 'tok-prod': 'prod', 'tok-dev': 'dev', 'tok-staging': 'staging' });
    await until(() => hub.auth.instances.includes('staging'));
    await connected(hub, connector(addr, { token: 'tok-staging' }), 'staging');
    await api(addr, 'tok-staging').ping(ctx());
    assert.deepEqual(prodEvents, [], 'prod was not disturbed');
    assert.equal(hub.registry.isConnected('prod'), true);

    // Remove dev: its daemon is disconnected (and is refused when it dials again), its calls get 401.
    const devGone = dev.next('disconnected', AbortSignal.timeout(10_000));
    const devRefused = dev.next('dial-failed', AbortSignal.timeout(10_000));
    write({ 'tok-prod': 'prod', 'tok-staging': 'staging' });
    await devGone;
    assert.equal((await devRefused).status, 401);
    await assert.rejects(api(addr, 'tok-dev').ping(ctx()), UnauthorizedError);
    assert.equal(hub.registry.list().some((s) => s.instance === 'dev'), false, 'dev is no longer listed');
    await api(addr, 'tok-prod').ping(ctx());
    assert.deepEqual(prodEvents, []);

    // An invalid file: logged, the tokens in use stay.
    write('{"tok-prod": "prod", ');
    await until(() => log.lines.some((l) => l.msg === 'tokens file not reloaded'));
    assert.match(String(log.lines.find((l) => l.msg === 'tokens file not reloaded')!.error), /not valid JSON.*keeping the tokens loaded before/);
    await api(addr, 'tok-staging').ping(ctx());
    await api(addr, 'tok-prod').ping(ctx());
    assert.equal(await sampleValue(hub.metrics.tokenReloads, { outcome: 'ok' }), 2);
    assert.equal(await sampleValue(hub.metrics.tokenReloads, { outcome: 'error' }), 1);
    assert.equal(await sampleValue(hub.metrics.tokens), 2);
    assert.ok(!log.lines.some((l) => /tok-(prod|dev|staging)/.test(JSON.stringify(l))), 'no token in any log line');
    await dev.close();
  });

  test('setTokens refuses an invalid set and keeps the old one', async () => {
    const { hub } = await startHub();
    assert.throws(() => hub.setTokens(new Map([['', 'prod']])), /empty token/);
    assert.deepEqual(hub.auth.instances, ['dev', 'prod']);
  });
});

