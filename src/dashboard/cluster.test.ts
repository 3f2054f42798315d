/**
 * The dashboard on two hub replicas (A and B, in this process) sharing a real nats-server, a
 * session key and a users file, as a load balancer would have a browser's requests land on either:
 * a session made on A works on B; B's fleet lists every instance with the replica holding it and
 * B's pages reach the daemon on A; a sign-out on A is honoured by B; failed sign-ins on A count on
 * B; a release or sync started through A is followed to the end on B's job page, and its event is
 * recorded once, in the stream; A's live stream shows an event posted on B and a daemon connecting
 * on B.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { encodeEvent } from '../flux/model/index.js';
import { Browser, PASSWORD, startDashboardHub, type TestHub } from '../../test/fakes/dashboard-hub.js';
import { FluxdLikeDemo } from '../../test/fakes/fluxd-like-demo.js';
import { NatsServer, NATS_SERVER, requireNatsServer } from '../../test/cluster/nats-server.js';
import { rawRequest, waitFor } from '../../test/cluster/http.js';

/** A live stream (`/live`) read as a browser's EventSource would: every message so far, by kind. */
async function live(base: string, cookie: string) {
  const stop = new AbortController();
  const res = await fetch(base + '/live', { headers: { cookie }, signal: stop.signal });
  assert.equal(res.status, 200);
  const got: { kind: string; data: Record<string, unknown> }[] = [];
  let text = '';
  const reading = (async () => {
    const decoder = new TextDecoder();
    try {
      for await (const chunk of res.body!) {
        text += decoder.decode(chunk as Uint8Array, { stream: true });
        let end;
        while ((end = text.indexOf('\n\n')) >= 0) {
          const block = text.slice(0, end);
          text = text.slice(end + 2);
          const kind = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (kind && data) got.push({ kind, data: JSON.parse(data) as Record<string, unknown> });
        }
      }
    } catch {
      // aborted
    }
  })();
  return {
    got,
    close: async () => {
      stop.abort();
      await reading;
    },
  };
}

const event = (message: string) => JSON.stringify({ serviceIDs: ['default:deployment/podinfo'], type: 'sync', startedAt: '2024-01-01T00:00:00Z', endedAt: '2024-01-01T00:00:01Z', logLevel: 'info', message, metadata: { commits: [{ revision: 'abc', message: 'm' }] } });

