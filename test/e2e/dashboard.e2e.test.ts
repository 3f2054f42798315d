/**
 * The dashboard in a real browser: playwright-core drives Debian's headless Chromium
 * (/usr/bin/chromium; never a downloaded browser) against a hub with the dashboard, a demo daemon
 * that behaves as fluxd does for jobs and syncs, and a hostile daemon. Signs in (by keyboard),
 * refuses a wrong password, checks a viewer cannot release (no button, POST refused), releases one
 * image end to end (dry run → confirm → job applied, followed live), automates/deautomates and
 * locks/unlocks, sees a live event and a daemon connecting without reloading, checks that nothing
 * a daemon sends runs as script, and signs out. A screenshot of each page goes to dist/e2e/.
 *
 * Without Chromium the test skips, except in CI (CI=true / FLUXRPC_INTEROP_REQUIRED=1) where it fails.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { encodeEvent } from '../../src/flux/model/index.js';
import { PASSWORD, startDashboardHub } from '../fakes/dashboard-hub.js';
import { FluxdLikeDemo } from '../fakes/fluxd-like-demo.js';
import { HostileDaemon, hostileEvent } from '../fakes/hostile-daemon.js';
import { CHROMIUM, CHROMIUM_FLAGS, LIVE, requireChromium, SCREENSHOTS as OUT } from './chromium.js';

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(OUT, `dashboard-${name}.png`), fullPage: true });
}

/** Every visible form control on the page has a label (or an aria-label). */
async function assertLabelled(page: Page): Promise<void> {
  // A string expression: the test project is compiled without the DOM library.
  const unlabelled = (await page.evaluate(`[...document.querySelectorAll('input:not([type=hidden]), select, textarea, button')]
    .filter((e) => !e.hidden && e.offsetParent !== null)
    .filter((e) => e.tagName === 'BUTTON' ? e.textContent.trim() === '' && !e.getAttribute('aria-label') : e.labels.length === 0 && !e.getAttribute('aria-label'))
    .map((e) => e.outerHTML.slice(0, 120))`)) as string[];
  assert.deepEqual(unlabelled, [], `unlabelled controls on ${page.url()}`);
}

async function login(page: Page, base: string, name: string, password = PASSWORD): Promise<void> {
  await page.goto(base + '/login');
  await page.fill('#name', name);
  await page.fill('#password', password);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/login')), page.click('form button[type=submit]')]);
}

async function logout(page: Page): Promise<void> {
  await Promise.all([page.waitForURL(/\/login$/), page.click('.who button')]);
}

