#!/usr/bin/env node
// Builds the Go interop peers (test/interop/go) with this machine's Go and the module proxy, plus
// the real fluxctl of flux v1.25.4 (pinned in test/interop/go/tools), and runs the Go module's own
// tests.
// Exit status 0 when the binaries are ready; 2 when Go is not installed; 1 when the build fails.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
const moduleDir = join(here, 'go');
const go = spawnSync('go', ['version'], { encoding: 'utf8' });
if (go.error || go.status !== 0) {
  console.error('build-peers: Go is not installed (go version failed): ' + (go.error?.message ?? go.stderr));
  process.exit(2);
}
console.error(`build-peers: ${go.stdout.trim()}; building Go peers in ${moduleDir} (first run downloads modules)...`);
// One `go build` for our peers and fluxctl, so that the packages they share compile once.
const build = spawnSync('go', ['build', '-o', 'bin/', './cmd/...', 'github.com/fluxcd/flux/cmd/fluxctl'], { cwd: moduleDir, stdio: 'inherit' });
if (build.status !== 0) {
  console.error('build-peers: go build failed');
  process.exit(1);
}
// The Go side's own tests: Go-against-Go baselines the interop tests compare with, the committed
// vectors being current, the shared peer package.
const goTest = spawnSync('go', ['test', './...'], { cwd: moduleDir, stdio: 'inherit' });
if (goTest.status !== 0) {
  console.error('build-peers: go test failed');
  process.exit(1);
}
console.error('build-peers: done');
