import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { Client } from '../rpc/client.js';
import { memoryPipe } from '../transport/memory.js';
import type { ByteStream } from '../transport/byte-stream.js';
import { DialError, WebSocketAcceptor, type WebSocketStream } from '../transport/websocket.js';
import { DemoCluster } from '../demo/cluster.js';
import { DaemonConnector, DeprecatedError, DEPRECATED_TEXT, type ConnectorEvent, type DialFunction } from './connector.js';
import { PACKAGE_VERSION } from '../runtime/version.js';

const FAST = { initialMs: 1, multiplier: 2, maxMs: 4, jitter: 0 };

/** A dial seam that hands out memory pipes (or the scripted failures) and keeps the hub ends. */
function fakeUpstream(failures: Error[] = []) {
  const dials: { url: string; headers: Record<string, string> }[] = [];
  const hubEnds: ByteStream[] = [];
  const waiters: ((s: ByteStream) => void)[] = [];
  const dial: DialFunction = async (url, options) => {
    dials.push({ url, headers: { ...options.headers } });
    const failure = failures.shift();
    if (failure) throw failure;
    const [daemonEnd, hubEnd] = memoryPipe();
    hubEnds.push(hubEnd);
    waiters.shift()?.(hubEnd);
    return daemonEnd;
  };
  /** The hub end of the next (or an already made) connection. */
  const accepted = (n: number) => (hubEnds[n] ? Promise.resolve(hubEnds[n]!) : new Promise<ByteStream>((r) => waiters.push(r)));
  return { dial, dials, accepted };
}

function record(c: DaemonConnector): string[] {
  const seen: string[] = [];
  c.subscribe((e: ConnectorEvent) => seen.push(e.type === 'connecting' ? `connecting#${e.attempt}` : e.type === 'dial-failed' ? `dial-failed:${e.status ?? e.error.message}` : e.type));
  return seen;
}

