/** The package ships what the dashboard needs at run time (browser modules, stylesheet, icon) and no tests. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

test('npm pack includes the dashboard assets and leaves tests out', () => {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  const files = new Set((JSON.parse(out) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path));
  for (const f of ['dist/web/main.js', 'dist/web/live.js', 'web/dashboard.css', 'web/favicon.svg', 'dist/src/dashboard/dashboard.js', 'dist/src/notify/notifier.js', 'dist/src/cli/main.js'])
    assert.ok(files.has(f), `${f} is shipped`);
  assert.ok(![...files].some((f) => /\.test\.|^test\/|^web\/.*\.ts$/.test(f)), 'no tests or browser sources');
});
