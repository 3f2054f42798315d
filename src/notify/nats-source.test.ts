/**
 * Notifications with hub replicas on a real nats-server (three replicas in this process, each with
 * its notifier on the shared consumer, all sending to one fake webhook receiver that counts the
 * deliveries of each event): each event is delivered once in the normal case, with nothing
 * redelivered; a replica that stops while a delivery is in flight hands the event to another; an
 * event posted while NATS was down is delivered once after NATS is back. The kill -9 case, with
 * replica processes, is in test/cluster/notify.test.ts.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { Hub, type ListenAddress } from '../hub/hub.js';
import { EVENTS_STREAM } from '../hub/cluster/names.js';
import { silentLogger } from '../runtime/log.js';
import { NatsServer, NATS_SERVER, requireNatsServer } from '../../test/cluster/nats-server.js';
import { rawRequest, waitFor } from '../../test/cluster/http.js';
import { webhookReceiver, type WebhookReceiver } from '../../test/fakes/webhook-receiver.js';
import { parseNotifyConfig } from './config.js';
import { NOTIFY_CONSUMER } from './nats-source.js';
import { Notifier } from './notifier.js';
import { fleetEventSource, soleDeliverer } from './source.js';

const SECRET = 'a-webhook-secret-of-some-length';
const TOKENS = new Map([['tok-prod', 'prod']]);

const event = (message: string) => JSON.stringify({ serviceIDs: ['default:deployment/podinfo'], type: 'sync', startedAt: '2024-01-01T00:00:00Z', endedAt: '2024-01-01T00:00:01Z', logLevel: 'info', message, metadata: { commits: [{ revision: 'abc', message: 'm' }] } });

describe('notifications with replicas on NATS', { timeout: 120_000 }, () => {
  let nats: NatsServer;
  let nc: NatsConnection;
  let hook: WebhookReceiver;
  const replicas: { id: string; hub: Hub; addr: ListenAddress; notifier: Notifier }[] = [];

  async function start(id: string, redeliverAfterMs = 60_000): Promise<void> {
    const hub = new Hub({ tokens: TOKENS, cluster: { servers: [nats.url], replicaId: id } });
    const config = parseNotifyConfig(JSON.stringify({ sinks: [{ name: 'hook', type: 'webhook', url: hook.url(id), secret: SECRET }], retry: { initialMs: 20, maxMs: 200, maxAgeMs: 600_000 }, redeliverAfterMs }));
    const notifier = new Notifier({ config, source: fleetEventSource(hub, { log: silentLogger, redeliverAfterMs: config.redeliverAfterMs }), claim: soleDeliverer, gitUrl: async () => undefined, requestTimeoutMs: 30_000 });
    replicas.push({ id, hub, addr: await hub.listen(0), notifier });
  }

  const consumer = async () => (await jetstreamManager(nc)).consumers.info(EVENTS_STREAM, NOTIFY_CONSUMER);
  /** Every event taken from the stream has been acknowledged. */
  const settled = () => waitFor(async () => {
    const c = await consumer();
    return c.num_pending === 0 && c.num_ack_pending === 0;
  }, 'the consumer has nothing pending or unacknowledged');
  const post = (at: ListenAddress, message: string) => rawRequest(at.url, 'POST', '/api/flux/v6/events', { Authorization: 'Scope-Probe token=tok-prod' }, event(message));

  before(async () => {
    if (NATS_SERVER === undefined) return;
    nats = await NatsServer.start();
    hook = await webhookReceiver();
    for (const id of ['A', 'B', 'C']) await start(id);
    nc = await connect({ servers: nats.url });
    await waitFor(async () => (await consumer().catch(() => undefined)) !== undefined, 'the notifications consumer exists');
  });
  after(async () => {
    for (const r of replicas) r.notifier.close();
    for (const r of replicas) await r.hub.close();
    await nc?.close();
    await hook?.close();
    await nats?.dispose();
  });

  test('normal case: 30 events posted on three replicas are each delivered exactly once, and nothing is redelivered', async (t) => {
    if (!requireNatsServer(t)) return;
    const messages = Array.from({ length: 30 }, (_, i) => `normal ${i}`);
    for (const [i, m] of messages.entries()) assert.equal((await post(replicas[i % 3]!.addr, m)).status, 204);
    await waitFor(() => messages.every((m) => hook.requests(m).length >= 1), 'every event delivered');
    await settled();
    for (const m of messages) assert.equal(hook.requests(m).length, 1, `${m} delivered once`);
    const ids = new Set(hook.got.filter((d) => d.message.startsWith('normal ')).map((d) => d.id));
    assert.equal(ids.size, 30, 'one delivery id per event');
    assert.equal((await consumer()).delivered.consumer_seq, 30, 'each event handed to a replica once (a redelivery counts again)');
  });

  test('a replica that stops while its delivery is in flight hands the event back, and another replica delivers it (same delivery id)', async (t) => {
    if (!requireNatsServer(t)) return;
    hook.hold((d) => d.message === 'in flight');
    assert.equal((await post(replicas[0]!.addr, 'in flight')).status, 204);
    await waitFor(() => hook.requests('in flight').length === 1, 'a replica is delivering it');
    const first = hook.got.find((d) => d.message === 'in flight')!;
    const holder = replicas.find((r) => r.id === first.replica)!;
    hook.hold(undefined);
    // Stopped without the receiver's answer: the event goes back to the stream at once (not after the 60 s ack wait).
    holder.notifier.close();
    await waitFor(() => hook.got.some((d) => d.message === 'in flight' && d.replica !== holder.id), 'another replica delivered it');
    const second = hook.got.find((d) => d.message === 'in flight' && d.replica !== holder.id)!;
    assert.equal(second.id, first.id, 'the same X-Fluxrpc-Delivery: the receiver can drop the repeat');
    await settled();
    hook.release();
    await holder.hub.close();
    replicas.splice(replicas.indexOf(holder), 1);
  });

  test("the consumer's ack wait is the last started replica's redeliverAfterMs", async (t) => {
    if (!requireNatsServer(t)) return;
    assert.equal((await consumer()).config.ack_wait, 60_000 * 1e6);
    await start('D', 45_000);
    await waitFor(async () => (await consumer()).config.ack_wait === 45_000 * 1e6, 'the ack wait changed');
  });

  test('an event posted while NATS is down is kept by its replica and delivered once after NATS is back', async (t) => {
    if (!requireNatsServer(t)) return;
    await nc.close();
    await nats.stop();
    const at = replicas[0]!;
    await waitFor(async () => (await rawRequest(at.addr.url, 'GET', '/healthz')).body.toString().startsWith('degraded'), 'the replica noticed');
    assert.equal((await post(at.addr, 'while NATS was down')).status, 204);
    assert.equal(hook.requests('while NATS was down').length, 0, 'not notified before NATS has it');
    await nats.restart();
    nc = await connect({ servers: nats.url });
    await waitFor(() => hook.requests('while NATS was down').length === 1, 'delivered after NATS is back', 30_000);
    await settled();
    assert.equal(hook.requests('while NATS was down').length, 1);
  });
});
