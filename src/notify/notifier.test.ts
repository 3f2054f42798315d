/**
 * The notifier against a fake receiver on loopback: Slack, Teams and webhook payloads, the
 * webhook signature, retries after 500s, nothing lost while the receiver is down, refusals,
 * a full queue, filters, metrics.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { GoTime, ResourceId, type FluxEvent } from '../flux/model/index.js';
import { EventStore } from '../hub/events.js';
import { parseNotifyConfig } from './config.js';
import { Notifier } from './notifier.js';
import { hubEventSource, soleDeliverer, type EventSource, type SourcedEvent } from './source.js';

const SECRET = 'a-webhook-secret-of-some-length';
const XSS = '<script>alert(1)</script>"><img src=x onerror=alert(2)>';

interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A receiver that records requests; `fail` answers the next n requests with that status. */
async function receiver(port = 0) {
  const got: Received[] = [];
  const fail: { status: number; count: number } = { status: 500, count: 0 };
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      if (fail.count > 0) {
        fail.count--;
        res.writeHead(fail.status).end('no');
        return;
      }
      got.push({ path: req.url ?? '', headers: req.headers, body });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  const close = () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r())));
  return { got, fail, server, port: (server.address() as AddressInfo).port, close };
}

const at = GoTime.fromDate(new Date('2024-05-01T10:00:00Z'));
const REV = 'c0ffee1234567890c0ffee1234567890c0ffee12';

function syncEvent(message = 'synced'): FluxEvent {
  return {
    id: 0,
    serviceIds: [ResourceId.parse('default:deployment/podinfo')],
    type: 'sync',
    startedAt: at,
    endedAt: at,
    logLevel: 'info',
    message,
    metadata: { kind: 'sync', revisions: null, commits: [{ revision: REV, message: `Release ${XSS}` }], includes: null, errors: [{ id: ResourceId.parse('shop:statefulset/redis'), path: 'x.yaml', error: `apply failed ${XSS}` }], initialSync: false },
  };
}

const gitUrl = async () => 'git@github.com:example/demo-cluster';
const closers: (() => unknown)[] = [];
after(async () => {
  for (const c of closers.reverse()) await c();
});

function setup(sinks: object[], extra: object = {}) {
  const config = parseNotifyConfig(JSON.stringify({ sinks, retry: { initialMs: 5, maxMs: 40, maxAgeMs: 60_000 }, ...extra }));
  const events = new EventStore(100);
  const registry = new Registry();
  const n = new Notifier({ config, source: hubEventSource(events), claim: soleDeliverer, gitUrl, registry, requestTimeoutMs: 2000 });
  closers.push(() => n.close());
  return { n, events, registry };
}

