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
  return runScript(script);
}

/** Runs an ES module script in a fresh node process; its stdout, trimmed. Fails if it has not ended within 20 s. */
function runScript(script: string): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(process.execPath, ['--input-type=module', '-e', script], { timeout: 20_000 }, (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout.trim()))),
  );
}

test('a hub without --nats loads no NATS code; with it, the client is loaded', async () => {
  assert.equal(await natsLoaded(false), '0');
  assert.notEqual(await natsLoaded(true), '0');
});

test('a hub that cannot listen leaves the cluster again (nothing keeps the process up)', async () => {
  const script = `
    import net from 'node:net';
    const { Hub } = await import(${JSON.stringify(hubModule)});
    const taken = net.createServer().listen(0, '127.0.0.1');
    await new Promise((r) => taken.once('listening', r));
    const hub = new Hub({ tokens: new Map([['t', 'i']]), cluster: { servers: ['nats://127.0.0.1:1'], startWaitMs: 1 } });
    await hub.listen(taken.address().port).catch((e) => console.log(e.code, hub.cluster === undefined));
    taken.close();
  `;
  const out = await runScript(script);
  assert.equal(out, 'EADDRINUSE true', 'rejected, cluster left, and the process ended by itself');
});
