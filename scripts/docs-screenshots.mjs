#!/usr/bin/env node
// Regenerates the README's screenshots (docs/screenshots/*.png) from `fluxrpc demo --users`, in
// Debian's headless Chromium driven by playwright-core. Run after `npm run build`:
//   node scripts/docs-screenshots.mjs
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { hashPassword } from '../dist/src/dashboard/password.js';

const OUT = 'docs/screenshots';
const dir = mkdtempSync(join(tmpdir(), 'fluxrpc-shots-'));
const users = join(dir, 'users.json');
writeFileSync(users, JSON.stringify({ users: [{ name: 'dee', password: await hashPassword('demo-password'), role: 'deployer', instances: ['*'] }] }));
const demo = spawn(process.execPath, ['dist/src/cli/main.js', 'demo', '--listen', '127.0.0.1:0', '--users', users], { stdio: ['ignore', 'pipe', 'inherit'] });
let out = '';
const base = await new Promise((resolve, reject) => {
  demo.stdout.on('data', (c) => {
    out += c;
    if (out.includes('Serving until stopped')) resolve(/hub listening on (http:\/\/[\d.:]+)/.exec(out)[1]);
  });
  demo.on('exit', (code) => reject(new Error(`demo exited ${code}: ${out}`)));
});
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  mkdirSync(OUT, { recursive: true });
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  const shot = (name) => page.screenshot({ path: join(OUT, `${name}.png`) });
  await page.goto(base + '/login');
  await page.fill('#name', 'dee');
  await page.fill('#password', 'demo-password');
  await Promise.all([page.waitForURL(base + '/'), page.click('form button[type=submit]')]);
  await page.waitForSelector('tr[data-instance="demo"]');
  await shot('fleet');
  await page.goto(base + '/instances/demo');
  await shot('instance');
  await page.goto(base + '/instances/demo/release?workload=' + encodeURIComponent('default:deployment/helloworld'));
  await Promise.all([page.waitForURL(/release$/), page.click('#release-form button[type=submit]')]);
  await shot('dry-run');
  await Promise.all([page.waitForURL(/jobs/), page.click('#confirm-form button')]);
  await page.waitForSelector('#job-status[data-stage="committed"]');
  // The demo applies commits when asked to sync (a real fluxd also polls git).
  const csrf = await page.getAttribute('body', 'data-csrf');
  await page.request.post(base + '/instances/demo/sync', { form: { _csrf: csrf } });
  await page.waitForSelector('#job-status[data-stage="applied"]');
  await shot('job');
  await page.goto(base + '/events');
  await shot('events');
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(base + '/instances/demo');
  await shot('phone');
  console.log(`screenshots written to ${OUT}/`);
} finally {
  await browser.close();
  demo.kill('SIGINT');
  rmSync(dir, { recursive: true, force: true });
}
