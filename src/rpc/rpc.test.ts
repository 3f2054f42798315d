import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { memoryPipe, type MemoryStream } from '../transport/memory.js';
import { Client } from './client.js';
import { Server } from './server.js';
import { ConnectionError, ProtocolError, ServerError, ShutdownError, TransportError, isFatal } from './errors.js';
import { testService } from '../../test/fakes/test-service.js';

/** Lets the event loop turn until `done()` holds (bounded, so a bug fails instead of hanging). */
async function until(done: () => boolean, turns = 10_000): Promise<void> {
  for (let i = 0; i < turns && !done(); i++) await new Promise((r) => setImmediate(r));
  assert.ok(done(), 'condition not reached');
}

function pair(vanish?: () => void) {
  const [a, b] = memoryPipe();
  const server = new Server().register('Test', testService({ vanish }));
  const connection = server.serve(b);
  const client = new Client(a);
  return { client, connection, clientSide: a, serverSide: b };
}

/** A client whose peer is a raw stream the test writes to by hand. */
function rawPeer() {
  const [a, b] = memoryPipe();
  const client = new Client(a);
  const received: string[] = [];
  b.start({ data: (c) => received.push(c.toString()), end: () => undefined });
  const send = (text: string) => b.write(Buffer.from(text));
  return { client, peer: b, received, send };
}

test('many concurrent calls on one connection, each matched to its reply', async () => {
  const { client } = pair();
  const args = Array.from({ length: 500 }, (_, i) => `msg-${i} <&> \u2028 é \u0001`);
  const replies = await Promise.all(args.map((a) => client.call('Test.Echo', a)));
  assert.deepEqual(replies, args);
  await client.close();
});

test('replies come back in completion order and are matched by id', async () => {
  const { client } = pair();
  const order: number[] = [];
  await Promise.all([60, 40, 20, 0].map((ms) => client.call<number>('Test.Sleep', ms).then((v) => order.push(v))));
  assert.deepEqual(order, [0, 20, 40, 60]);
  await client.close();
});

test("unknown service or method, bad params and method errors are ServerErrors with Go's text; the connection stays up", async () => {
  const { client } = pair();
  const err = (p: Promise<unknown>) => p.then(() => assert.fail('expected an error'), (e: unknown) => e);
  const m = await err(client.call('Test.Nope', 'x'));
  assert.ok(m instanceof ServerError && !isFatal(m));
  assert.equal((m as Error).message, "rpc: can't find method Test.Nope");
  assert.equal(((await err(client.call('Nope.Echo', 'x'))) as Error).message, "rpc: can't find service Nope.Echo");
  assert.equal(((await err(client.call('NoDot', 'x'))) as Error).message, 'rpc: service/method request ill-formed: NoDot');
  assert.equal(((await err(client.call('Test.Echo', 42))) as Error).message, 'json: cannot unmarshal number into Go value of type string');
  assert.equal(((await err(client.call('Test.Fail', 'boom <b>'))) as Error).message, 'boom <b>');
  assert.equal(((await err(client.call('Test.Fail', ''))) as Error).message, 'unspecified error');
  assert.equal(await client.call('Test.Echo', 'after'), 'after');
  await client.close();
});

test('the server answers missing, null and non-array params as Go does, and echoes ids verbatim', async () => {
  const [a, b] = memoryPipe();
  new Server().register('Test', testService()).serve(b);
  const lines: string[] = [];
  a.start({ data: (c) => lines.push(...c.toString().split('\n').filter(Boolean)), end: () => undefined });
  const requests = [
    '{"method":"Test.Echo","id":1}',
    '{"method":"Test.Echo","params":null,"id":"two"}',
    '{"method":"Test.Echo","params":{"a":1},"id":{ "x" : [1, 2] }}',
    '{"method":"Test.Echo","params":[],"id":1.50}',
    '{"METHOD":"Test.Echo","Params":["hi"],"ID":"<&>"}',
    '{"method":"Test.Echo","params":["a","ignored"]}',
    'null ',
  ];
  for (const r of requests) a.write(Buffer.from(r));
  await until(() => lines.length >= requests.length);
  assert.deepEqual(new Set(lines), new Set([
    '{"id":1,"result":null,"error":"jsonrpc: request body missing params"}',
    '{"id":"two","result":null,"error":"jsonrpc: request body missing params"}',
    '{"id":{"x":[1,2]},"result":null,"error":"json: cannot unmarshal object into Go value of type [1]interface {}"}',
    '{"id":1.50,"result":"","error":null}',
    '{"id":"\\u003c\\u0026\\u003e","result":"hi","error":null}',
    '{"id":null,"result":"a","error":null}',
    '{"id":null,"result":null,"error":"rpc: service/method request ill-formed: "}',
  ]));
  a.close();
});

