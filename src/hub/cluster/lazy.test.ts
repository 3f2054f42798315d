/**
 * A hub without the cluster option loads no NATS code (the cluster module is imported only by
 * `listen()` when asked for): checked in fresh processes, where the NATS client's CommonJS modules
 * would show in node's module cache.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const hubModule = fileURLToPath(new URL('../hub.js', import.meta.url));

function natsLoaded(cluster: boolean): Promise<string> {
  const script = `
    import { createRequire } from 'node:module';
    const { Hub } = await import(${JSON.stringify(hubModule)});
    const hub = new Hub({ tokens: new Map([['t', 'i']]), ${cluster ? "cluster: { servers: ['nats://127.0.0.1:1'], startWaitMs: 1 }" : ''} });
    await hub.listen(0);
    const loaded = Object.keys(createRequire(import.meta.url).cache).filter((k) => k.includes('@nats-io'));
    await hub.close();
    console.log(loaded.length);
  `;
  return new Promise((resolve, reject) =>
    execFile(process.execPath, ['--input-type=module', '-e', script], { timeout: 30_000 }, (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout.trim()))),
  );
}

test('a hub without --nats loads no NATS code; with it, the client is loaded', async () => {
  assert.equal(await natsLoaded(false), '0');
  assert.notEqual(await natsLoaded(true), '0');
});