describe('DaemonConnector', { timeout: 20_000 }, () => {
  test('dials <base>/v<N>/daemon with the User-Agent and token headers and serves the implementation', async () => {
    const up = fakeUpstream();
    const c = new DaemonConnector({ url: 'https://hub.example/api/flux?ignored=1', token: 'tok-1', protocol: 9, implementation: new DemoCluster(), dial: up.dial, backoff: FAST });
    c.start();
    const hub = new Client(await up.accepted(0));
    assert.equal(await hub.call('RPCServer.Version', {}), `fluxrpc-demo-${PACKAGE_VERSION}`);
    assert.deepEqual(up.dials, [{ url: 'wss://hub.example/api/flux/v9/daemon', headers: { 'User-Agent': `fluxrpc/${PACKAGE_VERSION}`, Authorization: 'Scope-Probe token=tok-1' } }]);
    await c.close();
    assert.equal(await c.closed, undefined);
  });

  test('limits bound a request from the hub: one over them closes the connection, and the connector dials again', async () => {
    const up = fakeUpstream();
    const c = new DaemonConnector({ url: 'http://hub.example', protocol: 11, implementation: new DemoCluster(), dial: up.dial, backoff: FAST, limits: { maxValueBytes: 4096, maxValueElements: 64 } });
    const seen = record(c);
    c.start();
    const hub = new Client(await up.accepted(0));
    assert.match(await hub.call<string>('RPCServer.Version', {}), /^fluxrpc-demo-/);
    // 200 elements in one request: over the element limit, under the byte limit.
    await assert.rejects(hub.call('RPCServer.Version', Array.from({ length: 200 }, () => 0)), (e: Error) => e.message === 'unexpected EOF');
    const again = new Client(await up.accepted(1));
    assert.match(await again.call<string>('RPCServer.Version', {}), /^fluxrpc-demo-/, 'a new connection works');
    await c.close();
    assert.deepEqual(seen.slice(0, 4), ['connecting#1', 'connected', 'disconnected', 'waiting']);
  });

  test('next(type, signal) rejects with the reason when the signal aborts first, and stops listening', async () => {
    const up = fakeUpstream();
    const c = new DaemonConnector({ url: 'ws://hub', implementation: new DemoCluster(), dial: up.dial, backoff: FAST });
    const reason = new Error('waited long enough');
    const ac = new AbortController();
    const deprecated = c.next('deprecated', ac.signal);
    ac.abort(reason);
    await assert.rejects(deprecated, (e: unknown) => e === reason);
    await assert.rejects(c.next('connected', AbortSignal.abort(reason)), (e: unknown) => e === reason);
    const listening = (c as unknown as { listeners: Set<unknown> }).listeners;
    assert.equal(listening.size, 0, 'no listener left behind');
    const connected = c.next('connected', new AbortController().signal);
    c.start();
    assert.equal((await connected).type, 'connected');
    assert.equal(listening.size, 0);
    await c.close();
  });

  test('sends no Authorization header without a token; the User-Agent can be set', async () => {
    const up = fakeUpstream();
    const c = new DaemonConnector({ url: 'ws://hub:8080', implementation: new DemoCluster(), dial: up.dial, userAgent: 'fluxd/1.25.4' }).start();
    await up.accepted(0);
    assert.deepEqual(up.dials[0], { url: 'ws://hub:8080/v11/daemon', headers: { 'User-Agent': 'fluxd/1.25.4' } });
    await c.close();
  });

  test('reconnects after the upstream drops it, then close() ends the connection cleanly', async () => {
    const up = fakeUpstream();
    const c = new DaemonConnector({ url: 'ws://hub', implementation: new DemoCluster(), dial: up.dial, backoff: FAST });
    const seen = record(c);
    c.start();
    const first = await up.accepted(0);
    first.close(); // the hub hangs up
    const second = await up.accepted(1);
    const hub = new Client(second);
    await hub.call('RPCServer.Ping', {});
    await c.close();
    assert.equal(((await hub.closed) as { code: string }).code, 'FLUXRPC_ERR_UNEXPECTED_EOF', 'the hub saw a clean end of stream, not a reset');
    assert.deepEqual(seen, ['connecting#1', 'connected', 'disconnected', 'waiting', 'connecting#2', 'connected', 'disconnected', 'closed']);
  });

  test('failed dials are retried with a growing, capped wait; a 401 is reported with its status', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    const up = fakeUpstream([new DialError('ws://hub/v11/daemon', 401, ''), refused, new DialError('ws://hub/v11/daemon', 503, ''), refused]);
    const c = new DaemonConnector({ url: 'ws://hub', implementation: new DemoCluster(), dial: up.dial, backoff: FAST });
    const delays: number[] = [];
    c.subscribe((e) => e.type === 'waiting' && delays.push(e.delayMs));
    const seen = record(c);
    const connected = c.next('connected');
    c.start();
    await connected;
    await c.close();
    assert.deepEqual(delays, [1, 2, 4, 4]);
    assert.deepEqual(seen.slice(0, 4), ['connecting#1', 'dial-failed:401', 'waiting', 'connecting#2']);
    assert.equal(seen[4], 'dial-failed:connect ECONNREFUSED 127.0.0.1:1');
    assert.deepEqual(seen.slice(-4), ['connecting#5', 'connected', 'disconnected', 'closed']);
  });

  test('410 Gone stops the connector with the deprecation error, without retrying', async () => {
    const up = fakeUpstream([new DialError('ws://hub/v11/daemon', 410, 'gone')]);
    const c = new DaemonConnector({ url: 'ws://hub', implementation: new DemoCluster(), dial: up.dial, backoff: FAST });
    const seen = record(c);
    c.start();
    const error = await c.closed;
    assert.ok(error instanceof DeprecatedError);
    assert.equal(error.message, DEPRECATED_TEXT);
    assert.deepEqual(seen, ['connecting#1', 'deprecated', 'closed']);
    assert.equal(up.dials.length, 1);
  });

  test('close() during a long wait returns at once', async () => {
    const up = fakeUpstream([new Error('connect ECONNREFUSED')]);
    const c = new DaemonConnector({ url: 'ws://hub', implementation: new DemoCluster(), dial: up.dial, backoff: { initialMs: 3_600_000, maxMs: 3_600_000, jitter: 0 } });
    const seen = record(c);
    c.start();
    await c.next('waiting');
    await c.close();
    assert.deepEqual(seen, ['connecting#1', 'dial-failed:connect ECONNREFUSED', 'waiting', 'closed']);
  });

  test('close() during a dial aborts it and returns at once', async () => {
    const aborted: unknown[] = [];
    // A dial that never completes by itself.
    const dial: DialFunction = (_url, { signal }) =>
      new Promise((_resolve, reject) =>
        signal.addEventListener('abort', () => {
          aborted.push(signal.reason);
          reject(signal.reason);
        }),
      );
    const c = new DaemonConnector({ url: 'ws://hub', implementation: new DemoCluster(), dial, backoff: FAST });
    const seen = record(c);
    const dialing = c.next('connecting');
    c.start();
    await dialing;
    await c.close();
    assert.equal(await c.closed, undefined);
    assert.deepEqual(seen, ['connecting#1', 'closed'], 'an aborted dial is no failure');
    assert.equal(aborted.length, 1);
  });

  test('bad options are refused', () => {
    assert.throws(() => new DaemonConnector({ url: 'tcp://x', implementation: new DemoCluster() }), /unsupported scheme tcp/);
    assert.throws(() => new DaemonConnector({ url: 'ws://x', protocol: 12 as never, implementation: new DemoCluster() }), /protocol/);
  });
});