test('an undecodable request envelope closes the connection without a reply, after running calls finish', async () => {
  const [a, b] = memoryPipe();
  const conn = new Server().register('Test', testService()).serve(b);
  const got: string[] = [];
  const ended = new Promise<Error | undefined>((resolve) => a.start({ data: (c) => got.push(c.toString()), end: resolve }));
  a.write(Buffer.from('{"method":"Test.Sleep","params":[30],"id":7}{"method":5,"id":8}{"method":"Test.Echo","params":["x"],"id":9}'));
  await conn.done;
  assert.equal(await ended, undefined, 'a clean end of stream');
  assert.deepEqual(got, ['{"id":7,"result":30,"error":null}\n']);
});

test('a method that throws a non-Error or rejects never takes the connection down', async () => {
  const [a, b] = memoryPipe();
  const errors: string[] = [];
  new Server()
    .register('T', {
      Throw: { handle: () => { throw 'a string'; } },
      Reject: { handle: async () => Promise.reject(new TypeError('bad thing')) },
      Ok: { handle: () => undefined },
    })
    .serve(b, { onError: (e) => errors.push(e.message) });
  const client = new Client(a);
  await assert.rejects(client.call('T.Throw', {}), { message: 'a string' });
  await assert.rejects(client.call('T.Reject', {}), { message: 'bad thing' });
  assert.deepEqual(await client.call('T.Ok', {}), {});
  assert.equal(errors.length, 1);
  await client.close();
});

test('the peer vanishing mid-call fails every pending call as fatal, and later calls fail at once', async () => {
  let serverSide!: MemoryStream;
  const { client, serverSide: s } = pair(() => serverSide.destroy());
  serverSide = s;
  const pending = [1, 2, 3].map(() => client.call('Test.Sleep', 60_000).then(() => assert.fail('resolved'), (e: unknown) => e));
  const vanish = client.call('Test.Vanish', {}).then(() => assert.fail('resolved'), (e: unknown) => e);
  const errors = await Promise.all([...pending, vanish]);
  for (const e of errors) {
    assert.ok(e instanceof TransportError && isFatal(e), String(e));
  }
  assert.equal(new Set(errors).size, 1, 'every pending call gets the same error');
  await assert.rejects(client.call('Test.Echo', 'later'), (e: unknown) => e instanceof ShutdownError && (e as Error).message === 'connection is shut down');
  assert.ok((await client.closed) instanceof ConnectionError);
});

test('a clean end of stream mid-call is "unexpected EOF"', async () => {
  const { client, send, peer } = rawPeer();
  const call = client.call('X.Y', 1);
  send('{"id":0,"result":1,');
  peer.close();
  await assert.rejects(call, (e: unknown) => e instanceof TransportError && (e as Error).message === 'unexpected EOF' && (e as TransportError).code === 'FLUXRPC_ERR_UNEXPECTED_EOF');
  const idle = rawPeer();
  const call2 = idle.client.call('X.Y', 1);
  idle.peer.close();
  await assert.rejects(call2, { message: 'unexpected EOF' });
});

test('responses the Go client rejects kill the client, as in Go', async () => {
  const cases: [string, string][] = [
    ['{"id":0,"result":null,"error":null}', 'invalid error <nil>'],
    ['{"id":0}', 'invalid error <nil>'],
    ['{"id":0,"result":1,"error":42}', 'invalid error 42'],
    ['{"id":0,"result":1,"error":{"code":1}}', 'invalid error map[code:1]'],
    ['{"id":"0","result":1,"error":null}', 'json: cannot unmarshal string into Go struct field clientResponse.id of type uint64'],
    ['{"id":-1,"result":1,"error":null}', 'json: cannot unmarshal number -1 into Go struct field clientResponse.id of type uint64'],
    ['[1]', 'json: cannot unmarshal array into Go value of type jsonrpc.clientResponse'],
  ];
  for (const [reply, message] of cases) {
    const { client, send } = rawPeer();
    const calls = [client.call('X.Y', 1), client.call('X.Y', 2)];
    send(reply);
    for (const c of calls) await assert.rejects(c, (e: unknown) => e instanceof ProtocolError && (e as Error).message === message, reply);
    assert.equal(client.isShutdown, true);
  }
});

