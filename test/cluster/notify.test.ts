/**
 * Notifications with hub replica processes (`fluxrpc hub --nats … --notify FILE`) on a real
 * nats-server, sending to a fake webhook receiver in this process that counts the deliveries of
 * each event (each replica's sink URL ends in its name, so the receiver knows who sent what):
 *
 * - two replicas up, no failures: each event posted (on either replica) is delivered exactly once,
 *   and the shared consumer handed each out once (its delivery count equals the events);
 * - the replica delivering an event is killed (kill -9) while its request is in flight: the other
 *   replica delivers the event (same delivery id) once the ack wait (`redeliverAfterMs`) has passed.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { EVENTS_STREAM } from '../../src/hub/cluster/names.js';
import { NOTIFY_CONSUMER } from '../../src/notify/nats-source.js';
import { NatsServer, requireNatsServer } from './nats-server.js';
import { Replica } from './processes.js';
import { rawRequest, waitFor } from './http.js';
import { webhookReceiver, type WebhookReceiver } from '../fakes/webhook-receiver.js';

const dir = mkdtempSync(join(tmpdir(), 'fluxrpc-cluster-notify-'));
const tokensFile = join(dir, 'tokens.json');
writeFileSync(tokensFile, JSON.stringify({ 'tok-prod': 'prod' }));

const cleanups: (() => Promise<unknown> | unknown)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

function notifyFile(id: string, hook: WebhookReceiver): string {
  const file = join(dir, `notify-${id}.json`);
  writeFileSync(file, JSON.stringify({ sinks: [{ name: 'hook', type: 'webhook', url: hook.url(id), secret: 'a-webhook-secret-of-some-length' }], retry: { initialMs: 50, maxMs: 500, maxAgeMs: 600_000 }, redeliverAfterMs: 2000 }));
  return file;
}

const event = (message: string) => JSON.stringify({ serviceIDs: ['default:deployment/podinfo'], type: 'sync', startedAt: '2024-01-01T00:00:00Z', endedAt: '2024-01-01T00:00:01Z', logLevel: 'info', message, metadata: { commits: [{ revision: 'abc', message: 'm' }] } });
const post = (r: Replica, message: string) => rawRequest(r.url, 'POST', '/api/flux/v6/events', { Authorization: 'Scope-Probe token=tok-prod' }, event(message));

describe('notifications with replica processes (real nats-server)', { timeout: 180_000 }, () => {
  test('each event is delivered once by one of two replicas; the one delivering an event is killed mid-delivery: the other delivers it', async (t) => {
    if (!requireNatsServer(t)) return;
    const nats = await NatsServer.start();
    cleanups.push(() => nats.dispose());
    const hook = await webhookReceiver();
    cleanups.push(() => hook.close());
    const replicas = await Promise.all(
      ['A', 'B'].map(async (id) => {
        const r = await Replica.start(id, nats.url, tokensFile, ['--notify', notifyFile(id, hook)]);
        cleanups.push(() => r.kill9());
        return r;
      }),
    );
    const nc: NatsConnection = await connect({ servers: nats.url });
    cleanups.push(() => nc.close());
    const consumer = async () => (await jetstreamManager(nc)).consumers.info(EVENTS_STREAM, NOTIFY_CONSUMER);
    const settled = () => waitFor(async () => {
      const c = await consumer();
      return c.num_pending === 0 && c.num_ack_pending === 0;
    }, 'every event taken from the stream is acknowledged', 30_000);
    await waitFor(async () => (await consumer().catch(() => undefined)) !== undefined, 'the notifications consumer exists');

    // The normal case.
    const messages = Array.from({ length: 20 }, (_, i) => `event ${i}`);
    for (const [i, m] of messages.entries()) assert.equal((await post(replicas[i % 2]!, m)).status, 204);
    await waitFor(() => messages.every((m) => hook.answered(m).length >= 1), 'every event delivered');
    await settled();
    for (const m of messages) assert.equal(hook.requests(m).length, 1, `${m}: one request in all`);
    assert.equal((await consumer()).delivered.consumer_seq, 20, 'each event handed to a replica once (a redelivery counts again)');

    // kill -9 of the replica whose request is in flight.
    hook.hold((d) => d.message === 'killed mid-delivery');
    assert.equal((await post(replicas[0]!, 'killed mid-delivery')).status, 204);
    await waitFor(() => hook.got.some((d) => d.message === 'killed mid-delivery'), 'a replica is delivering it');
    const first = hook.got.find((d) => d.message === 'killed mid-delivery')!;
    const dying = replicas.find((r) => r.id === first.replica)!;
    const other = replicas.find((r) => r !== dying)!;
    hook.hold(undefined);
    await dying.kill9();
    await waitFor(() => hook.answered('killed mid-delivery').length === 1, 'delivered by the other replica after the ack wait', 30_000);
    const second = hook.answered('killed mid-delivery')[0]!;
    assert.equal(second.replica, other.id);
    assert.equal(second.id, first.id, 'the same X-Fluxrpc-Delivery id');
    await settled();
    assert.equal((await consumer()).delivered.consumer_seq, 22, 'handed out twice: to the killed replica, then to the other');
    assert.match((await rawRequest(other.url, 'GET', '/metrics')).body.toString(), /^fluxrpc_notify_redelivered_total 1$/m);

    // The survivor goes on delivering each new event once.
    assert.equal((await post(other, 'after the kill')).status, 204);
    await waitFor(() => hook.answered('after the kill').length === 1, 'a new event delivered');
    await settled();
    assert.equal(hook.requests('after the kill').length, 1);
    assert.equal((await consumer()).delivered.consumer_seq, 23);
    await other.stop();
    assert.equal(await other.exited, 0);
  });
});
