/**
 * Interop with real Go: Go's net/rpc + jsonrpc against our client and server, over TCP and over
 * websocket with Flux's own websocket package (`websocket.Dial` on the daemon side, `Upgrade` on
 * the upstream side), from the real flux v1.25.4 module. The Go side is test/interop/go/cmd/rpcpeer.
 *
 * What the Go client must see from our server is what it sees from a Go server (established by
 * rpcpeer's own Go test, peer_test.go, Go against Go).
 */
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '../../src/rpc/client.js';
import { Server } from '../../src/rpc/server.js';
import { ServerError, ShutdownError, TransportError, isFatal } from '../../src/rpc/errors.js';
import type { ByteStream } from '../../src/transport/byte-stream.js';
import { dialTcp, listenTcp } from '../../src/transport/tcp.js';
import { WebSocketAcceptor, dialWebSocket, type WebSocketStream } from '../../src/transport/websocket.js';
import { testService } from '../fakes/test-service.js';
import { GoPeer, hostPort, requirePeer } from './go-peer.js';

const peers: GoPeer[] = [];
after(() => peers.forEach((p) => p.kill()));
function startPeer(args: string[]): GoPeer {
  const p = GoPeer.start('rpcpeer', args);
  peers.push(p);
  return p;
}

/** The argument rpcpeer's concurrent scenario uses: HTML characters, quote, backslash, U+2028, control bytes. */
const echoArg = (i: number) => `msg-${i} <&> "q" \\ \u2028 é ✓ \u0001\u0008\t\u001f`;

/** Serves the Test service on one stream; the service's Vanish drops that connection without a reply. */
function serveTest(stream: ByteStream) {
  return new Server().register('Test', testService({ vanish: () => stream.destroy() })).serve(stream);
}

// --- our client against a Go server ---------------------------------------------------------

type Transport = 'tcp' | 'ws';

