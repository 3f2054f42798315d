/**
 * The client against hostile or large replies (refusal at the first byte, depth, sliced parsing
 * and decoding) and its per-call machinery (deadline, shared signals).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { memoryPipe, type MemoryStream } from '../transport/memory.js';
import type { StreamSink } from '../transport/byte-stream.js';
import { Client, type ClientOptions } from './client.js';
import { ByteBudget } from '../runtime/budget.js';
import { Server } from './server.js';
import { DeadlineExceededError, ProtocolError, ServerError, isFatal } from './errors.js';
import { testService } from '../../test/fakes/test-service.js';
import { warningsDuring, watchLargeChunk } from '../../test/fakes/observe.js';

async function until(done: () => boolean, turns = 10_000): Promise<void> {
  for (let i = 0; i < turns && !done(); i++) await new Promise((r) => setImmediate(r));
  assert.ok(done(), 'condition not reached');
}

/** A client whose peer is a raw stream the test writes to by hand. */
function rawPeer(options?: ClientOptions) {
  const [a, b] = memoryPipe();
  const client = new Client(a, options);
  const received: string[] = [];
  b.start({ data: (c) => received.push(c.toString()), end: () => undefined });
  const send = (text: string | Buffer) => b.write(typeof text === 'string' ? Buffer.from(text) : text);
  return { client, peer: b, received, send, stream: a };
}

/** Records the outcome of a call without an unhandled rejection. */
function settle<T>(p: Promise<T>) {
  const state: { done: boolean; value?: T; error?: unknown } = { done: false };
  p.then(
    (value) => Object.assign(state, { done: true, value }),
    (error: unknown) => Object.assign(state, { done: true, error }),
  );
  return state;
}

test("a value that cannot be a response is refused at its first byte with Go's text, failing every pending call", async () => {
  for (const [first, kind] of [['[', 'array'], ['"', 'string'], ['7', 'number'], ['t', 'bool']] as const) {
    const { client, send, peer } = rawPeer();
    const calls = [settle(client.call('X.Y', 1)), settle(client.call('X.Y', 2))];
    // Only the first byte and a little more: the rest of the (60 MB) value never has to come.
    send(first + (first === '"' ? 'abc' : '1,2,3'));
    await until(() => calls.every((c) => c.done));
    for (const c of calls) {
      assert.ok(c.error instanceof ProtocolError && isFatal(c.error), String(c.error));
      assert.equal((c.error as Error).message, `json: cannot unmarshal ${kind} into Go value of type jsonrpc.clientResponse`);
    }
    assert.equal(client.isShutdown, true);
    assert.ok((await peer.closed) instanceof Error || true);
  }
});

test("nesting deeper than Go's 10,000 is Go's syntax error for every call, never a RangeError", async () => {
  // 200,000 deep (what once reached callers as "Maximum call stack size exceeded").
  const { client, send } = rawPeer();
  const calls = [settle(client.call('X.Y', 1)), settle(client.call('X.Y', 2))];
  send('{"id":0,"result":null,"error":' + '['.repeat(200_000) + ']'.repeat(200_000) + '}');
  await until(() => calls.every((c) => c.done));
  for (const c of calls) assert.equal((c.error as Error).message, "invalid character '[' exceeded max depth");

  // 9,999 levels inside the envelope (10,000 in all) are accepted: the value comes back whole, and
  // an error value that deep is formatted (and cut) as Go's `invalid error [...]`.
  const ok = rawPeer();
  const deep = ok.client.call('X.Y', 1);
  const err = settle(ok.client.call('X.Y', 2));
  ok.send('{"id":0,"result":' + '['.repeat(9_999) + ']'.repeat(9_999) + ',"error":null}');
  let depth = 0;
  for (let v = (await deep) as unknown[]; Array.isArray(v) && v.length > 0; v = v[0] as unknown[]) depth++;
  assert.equal(depth, 9_998);
  ok.send('{"id":1,"result":null,"error":' + '['.repeat(9_999) + ']'.repeat(9_999) + '}');
  await until(() => err.done);
  const message = (err.error as Error).message;
  assert.ok(message.startsWith('invalid error [[[[') && message.endsWith('…') && message.length < 20_000, message.slice(0, 40));
});