test('"error":"" is "unspecified error"; unknown ids are dropped; missing id means 0', async () => {
  const { client, send } = rawPeer();
  const a = client.call('X.Y', 1);
  const b = client.call('X.Y', 2);
  send('{"id":99,"result":"stray","error":null}{"result":"zero","error":null}');
  assert.equal(await a, 'zero');
  send('{"id":1,"result":"ignored","error":""}');
  await assert.rejects(b, (e: unknown) => e instanceof ServerError && (e as Error).message === 'unspecified error');
  assert.equal(client.isShutdown, false);
  await client.close();
});

test('malformed bytes and oversize replies fail every pending call and close the connection', async () => {
  const bad = rawPeer();
  const calls = [bad.client.call('X.Y', 1), bad.client.call('X.Y', 2)];
  bad.send('{"id":0,"result":1,"error":null} garbage');
  assert.equal(await calls[0], 1);
  await assert.rejects(calls[1]!, (e: unknown) => e instanceof ProtocolError && (e as ProtocolError).code === 'FLUXRPC_ERR_MALFORMED' && /invalid character 'g'/.test((e as Error).message));
  assert.ok((await bad.peer.closed) instanceof Error, 'the connection was closed');

  const [a, b] = memoryPipe();
  const client = new Client(a, { maxValueBytes: 100 });
  b.start({ data: () => undefined, end: () => undefined });
  const big = client.call('X.Y', 1);
  b.write(Buffer.from(`{"id":0,"result":"${'x'.repeat(200)}","error":null}`));
  await assert.rejects(big, (e: unknown) => e instanceof ProtocolError && (e as ProtocolError).code === 'FLUXRPC_ERR_OVERSIZE' && /exceeds the limit of 100 bytes/.test((e as Error).message));
  assert.equal(await b.closed.then(() => 'peer closed', () => 'x'), 'peer closed');
});

test('a result the caller cannot decode fails that call with "reading body" and every other call', async () => {
  const { client, send } = rawPeer();
  const decode = (v: unknown) => {
    if (typeof v !== 'number') throw new Error('json: cannot unmarshal string into Go value of type int');
    return v;
  };
  const a = client.call('X.Y', 1, { decode });
  const b = client.call('X.Y', 2, { decode });
  send('{"id":0,"result":"nope","error":null}');
  await assert.rejects(a, { message: 'reading body json: cannot unmarshal string into Go value of type int' });
  await assert.rejects(b, { message: 'json: cannot unmarshal string into Go value of type int' });
  assert.equal(client.isShutdown, true);
});

test('AbortSignal: the caller stops waiting; the late reply is dropped; the connection stays usable', async () => {
  const { client, send, received } = rawPeer();
  const controller = new AbortController();
  const call = client.call('X.Y', 1, { signal: controller.signal });
  controller.abort(new Error('gave up'));
  await assert.rejects(call, { message: 'gave up' });
  const next = client.call('X.Y', 2);
  send('{"id":0,"result":"late","error":null}{"id":1,"result":"fresh","error":null}');
  assert.equal(await next, 'fresh');
  await assert.rejects(client.call('X.Y', 3, { signal: AbortSignal.abort() }), { name: 'AbortError' });
  assert.equal(client.inFlight, 0);
  // A deadline through AbortSignal.timeout (its timer does not keep the event loop alive, so the
  // test holds it open meanwhile).
  const keepAlive = setInterval(() => undefined, 1000);
  await assert.rejects(client.call('X.Y', 4, { signal: AbortSignal.timeout(5) }), { name: 'TimeoutError' });
  clearInterval(keepAlive);
  await client.close();
});

test('close() is idempotent and fails pending calls with ShutdownError', async () => {
  const { client } = rawPeer();
  const call = client.call('X.Y', 1);
  const [r1, r2] = await Promise.all([client.close(), client.close()]);
  assert.ok(r1 instanceof ShutdownError && r1 === r2);
  await assert.rejects(call, ShutdownError);
  await assert.rejects(client.call('X.Y', 1), ShutdownError);
});

