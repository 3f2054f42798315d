/**
 * The dashboard over HTTP, in one process (a real hub on loopback, daemons over in-memory pipes):
 * sign-in, cookies, CSRF, roles, login limits, logout, users file changes, the trusted proxy,
 * escaping of everything a daemon sends, and what never reaches a page or a log.
 */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, readFileSync } from 'node:fs';
import { Browser, PASSWORD, startDashboardHub, type TestHub } from '../../test/fakes/dashboard-hub.js';
import { FluxdLikeDemo } from '../../test/fakes/fluxd-like-demo.js';
import { BREAKOUT, HostileDaemon, SCRIPT } from '../../test/fakes/hostile-daemon.js';
import { CONTENT_SECURITY_POLICY } from './http.js';

let t: TestHub;
before(async () => {
  t = await startDashboardHub();
  const demo: FluxdLikeDemo = new FluxdLikeDemo((e) => t.hub.events.add('demo', e));
  t.attach('demo', demo);
  t.attach('evil', new HostileDaemon());
});
after(() => t.close());

const wl = encodeURIComponent('default:deployment/podinfo');

test('without a session every page redirects to the sign-in page; POSTs and the live stream get 401; assets are public', async () => {
  const b = new Browser(t.url);
  for (const path of ['/', '/events', '/instances/demo', `/instances/demo/workloads/${wl}`, '/notifications']) {
    const res = await b.get(path);
    assert.equal(res.status, 303, path);
    assert.equal(res.headers.get('location'), path === '/' ? '/login' : `/login?next=${encodeURIComponent(path)}`);
  }
  assert.equal((await b.post('/instances/demo/sync', {})).status, 401);
  assert.equal((await b.get('/live')).status, 401);
  assert.equal((await b.get('/assets/dashboard.css')).status, 200);
  assert.equal((await b.get('/assets/main.js')).headers.get('content-type'), 'text/javascript; charset=utf-8');
  assert.equal((await b.get('/assets/../package.json')).status, 404);
  assert.equal((await b.get('/healthz')).status, 200, 'the hub keeps its own routes');
  const login = await b.get('/login');
  assert.equal(login.headers.get('content-security-policy'), CONTENT_SECURITY_POLICY);
  assert.doesNotMatch(CONTENT_SECURITY_POLICY, /unsafe-inline|unsafe-eval/);
});

test('sign-in: a wrong password and an unknown user get the same answer; the session cookie is HttpOnly, SameSite=Strict', async () => {
  const b = new Browser(t.url);
  const wrong = await b.login('dee', 'nope');
  assert.equal(wrong.status, 401);
  const unknown = await b.login('nobody', 'nope');
  assert.equal(unknown.status, 401);
  assert.match(await wrong.text(), /Wrong user name or password/);
  assert.match(await unknown.text(), /Wrong user name or password/);
  const ok = await b.login('dee');
  assert.equal(ok.status, 303);
  const cookie = ok.headers.getSetCookie().find((c) => c.startsWith('fluxrpc_session='))!;
  assert.match(cookie, /; HttpOnly/);
  assert.match(cookie, /; SameSite=Strict/);
  assert.match(cookie, /; Max-Age=43200/);
  assert.doesNotMatch(cookie, /Secure/, 'plain HTTP');
  const fleet = await (await b.get('/')).text();
  assert.match(fleet, /<span class="user">dee<\/span>/);
  assert.ok(!fleet.includes(PASSWORD));
  assert.ok(!t.logLines.some((l) => l.includes(PASSWORD) || l.includes('nope')), 'passwords never logged');
});

test('a login form without its login cookie is refused (login CSRF)', async () => {
  const b = new Browser(t.url);
  const res = await b.post('/login', { _login: 'made-up', name: 'dee', password: PASSWORD });
  assert.equal(res.status, 403);
  assert.equal(b.jar.has('fluxrpc_session'), false);
});

test('failed sign-ins are limited per account: the sixth try is refused even with the right password', async () => {
  const b = new Browser(t.url);
  for (let i = 0; i < 5; i++) assert.equal((await b.login('vic', `wrong${i}`)).status, 401);
  const blocked = await b.login('vic');
  assert.equal(blocked.status, 429);
  assert.match(await blocked.text(), /Too many failed sign-ins/);
});

