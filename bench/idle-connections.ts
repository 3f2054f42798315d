/**
 * Memory and CPU of idle websocket connections, as a hub holds them: N daemons (default 2,000)
 * connect over loopback and stay idle with Flux's heartbeat (a ping every 13.33 s each way). The
 * hub side runs in a child process of its own; both sides report, after a full GC, what N
 * connections added to RSS and to the JS heap (+ external memory), per connection, and the CPU
 * time each process used while idle.
 *
 *   npm run build && node --expose-gc dist/bench/idle-connections.js [connections] [idle seconds]
 *
 * Uses only the public transport API, so the same script measures any version of it.
 */
import { fork } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { WebSocketAcceptor, dialWebSocket, type ByteStream } from '../src/transport/index.js';

interface Sample {
  rss: number;
  heap: number;
}

function sample(): Sample {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc');
  gc();
  gc();
  const m = process.memoryUsage();
  return { rss: m.rss, heap: m.heapUsed + m.external + m.arrayBuffers };
}

const idleSink = { data: () => undefined, end: () => undefined };

/** The hub side: accepts connections, reports on request. */
async function hub(): Promise<void> {
  const acceptor = new WebSocketAcceptor();
  const streams: ByteStream[] = [];
  const server = http.createServer();
  server.on('upgrade', (req, socket, head) =>
    acceptor.upgrade(req, socket, head).then(
      (s) => (s.start(idleSink), streams.push(s)),
      () => undefined,
    ),
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  await sleep(500);
  const base = sample();
  process.send!({ port: (server.address() as AddressInfo).port });
  process.on('message', (m: { cmd: string }) => {
    if (m.cmd === 'sample') process.send!({ base, now: sample(), streams: streams.length, cpu: process.cpuUsage() });
    if (m.cmd === 'exit') process.exit(0);
  });
}

function ask(child: ReturnType<typeof fork>, cmd: string): Promise<{ base: Sample; now: Sample; streams: number; cpu: NodeJS.CpuUsage }> {
  return new Promise((resolve) => {
    child.once('message', (m) => resolve(m as never));
    child.send({ cmd });
  });
}

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 2000);
  const idleSeconds = Number(process.argv[3] ?? 30);
  const child = fork(fileURLToPath(import.meta.url), ['hub'], { execArgv: ['--expose-gc', ...(process.env.HUB_NODE_ARGS ?? '').split(' ').filter(Boolean)] });
  const { port } = await new Promise<{ port: number }>((resolve) => child.once('message', (m) => resolve(m as { port: number })));
  await sleep(500);
  const base = sample();
  const clients: ByteStream[] = [];
  for (let i = 0; i < n; i += 50) {
    const batch = await Promise.all(Array.from({ length: Math.min(50, n - i) }, () => dialWebSocket(`ws://127.0.0.1:${port}/v11/daemon`)));
    for (const s of batch) s.start(idleSink);
    clients.push(...batch);
  }
  await sleep(1000);
  const hubBefore = await ask(child, 'sample');
  const cpuBefore = process.cpuUsage();
  await sleep(idleSeconds * 1000);
  const cpu = process.cpuUsage(cpuBefore);
  const hubAfter = await ask(child, 'sample');
  const daemons = sample();
  const perConn = (a: Sample, b: Sample) => `RSS ${((b.rss - a.rss) / n / 1024).toFixed(1)} KiB, JS heap+external ${((b.heap - a.heap) / n).toFixed(0)} B`;
  const ms = (c: NodeJS.CpuUsage) => ((c.user + c.system) / 1000).toFixed(0);
  const hubCpu = { user: hubAfter.cpu.user - hubBefore.cpu.user, system: hubAfter.cpu.system - hubBefore.cpu.system };
  console.log(`${n} idle connections (hub side saw ${hubAfter.streams}), ${idleSeconds} s idle`);
  console.log(`hub side, per connection:     ${perConn(hubAfter.base, hubAfter.now)}; CPU while idle ${ms(hubCpu)} ms`);
  console.log(`daemon side, per connection:  ${perConn(base, daemons)}; CPU while idle ${ms(cpu)} ms`);
  for (const c of clients) c.destroy();
  child.send({ cmd: 'exit' });
}

if (process.argv[2] === 'hub') void hub();
else void main();
