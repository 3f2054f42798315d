/**
 * Instance names may hold any character but control characters and lone surrogates (README, hub;
 * src/hub/instance-name.ts). With names that a URL, a page or a subject could trip over, end to end
 * on loopback: the tokens file takes them, a daemon registers with each over the real websocket,
 * the status page shows each escaped, and on the dashboard each instance's page is reachable
 * through the fleet page's own link (fetched as a browser does, with WHATWG URL resolution), shows
 * the name escaped, and a sync started there runs to the end and is recorded for that instance.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DaemonConnector } from '../connector/connector.js';
import { htmlEscape } from '../http/html.js';
import { loadTokenFile } from '../hub/auth.js';
import { Hub } from '../hub/hub.js';
import { createLogger } from '../runtime/log.js';
import { Browser, PASSWORD } from '../../test/fakes/dashboard-hub.js';
import { FluxdLikeDemo } from '../../test/fakes/fluxd-like-demo.js';
import { Dashboard } from './dashboard.js';
import { hashPassword } from './password.js';
import { fromSegment, paths, segment } from './paths.js';
import { randomSessionKey, SessionCodec } from './sessions.js';
import { UserStore } from './users.js';

const NAMES = ['a.b', 'a b', 'ünï 😀', '<script>x</script>', '"quoted"', 'a/b', '..', '%2F', '.', "it's", '#1?x=y&z', '@..'];

const FAST = { initialMs: 10, multiplier: 2, maxMs: 200, jitter: 0 };

/** HTML attribute text back to the characters a browser would read. */
const unescapeAttr = (s: string) => s.replace(/&#34;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

async function until(what: string, done: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await done()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.fail(`gave up waiting: ${what}`);
}

test('a path segment survives a browser for any name: dot names get a marker that encodeURIComponent never writes', () => {
  for (const name of NAMES) {
    const url = new URL(`http://hub${paths.instance(name)}/sync`);
    const m = /^\/instances\/([^/]+)\/sync$/.exec(url.pathname);
    assert.ok(m, `${JSON.stringify(name)}: ${url.pathname} keeps its segment`);
    assert.equal(fromSegment(m[1]!), name);
  }
  assert.equal(segment('..'), '@..');
  assert.equal(segment('@..'), '%40..');
  assert.equal(fromSegment('%2E%2E'), '..', 'a hand-made escape still decodes');
});

test('names with dots, spaces, slashes, quotes, markup, percent signs and emoji: tokens file, registration, status page, dashboard pages and a sync', { timeout: 120_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fluxrpc-names-'));
  const tokensFile = join(dir, 'tokens.json');
  writeFileSync(tokensFile, JSON.stringify(Object.fromEntries(NAMES.map((name, i) => [`token-${i}`, name]))));
  const usersFile = join(dir, 'users.json');
  writeFileSync(usersFile, JSON.stringify({ users: [{ name: 'ada', password: await hashPassword(PASSWORD, 10), role: 'admin' }] }));
  const logLines: string[] = [];
  const logger = createLogger({ level: 'info', write: (l) => logLines.push(l) });

  const tokens = loadTokenFile(tokensFile);
  assert.deepEqual([...tokens.values()], NAMES, 'the tokens file takes every name');
  const hub = new Hub({ tokens, tokensFile, logger });
  const addr = await hub.listen(0, '127.0.0.1');
  const connectors = NAMES.map((name, i) => new DaemonConnector({ url: `${addr.url}/api/flux`, token: `token-${i}`, implementation: new FluxdLikeDemo((e) => hub.events.add(name, e)), backoff: FAST, logger }).start());
  const users = UserStore.fromFile(usersFile, { logger });
  let dashboard: Dashboard | undefined;
  t.after(async () => {
    for (const c of connectors) c.close();
    await Promise.all(connectors.map((c) => c.closed));
    dashboard?.close();
    users.close();
    await hub.close();
    rmSync(dir, { recursive: true, force: true });
  });
  await until('every daemon registered', () => NAMES.every((name) => hub.registry.isConnected(name)));

  // Log lines are JSON: each registration names its instance exactly.
  const connected = logLines.map((l) => JSON.parse(l) as { msg?: string; instance?: string }).filter((l) => l.msg === 'daemon connected');
  assert.deepEqual(new Set(connected.map((l) => l.instance)), new Set(NAMES));

  // The status page (no dashboard yet): every name escaped, in its cell and its data attribute.
  const status = await (await fetch(`${addr.url}/`)).text();
  for (const name of NAMES) assert.ok(status.includes(`<tr data-instance="${htmlEscape(name)}" data-connected="true"><td>${htmlEscape(name)}</td>`), `status page row of ${JSON.stringify(name)}`);
  assert.ok(!status.includes('<script>x'), 'no raw markup from a name');

  // The dashboard: the fleet page links to every instance; each link, followed as a browser would, reaches its page.
  dashboard = new Dashboard({ hub, users, codec: new SessionCodec({ key: randomSessionKey() }), logger, callTimeoutMs: 5000, jobPollMs: 20 });
  hub.requestHook = dashboard.handle;
  const b = new Browser(addr.url);
  await b.login('ada');
  const fleet = await (await b.get('/')).text();
  assert.ok(!fleet.includes('<script>x'), 'no raw markup on the fleet page');
  const links = new Set([...fleet.matchAll(/href="(\/instances\/[^"/]+)"/g)].map((m) => unescapeAttr(m[1]!)));
  const csrf = await b.csrf();
  for (const name of NAMES) {
    const path = paths.instance(name);
    assert.ok(links.has(path), `the fleet page links to ${JSON.stringify(name)} (${path})`);
    const res = await b.get(path);
    const page = await res.text();
    assert.equal(res.status, 200, `${JSON.stringify(name)}: ${path}`);
    assert.ok(page.includes(htmlEscape(name)), `${JSON.stringify(name)}: the page names it, escaped`);
    assert.ok(!page.includes('<script>x'), `${JSON.stringify(name)}: no raw markup`);
    assert.match(page, /podinfo/, `${JSON.stringify(name)}: its daemon's workloads`);

    // A dashboard action: "Sync now", followed on its job page to the end, recorded for this instance.
    const sync = await b.post(paths.sync(name), { _csrf: csrf });
    assert.equal(sync.status, 303, `${JSON.stringify(name)}: sync`);
    const jobPath = sync.headers.get('location')!;
    assert.ok(jobPath.startsWith(`${path}/jobs/`), `${JSON.stringify(name)}: the job page is under the instance (${jobPath})`);
    let job = '';
    await until(`${JSON.stringify(name)}: the sync ends`, async () => /data-stage="(applied|done|failed|unknown)"/.test((job = await (await b.get(jobPath)).text())));
    assert.match(job, /data-stage="applied"/, `${JSON.stringify(name)}: the sync was applied`);
    await until(`${JSON.stringify(name)}: the sync is recorded`, () => hub.events.list(name).some((e) => e.event.type === 'other' && e.event.message.includes('ada')));
  }
  const other = NAMES.map((name) => hub.events.list(name).filter((e) => e.event.type === 'other').length);
  assert.deepEqual(other, NAMES.map(() => 1), 'each instance has exactly its own sync event');
});
