/**
 * Syscalls per write: a writer makes `writes` writes in one tick, `ticks` times (one websocket
 * message, or one TCP write, each), to a reader in a child process that acknowledges the bytes.
 * Count the writer's syscalls with strace (main thread only: the child is not traced):
 *
 *   npm run build
 *   strace -c -e trace=write,writev node dist/bench/write-syscalls.js ws 100 200
 *   strace -c -e trace=write,writev node dist/bench/write-syscalls.js tcp 100 200
 *
 * Uses only the public transport API, so the same script measures any version of it.
 */
import { fork } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Buffer } from 'node:buffer';
import { fileURLToPath } from 'node:url';
import { WebSocketAcceptor, dialTcp, dialWebSocket, listenTcp, type ByteStream } from '../src/transport/index.js';

const [kind = 'ws', writesArg = '100', ticksArg = '200'] = process.argv.slice(2);
const MESSAGE = Buffer.from('{"id":1,"result":"a small reply of about eighty bytes, like most RPC replies","error":null}\n');

/** The reader: counts bytes, reports the total when asked. */
async function reader(kind: string): Promise<void> {
  let bytes = 0;
  const onStream = (s: ByteStream) => s.start({ data: (c) => (bytes += c.length), end: () => undefined });
  let port: number;
  if (kind === 'tcp') {
    const server = await listenTcp({ host: '127.0.0.1', port: 0 }, onStream);
    port = (server.address() as AddressInfo).port;
  } else {
    const acceptor = new WebSocketAcceptor();
    const server = http.createServer();
    server.on('upgrade', (req, socket, head) => acceptor.upgrade(req, socket, head).then(onStream, () => undefined));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  }
  process.send!({ port });
  process.on('message', (m: { want: number }) => {
    const check = () => (bytes >= m.want ? process.send!({ bytes }) : setTimeout(check, 5));
    check();
  });
}

async function writer(): Promise<void> {
  const writes = Number(writesArg);
  const ticks = Number(ticksArg);
  const child = fork(fileURLToPath(import.meta.url), ['reader', kind]);
  const { port } = await new Promise<{ port: number }>((resolve) => child.once('message', (m) => resolve(m as { port: number })));
  const stream = kind === 'tcp' ? await dialTcp({ host: '127.0.0.1', port }) : await dialWebSocket(`ws://127.0.0.1:${port}/v11/daemon`);
  stream.start({ data: () => undefined, end: () => undefined });
  const start = performance.now();
  for (let t = 0; t < ticks; t++) {
    // `write` takes the buffer: a fresh one each time.
    for (let i = 0; i < writes; i++) stream.write(Buffer.from(MESSAGE));
    await new Promise((r) => setImmediate(r));
    if (stream.needsDrain) await stream.writable();
  }
  const want = writes * ticks * MESSAGE.length;
  await new Promise((resolve) => {
    child.once('message', resolve);
    child.send({ want });
  });
  const ms = performance.now() - start;
  console.log(`${kind}: ${writes} writes per tick × ${ticks} ticks = ${writes * ticks} messages in ${ms.toFixed(0)} ms`);
  stream.destroy();
  child.kill();
}

if (process.argv[2] === 'reader') void reader(process.argv[3]!);
else void writer();