test('a large reply is parsed and decoded in slices: another connection is served meanwhile, and replies keep their order', async () => {
  // Connection A: a raw peer answers call 0 with an ~8 MB list and call 1 right behind it, in one chunk.
  const [a, peerA] = memoryPipe();
  const arrived = watchLargeChunk(a, 1_000_000);
  const clientA = new Client(a, { slicedParseBytes: 64 * 1024, sliceMs: 0 });
  peerA.start({ data: () => undefined, end: () => undefined });
  const order: string[] = [];
  let decodedInSlices = false;
  const big = clientA.call('X.Big', 1, {
    decode: async (result, slicer) => {
      assert.ok(slicer !== undefined && Array.isArray(result));
      decodedInSlices = true;
      let sum = 0;
      const list = result as { n: number }[];
      for (let i = 0; i < list.length; i++) {
        sum += list[i]!.n;
        if (i % 1000 === 0 && slicer.due) await slicer.next();
      }
      return sum;
    },
  });
  void big.then(() => order.push('big'));
  const small = clientA.call('X.Small', 2).then((v) => order.push(`small:${String(v)}`));
  const items = Array.from({ length: 100_000 }, (_, n) => ({ n, name: `workload-${n}`, labels: { app: 'x'.repeat(20) } }));
  const reply = JSON.stringify({ id: 0, result: items, error: null });
  assert.ok(reply.length > 7_000_000);

  // Connection B, same process: a real server, called in a loop until A's big call is done.
  const [c, d] = memoryPipe();
  new Server().register('Test', testService()).serve(d);
  const clientB = new Client(c);
  peerA.write(Buffer.from(reply + '{"id":1,"result":"after","error":null}'));
  let servedDuringA = 0;
  while (order.length === 0) {
    assert.equal(await clientB.call('Test.Echo', 'ping'), 'ping');
    if (arrived() && order.length === 0) servedDuringA++;
  }
  await small;
  assert.equal(await big, (items.length * (items.length - 1)) / 2);
  assert.ok(decodedInSlices);
  assert.deepEqual(order, ['big', 'small:after']);
  assert.ok(servedDuringA >= 1, `calls on B completed while A's reply was worked on: ${servedDuringA}`);
  await clientA.close();
  await clientB.close();
});

test('a reply fully received before the end of the stream settles its call, even while it is parsed in slices', async () => {
  const { client, send, peer } = rawPeer({ slicedParseBytes: 1024, sliceMs: 0 });
  const big = client.call('X.Y', 1);
  const other = settle(client.call('X.Y', 2));
  const list = Array.from({ length: 20_000 }, (_, i) => i);
  send(JSON.stringify({ id: 0, result: list, error: null }));
  peer.close();
  assert.deepEqual(await big, list);
  await until(() => other.done);
  assert.equal((other.error as Error).message, 'unexpected EOF');
});

test('deadline: the call rejects with DeadlineExceededError, its late reply is dropped, the connection stays usable', async () => {
  const { client, send, received } = rawPeer();
  const late = client.call('X.Y', 1, { deadline: Date.now() + 30 });
  await assert.rejects(late, (e: unknown) => e instanceof DeadlineExceededError && !isFatal(e) && e.code === 'FLUXRPC_ERR_DEADLINE_EXCEEDED' && e.message === 'context deadline exceeded');
  assert.equal(client.inFlight, 0);
  const next = client.call('X.Y', 2, { deadline: Date.now() + 60_000 });
  send('{"id":0,"result":"late","error":null}{"id":1,"result":"fresh","error":null}');
  assert.equal(await next, 'fresh');
  assert.equal(client.isShutdown, false);
  // A deadline already past fails at once, before anything is written.
  const sent = received.length;
  await assert.rejects(client.call('X.Y', 3, { deadline: Date.now() - 1 }), DeadlineExceededError);
  await until(() => received.length >= sent);
  assert.equal(received.length, 2);
  // The caller's signal still works, and is told apart from the deadline.
  const controller = new AbortController();
  const aborted = client.call('X.Y', 4, { signal: controller.signal, deadline: Date.now() + 60_000 });
  controller.abort(new Error('caller gave up'));
  await assert.rejects(aborted, (e: unknown) => !(e instanceof DeadlineExceededError) && (e as Error).message === 'caller gave up');
  // Settled calls leave no timer behind.
  const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
  const before = timers();
  const answered = client.call('X.Y', 5, { deadline: Date.now() + 60_000 });
  send('{"id":3,"result":"x","error":null}');
  assert.equal(await answered, 'x');
  assert.equal(timers(), before);
  await client.close();
});