/** Starts a Go server and connects our client to it. */
async function clientToGoServer(transport: Transport): Promise<{ client: Client; peer: GoPeer; cleanup(): void }> {
  if (transport === 'tcp') {
    const peer = startPeer(['serve', '--transport', 'tcp', '--listen', '127.0.0.1:0']);
    const stream = await dialTcp(hostPort(await peer.line('LISTEN ')));
    return { client: new Client(stream), peer, cleanup: () => peer.kill() };
  }
  // Flux's roles: the Go daemon dials our websocket server (websocket.Dial) and serves RPC on it.
  const acceptor = new WebSocketAcceptor();
  const server = http.createServer((_req, res) => res.writeHead(404).end());
  const accepted = new Promise<WebSocketStream>((resolve, reject) => {
    server.on('upgrade', (req, socket, head) => acceptor.upgrade(req, socket, head).then(resolve, reject));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  const peer = startPeer(['serve', '--transport', 'ws', '--dial', `ws://127.0.0.1:${port}/v11/daemon`]);
  const stream = await accepted;
  await peer.line('CONNECTED');
  return { client: new Client(stream), peer, cleanup: () => (peer.kill(), server.close()) };
}

for (const transport of ['tcp', 'ws'] as const) {
  describe(`our client → Go net/rpc server over ${transport}`, { timeout: 60_000 }, () => {
    test('many concurrent calls, matched by id, Go-escaped text round trips', async (t) => {
      if (!requirePeer(t, 'rpcpeer')) return;
      const { client, cleanup } = await clientToGoServer(transport);
      try {
        const args = Array.from({ length: 300 }, (_, i) => echoArg(i));
        assert.deepEqual(await Promise.all(args.map((a) => client.call('Test.Echo', a))), args);
      } finally {
        await client.close();
        cleanup();
      }
    });

    test('out-of-order replies', async (t) => {
      if (!requirePeer(t, 'rpcpeer')) return;
      const { client, cleanup } = await clientToGoServer(transport);
      try {
        const order: number[] = [];
        const calls: Promise<unknown>[] = [];
        for (const ms of [300, 200, 100, 0]) {
          calls.push(client.call<number>('Test.Sleep', ms).then((v) => order.push(v)));
          await new Promise((r) => setTimeout(r, 10));
        }
        await Promise.all(calls);
        assert.deepEqual(order, [0, 100, 200, 300]);
      } finally {
        await client.close();
        cleanup();
      }
    });

    test("unknown method/service, wrong param and a method error are ServerErrors with Go's text", async (t) => {
      if (!requirePeer(t, 'rpcpeer')) return;
      const { client, cleanup } = await clientToGoServer(transport);
      const serverError = (message: string) => (e: unknown) => e instanceof ServerError && !isFatal(e) && (e as Error).message === message;
      try {
        await assert.rejects(client.call('Test.Nope', 'x'), serverError("rpc: can't find method Test.Nope"));
        await assert.rejects(client.call('Nope.Echo', 'x'), serverError("rpc: can't find service Nope.Echo"));
        await assert.rejects(client.call('Test.Echo', 42), serverError('json: cannot unmarshal number into Go value of type string'));
        await assert.rejects(client.call('Test.Fail', 'boom <b>'), serverError('boom <b>'));
        // Go's server sends a method error with empty text as a success (docs/wire.md §4.1).
        assert.deepEqual(await client.call('Test.Fail', ''), {});
        assert.equal(await client.call('Test.Echo', 'after'), 'after');
      } finally {
        await client.close();
        cleanup();
      }
    });

    test('the Go server vanishing mid-call fails every pending call as fatal; later calls fail at once', async (t) => {
      if (!requirePeer(t, 'rpcpeer')) return;
      const { client, peer, cleanup } = await clientToGoServer(transport);
      try {
        const outcome = (p: Promise<unknown>) => p.then(() => assert.fail('call resolved'), (e: unknown) => e);
        const pending = Array.from({ length: 5 }, () => outcome(client.call('Test.Sleep', 60_000)));
        await new Promise((r) => setTimeout(r, 200));
        const vanish = outcome(client.call('Test.Vanish', {}));
        const errors = await Promise.all([...pending, vanish]);
        for (const e of errors) {
          assert.ok(e instanceof TransportError && isFatal(e), `fatal transport error expected, got ${String(e)}`);
          // Go's own client says "unexpected EOF" here (the process exit closes the connection cleanly).
          assert.equal((e as Error).message, 'unexpected EOF');
        }
        await assert.rejects(client.call('Test.Echo', 'later'), ShutdownError);
        assert.equal(await peer.exited, 0);
      } finally {
        cleanup();
      }
    });
  });
}

// --- a Go client against our server -----------------------------------------------------------

/** Runs a rpcpeer client scenario against our server and returns its RESULT. */
async function goClientScenario(transport: Transport, scenario: string, extra: string[] = []): Promise<any> {
  if (transport === 'tcp') {
    const server = await listenTcp({ host: '127.0.0.1', port: 0 }, (stream) => serveTest(stream));
    try {
      const { port } = server.address() as AddressInfo;
      const peer = startPeer(['client', '--transport', 'tcp', '--dial', `127.0.0.1:${port}`, '--scenario', scenario, ...extra]);
      return await peer.result(30_000);
    } finally {
      server.close();
    }
  }
  // Flux's roles: the Go upstream accepts with websocket.Upgrade and calls; we dial and serve.
  const peer = startPeer(['client', '--transport', 'ws', '--listen', '127.0.0.1:0', '--scenario', scenario, ...extra]);
  const address = await peer.line('LISTEN ');
  const stream = await dialWebSocket(`ws://${address}/v11/daemon`, { headers: { 'User-Agent': 'fluxd/test' } });
  const connection = serveTest(stream);
  const result = await peer.result(30_000);
  await connection.done; // the Go upstream closes with 1000 "ok": our server ends cleanly
  return result;
}

for (const transport of ['tcp', 'ws'] as const) {
  describe(`Go net/rpc client → our server over ${transport}`, { timeout: 60_000 }, () => {
    test('200 concurrent calls with HTML, non-ASCII and control characters', async (t) => {
      if (!requirePeer(t, 'rpcpeer')) return;
      assert.deepEqual(await goClientScenario(transport, 'concurrent', ['--n', '200']), { ok: 200, errors: [] });
    });

    test('out-of-order replies', async (t) => {
      if (!requirePeer(t, 'rpcpeer')) return;
      assert.deepEqual(await goClientScenario(transport, 'out-of-order'), { order: [0, 100, 200, 300] });
    });

    test('unknown method and service: the Go client sees the same errors as from a Go server', async (t) => {
      if (!requirePeer(t, 'rpcpeer')) return;
      assert.deepEqual(await goClientScenario(transport, 'unknown-method'), {
        method: { error: "rpc: can't find method Test.Nope", serverError: true },
        service: { error: "rpc: can't find service Nope.Echo", serverError: true },
        after: 'after',
      });
    });

    test('a method error and a wrong parameter type', async (t) => {
      if (!requirePeer(t, 'rpcpeer')) return;
      assert.deepEqual(await goClientScenario(transport, 'method-error'), { error: 'boom <b>', serverError: true, after: 'after' });
      assert.deepEqual(await goClientScenario(transport, 'wrong-param'), {
        error: 'json: cannot unmarshal number into Go value of type string',
        serverError: true,
        after: 'after',
      });
    });

    test('our server vanishing mid-call: the Go client sees what it sees with a Go peer', async (t) => {
      if (!requirePeer(t, 'rpcpeer')) return;
      const eof = { error: 'unexpected EOF', serverError: false };
      assert.deepEqual(await goClientScenario(transport, 'vanish', ['--n', '5']), {
        pending: [eof, eof, eof, eof, eof],
        vanish: eof,
        later: { error: 'connection is shut down', serverError: false },
      });
    });
  });
}
