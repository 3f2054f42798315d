/**
 * The dashboard of a cluster in a real browser: playwright-core drives Debian's headless Chromium
 * (/usr/bin/chromium) against two hub replicas A and B (in this process) on a real nats-server,
 * sharing the session key and the users file. The browser signs in on A and, without reloading,
 * sees an event posted on B and a daemon connecting on B (and leaving again); the same session
 * then works on B (cookies do not depend on the port), whose pages reach the daemon held by A.
 *
 * Without Chromium or nats-server the test skips, except in CI (CI=true /
 * FLUXRPC_INTEROP_REQUIRED=1) where it fails.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { encodeEvent } from '../../src/flux/model/index.js';
import { PASSWORD, startDashboardHub, type TestHub } from '../fakes/dashboard-hub.js';
import { FluxdLikeDemo } from '../fakes/fluxd-like-demo.js';
import { NatsServer, requireNatsServer } from '../cluster/nats-server.js';
import { waitFor } from '../cluster/http.js';
import { CHROMIUM, CHROMIUM_FLAGS, LIVE, requireChromium, SCREENSHOTS } from './chromium.js';

const event = (message: string) => JSON.stringify({ serviceIDs: ['default:deployment/podinfo'], type: 'sync', startedAt: '2024-01-01T00:00:00Z', endedAt: '2024-01-01T00:00:01Z', logLevel: 'info', message, metadata: { commits: [{ revision: 'c0ffee0000000000000000000000000000000042', message: 'a commit' }] } });

test('the dashboard of two replicas in headless Chromium: live on A with what happens on B', { timeout: 180_000 }, async (t) => {
  if (!requireChromium(t) || !requireNatsServer(t)) return;
  const { chromium } = await import('playwright-core');
  mkdirSync(SCREENSHOTS, { recursive: true });
  const nats = await NatsServer.start();
  const hubs: TestHub[] = [];
  let browser: Browser | undefined;
  try {
    const sessionKey = randomBytes(32);
    const a = await startDashboardHub({ cluster: { servers: [nats.url], replicaId: 'A' }, sessionKey });
    hubs.push(a);
    const b = await startDashboardHub({ cluster: { servers: [nats.url], replicaId: 'B' }, sessionKey, usersPath: a.usersPath });
    hubs.push(b);
    a.attach('demo', new FluxdLikeDemo((e) => void a.hub.eventLog.append('demo', e, Buffer.from(encodeEvent(e)))));
    await waitFor(() => b.hub.instances().some((s) => s.instance === 'demo' && s.replica === 'A'), 'B sees demo held by A');

    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));

    await page.goto(a.url + '/login');
    await page.fill('#name', 'ada');
    await page.fill('#password', PASSWORD);
    await Promise.all([page.waitForURL(a.url + '/'), page.click('form button[type=submit]')]);

    await t.test('an event posted on B appears on A without reloading', async () => {
      await page.goto(a.url + '/events');
      await page.waitForFunction(LIVE);
      const res = await fetch(b.url + '/api/flux/v6/events', { method: 'POST', body: event('posted on replica B'), headers: { Authorization: 'Scope-Probe token=token-demo' } });
      assert.equal(res.status, 204);
      await page.waitForSelector('#timeline li.event:first-child >> text=posted on replica B');
    });

    await t.test('a daemon connecting on B, and leaving, appears on A without reloading, with the replica holding it', async () => {
      await page.goto(a.url + '/');
      await page.waitForFunction(LIVE);
      assert.match((await page.textContent('tr[data-instance="demo"] td.state')) ?? '', /connected\s*on replica A/);
      assert.equal(await page.getAttribute('tr[data-instance="other"]', 'data-connected'), 'false');
      const leave = b.attach('other', new FluxdLikeDemo(() => undefined));
      await page.waitForSelector('tr[data-instance="other"][data-connected="true"] .replica >> text=B');
      await page.screenshot({ path: join(SCREENSHOTS, 'dashboard-cluster-fleet.png'), fullPage: true });
      leave();
      await page.waitForSelector('tr[data-instance="other"][data-connected="false"] .badge-down');
    });

    await t.test('the same session works on B, whose pages reach the daemon held by A', async () => {
      await page.goto(b.url + '/instances/demo');
      assert.equal(new URL(page.url()).pathname, '/instances/demo', 'not sent to the sign-in page');
      await page.waitForSelector('#workloads');
      assert.match((await page.textContent('#workloads')) ?? '', /default:deployment\/podinfo/);
    });

    assert.deepEqual(problems, [], 'no script errors or failed loads');
  } finally {
    await browser?.close();
    for (const h of hubs.reverse()) await h.close();
    await nats.dispose();
  }
});