test('calls sharing one signal share one listener: a 10,000-call flood does not warn, and an abort fails them all', async () => {
  const warnings = await warningsDuring(async () => {
    const { client, send } = rawPeer();
    const controller = new AbortController();
    const calls = Array.from({ length: 10_000 }, (_, i) => settle(client.call('X.Y', i, { signal: controller.signal })));
    send('{"id":0,"result":"first","error":null}');
    await until(() => calls[0]!.done);
    controller.abort(new Error('shutting down'));
    await until(() => calls.every((c) => c.done));
    assert.equal(calls[0]!.value, 'first');
    assert.ok(calls.slice(1).every((c) => (c.error as Error).message === 'shutting down'));
    assert.equal(client.inFlight, 0);
    await client.close();
  });
  assert.deepEqual(warnings, []);
});

test('server errors keep their class through a sliced reply', async () => {
  const { client, send } = rawPeer({ slicedParseBytes: 16 });
  const call = client.call('X.Y', 1);
  send(`{"id":0,"result":null,"error":"${'e'.repeat(100)}"}`);
  await assert.rejects(call, (e: unknown) => e instanceof ServerError && (e as Error).message === 'e'.repeat(100));
  assert.equal(client.isShutdown, false);
  await client.close();
});

test('held bytes: a reply arriving in 1-byte chunks holds at most about twice what arrived', async () => {
  const [a, b] = memoryPipe();
  const client = new Client(a);
  b.start({ data: () => undefined, end: () => undefined });
  const call = client.call('X.Y', 1);
  const reply = Buffer.from(`{"id":0,"result":"${'z'.repeat(20_000)}","error":null}`);
  // Deliver by hand, a byte at a time, straight into the client's sink.
  const sink = (a as unknown as { sink: StreamSink }).sink;
  for (let i = 0; i < reply.length - 1; i++) {
    sink.data(reply.subarray(i, i + 1));
    assert.ok(client.heldBytes <= Math.max(256, 2 * (i + 1)), `held ${client.heldBytes} after ${i + 1} bytes`);
  }
  sink.data(reply.subarray(reply.length - 1));
  assert.equal(((await call) as string).length, 20_000);
  assert.equal(client.heldBytes, 0);
  await client.close();
});

export type { MemoryStream };

/** Lets the memory pipe deliver whatever it will in `turns` turns of the event loop. */
async function turns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
}

