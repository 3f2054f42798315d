#!/usr/bin/env node
// `npm run cluster-demo`: cluster mode on this machine, in one command. Starts nats-server with
// JetStream (a temporary store, a free loopback port), three hub replicas A, B, C sharing it
// (`fluxrpc hub --nats …`), a small TCP load balancer in front of them (each new connection to the
// next live replica), and a demo daemon connected through it; prints each replica's status page,
// its process ID (kill one to see the daemon move), and a call through another replica (forwarded
// over NATS); then serves until Ctrl+C, when it stops everything it started. Needs nats-server
// (scripts/install-nats-server.sh).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import net from 'node:net';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'dist', 'src', 'cli', 'main.js');
const children = [];
const dir = mkdtempSync(join(tmpdir(), 'fluxrpc-cluster-demo-'));

function stopAll(code) {
  for (const c of children.reverse()) if (c.exitCode === null) c.kill('SIGTERM');
  setTimeout(() => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    process.exit(code);
  }, 1500).unref();
}
process.once('SIGINT', () => stopAll(0));
process.once('SIGTERM', () => stopAll(0));

function natsServerPath() {
  if (process.env.FLUXRPC_NATS_SERVER) return process.env.FLUXRPC_NATS_SERVER;
  for (const p of ['/usr/sbin/nats-server', '/usr/bin/nats-server', '/usr/local/bin/nats-server']) if (existsSync(p)) return p;
  const which = spawnSync('sh', ['-c', 'command -v nats-server'], { encoding: 'utf8' });
  return which.status === 0 ? which.stdout.trim() : undefined;
}

/** Starts a child and resolves with the first match of `re` in its output (stdout or stderr). */
function start(name, command, args, re) {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let text = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start within 20 s:\n${text}`)), 20_000);
    const look = (c) => {
      text += c.toString();
      const m = re.exec(text);
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    };
    child.stdout.on('data', look);
    child.stderr.on('data', look);
    child.once('exit', (code) => reject(new Error(`${name} exited (${code}):\n${text}`)));
  });
}

/** A TCP load balancer: each connection to the next replica that accepts it. */
function loadBalancer(ports) {
  let next = 0;
  const server = net.createServer((client) => {
    client.pause();
    const attempt = (tried) => {
      if (tried === ports.length) return client.destroy();
      const upstream = net.connect(ports[next++ % ports.length], '127.0.0.1');
      let connected = false;
      upstream.once('connect', () => {
        connected = true;
        client.pipe(upstream).pipe(client);
        client.resume();
        client.on('error', () => upstream.destroy()).on('close', () => upstream.destroy());
        upstream.on('close', () => client.destroy());
      });
      upstream.on('error', () => (connected ? client.destroy() : attempt(tried + 1)));
    };
    attempt(0);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${server.address().port}`)));
}

async function main() {
  if (!existsSync(cli)) throw new Error('not built: run `npm run build` first (npm run cluster-demo does)');
  const natsServer = natsServerPath();
  if (!natsServer) throw new Error('nats-server is not installed: run scripts/install-nats-server.sh (Debian package nats-server)');
  const nats = await start('nats-server', natsServer, ['-js', '-sd', join(dir, 'nats'), '-a', '127.0.0.1', '-p', '-1'], /Listening for client connections on (\S+:\d+)[\s\S]*Server is ready/);
  const natsUrl = `nats://${nats[1]}`;
  const token = 'cluster-demo-token';
  writeFileSync(join(dir, 'tokens.json'), JSON.stringify({ [token]: 'demo' }));
  const urls = {};
  const pids = {};
  for (const id of ['A', 'B', 'C']) {
    const m = await start(`replica ${id}`, process.execPath, [cli, 'hub', '--listen', '127.0.0.1:0', '--tokens', join(dir, 'tokens.json'), '--nats', natsUrl, '--replica-id', id, '--log-level', 'warn'], /listening on (http:\/\/\S+)/);
    urls[id] = m[1];
    pids[id] = children.at(-1).pid;
  }
  const lb = await loadBalancer(Object.values(urls).map((u) => Number(new URL(u).port)));
  await start('demo daemon', process.execPath, [cli, 'daemon', '--connect', `${lb}/api/flux`, '--token', token, '--demo'], /"msg":"connected"/);
  console.log(`nats-server (JetStream): ${natsUrl}, store ${join(dir, 'nats')}`);
  for (const [id, url] of Object.entries(urls)) console.log(`replica ${id}: ${url}/  status page (also /healthz, /metrics); pid ${pids[id]}`);
  console.log(`load balancer: ${lb} (each connection to the next live replica)`);
  console.log(`demo daemon: instance "demo", connected through the load balancer (to replica A)`);
  console.log(`\nA call through replica C, forwarded over NATS to the replica holding the daemon:\n  node ${cli} call --url ${urls.C} --token ${token} list-services\n`);
  console.log(`Try: kill -9 ${pids.A} (replica A): the daemon comes back through the load balancer on B within seconds,`);
  console.log('and every status page shows it there; or stop nats-server: each replica goes on serving its own daemons.');
  console.log('Serving until Ctrl+C.');
}

main().catch((e) => {
  console.error(`cluster-demo: ${e.message}`);
  stopAll(1);
});
