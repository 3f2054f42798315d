#!/usr/bin/env node
// Runs every test with node's built-in runner: unit tests compiled beside the code (dist/src) and
// the tests under dist/test, which include the interop tests against real Go peers.
//
// Interop tests need Go: this script first builds the Go peers (test/interop/build-peers.mjs).
// Without Go they are skipped with a loud note, except under CI=true, where a missing Go toolchain
// or a failed build fails the run.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const ci = process.env.CI === 'true' || process.env.CI === '1';

function testFiles(dir) {
  const out = [];
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of entries.sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...testFiles(path));
    else if (name.endsWith('.test.js')) out.push(path);
  }
  return out;
}

const build = spawnSync(process.execPath, ['test/interop/build-peers.mjs'], { stdio: 'inherit' });
if (build.status !== 0) {
  if (ci) {
    console.error('CI=true: the Go interop peers must build; failing.');
    process.exit(1);
  }
  console.error('WARNING: Go interop peers could not be built; interop tests will be skipped (they are mandatory with CI=true).');
}

// Only compiled tests whose TypeScript source still exists: a renamed or deleted test's old output
// in dist/ must not run.
const hasSource = (file) => existsSync(file.replace(/^dist[\\/]/, '').replace(/\.js$/, '.ts'));
const files = [...testFiles('dist/src'), ...testFiles('dist/test')].filter(hasSource);
// A bound on each test and a forced exit once a file's tests are done, so that a handle a failing
// test left open (a server not closed after an assertion) cannot hang the run.
const args = ['--test', '--test-reporter=spec', '--test-timeout=300000', '--test-force-exit', ...files];
const run = spawnSync(process.execPath, args, { stdio: 'inherit', env: { ...process.env, FLUXRPC_INTEROP_REQUIRED: ci ? '1' : '' } });
process.exit(run.status ?? 1);