test('budget: a partial reply is charged as it grows; past the budget reading pauses until there is room; completion releases it', async () => {
  const limit = 256 * 1024;
  const chunk = 32 * 1024;
  const budget = new ByteBudget(limit);
  budget.charge(200 * 1024); // another holder (request bodies, other daemons)
  const { client, send } = rawPeer({ budget });
  const call = settle(client.call('X.Y', 1));
  send('{"id":0,"result":"');
  await until(() => client.heldBytes > 0);
  assert.equal(budget.used, 200 * 1024 + client.heldBytes);
  let sent = 0;
  let held = client.heldBytes;
  // Room for about two chunks: the reply is charged as it grows, then reading stops.
  while (sent < 6) {
    send('z'.repeat(chunk));
    sent++;
    await turns(20);
    assert.equal(budget.used, 200 * 1024 + client.heldBytes, `after chunk ${sent}`);
    assert.ok(budget.used <= limit + chunk, `used ${budget.used} after chunk ${sent}`);
    if (client.heldBytes === held) break; // paused: the chunk waits in the pipe
    held = client.heldBytes;
  }
  assert.ok(budget.exceeded && sent < 6, 'reading paused once the budget was exceeded');
  await turns(50);
  assert.equal(client.heldBytes, held, 'nothing more is read while the budget is exceeded');
  assert.equal(call.done, false);
  // The other holder lets go: reading resumes, the rest arrives, the reply completes.
  budget.release(200 * 1024);
  for (; sent < 6; sent++) send('z'.repeat(chunk));
  send('","error":null}');
  await until(() => call.done);
  assert.equal((call.value as string).length, 6 * chunk);
  assert.equal(budget.used, 0);
  assert.ok(budget.peak <= limit + chunk, `peak ${budget.peak}`);
  await client.close();
});

test('budget: a small reply completes while the budget is exceeded; a connection that ends mid-reply gives back what it held', async () => {
  const budget = new ByteBudget(64 * 1024);
  budget.charge(100 * 1024); // exceeded by others
  const small = rawPeer({ budget });
  const one = settle(small.client.call('X.Y', 1));
  small.send(`{"id":0,"result":"${'s'.repeat(20_000)}`);
  await until(() => small.client.heldBytes > 0);
  small.send(`${'s'.repeat(20_000)}","error":null}`);
  await until(() => one.done);
  assert.equal((one.value as string).length, 40_000, 'a reply of two reads is not held back');
  budget.release(100 * 1024);

  const roomy = new ByteBudget(1024 * 1024);
  for (const end of ['close', 'peer destroys'] as const) {
    const { client, send, peer } = rawPeer({ budget: roomy });
    const call = settle(client.call('X.Y', 1));
    send(`{"id":0,"result":"${'p'.repeat(50_000)}`);
    await until(() => client.heldBytes > 0);
    send('p'.repeat(50_000));
    await until(() => client.heldBytes >= 100_000);
    assert.equal(roomy.used, client.heldBytes);
    if (end === 'close') await client.close();
    else peer.destroy();
    await until(() => call.done);
    assert.equal(roomy.used, 0, end);
  }
});

test('budget: a reply that alone outgrows the whole budget fails the connection at once (it could never complete)', async () => {
  const budget = new ByteBudget(128 * 1024);
  const { client, send } = rawPeer({ budget });
  const call = settle(client.call('X.Y', 1));
  send('{"id":0,"result":"');
  for (let i = 0; i < 8 && !call.done; i++) {
    send('x'.repeat(32 * 1024));
    await turns(20);
  }
  assert.ok(call.error instanceof ProtocolError && (call.error as ProtocolError).code === 'FLUXRPC_ERR_OVERSIZE', String(call.error));
  assert.match((call.error as Error).message, /does not fit the budget of 131072 buffered bytes/);
  assert.equal(client.isShutdown, true);
  assert.equal(budget.used, 0);
});

test('onceClosed: told once the client is shut down, after its pending calls failed, as closed.then would; a microtask later if already', async () => {
  const { client, peer } = rawPeer();
  const order: string[] = [];
  const call = client.call('X.Y', 1).then(
    () => order.push('call resolved'),
    () => order.push('call failed'),
  );
  client.onceClosed((e) => order.push(`listener: ${e.message}`));
  void client.closed.then((e) => order.push(`closed: ${e.message}`));
  peer.destroy();
  await call;
  await until(() => order.length === 3);
  assert.equal(order[0], 'call failed');
  assert.deepEqual(order.slice(1).sort(), ['closed: connection reset by peer', 'listener: connection reset by peer']);
  let late: string | undefined;
  client.onceClosed((e) => (late = e.message));
  assert.equal(late, undefined, 'not synchronously');
  await Promise.resolve();
  assert.equal(late, 'connection reset by peer');
});