describe('the dashboard on two replicas', { timeout: 120_000 }, () => {
  let nats: NatsServer;
  let a: TestHub;
  let b: TestHub;

  before(async () => {
    if (NATS_SERVER === undefined) return;
    nats = await NatsServer.start();
    const sessionKey = randomBytes(32);
    a = await startDashboardHub({ cluster: { servers: [nats.url], replicaId: 'A' }, sessionKey });
    b = await startDashboardHub({ cluster: { servers: [nats.url], replicaId: 'B' }, sessionKey, usersPath: a.usersPath });
    a.attach('demo', new FluxdLikeDemo((e) => void a.hub.eventLog.append('demo', e, Buffer.from(encodeEvent(e)))));
    await waitFor(() => b.hub.instances().some((s) => s.instance === 'demo' && s.replica === 'A'), 'B sees demo held by A');
  });
  after(async () => {
    await b?.close();
    await a?.close();
    await nats?.dispose();
  });

  test('a session made on A works on B; B lists every instance with its replica and reaches the daemon on A', async (t) => {
    if (!requireNatsServer(t)) return;
    const onA = new Browser(a.url);
    assert.equal((await onA.login('dee')).status, 303);
    const onB = new Browser(b.url, onA.jar);
    const fleet = await onB.get('/');
    assert.equal(fleet.status, 200);
    const page = await fleet.text();
    assert.match(page, /<tr data-instance="demo" data-connected="true">[\s\S]*?on replica <b>A<\/b>/);
    assert.match(page, /<tr data-instance="evil" data-connected="false">/);
    await waitFor(async () => /default:deployment\/podinfo/.test(await (await onB.get('/instances/demo')).text()), "B's instance page lists the workloads of the daemon on A");
    // A form rendered by A is accepted by B (the CSRF token comes from the shared key).
    const csrf = await onA.csrf();
    const plan = await onB.post('/instances/demo/release', { _csrf: csrf, step: 'plan', workload: 'default:deployment/helloworld', 'image-mode': 'latest' });
    assert.equal(plan.status, 200, await plan.text());
  });

  test('a sign-out on A is honoured by B', async (t) => {
    if (!requireNatsServer(t)) return;
    const onA = new Browser(a.url);
    await onA.login('ada');
    const cookie = `fluxrpc_session=${onA.jar.get('fluxrpc_session')}`;
    assert.equal((await rawRequest(b.url, 'GET', '/', { cookie })).status, 200);
    assert.equal((await onA.post('/logout', { _csrf: await onA.csrf() })).status, 303);
    await waitFor(async () => (await rawRequest(b.url, 'GET', '/', { cookie })).status === 303, 'B refuses the session ended on A');
    assert.equal((await rawRequest(a.url, 'GET', '/', { cookie })).status, 303);
  });

  test('failed sign-ins on A count on B: the account is locked on both', async (t) => {
    if (!requireNatsServer(t)) return;
    for (let i = 0; i < 5; i++) assert.equal((await new Browser(a.url).login('vic', `wrong ${i}`)).status, 401);
    const limits = (hub: TestHub) => hub.dashboard.auth['limits'];
    await waitFor(() => limits(b).account.blockedFor('vic') > 0, "B counted A's failures");
    const tryB = await new Browser(b.url).login('vic', PASSWORD);
    assert.equal(tryB.status, 429, 'the right password does not get through B either');
  });

  test('a release and a sync started through A are followed to the end on B; the release is recorded once, in the stream', async (t) => {
    if (!requireNatsServer(t)) return;
    const onA = new Browser(a.url);
    await onA.login('dee');
    const onB = new Browser(b.url, onA.jar);
    const csrf = await onA.csrf();
    const exec = await onA.post('/instances/demo/release', { _csrf: csrf, step: 'execute', workload: 'default:deployment/podinfo', image: '<all latest>', message: 'via A' });
    assert.equal(exec.status, 303);
    const job = exec.headers.get('location')!;
    let page = '';
    await waitFor(async () => /data-stage="applied"/.test((page = await (await onB.get(job)).text())), "B's job page reaches applied", 30_000);
    assert.match(page, /Started elsewhere by dee; followed here since/);
    assert.match(page, /<h1>Release the newest allowed images to default:deployment\/podinfo<\/h1>/);
    assert.match(page, /href="https:\/\/github.com\/example\/demo-cluster\/commit\/[0-9a-f]{40}"/);
    const releases = (hub: TestHub) => hub.hub.eventLog.list('demo').filter((e) => e.event.type === 'release' && /^Release the newest .*, by dee \(commit [0-9a-f]{7}, applied\)$/.test(e.event.message));
    await waitFor(() => releases(a).length === 1 && releases(b).length === 1, 'the release event is listed on both replicas');

    const sync = await onA.post('/instances/demo/sync', { _csrf: csrf });
    assert.equal(sync.status, 303);
    const syncJob = sync.headers.get('location')!;
    assert.match(syncJob, /\/jobs\/sync-[0-9a-f]{16}$/);
    await waitFor(async () => /data-stage="applied"/.test(await (await onB.get(syncJob)).text()), "B's sync page reaches applied", 30_000);

    assert.equal((await onB.get('/instances/demo/jobs/no-such-job')).status, 404, 'a job the daemon does not know');
    assert.equal(releases(b).length, 1, 'B recorded nothing of its own');
  });

  test("A's live stream shows an event posted on B and a daemon connecting on B", async (t) => {
    if (!requireNatsServer(t)) return;
    const onA = new Browser(a.url);
    await onA.login('ada');
    const stream = await live(a.url, `fluxrpc_session=${onA.jar.get('fluxrpc_session')}`);
    try {
      assert.equal((await rawRequest(b.url, 'POST', '/api/flux/v6/events', { Authorization: 'Scope-Probe token=token-demo' }, event('posted on B <b>'))).status, 204);
      await waitFor(() => stream.got.some((m) => m.kind === 'event' && m.data.instance === 'demo' && String(m.data.html).includes('posted on B &lt;b&gt;')), 'the event on A');
      b.attach('other', new FluxdLikeDemo(() => undefined));
      await waitFor(() => stream.got.some((m) => m.kind === 'instance' && m.data.instance === 'other' && m.data.connected === true && /on replica <b>B<\/b>/.test(String(m.data.html))), 'the daemon on B, live on A');
      assert.equal(stream.got.filter((m) => m.kind === 'event' && String(m.data.html).includes('posted on B')).length, 1, 'told once');
    } finally {
      await stream.close();
    }
  });
});