test('Slack, Teams and webhook payloads: title, workloads, commit links, errors, escaping, a verifiable signature', async () => {
  const r = await receiver();
  closers.push(r.close);
  const base = `http://127.0.0.1:${r.port}`;
  const { n, events } = setup([
    { name: 'slack', type: 'slack', url: `${base}/slack` },
    { name: 'teams', type: 'teams', url: `${base}/teams` },
    { name: 'hook', type: 'webhook', url: `${base}/hook`, secret: SECRET },
  ]);
  events.add('prod', syncEvent());
  await n.drained();
  const by = (p: string) => r.got.find((x) => x.path === p)!;

  const slack = JSON.parse(by('/slack').body) as { text: string };
  assert.match(slack.text, /^\*Applied flux changes to prod\*\n/);
  assert.match(slack.text, /\*Workloads\*: default:deployment\/podinfo/);
  assert.match(slack.text, new RegExp(`<https://github.com/example/demo-cluster/commit/${REV}\\|c0ffee1> Release &lt;script&gt;`));
  assert.match(slack.text, /\*Errors\*:\n• shop:statefulset\/redis: apply failed &lt;script&gt;alert\(1\)&lt;\/script&gt;"&gt;&lt;img/);
  assert.ok(!slack.text.includes('<script>') && !slack.text.includes('<img'), 'no raw markup from the daemon');

  const teams = JSON.parse(by('/teams').body) as Record<string, string>;
  assert.equal(teams['@type'], 'MessageCard');
  assert.equal(teams.summary, 'Applied flux changes to prod');
  assert.equal(teams.themeColor, 'D13438', 'red: the sync had errors');
  assert.match(teams.text!, new RegExp(`\\[c0ffee1\\]\\(https://github.com/example/demo-cluster/commit/${REV}\\)`));
  assert.ok(!teams.text!.includes('<script>'));

  const hook = by('/hook');
  const ts = String(hook.headers['x-fluxrpc-timestamp']);
  const expected = `v1=${createHmac('sha256', SECRET).update(`${ts}.${hook.body}`).digest('hex')}`;
  const given = String(hook.headers['x-fluxrpc-signature']);
  assert.ok(given.length === expected.length && timingSafeEqual(Buffer.from(given), Buffer.from(expected)), 'signature verifies');
  assert.ok(Math.abs(Number(ts) - Date.now() / 1000) < 300);
  const body = JSON.parse(hook.body) as { id: string; instance: string; type: string; commits: { url: string }[]; errors: string[]; event: { type: string; metadata: { commits: unknown[] } } };
  assert.equal(body.id, hook.headers['x-fluxrpc-delivery']);
  assert.equal(body.instance, 'prod');
  assert.equal(body.event.type, 'sync');
  assert.equal(body.commits[0]!.url, `https://github.com/example/demo-cluster/commit/${REV}`);
  assert.equal(body.errors.length, 1);
  assert.equal(body.event.metadata.commits.length, 1, 'the Flux event as the daemon posted it');
});

test('retries after 500s with backoff, then delivers; the same delivery id on every attempt; metrics count it', async () => {
  const r = await receiver();
  closers.push(r.close);
  const { n, events, registry } = setup([{ name: 'hook', type: 'webhook', url: `http://127.0.0.1:${r.port}/hook`, secret: SECRET }]);
  r.fail.count = 3;
  events.add('prod', syncEvent('one'));
  await n.drained();
  assert.equal(r.got.length, 1);
  const s = n.status()[0]!;
  assert.equal(s.delivered, 1);
  assert.equal(s.failedAttempts, 3);
  assert.equal(s.lastError, 'the receiver answered HTTP 500');
  const metrics = await registry.metrics();
  assert.match(metrics, /fluxrpc_notify_deliveries_total\{sink="hook",outcome="retry"\} 3/);
  assert.match(metrics, /fluxrpc_notify_deliveries_total\{sink="hook",outcome="delivered"\} 1/);
  assert.match(metrics, /fluxrpc_notify_queued_messages\{sink="hook"\} 0/);
});

test('nothing is lost while the receiver is down for a while: every message arrives, in order', async () => {
  const r = await receiver();
  const port = r.port;
  await r.close();
  const { n, events } = setup([{ name: 'slack', type: 'slack', url: `http://127.0.0.1:${port}/slack` }]);
  for (let i = 1; i <= 5; i++) events.add('prod', syncEvent(`event ${i}`));
  while (n.status()[0]!.failedAttempts < 3) await new Promise((res) => setTimeout(res, 5));
  assert.match(n.status()[0]!.lastError!, /cannot connect \(ECONNREFUSED\)/);
  assert.ok(!n.status()[0]!.lastError!.includes(String(port)), 'no URL in the error');
  const back = await receiver(port);
  closers.push(back.close);
  await n.drained();
  assert.deepEqual(
    back.got.map((g) => /event \d/.exec(g.body)?.[0]),
    ['event 1', 'event 2', 'event 3', 'event 4', 'event 5'],
  );
  assert.equal(n.status()[0]!.delivered, 5);
});

test('a 4xx is refused for good (not retried); a full queue drops the oldest; both are counted', async () => {
  const r = await receiver();
  closers.push(r.close);
  r.fail.status = 404;
  r.fail.count = 1;
  const { n, events } = setup([{ name: 'hook', type: 'webhook', url: `http://127.0.0.1:${r.port}/hook`, secret: SECRET }], { queueCapacity: 2 });
  events.add('prod', syncEvent('refused'));
  await n.drained();
  assert.equal(n.status()[0]!.refused, 1);
  assert.equal(r.got.length, 0);

  await r.close();
  for (let i = 0; i < 5; i++) events.add('prod', syncEvent(`q${i}`));
  while (n.status()[0]!.dropped < 3) await new Promise((res) => setTimeout(res, 5));
  assert.ok(n.status()[0]!.queued <= 2);
});

test('filters: instances, event types, errors only', async () => {
  const r = await receiver();
  closers.push(r.close);
  const base = `http://127.0.0.1:${r.port}`;
  const { n, events } = setup([
    { name: 'prod-only', type: 'slack', url: `${base}/prod`, instances: ['prod'] },
    { name: 'releases', type: 'slack', url: `${base}/releases`, events: ['release'] },
    { name: 'errors', type: 'slack', url: `${base}/errors`, errorsOnly: true },
  ]);
  events.add('dev', { ...syncEvent(), metadata: null });
  events.add('prod', { ...syncEvent(), metadata: null, message: 'prod ok' });
  events.add('dev', { ...syncEvent(), metadata: null, logLevel: 'error', message: 'dev broke' });
  await n.drained();
  const paths = r.got.map((g) => `${g.path}:${/(prod ok|dev broke|synced)/.exec(g.body)?.[0]}`).sort();
  assert.deepEqual(paths, ['/errors:dev broke', '/prod:prod ok']);
});

test('the config is checked: types, URLs, secrets, templates', () => {
  const bad: [object, RegExp][] = [
    [{ sinks: [{ name: 'a', type: 'email', url: 'https://x' }] }, /"type" must be one of slack, teams, webhook/],
    [{ sinks: [{ name: 'a', type: 'slack', url: 'ftp://x' }] }, /must be http\(s\)/],
    [{ sinks: [{ name: 'a', type: 'webhook', url: 'https://x' }] }, /needs "secret"/],
    [{ sinks: [{ name: 'a', type: 'webhook', url: 'https://x', secret: 'short' }] }, /at least 16/],
    [{ sinks: [{ name: 'a', type: 'slack', url: 'https://x', template: '{{nope}}' }] }, /unknown field \{\{nope\}\}/],
    [{ sinks: [{ name: 'a', type: 'slack', url: 'https://x', filter: 1 }] }, /unknown key "filter"/],
    [{ sinks: [], retry: { initialMs: -1 } }, /retry.initialMs must be a positive integer/],
    [{ sinks: [], redeliverAfterMs: 10 }, /redeliverAfterMs must be at least 1000/],
    [{ sinks: [], queueCapcity: 10 }, /unknown key "queueCapcity"/],
  ];
  for (const [doc, re] of bad) assert.throws(() => parseNotifyConfig(JSON.stringify(doc)), re);
});

test('a template replaces the default text; fields are escaped for the sink', async () => {
  const r = await receiver();
  closers.push(r.close);
  const { n, events } = setup([{ name: 's', type: 'slack', url: `http://127.0.0.1:${r.port}/s`, template: '{{instance}}: {{message}} [{{commits}}]' }]);
  events.add('prod', syncEvent(XSS));
  await n.drained();
  const text = (JSON.parse(r.got[0]!.body) as { text: string }).text;
  assert.ok(text.startsWith('*Applied flux changes to prod*\nprod: &lt;script&gt;'), text);
  assert.match(text, /\[c0ffee1 https:\/\/github.com\/example\/demo-cluster\/commit\//);
});

test('the source is told when every sink has finished with an event (delivered, refused, filtered out), and gets back what is unfinished at close', async () => {
  const r = await receiver();
  closers.push(r.close);
  const base = `http://127.0.0.1:${r.port}`;
  const config = parseNotifyConfig(JSON.stringify({ sinks: [{ name: 'a', type: 'slack', url: `${base}/a`, events: ['sync'] }, { name: 'b', type: 'slack', url: `${base}/b`, events: ['sync'] }], retry: { initialMs: 5, maxMs: 40, maxAgeMs: 60_000 } }));
  let hand: ((e: SourcedEvent) => void) | undefined;
  const source: EventSource = { subscribe: (l) => ((hand = l), () => (hand = undefined)) };
  const n = new Notifier({ config, source, claim: soleDeliverer, gitUrl, requestTimeoutMs: 2000 });
  const outcome = new Map<string, string>();
  const give = (key: string, event: FluxEvent) => hand!({ key, instance: 'prod', event, receivedAt: new Date(), done: () => outcome.set(key, outcome.has(key) ? 'twice' : 'done'), release: () => outcome.set(key, 'released') });
  r.fail.count = 1; // the first request fails: sink a or b retries; the event is done only after both
  give('e1', syncEvent('both sinks'));
  give('e2', { ...syncEvent('no sink takes it'), type: 'release' });
  await n.drained();
  assert.equal(r.got.length, 2);
  assert.deepEqual([...outcome].sort(), [['e1', 'done'], ['e2', 'done']]);
  await r.close();
  give('e3', syncEvent('the receiver is gone'));
  while (n.status().every((s) => s.failedAttempts < 2)) await new Promise((res) => setTimeout(res, 5));
  assert.equal(outcome.has('e3'), false, 'not finished while a sink retries');
  n.close();
  assert.equal(outcome.get('e3'), 'released');
  assert.equal(hand, undefined, 'unsubscribed');
});
