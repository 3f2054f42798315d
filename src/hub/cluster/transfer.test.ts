/**
 * Conversations and chunked payloads on a real nats-server whose max_payload is 64 KiB, so that
 * payloads of a few hundred KiB take many chunks and the credit window matters.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { ByteBudget } from '../../runtime/budget.js';
import { NatsServer, NATS_SERVER, requireNatsServer } from '../../../test/cluster/nats-server.js';
import { BusError, chunkSize, Endpoint, NO_RESPONDERS, WINDOW } from './transfer.js';

const MAX_PAYLOAD = 64 * 1024;

describe('transfer over a real nats-server', { timeout: 60_000 }, () => {
  let server: NatsServer | undefined;
  let a: NatsConnection;
  let b: NatsConnection;
  before(async () => {
    if (NATS_SERVER === undefined) return;
    const conf = join(mkdtempSync(join(tmpdir(), 'fluxrpc-nats-conf-')), 'nats.conf');
    writeFileSync(conf, `max_payload: ${MAX_PAYLOAD}\n`);
    server = await NatsServer.start({ args: ['-c', conf] });
    a = await connect({ servers: server.url });
    b = await connect({ servers: server.url });
  });
  after(async () => {
    await a?.close();
    await b?.close();
    await server?.dispose();
  });

  /** Sends `payload` from a conversation on `a` to one on `b` (the opening frame carries the first piece). */
  async function roundTrip(payload: Buffer, budget = new ByteBudget(64 * 1024 * 1024)): Promise<Buffer> {
    assert.equal(a.info!.max_payload, MAX_PAYLOAD);
    const size = chunkSize(MAX_PAYLOAD);
    const ea = new Endpoint();
    const eb = new Endpoint();
    ea.attach(a);
    eb.attach(b);
    await a.flush();
    const subject = `test.open.${randomBytes(4).toString('hex')}`;
    const received = new Promise<Buffer>((resolve, reject) => {
      const sub = b.subscribe(subject, {
        max: 1,
        callback: (_err, msg) => {
          const ch = eb.channel(AbortSignal.timeout(20_000));
          ch.peer = msg.reply;
          const first = msg.data.subarray(msg.data.indexOf(0x0a) + 1);
          if (payload.length > first.length) ch.send({ k: 'more' });
          ch.receiveRest(payload.length, first, budget).then(({ bytes, release }) => {
            const copy = Buffer.from(bytes);
            release();
            ch.send({ k: 'done' });
            ch.close();
            resolve(copy);
          }, reject);
        },
      });
      void sub;
    });
    await b.flush();
    const ch = ea.channel(AbortSignal.timeout(20_000));
    ch.open(subject, { k: 'open' }, payload.subarray(0, size));
    const sending = (async () => {
      // As forward.ts: the receiver asks for the rest from its own conversation.
      if (payload.length > size) {
        const more = await ch.next();
        assert.equal(more.h.k, 'more');
        ch.peer = more.reply;
        await ch.sendRest(payload, size, size);
      }
      const done = await ch.nextSkippingCredit();
      assert.equal(done.h.k, 'done');
      ch.close();
    })();
    const [got] = await Promise.all([received, sending]);
    assert.equal(ea.open, 0);
    assert.equal(eb.open, 0);
    return got;
  }

  test('payloads of every size around the chunk boundaries arrive whole and in order', async (t) => {
    if (!requireNatsServer(t)) return;
    const size = chunkSize(MAX_PAYLOAD);
    for (const n of [0, 1, size - 1, size, size + 1, 2 * size, WINDOW * size + 7, 20 * size + 3]) {
      const payload = randomBytes(n);
      const got = await roundTrip(payload);
      assert.ok(got.equals(payload), `payload of ${n} bytes`);
    }
  });

  test('a sender never has more than WINDOW chunks in flight: each further chunk waits for a credit', async (t) => {
    if (!requireNatsServer(t)) return;
    const size = chunkSize(MAX_PAYLOAD);
    const ea = new Endpoint();
    ea.attach(a);
    const eb = new Endpoint();
    eb.attach(b);
    await b.flush(); // the receiver's inbox subscription is known to the server
    const receiver = eb.channel(AbortSignal.timeout(20_000));
    const sender = ea.channel(AbortSignal.timeout(20_000));
    sender.peer = receiver.address;
    receiver.peer = sender.address;
    const sending = sender.sendRest(randomBytes(12 * size), 0, size);
    const chunks: number[] = [];
    const settle = async () => {
      await a.flush();
      await b.flush();
      await new Promise((r) => setTimeout(r, 200));
    };
    const drain = async (n: number) => {
      for (let i = 0; i < n; i++) chunks.push(Number((await receiver.next()).h['i']));
    };
    await settle();
    await drain(WINDOW);
    receiver.send({ k: 'credit' });
    await settle();
    await drain(1);
    // Nothing beyond the credit granted has come.
    let extra = false;
    void receiver.next().then(() => (extra = true), () => undefined);
    await settle();
    assert.equal(extra, false);
    assert.deepEqual(chunks, [1, 2, 3, 4, 5].slice(0, WINDOW + 1));
    sender.close(new BusError('done'));
    await assert.rejects(sending, /done/);
    receiver.close();
  });

  test('a payload larger than what the receiver may hold is refused before any chunk is taken', async (t) => {
    if (!requireNatsServer(t)) return;
    const budget = new ByteBudget(100_000);
    await assert.rejects(roundTrip(randomBytes(300_000), budget), (e: unknown) => e instanceof BusError && /already receiving 0 bytes of forwarded calls \(limit 100000\)/.test(e.message));
    assert.equal(budget.used, 0);
  });

  test('a sender that vanishes mid-payload costs the receiver its deadline, then the bytes are released', async (t) => {
    if (!requireNatsServer(t)) return;
    const eb = new Endpoint();
    eb.attach(b);
    const budget = new ByteBudget(10 * 1024 * 1024);
    const ch = eb.channel(AbortSignal.timeout(300));
    ch.peer = 'nobody.listens.here';
    await assert.rejects(ch.receiveRest(1_000_000, Buffer.alloc(10), budget), (e: unknown) => (e as Error).name === 'TimeoutError');
    assert.equal(budget.used, 0);
    assert.equal(eb.open, 0);
  });

  test('a request nobody serves comes back as a no-responders frame at once', async (t) => {
    if (!requireNatsServer(t)) return;
    const ea = new Endpoint();
    ea.attach(a);
    const ch = ea.channel(AbortSignal.timeout(20_000));
    ch.open('nobody.serves.this', { k: 'call' });
    const f = await ch.next();
    assert.equal(f.h.k, NO_RESPONDERS);
    ch.close();
  });

  test('losing the connection fails every open conversation with the reason given', async (t) => {
    if (!requireNatsServer(t)) return;
    const ea = new Endpoint();
    ea.attach(a);
    const chs = [ea.channel(AbortSignal.timeout(20_000)), ea.channel(AbortSignal.timeout(20_000))];
    const waits = chs.map((c) => c.next());
    ea.detach(new BusError('lost'));
    for (const w of waits) await assert.rejects(w, /lost/);
    assert.equal(ea.open, 0);
    await assert.rejects(chs[0]!.next(), /lost/);
  });

  test('a malformed frame closes only its conversation', async (t) => {
    if (!requireNatsServer(t)) return;
    const ea = new Endpoint();
    ea.attach(a);
    await a.flush(); // b publishes to a's inbox: the subscription must be known to the server first
    const ch = ea.channel(AbortSignal.timeout(20_000));
    const other = ea.channel(AbortSignal.timeout(20_000));
    b.publish(ch.address, 'no header line');
    await assert.rejects(ch.next(), (e: unknown) => e instanceof BusError && /without a header line/.test(e.message));
    b.publish(other.address, '{"k":"fine"}\nbody');
    const f = await other.next();
    assert.equal(f.h.k, 'fine');
    assert.equal(Buffer.from(f.body).toString(), 'body');
    other.close();
  });
});
