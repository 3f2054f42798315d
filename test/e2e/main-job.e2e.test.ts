/**
 * The README's main-job command as a new user runs it: `npm start` in a fresh copy of the project
 * (build included, via `prestart`), which starts `fluxrpc demo`. Checks what it prints, that the
 * hub it started answers, and that Ctrl+C (SIGINT to the process group) stops it cleanly.
 *
 * The copy shares this checkout's node_modules (no network in tests); everything else — sources,
 * tsconfig, package.json — is copied, and `dist/` is built from scratch in the copy.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

function freshCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fluxrpc-newuser-'));
  for (const entry of ['package.json', 'package-lock.json', 'tsconfig.json', 'src', 'web', 'test', 'bench', 'scripts']) {
    cpSync(join(root, entry), join(dir, entry), {
      recursive: true,
      // The Go module (with its built binaries) is not needed to build or run the demo.
      filter: (src) => {
        const rel = relative(root, src);
        const go = join('test', 'interop', 'go');
        return rel !== go && !rel.startsWith(go + '/');
      },
    });
  }
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return dir;
}

test('`npm start` builds, runs the demo, prints the calls and serves until Ctrl+C', { timeout: 180_000 }, async () => {
  const dir = freshCopy();
  const child = spawn('npm', ['start'], { cwd: dir, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_update_notifier: 'false' } });
  let out = '';
  let err = '';
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        if (out.includes('Serving until stopped')) resolve();
      });
      void exited.then((code) => reject(new Error(`npm start exited (${code}) early:\n${out}\n${err}`)));
    });

    // What a new user sees, in order.
    const url = /fluxrpc demo: hub listening on (http:\/\/127\.0\.0\.1:\d+), instance "demo"/.exec(out)?.[1];
    assert.ok(url, out);
    const expected = [
      'fluxrpc demo: demo daemon connected (protocol v11',
      '$ fluxrpc call version\nfluxrpc-demo-',
      '$ fluxrpc call list-services\nWORKLOAD ',
      'default:deployment/podinfo     podinfod    ghcr.io/stefanprodan/podinfo:5.0.3',
      '$ fluxrpc call list-images\n',
      '$ fluxrpc call update-manifests --workload default:deployment/podinfo --update-all-images\nJob ',
      'Status:   succeeded',
      'podinfod: 5.0.3 -> 5.2.1',
      '$ fluxrpc call notify\nnotified',
      'default:deployment/podinfo     podinfod    ghcr.io/stefanprodan/podinfo:5.2.1',
      `Status page:  ${url}/`,
      'Serving until stopped (Ctrl+C).',
    ];
    let at = 0;
    for (const piece of expected) {
      const i = out.indexOf(piece, at);
      assert.ok(i >= 0, `expected ${JSON.stringify(piece)} after offset ${at} in:\n${out}`);
      at = i + piece.length;
    }
    assert.doesNotMatch(err, /Error|at .*\.js:\d+/, 'no stack traces');

    // The hub it started answers, with the token it printed.
    const token = / --token (\S+) list-images/.exec(out)?.[1];
    assert.ok(token);
    const page = await (await fetch(url + '/')).text();
    assert.match(page, /data-instance="demo" data-connected="true"/);
    const version = await fetch(`${url}/api/flux/v11/version`, { headers: { Authorization: `Scope-Probe token=${token}` } });
    assert.match(await version.text(), /^"fluxrpc-demo-/);
  } finally {
    // Ctrl+C: SIGINT to the whole process group (npm and the demo under it).
    try {
      process.kill(-child.pid!, 'SIGINT');
    } catch {
      // already gone
    }
  }
  let timer: NodeJS.Timeout | undefined;
  const code = await Promise.race([exited, new Promise<'hung'>((r) => (timer = setTimeout(() => r('hung'), 20_000)))]);
  clearTimeout(timer);
  if (code === 'hung') process.kill(-child.pid!, 'SIGKILL');
  assert.notEqual(code, 'hung', 'the demo did not stop on SIGINT');
  assert.match(out, /fluxrpc demo: stopping\n/);
  rmSync(dir, { recursive: true, force: true });
});