test('a viewer sees pages but no release button, and a forged POST is refused', async () => {
  const b = new Browser(t.url);
  const v = new Browser(t.url);
  await v.login('pat', PASSWORD).catch(() => undefined); // proxy-only user: no password
  assert.equal(v.jar.has('fluxrpc_session'), false, 'a user without a password cannot sign in');
  await b.login('ada');
  // a viewer: vic is locked out above, so make a fresh viewer session through the users file
  const users = JSON.parse(readFileSync(t.usersPath, 'utf8')) as { users: { name: string; password?: string; role: string; instances?: string[] }[] };
  users.users.push({ name: 'val', password: users.users[0]!.password, role: 'viewer', instances: ['demo'] });
  writeFileSync(t.usersPath, JSON.stringify(users));
  while (!(await new Browser(t.url).login('val')).headers.get('location')) await new Promise((r) => setTimeout(r, 20));
  const viewer = new Browser(t.url);
  await viewer.login('val');
  const page = await (await viewer.get('/instances/demo')).text();
  assert.doesNotMatch(page, /Release…|Sync now/);
  const csrf = await viewer.csrf();
  const res = await viewer.post('/instances/demo/release', { _csrf: csrf, step: 'execute', workload: 'default:deployment/podinfo', image: '<all latest>' });
  assert.equal(res.status, 403);
  assert.equal((await viewer.post(`/instances/demo/workloads/${wl}/policy`, { _csrf: csrf, action: 'automate' })).status, 403);
  assert.equal((await viewer.get('/instances/other')).status, 404, 'not one of its instances');
  assert.doesNotMatch(await (await viewer.get('/')).text(), /data-instance="other"/);
});

test('a POST without the right CSRF token is refused, even with a valid session', async () => {
  const b = new Browser(t.url);
  await b.login('dee');
  assert.equal((await b.post('/instances/demo/sync', {})).status, 403);
  assert.equal((await b.post('/instances/demo/sync', { _csrf: 'x'.repeat(43) })).status, 403);
  const other = new Browser(t.url);
  await other.login('ada');
  assert.equal((await b.post('/instances/demo/sync', { _csrf: await other.csrf() })).status, 403, "another session's token");
});

test('logout ends the session: the old cookie no longer works', async () => {
  const b = new Browser(t.url);
  await b.login('dee');
  const stolen = b.jar.get('fluxrpc_session')!;
  const res = await b.post('/logout', { _csrf: await b.csrf() });
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), '/login');
  const replay = await fetch(t.url + '/', { redirect: 'manual', headers: { cookie: `fluxrpc_session=${stolen}` } });
  assert.equal(replay.status, 303);
});

