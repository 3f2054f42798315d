/**
 * Peak memory of one large message through a websocket pair, each end in a process of its own:
 * the sender (a daemon: it dials, as a client it must mask) writes one message of `mib` MiB,
 * `repeat` times, waiting each time for the receiver (the hub side: it accepts) to have read it
 * all. The receiver either keeps nothing (`count`: what the transport itself costs) or keeps every
 * chunk of the message until its end (`keep`: what any consumer of the whole message adds), or
 * also joins them and makes a string of them at the end (`decode`, as the JSON splitter does).
 * Each process reports its RSS before the first message and its peak RSS.
 *
 *   npm run build && node dist/bench/large-message.js [count|keep|decode] [mib] [repeat]
 *
 * Uses only the public transport API, so the same script measures any version of it.
 */
import { fork, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Buffer } from 'node:buffer';
import { fileURLToPath } from 'node:url';
import { WebSocketAcceptor, dialWebSocket } from '../src/transport/index.js';

const MiB = 1024 * 1024;
const rssMiB = () => process.memoryUsage().rss / MiB;
const peakMiB = () => process.resourceUsage().maxRSS / 1024;

async function receiver(mode: string, size: number): Promise<void> {
  const acceptor = new WebSocketAcceptor({ maxPayload: size + MiB });
  const server = http.createServer();
  server.on('upgrade', (req, socket, head) =>
    acceptor.upgrade(req, socket, head).then((stream) => {
      let got = 0;
      let kept: Buffer[] = [];
      let text = '';
      stream.start({
        data: (chunk) => {
          got += chunk.length;
          if (mode !== 'count') kept.push(chunk);
          if (got % size === 0) {
            // `decode`: what a JSON consumer of the whole message does at its end.
            if (mode === 'decode') text = Buffer.concat(kept).toString('latin1');
            kept = [];
            process.send!({ got });
          }
        },
        end: () => void text,
      });
    }, () => undefined),
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  process.send!({ port: (server.address() as AddressInfo).port, rss: rssMiB() });
  process.on('message', () => process.send!({ rss: rssMiB(), peak: peakMiB() }));
}

async function sender(port: number, size: number, repeat: number): Promise<void> {
  const stream = await dialWebSocket(`ws://127.0.0.1:${port}/v11/daemon`, { maxPayload: size + MiB });
  stream.start({ data: () => undefined, end: () => undefined });
  const before = rssMiB();
  process.send!({ ready: true, rss: before });
  let sent = 0;
  process.on('message', (m: { send?: boolean; report?: boolean }) => {
    if (m.report) return process.send!({ rss: rssMiB(), peak: peakMiB() });
    // A fresh message each time (`write` takes the buffer), filled so that its pages are real.
    const message = Buffer.alloc(size, 0x61);
    stream.write(message);
    sent++;
  });
  void sent;
}

function next(child: ChildProcess): Promise<Record<string, number>> {
  return new Promise((resolve) => child.once('message', (m) => resolve(m as Record<string, number>)));
}

async function main(): Promise<void> {
  const mode = process.argv[2] ?? 'count';
  const size = Number(process.argv[3] ?? 32) * MiB;
  const repeat = Number(process.argv[4] ?? 3);
  const self = fileURLToPath(import.meta.url);
  const rx = fork(self, ['receiver', mode, String(size)]);
  const { port, rss: rxBefore } = await next(rx);
  const tx = fork(self, ['sender', String(port), String(size), String(repeat)]);
  const { rss: txBefore } = await next(tx);
  for (let i = 0; i < repeat; i++) {
    tx.send({ send: true });
    await next(rx);
  }
  tx.send({ report: true });
  const txEnd = await next(tx);
  rx.send({ report: true });
  const rxEnd = await next(rx);
  const f = (x: number) => `${x.toFixed(0)} MiB`;
  console.log(`${repeat} × ${size / MiB} MiB, receiver ${mode === 'count' ? 'keeps nothing' : mode === 'keep' ? 'keeps the whole message' : 'keeps the message, then joins and decodes it'}`);
  console.log(`sender (client, masks):  RSS before ${f(txBefore!)}, peak ${f(txEnd.peak!)} (+${f(txEnd.peak! - txBefore!)})`);
  console.log(`receiver (server):       RSS before ${f(rxBefore!)}, peak ${f(rxEnd.peak!)} (+${f(rxEnd.peak! - rxBefore!)})`);
  tx.kill();
  rx.kill();
}

if (process.argv[2] === 'receiver') void receiver(process.argv[3]!, Number(process.argv[4]));
else if (process.argv[2] === 'sender') void sender(Number(process.argv[3]), Number(process.argv[4]), Number(process.argv[5]));
else void main();