test('the dashboard in headless Chromium', { timeout: 240_000 }, async (t) => {
  if (!requireChromium(t)) return;
  const { chromium } = await import('playwright-core');
  mkdirSync(OUT, { recursive: true });
  // A webhook sink nobody listens on (a port just freed): the notifications page shows it failing.
  const free = net.createServer();
  await new Promise<void>((r) => free.listen(0, '127.0.0.1', r));
  const deadPort = (free.address() as net.AddressInfo).port;
  await new Promise((r) => free.close(r));
  const notify = JSON.stringify({ sinks: [{ name: 'audit-hook', type: 'webhook', url: `http://127.0.0.1:${deadPort}/hook`, secret: 'a-secret-of-enough-length', events: ['release'] }], retry: { initialMs: 50, maxMs: 1000, maxAgeMs: 600_000 } });
  const hub = await startDashboardHub({ notify });
  let browser: Browser | undefined;
  try {
    hub.attach('demo', new FluxdLikeDemo((e) => hub.hub.events.add('demo', e)));
    const base = hub.url;
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('dialog', (d) => {
      problems.push(`dialog: ${d.message()}`);
      void d.dismiss();
    });
    page.on('console', (m) => {
      // The refused sign-in is answered 401, which Chromium reports; anything else is a problem.
      const expected = /status of 401/.test(m.text()) && new URL(m.location().url).pathname === '/login';
      if (m.type() === 'error' && !expected) problems.push(`console: ${m.text()} (${m.location().url})`);
    });

    await t.test('sign-in page; a wrong password is refused', async () => {
      await page.goto(base + '/');
      assert.match(new URL(page.url()).pathname, /^\/login$/);
      await shot(page, 'login');
      await assertLabelled(page);
      await page.fill('#name', 'dee');
      await page.fill('#password', 'not the password');
      await page.click('form button[type=submit]');
      await page.waitForSelector('.notice-error');
      assert.match(await page.textContent('.notice-error') ?? '', /Wrong user name or password/);
      assert.match(new URL(page.url()).pathname, /^\/login$/);
      assert.equal(await page.inputValue('#password'), '', 'the password is not sent back');
    });

    await t.test('a viewer sees no release button and a POST is refused', async () => {
      await login(page, base, 'vic');
      await page.goto(base + '/instances/demo');
      assert.equal(await page.locator('text=Release…').count(), 0);
      assert.equal(await page.locator('text=Sync now').count(), 0);
      const csrf = await page.getAttribute('body', 'data-csrf');
      const res = await page.request.post(base + '/instances/demo/release', { form: { _csrf: csrf!, step: 'execute', workload: 'default:deployment/podinfo', image: '<all latest>' }, maxRedirects: 0 });
      assert.equal(res.status(), 403);
      await logout(page);
    });

    await t.test('a deployer signs in with the keyboard only and sees the fleet', async () => {
      await page.goto(base + '/login');
      // Tab to the name field (autofocus puts it there on a fresh load; the skip link comes first otherwise).
      for (let i = 0; i < 5 && (await page.evaluate('document.activeElement?.id')) !== 'name'; i++) await page.keyboard.press('Tab');
      assert.equal(await page.evaluate('document.activeElement?.id'), 'name');
      await page.keyboard.type('dee');
      await page.keyboard.press('Tab');
      await page.keyboard.type(PASSWORD);
      await Promise.all([page.waitForURL(base + '/'), page.keyboard.press('Enter')]);
      await page.waitForSelector('tr[data-instance="demo"][data-connected="true"]');
      assert.match(await page.textContent('tr[data-instance="demo"]') ?? '', /connected.*v11.*fluxrpc-demo/s);
      await shot(page, 'fleet');
      await assertLabelled(page);
    });

    await t.test('instance page: workloads, images, policy badges; filter by text', async () => {
      await page.goto(base + '/instances/demo');
      await page.waitForSelector('#workloads');
      const text = await page.textContent('#workloads');
      assert.match(text ?? '', /default:deployment\/podinfo/);
      assert.match(text ?? '', /ghcr\.io\/stefanprodan\/podinfo:5\.0\.3/);
      assert.ok(await page.locator('.badge-automated').count() >= 1);
      assert.ok(await page.locator('.badge-locked').count() >= 1);
      await shot(page, 'instance');
      await assertLabelled(page);
      await page.fill('#f-q', 'redis');
      assert.equal(await page.locator('tbody.workload:visible').count(), 1);
      assert.match(await page.textContent('#workload-count') ?? '', /^1 of 3/);
      await page.fill('#f-q', '');
    });

    await t.test('release one image end to end: dry run, confirm, job applied (followed live)', async () => {
      await page.goto(base + '/instances/demo/workloads/' + encodeURIComponent('default:deployment/podinfo'));
      await shot(page, 'workload');
      await page.click('text=Release…');
      await page.check('#img-one');
      await page.selectOption('#image', 'ghcr.io/stefanprodan/podinfo:5.1.0');
      await page.fill('#message', 'try 5.1.0');
      await shot(page, 'release');
      await assertLabelled(page);
      await Promise.all([page.waitForURL(/\/release$/), page.click('#release-form button[type=submit]')]);
      const plan = await page.textContent('#results');
      assert.match(plan ?? '', /default:deployment\/podinfo\s*success/);
      assert.match(plan ?? '', /podinfo:5\.0\.3\s*ghcr\.io\/stefanprodan\/podinfo:5\.1\.0/);
      await shot(page, 'dry-run');
      await Promise.all([page.waitForURL(/\/jobs\//), page.click('#confirm-form button')]);
      // No reload from here: the live stream moves the steps on.
      await page.waitForSelector('#job-status[data-stage="applied"]', { timeout: 30_000 });
      const commit = await page.getAttribute('#job-status a.commit', 'href');
      assert.match(commit ?? '', /^https:\/\/github\.com\/example\/demo-cluster\/commit\/[0-9a-f]{40}$/);
      assert.equal(await page.locator('.step-done').count(), 4);
      await shot(page, 'job');
      await page.goto(base + '/instances/demo');
      assert.match(await page.textContent('#workloads') ?? '', /podinfo:5\.1\.0/);
    });

    await t.test('automate / deautomate and lock / unlock, each with its commit', async () => {
      const workload = base + '/instances/demo/workloads/' + encodeURIComponent('default:deployment/helloworld');
      const act = async (button: string) => {
        await page.goto(workload);
        await Promise.all([page.waitForURL(/\/jobs\//), page.click(`button:text-is("${button}")`)]);
        await page.waitForSelector('#job-status[data-stage="applied"]', { timeout: 30_000 });
        assert.ok(await page.getAttribute('#job-status a.commit', 'href'));
        await page.goto(workload);
      };
      await act('Automate');
      assert.equal(await page.locator('.badges .badge-automated').count(), 1);
      await act('Deautomate');
      assert.equal(await page.locator('.badges .badge-automated').count(), 0);
      await page.goto(workload);
      await page.fill('#lock-msg', 'database migration');
      await Promise.all([page.waitForURL(/\/jobs\//), page.click('button:text-is("Lock")')]);
      await page.waitForSelector('#job-status[data-stage="applied"]', { timeout: 30_000 });
      await page.goto(workload);
      assert.match((await page.getAttribute('.badges .badge-locked', 'title')) ?? '', /database migration — by dee/);
      await act('Unlock');
      assert.equal(await page.locator('.badges .badge-locked').count(), 0);
      const types = hub.hub.events.list('demo').map((e) => e.event.type);
      for (const ty of ['automate', 'deautomate', 'lock', 'unlock', 'release']) assert.ok(types.includes(ty), `a ${ty} event`);
    });

    await t.test('a new event and a daemon connecting, going and coming back appear without reloading', async () => {
      await page.goto(base + '/events');
      await page.waitForFunction(LIVE);
      await shot(page, 'events');
      const commits = [{ revision: 'c0ffee0000000000000000000000000000000099', message: 'a commit' }];
      const event = { ...hostileEvent(), type: 'sync', logLevel: 'info', message: 'a live sync from the daemon', metadata: { kind: 'sync' as const, revisions: null, commits, includes: null, errors: null, initialSync: false } };
      const res = await fetch(base + '/api/flux/v6/events', { method: 'POST', body: encodeEvent(event), headers: { Authorization: 'Scope-Probe token=token-demo', 'Content-Type': 'application/json' } });
      assert.equal(res.status, 204);
      await page.waitForSelector('#timeline li.event:first-child >> text=a live sync from the daemon');
      await page.goto(base + '/');
      await page.waitForFunction(LIVE);
      assert.equal(await page.getAttribute('tr[data-instance="evil"]', 'data-connected'), 'false');
      const countBefore = (await page.textContent('#connected-count')) ?? '';
      const detachEvil = hub.attach('evil', new HostileDaemon());
      await page.waitForSelector('tr[data-instance="evil"][data-connected="true"] .badge-ok');
      // The whole row follows, not only the badge: since when, the protocol, the fleet's count.
      assert.match((await page.textContent('tr[data-instance="evil"] td.state')) ?? '', /since /);
      assert.match((await page.textContent('tr[data-instance="evil"] td.protocol')) ?? '', /^v\d+$/);
      const countUp = (await page.textContent('#connected-count')) ?? '';
      assert.notEqual(countUp, countBefore);
      assert.equal(Number(/^(\d+) of/.exec(countUp)![1]), Number(/^(\d+) of/.exec(countBefore)![1]) + 1);
      detachEvil();
      await page.waitForSelector('tr[data-instance="evil"][data-connected="false"] .badge-down');
      assert.equal((await page.textContent('#connected-count')) ?? '', countBefore);
      hub.attach('evil', new HostileDaemon());
      await page.waitForSelector('tr[data-instance="evil"][data-connected="true"] .badge-ok');
    });

    await t.test('git repository page with the deploy key and its copy button', async () => {
      await page.goto(base + '/instances/demo/git');
      assert.match(await page.inputValue('#deploy-key'), /^ssh-ed25519 /);
      assert.equal(await page.isVisible('button.copy'), true);
      await shot(page, 'git');
      await assertLabelled(page);
    });

    await t.test('notification sinks and their failures', async () => {
      await page.goto(base + '/notifications');
      const row = await page.textContent('#sinks tbody tr');
      assert.match(row ?? '', /audit-hook\s*webhook\s*(retrying|last delivery failed)/);
      assert.match(row ?? '', /cannot connect \(ECONNREFUSED\)/);
      assert.ok(!(await page.content()).includes(`:${deadPort}`), 'the sink URL is not shown');
      await shot(page, 'notifications');
      await page.goto(base + '/');
      assert.equal(await page.locator('text=1 notification sink(s) failing').count(), 1);
    });

    await t.test('nothing a hostile daemon sends runs, on any page or live', async () => {
      const id = encodeURIComponent('evil:deployment/app');
      await page.goto(base + '/instances/evil/events');
      await page.waitForFunction(LIVE);
      hub.hub.events.add('evil', hostileEvent()); // arrives over the live stream
      await page.waitForSelector('#timeline li.event');
      for (const path of ['/instances/evil/events', '/', '/events', '/instances/evil', `/instances/evil/workloads/${id}`, '/instances/evil/git', `/instances/evil/release?workload=${id}`]) {
        if (path !== '/instances/evil/events') await page.goto(base + path);
        const ran = await page.evaluate('window.__xss');
        assert.equal(ran, undefined, `script ran on ${path}`);
        assert.equal(await page.locator('img, svg').count(), 0, `markup from the daemon on ${path}`);
        assert.match((await page.textContent('main'))!, /<script>|"><img src=x onerror=/, `the hostile text is shown as text on ${path}`);
        if (path === '/instances/evil') await shot(page, 'escaped');
      }
      // A failed job's error and results are hostile too.
      await page.goto(base + `/instances/evil/release?workload=${id}`);
      await page.click('#release-form button[type=submit]');
      await page.waitForSelector('.notice-error');
      assert.equal(await page.evaluate('window.__xss'), undefined);
    });

    await t.test('readable on a phone', async () => {
      await page.setViewportSize({ width: 390, height: 844 });
      await page.goto(base + '/instances/demo');
      const overflow = (await page.evaluate('document.documentElement.scrollWidth - window.innerWidth')) as number;
      assert.ok(overflow <= 0, `no horizontal scrolling (${overflow}px too wide)`);
      await shot(page, 'phone');
      await page.setViewportSize({ width: 1280, height: 800 });
    });

    await t.test('sign out', async () => {
      await page.goto(base + '/');
      await logout(page);
      await page.goto(base + '/instances/demo');
      assert.match(new URL(page.url()).pathname, /^\/login$/);
    });

    assert.deepEqual(problems, [], 'no script errors, dialogs or failed loads');
  } finally {
    await browser?.close();
    await hub.close();
  }
});
