/**
 * Hub replicas as real processes (`fluxrpc hub --nats …`), and a small TCP front that spreads
 * connections over the replicas that are alive (as a load balancer would), for the failure tests.
 * Every process is time-boxed and killed when the test process exits.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { join } from 'node:path';
import { repoRoot } from '../interop/go-peer.js';

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const p of running) p.kill('SIGKILL');
});

export class Replica {
  url = '';
  port = 0;
  stdout = '';
  stderr = '';
  readonly exited: Promise<number | null>;

  private constructor(
    readonly id: string,
    readonly proc: ChildProcess,
  ) {
    running.add(proc);
    this.exited = new Promise((resolve) => proc.once('exit', (code) => (running.delete(proc), resolve(code))));
    proc.stdout!.on('data', (c: Buffer) => (this.stdout += c.toString()));
    proc.stderr!.on('data', (c: Buffer) => (this.stderr += c.toString()));
  }

  /** `fluxrpc hub --listen 127.0.0.1:0 --tokens <file> --nats <url> --replica-id <id> …`; resolves once it listens. */
  static async start(id: string, natsUrl: string, tokensFile: string, extra: string[] = []): Promise<Replica> {
    const args = [join(repoRoot, 'dist', 'src', 'cli', 'main.js'), 'hub', '--listen', '127.0.0.1:0', '--tokens', tokensFile, '--nats', natsUrl, '--replica-id', id, '--log-level', 'warn', ...extra];
    const r = new Replica(id, spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] }));
    const timer = setTimeout(() => r.proc.kill('SIGKILL'), 180_000); // a hard box per process
    timer.unref();
    await new Promise<void>((resolve, reject) => {
      const check = () => {
        const m = /fluxrpc hub listening on (http:\/\/127\.0\.0\.1:(\d+))/.exec(r.stdout);
        if (m && /cluster mode: replica/.test(r.stdout)) {
          r.url = m[1]!;
          r.port = Number(m[2]);
          resolve();
        }
      };
      r.proc.stdout!.on('data', check);
      void r.exited.then((code) => reject(new Error(`replica ${id} exited (${code}) while starting: ${r.stdout} ${r.stderr}`)));
    });
    return r;
  }

  get alive(): boolean {
    return this.proc.exitCode === null && this.proc.signalCode === null;
  }

  /** kill -9: no clean-up of any kind. */
  async kill9(): Promise<void> {
    if (!this.alive) return;
    this.proc.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM, as an operator stopping it (SIGKILL after 10 s). */
  async stop(): Promise<void> {
    if (!this.alive) return;
    this.proc.kill('SIGTERM');
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), 10_000);
    await this.exited;
    clearTimeout(timer);
  }
}

/**
 * A TCP front: each new connection goes to the next replica in turn; a replica that refuses the
 * connection (dead) is skipped. Bytes are piped both ways untouched.
 */
export class Front {
  private readonly server: net.Server;
  private next = 0;
  port = 0;
  /** The port each accepted connection went to, in order. */
  readonly routed: number[] = [];

  constructor(private readonly backends: () => number[]) {
    this.server = net.createServer((client) => this.route(client, 0));
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as net.AddressInfo).port;
    return `http://127.0.0.1:${this.port}`;
  }

  private readonly sockets = new Set<net.Socket>();

  private route(client: net.Socket, tried: number): void {
    const ports = this.backends();
    if (tried >= ports.length) return void client.destroy();
    const port = ports[this.next++ % ports.length]!;
    client.pause();
    const upstream = net.connect(port, '127.0.0.1');
    let connected = false;
    upstream.once('connect', () => {
      connected = true;
      this.routed.push(port);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.once('close', () => this.sockets.delete(s));
      }
      client.pipe(upstream).pipe(client);
      client.resume();
      client.on('error', () => upstream.destroy());
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    upstream.on('error', () => {
      if (!connected) this.route(client, tried + 1); // refused: a dead replica, try the next
      else client.destroy();
    });
  }

  close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