test('a changed users file ends the sessions of users whose entry changed', async () => {
  const b = new Browser(t.url);
  await b.login('dee');
  assert.equal((await b.get('/')).status, 200);
  const users = JSON.parse(readFileSync(t.usersPath, 'utf8')) as { users: { name: string; role: string }[] };
  users.users.find((u) => u.name === 'dee')!.role = 'viewer';
  writeFileSync(t.usersPath, JSON.stringify(users));
  let status = 200;
  for (let i = 0; i < 200 && status === 200; i++) {
    await new Promise((r) => setTimeout(r, 20));
    status = (await b.get('/')).status;
  }
  assert.equal(status, 303);
  users.users.find((u) => u.name === 'dee')!.role = 'deployer';
  writeFileSync(t.usersPath, JSON.stringify(users));
  // Back as a deployer once the file is reloaded.
  for (let i = 0; i < 200; i++) {
    const again = new Browser(t.url);
    await again.login('dee');
    if (/badge-role">deployer/.test(await (await again.get('/')).text())) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.fail('the users file was not reloaded');
});

test('a deployer releases through forms: dry run, confirm, job followed to "applied"; the user is the cause; an event records it', async () => {
  const b = new Browser(t.url);
  await b.login('dee');
  const csrf = await b.csrf();
  const plan = await b.post('/instances/demo/release', { _csrf: csrf, step: 'plan', workload: 'default:deployment/helloworld', 'image-mode': 'latest', message: 'ship it' });
  const planText = await plan.text();
  assert.equal(plan.status, 200, planText);
  assert.match(planText, /master-a000003/);
  assert.match(planText, /name="step" value="execute"/);
  const exec = await b.post('/instances/demo/release', { _csrf: csrf, step: 'execute', workload: 'default:deployment/helloworld', image: '<all latest>', message: 'ship it' });
  assert.equal(exec.status, 303);
  const jobPath = exec.headers.get('location')!;
  let page = '';
  for (let i = 0; i < 300 && !/data-stage="applied"/.test(page); i++) {
    await new Promise((r) => setTimeout(r, 20));
    page = await (await b.get(jobPath)).text();
  }
  assert.match(page, /data-stage="applied"/);
  assert.match(page, /href="https:\/\/github.com\/example\/demo-cluster\/commit\/[0-9a-f]{40}"/);
  const ev = t.hub.events.list('demo').find((e) => e.event.type === 'release');
  assert.ok(ev, 'the release is recorded as an event');
  assert.equal(ev.event.metadata?.kind === 'release' && ev.event.metadata.cause.user, 'dee');
  assert.match(ev.event.message, /by dee/);
  const commit = t.hub.events.list('demo').find((e) => e.event.type === 'commit' && e.event.metadata?.kind === 'commit' && e.event.metadata.spec?.cause.user === 'dee');
  assert.ok(commit, "the daemon's commit carries the user (as fluxctl --user)");
});

test('bad form values get a page that says what is wrong', async () => {
  const b = new Browser(t.url);
  await b.login('ada');
  const csrf = await b.csrf();
  const res = await b.post('/instances/demo/release', { _csrf: csrf, step: 'plan', workload: 'not a workload', 'image-mode': 'latest' });
  assert.equal(res.status, 400);
  assert.match(await res.text(), /not a workload: &#34;not a workload&#34;/);
  const none = await b.post('/instances/demo/release', { _csrf: csrf, step: 'plan', 'image-mode': 'one', 'image-ref': 'nginx' });
  assert.match(await none.text(), /choose an image with a tag/);
  assert.equal((await b.get('/instances/%E0%A4%A')).status, 400, 'a malformed escape');
  const big = await fetch(t.url + '/instances/demo/sync', { method: 'POST', body: 'x='.padEnd(100_000, 'x'), headers: { cookie: `fluxrpc_session=${b.jar.get('fluxrpc_session')}`, 'content-type': 'application/x-www-form-urlencoded' } });
  assert.equal(big.status, 413);
});

test('the trusted proxy header is honoured only from the proxy address', async () => {
  const p = await startDashboardHub({ trustedProxy: '127.0.0.1/32' });
  try {
    const res = await fetch(p.url + '/', { headers: { 'X-Forwarded-User': 'pat' } });
    assert.equal(res.status, 200);
    assert.match(await res.text(), /<span class="user">pat<\/span>/);
    assert.equal((await fetch(p.url + '/', { redirect: 'manual', headers: { 'X-Forwarded-User': 'mallory' } })).status, 303, 'unknown user');
  } finally {
    await p.close();
  }
  const q = await startDashboardHub({ trustedProxy: '10.9.8.7' });
  try {
    assert.equal((await fetch(q.url + '/', { redirect: 'manual', headers: { 'X-Forwarded-User': 'ada' } })).status, 303, 'not from the proxy');
  } finally {
    await q.close();
  }
});

test('everything a hostile daemon sends is escaped on every page', async () => {
  const b = new Browser(t.url);
  await b.login('ada');
  t.hub.events.add('evil', (await import('../../test/fakes/hostile-daemon.js')).hostileEvent());
  const id = encodeURIComponent('evil:deployment/app');
  for (const path of ['/', '/events', '/instances/evil', `/instances/evil/workloads/${id}`, '/instances/evil/git', '/instances/evil/events', `/instances/evil/release?workload=${id}`]) {
    const page = await (await b.get(path)).text();
    assert.ok(!page.includes(SCRIPT), `${path}: raw <script>`);
    assert.ok(!page.includes(BREAKOUT), `${path}: raw attribute break-out`);
    assert.ok(!/<img|<svg/i.test(page), `${path}: markup from the daemon`);
    assert.equal(page.match(/<script/gi)?.length, 1, `${path}: only the dashboard's own module script`);
    assert.ok(!/ on(error|load)="/i.test(page), `${path}: an event handler attribute`);
    assert.match(page, /&lt;script&gt;|&#34;&gt;&lt;img/, `${path}: the hostile text is shown, escaped`);
  }
});
