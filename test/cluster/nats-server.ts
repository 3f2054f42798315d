/**
 * A real nats-server for the cluster tests (Debian's `nats-server` package, installed by
 * scripts/install-nats-server.sh, which .ci/run calls): JetStream on, a temporary store directory,
 * loopback only, a port chosen by the server (`-p -1`) and read from its log. `restart()` brings
 * it back on the same port with the same store (as an operator restarting it would).
 *
 * Without nats-server the tests skip, except in CI (CI=true / FLUXRPC_INTEROP_REQUIRED=1), where
 * they fail.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';

function findNatsServer(): string | undefined {
  const env = process.env['FLUXRPC_NATS_SERVER'];
  if (env) return env;
  for (const p of ['/usr/sbin/nats-server', '/usr/bin/nats-server', '/usr/local/bin/nats-server']) if (existsSync(p)) return p;
  const which = spawnSync('sh', ['-c', 'command -v nats-server'], { encoding: 'utf8' });
  return which.status === 0 && which.stdout.trim() !== '' ? which.stdout.trim() : undefined;
}

export const NATS_SERVER = findNatsServer();

/** False (after skipping the test) when nats-server is missing and the cluster tests are optional. */
export function requireNatsServer(t: TestContext): boolean {
  if (NATS_SERVER !== undefined) return true;
  const message = 'nats-server is not installed (run scripts/install-nats-server.sh)';
  if (process.env['CI'] === 'true' || process.env['FLUXRPC_INTEROP_REQUIRED'] === '1') assert.fail(message + ' — required in CI');
  t.skip(message);
  return false;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const p of running) p.kill('SIGKILL');
});

export class NatsServer {
  private proc: ChildProcess | undefined;
  private log = '';
  port = -1;

  private constructor(
    readonly storeDir: string,
    private readonly args: string[],
    private readonly ownsStore: boolean,
  ) {}

  /** Starts nats-server with JetStream; `args` are extra flags (e.g. `--user u --pass p`). */
  static async start(options: { args?: string[]; storeDir?: string } = {}): Promise<NatsServer> {
    const store = options.storeDir ?? mkdtempSync(join(tmpdir(), 'fluxrpc-nats-'));
    const s = new NatsServer(store, options.args ?? [], options.storeDir === undefined);
    await s.run(-1);
    return s;
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.proc !== undefined && this.proc.exitCode === null && this.proc.signalCode === null;
  }

  private run(port: number): Promise<void> {
    const proc = spawn(NATS_SERVER!, ['-js', '-sd', this.storeDir, '-a', '127.0.0.1', '-p', String(port), ...this.args], { stdio: ['ignore', 'ignore', 'pipe'] });
    running.add(proc);
    proc.once('exit', () => running.delete(proc));
    this.proc = proc;
    this.log = '';
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        proc.kill('SIGKILL');
        reject(new Error(`nats-server did not start within 20 s: ${this.log.slice(-2000)}`));
      }, 20_000);
      proc.stderr!.on('data', (c: Buffer) => {
        this.log += c.toString();
        const m = /Listening for client connections on [^\s]+:(\d+)/.exec(this.log);
        if (m && /Server is ready/.test(this.log)) {
          clearTimeout(timer);
          this.port = Number(m[1]);
          resolve();
        }
      });
      proc.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`nats-server exited (${code}) while starting: ${this.log.slice(-2000)}`));
      });
    });
  }

  /** Stops the server (SIGTERM, then SIGKILL after 5 s); the store stays. */
  async stop(): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGTERM');
    const timer = setTimeout(() => p.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }

  /** Starts it again on the same port with the same store. */
  async restart(): Promise<void> {
    await this.stop();
    await this.run(this.port);
  }

  /** Stops it and removes a store it made. */
  async dispose(): Promise<void> {
    await this.stop();
    if (this.ownsStore) rmSync(this.storeDir, { recursive: true, force: true });
  }
}
