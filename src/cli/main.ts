#!/usr/bin/env node
/** The `fluxrpc` executable (package.json "bin"; `npm start` runs `demo`). */
import { run } from './cli.js';
import { readSecret } from './secret-input.js';

const stopped = new Promise<void>((resolve) => {
  process.once('SIGINT', () => resolve());
  process.once('SIGTERM', () => resolve());
});

const code = await run(process.argv.slice(2), {
  out: (t) => void process.stdout.write(t),
  err: (t) => void process.stderr.write(t),
  stopped,
  env: process.env,
  readSecret: (prompt) => readSecret(prompt),
});
// Let pending output drain, then leave even if a socket lingers.
process.exitCode = code;
setTimeout(() => process.exit(code), 200).unref();
