/**
 * The server's connection lifecycle (reading → draining → closed and its invariants, see
 * server.ts), its refusal of undecodable requests at their first byte, and its per-call signals.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { memoryPipe } from '../transport/memory.js';
import { Client } from './client.js';
import { Server, type ConnectionLifecycle, type ServerConnection } from './server.js';
import { testService } from '../../test/fakes/test-service.js';
import { warningsDuring } from '../../test/fakes/observe.js';

async function until(done: () => boolean, turns = 10_000): Promise<void> {
  for (let i = 0; i < turns && !done(); i++) await new Promise((r) => setImmediate(r));
  assert.ok(done(), 'condition not reached');
}

/** A gate a method waits on; the test opens it. */
function gate() {
  let open!: (v: string) => void;
  const opened = new Promise<string>((r) => (open = r));
  return { opened, open };
}

/**
 * A server connection and a raw peer. `replies` are what the server wrote (recorded at its end: a
 * memory pipe has no half-close, so a peer that closed cannot read them).
 */
function served(service = testService(), onError?: (e: Error) => void) {
  const [a, b] = memoryPipe();
  const errors: string[] = [];
  const replies: string[] = [];
  const write = b.write.bind(b);
  b.write = (data: Buffer) => {
    replies.push(...data.toString().split('\n').filter(Boolean));
    return write(data);
  };
  const connection: ServerConnection & ConnectionLifecycle = new Server().register('Test', service).serve(b, {
    onError: (e) => {
      errors.push(e.message);
      onError?.(e);
    },
  });
  let ended = false;
  a.start({ data: () => undefined, end: () => (ended = true) });
  const send = (text: string) => a.write(Buffer.from(text));
  return { connection, replies, errors, send, peer: a, ended: () => ended };
}

test('lifecycle: at end of stream the connection drains — running calls still reply — then closes', async () => {
  const g = gate();
  const { connection, replies, send, peer } = served({ Wait: { handle: () => g.opened } });
  let closedAt = -1;
  void connection.done.then(() => (closedAt = replies.length));
  send('{"method":"Test.Wait","params":[{}],"id":1}');
  await until(() => connection.running === 1);
  assert.equal(connection.state, 'reading');
  peer.close(); // EOF: no more requests
  await until(() => connection.state === 'draining');
  assert.equal(connection.running, 1);
  for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
  assert.equal(connection.state, 'draining', 'not closed while a call runs');
  g.open('done');
  await connection.done;
  assert.equal(connection.state, 'closed');
  assert.deepEqual(replies, ['{"id":1,"result":"done","error":null}']);
  assert.equal(closedAt, 1, 'closed after the reply was written');
});

test('lifecycle: a call is no longer running once its method settles, before its reply is written', async () => {
  const seen: [number, number][] = [];
  let connection!: ServerConnection & ConnectionLifecycle;
  let replies!: string[];
  const s = served({
    Quick: {
      handle: () => {
        // Runs after the method has settled and before the reply is written (the write slice is
        // scheduled behind this).
        setImmediate(() => seen.push([connection.running, replies.length]));
        return 'ok';
      },
    },
  });
  connection = s.connection;
  replies = s.replies;
  s.send('{"method":"Test.Quick","params":[{}],"id":1}');
  await until(() => replies.length === 1);
  assert.deepEqual(seen, [[0, 0]]);
  connection.close();
});

test('lifecycle: close() aborts running calls, drops their replies and closes; the state only moves forward', async () => {
  let signal!: AbortSignal;
  const { connection, replies, send, ended } = served({
    Hang: {
      handle: (_p: unknown, ctx) => {
        signal = ctx.signal;
        return new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason), { once: true }));
      },
    },
  });
  send('{"method":"Test.Hang","params":[{}],"id":1}');
  await until(() => connection.running === 1);
  connection.close();
  assert.equal(connection.state, 'closed');
  assert.equal(signal.aborted, true);
  assert.equal(connection.running, 0);
  await connection.done;
  await until(ended);
  for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
  assert.deepEqual(replies, []);
  send('{"method":"Test.Echo","params":["late"],"id":2}');
  assert.equal(connection.state, 'closed');
});