describe('DaemonConnector over a real websocket', { timeout: 20_000 }, () => {
  test('the handshake carries fluxd\'s headers and the RPC service answers', async () => {
    const acceptor = new WebSocketAcceptor();
    const requests: http.IncomingHttpHeaders[] = [];
    const paths: string[] = [];
    const server = http.createServer((_q, s) => s.writeHead(404).end());
    const accepted = new Promise<WebSocketStream>((resolve, reject) =>
      server.on('upgrade', (req, socket, head) => {
        requests.push(req.headers);
        paths.push(req.url ?? '');
        acceptor.upgrade(req, socket, head).then(resolve, reject);
      }),
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    const c = new DaemonConnector({ url: `http://127.0.0.1:${port}/api/flux`, token: 's3cret', implementation: new DemoCluster(), backoff: FAST }).start();
    try {
      const hub = new Client(await accepted);
      const services = (await hub.call('RPCServer.ListServices', 'shop')) as { Result: { ID: string }[] };
      assert.deepEqual(services.Result.map((s) => s.ID), ['shop:statefulset/redis']);
      assert.deepEqual(paths, ['/api/flux/v11/daemon']);
      assert.equal(requests[0]!['user-agent'], `fluxrpc/${PACKAGE_VERSION}`);
      assert.equal(requests[0]!.authorization, 'Scope-Probe token=s3cret');
      assert.equal(requests[0]!.origin, undefined);
      assert.equal(requests[0]!['sec-websocket-protocol'], undefined);
    } finally {
      await c.close();
      server.close();
    }
  });

  test('close() aborts a websocket handshake the upstream never answers', async () => {
    const sockets: net.Socket[] = [];
    let accept!: (s: net.Socket) => void;
    const accepted = new Promise<net.Socket>((r) => (accept = r));
    // Takes the connection and the upgrade request, and never answers.
    const server = net.createServer((s) => {
      sockets.push(s);
      s.resume();
      accept(s);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    const c = new DaemonConnector({ url: `ws://127.0.0.1:${port}`, implementation: new DemoCluster(), handshakeTimeoutMs: 600_000, backoff: FAST });
    const seen = record(c);
    try {
      c.start();
      const socket = await accepted;
      const gone = new Promise<void>((r) => socket.once('close', () => r()));
      await c.close();
      await gone; // the dial's TCP connection is closed too
      assert.deepEqual(seen, ['connecting#1', 'closed']);
    } finally {
      for (const s of sockets) s.destroy();
      server.close();
    }
  });

  test('logEvent posts like fluxd: token, Accept JSON, no Content-Type; 401 is the authentication error', async () => {
    const seen: { method?: string; url?: string; headers: http.IncomingHttpHeaders; body: string }[] = [];
    let status = 204;
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen.push({ method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString() });
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    const c = new DaemonConnector({ url: `ws://127.0.0.1:${port}/api/flux`, token: 'tk', implementation: new DemoCluster() });
    try {
      await c.logEvent('{"type":"other"}');
      assert.equal(seen[0]!.method, 'POST');
      assert.equal(seen[0]!.url, '/api/flux/v6/events');
      assert.equal(seen[0]!.headers.authorization, 'Scope-Probe token=tk');
      assert.equal(seen[0]!.headers.accept, 'application/json');
      assert.equal(seen[0]!.headers['content-type'], undefined);
      assert.equal(seen[0]!.body, '{"type":"other"}');
      status = 401;
      await assert.rejects(c.logEvent('{"type":"other"}'), { message: 'request failed authentication' });
    } finally {
      server.close();
    }
  });
});