test('requests are written as Go writes them', async () => {
  const { client, received } = rawPeer();
  const calls = [client.call('RPCServer.ListServices', 'default'), client.call('RPCServer.Ping', {}), client.call('RPCServer.Export', null)];
  for (const c of calls) c.catch(() => undefined);
  await until(() => received.length === 3);
  assert.equal(received.join(''), '{"method":"RPCServer.ListServices","params":["default"],"id":0}\n{"method":"RPCServer.Ping","params":[{}],"id":1}\n{"method":"RPCServer.Export","params":[null],"id":2}\n');
  await client.close().catch(() => undefined);
});

test('backpressure: a client that does not read its replies pauses the server instead of growing its buffer', async () => {
  const [a, b] = memoryPipe({ highWaterMark: 64 * 1024 });
  let handled = 0;
  new Server().register('T', { Big: { handle: () => { handled++; return 'x'.repeat(16 * 1024); } } }).serve(b);
  // A raw client that writes 1000 requests and never reads.
  a.start({ data: () => undefined, end: () => undefined });
  a.pause();
  for (let i = 0; i < 1000; i++) a.write(Buffer.from(`{"method":"T.Big","params":[{}],"id":${i}}`));
  for (let i = 0; i < 50; i++) await new Promise((r) => setImmediate(r));
  assert.ok(handled < 1000, `server kept going: handled ${handled}`);
  assert.ok(b.needsDrain);
  const stalled = handled;
  a.resume();
  for (let i = 0; i < 2000 && handled < 1000; i++) await new Promise((r) => setImmediate(r));
  assert.equal(handled, 1000, `resumed after the reader caught up (stalled at ${stalled})`);
  a.close();
});

test('an aborted call does not wait for a peer that stopped reading (backpressure wait is abortable)', async () => {
  const [a, b] = memoryPipe({ highWaterMark: 1024 });
  const client = new Client(a);
  b.start({ data: () => undefined, end: () => undefined });
  b.pause(); // the peer stops reading: our writes pile up above the high-water mark
  void client.call('X.Y', 'x'.repeat(4096)).catch(() => undefined);
  await until(() => a.needsDrain);
  const controller = new AbortController();
  const call = client.call('X.Y', 1, { signal: controller.signal });
  controller.abort(new Error('gave up waiting'));
  await assert.rejects(call, { message: 'gave up waiting' });
  await client.close();
});

test("envelope keys match as Go's decoder matches struct fields: ſ folds to s, K (Kelvin) to k", async () => {
  const { client, send } = rawPeer();
  const call = client.call('X.Y', 1);
  send('{"id":0,"reſult":"folded","error":null}');
  assert.equal(await call, 'folded');
  await client.close();
});

test('property: any request object gets exactly one reply with its id; the server never throws', async () => {
  const fc = (await import('fast-check')).default;
  const request = fc.record(
    {
      method: fc.oneof(fc.constantFrom('Test.Echo', 'Test.Fail', 'Test.Nope', 'Nope.Echo', 'NoDot', ''), fc.string()),
      params: fc.oneof(fc.constant(undefined), fc.jsonValue({ maxDepth: 2 }), fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 })),
      id: fc.nat(),
    },
    { requiredKeys: ['method', 'id'] },
  );
  await fc.assert(
    fc.asyncProperty(fc.array(request, { minLength: 1, maxLength: 12 }), async (requests) => {
      const [a, b] = memoryPipe();
      new Server().register('Test', testService()).serve(b);
      const replies: unknown[] = [];
      const splitter = new (await import('../codec/json-splitter.js')).JsonStreamSplitter((t) => replies.push(JSON.parse(t.toString())));
      a.start({ data: (c) => splitter.push(c), end: () => undefined });
      for (const r of requests) a.write(Buffer.from(JSON.stringify(r)));
      await until(() => replies.length >= requests.length);
      for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
      assert.equal(replies.length, requests.length, 'one reply per request, no more');
      const ids = replies.map((r) => (r as { id: number }).id).sort((x, y) => x - y);
      assert.deepEqual(ids, requests.map((r) => r.id).sort((x, y) => x - y));
      for (const r of replies as { result: unknown; error: unknown }[]) {
        assert.ok(!(r.error === null && r.result === null), 'never a null result with a null error (it kills Go clients)');
        assert.ok(r.error === null || typeof r.error === 'string');
      }
      a.close();
    }),
    { numRuns: 150 },
  );
});