test('lifecycle: the peer vanishing aborts running calls at once', async () => {
  let signal!: AbortSignal;
  const { connection, send, peer } = served({ Hang: { handle: (_p: unknown, ctx) => ((signal = ctx.signal), new Promise(() => undefined)) } });
  send('{"method":"Test.Hang","params":[{}],"id":1}');
  await until(() => connection.running === 1);
  peer.destroy(new Error('reset'));
  await connection.done;
  assert.equal(signal.aborted, true);
  assert.equal(connection.state, 'closed');
});

test("a request that cannot be an envelope is refused at its first byte (Go's text); earlier calls still reply, then the connection closes", async () => {
  const { connection, replies, errors, send, ended } = served();
  // The array never ends: the server must not wait for it.
  send('{"method":"Test.Sleep","params":[20],"id":7}[1,2,3');
  await connection.done;
  await until(ended);
  assert.deepEqual(replies, ['{"id":7,"result":20,"error":null}']);
  assert.deepEqual(errors, ['malformed request: json: cannot unmarshal array into Go value of type jsonrpc.serverRequest']);
});

test("a request nested deeper than Go's limit stops reading with Go's error", async () => {
  const { connection, errors, send } = served();
  send('{"method":"Test.Echo","params":' + '['.repeat(20_000));
  await connection.done;
  assert.deepEqual(errors, ["malformed request: invalid character '[' exceeded max depth"]);
});

test('a large request is parsed in slices and its id echoed verbatim', async () => {
  const [a, b] = memoryPipe();
  new Server().register('Test', testService()).serve(b, { slicedParseBytes: 1024, sliceMs: 0 });
  const replies: string[] = [];
  a.start({ data: (c) => replies.push(c.toString()), end: () => undefined });
  const big = 'é'.repeat(100_000);
  a.write(Buffer.from(`{"id": { "b" : [1, 2.50] }, "method":"Test.Echo","params":["${big}"]}{"method":"Test.Echo","params":["small"],"id":8}`));
  await until(() => replies.length === 2);
  assert.equal(replies[0], `{"id":{"b":[1,2.50]},"result":"${big}","error":null}\n`);
  assert.equal(replies[1], '{"id":8,"result":"small","error":null}\n');
  a.close();
});

test('per-call signals: a flood of 10,000 calls that listen to their signal does not warn, and each call is aborted on close', async () => {
  let aborted = 0;
  const warnings = await warningsDuring(async () => {
    const [a, b] = memoryPipe();
    let started = 0;
    const connection = new Server()
      .register('T', {
        Hang: {
          handle: (_p: unknown, ctx) =>
            new Promise((_, reject) => {
              started++;
              ctx.signal.addEventListener('abort', () => (aborted++, reject(ctx.signal.reason)), { once: true });
            }),
        },
      })
      .serve(b);
    const client = new Client(a);
    const calls = Array.from({ length: 10_000 }, () => client.call('T.Hang', {}).catch((e: unknown) => e));
    await until(() => started === 10_000, 100_000);
    connection.close();
    await Promise.all(calls);
  });
  assert.equal(aborted, 10_000);
  assert.deepEqual(warnings, []);
});

test('a method timeout aborts the call\'s signal with its reason; the reply still waits for the method', async () => {
  const [a, b] = memoryPipe();
  const reasons: unknown[] = [];
  new Server()
    .register('T', {
      Slow: {
        timeout: { ms: 20, reason: () => new Error('context deadline exceeded') },
        handle: (_p: unknown, ctx) =>
          new Promise((_, reject) =>
            ctx.signal.addEventListener('abort', () => {
              reasons.push(ctx.signal.reason);
              reject(ctx.signal.reason);
            }, { once: true }),
          ),
      },
    })
    .serve(b);
  const client = new Client(a);
  await assert.rejects(client.call('T.Slow', {}), { message: 'context deadline exceeded' });
  assert.equal(reasons.length, 1);
  await client.close();
});
