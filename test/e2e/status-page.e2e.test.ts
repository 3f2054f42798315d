/**
 * The hub's status page in a real browser: Debian's headless Chromium (installed by
 * scripts/install-chromium.sh) loads the page of a running `fluxrpc demo`, and we check the DOM it
 * built (`--dump-dom`) and write a screenshot (`--screenshot`) to dist/e2e/status-page.png.
 *
 * Without Chromium the test skips, except in CI (CI=true / FLUXRPC_INTEROP_REQUIRED=1) where it
 * fails: CI installs it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const CHROMIUM = '/usr/bin/chromium';
const required = process.env.CI === 'true' || process.env.FLUXRPC_INTEROP_REQUIRED === '1';

/** Runs headless Chromium with the flags the project uses and a fresh profile; resolves with stdout. */
function chromium(args: string[]): Promise<string> {
  const profile = mkdtempSync(join(tmpdir(), 'fluxrpc-chromium-'));
  const flags = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', `--user-data-dir=${profile}`];
  return new Promise((resolve, reject) => {
    execFile(CHROMIUM, [...flags, ...args], { timeout: 60_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      rmSync(profile, { recursive: true, force: true });
      if (error) reject(new Error(`chromium failed: ${error.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

test('the status page in headless Chromium lists the demo instance, its protocol and its events', { timeout: 120_000 }, async (t) => {
  if (!existsSync(CHROMIUM)) {
    const message = `${CHROMIUM} is not installed (run scripts/install-chromium.sh)`;
    if (required) assert.fail(message + ' — required in CI');
    t.skip(message);
    return;
  }
  const demo = spawn(process.execPath, [join(root, 'dist', 'src', 'cli', 'main.js'), 'demo', '--listen', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => demo.on('exit', (code) => resolve(code)));
  try {
    let out = '';
    await new Promise<void>((resolve, reject) => {
      demo.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        if (out.includes('Serving until stopped')) resolve();
      });
      void exited.then((code) => reject(new Error(`demo exited (${code}): ${out}`)));
    });
    const url = /hub listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)![1]!;
    // The demo's release and sync events are posted by its daemon; wait until the hub has both.
    for (let i = 0; ; i++) {
      const page = await (await fetch(url + '/')).text();
      if (/<td>commit<\/td>/.test(page) && /<td>sync<\/td>/.test(page)) break;
      if (i > 200) assert.fail('the demo events did not reach the hub');
      await new Promise((r) => setTimeout(r, 25));
    }

    const dom = await chromium(['--dump-dom', url + '/']);
    assert.match(dom, /<title>fluxrpc hub<\/title>/);
    assert.match(dom, /1 of 1 instance\(s\) connected/);
    const row = /<tr data-instance="demo" data-connected="true">(.*?)<\/tr>/s.exec(dom)?.[1];
    assert.ok(row, dom);
    assert.match(row, /<td>demo<\/td><td><span class="ok">connected<\/span><\/td><td>v11<\/td>/);
    assert.match(row, /<time datetime="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ">/, 'connected-since');
    assert.match(row, /fluxrpc\/\d/, 'user agent');
    const events = /<table id="events">(.*?)<\/table>/s.exec(dom)![1]!;
    assert.match(events, /<td>demo<\/td><td>sync<\/td><td>default:deployment\/podinfo, default:deployment\/helloworld, shop:statefulset\/redis<\/td>/);
    assert.match(events, /<td>demo<\/td><td>commit<\/td><td>default:deployment\/podinfo<\/td><td>release the newest allowed podinfo<\/td>/);
    assert.ok(events.indexOf('<td>sync</td>') < events.indexOf('<td>commit</td>'), 'newest event first');

    const outDir = join(root, 'dist', 'e2e');
    mkdirSync(outDir, { recursive: true });
    const shot = join(outDir, 'status-page.png');
    rmSync(shot, { force: true });
    await chromium([`--screenshot=${shot}`, '--window-size=1280,800', '--hide-scrollbars', url + '/']);
    const png = readFileSync(shot);
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG file');
    assert.equal(png.readUInt32BE(16), 1280, 'width');
    assert.equal(png.readUInt32BE(20), 800, 'height');
    t.diagnostic(`screenshot: ${shot}`);
  } finally {
    demo.kill('SIGINT');
  }
  assert.equal(await exited, 0, 'the demo stops cleanly on SIGINT');
});
