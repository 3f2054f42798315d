/**
 * Starting and talking to the Go interop peers (test/interop/go/bin/*), built by
 * test/interop/build-peers.mjs. Peers print one line per event on stdout (`LISTEN host:port`,
 * `CONNECTED`, `RESULT {json}`, …); `GoPeer.line(prefix)` waits for one, bounded in time.
 *
 * When the binaries are missing the interop tests skip, unless FLUXRPC_INTEROP_REQUIRED=1 (set by
 * scripts/run-tests.mjs when CI=true), where they fail loudly.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';

/** The repository root (this file runs from dist/test/interop/). */
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const goBin = (name: string) => join(repoRoot, 'test', 'interop', 'go', 'bin', name);

/** Returns false (after skipping the test) when the peer binary is missing and interop is optional. */
export function requirePeer(t: TestContext, name: string): boolean {
  if (existsSync(goBin(name))) return true;
  const message = `Go interop peer ${name} is not built (run: node test/interop/build-peers.mjs)`;
  if (process.env.FLUXRPC_INTEROP_REQUIRED === '1') assert.fail(message + ' — interop tests are mandatory in CI');
  t.skip(message);
  return false;
}

export class GoPeer {
  private readonly lines: string[] = [];
  private waiters: { prefix: string; resolve(line: string): void }[] = [];
  readonly exited: Promise<number | null>;
  readonly stderr: string[] = [];

  private constructor(readonly child: ChildProcess) {
    const rl = createInterface({ input: child.stdout! });
    rl.on('line', (line) => {
      const waiter = this.waiters.find((w) => line.startsWith(w.prefix));
      if (waiter) {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        waiter.resolve(line);
      } else this.lines.push(line);
    });
    child.stderr!.on('data', (c: Buffer) => this.stderr.push(c.toString()));
    this.exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  }

  static start(name: string, args: string[]): GoPeer {
    const child = spawn(goBin(name), args, { stdio: ['ignore', 'pipe', 'pipe'] });
    return new GoPeer(child);
  }

  /** The first line starting with `prefix` (already printed or still to come), without the prefix. */
  line(prefix: string, timeoutMs = 20_000): Promise<string> {
    const index = this.lines.findIndex((l) => l.startsWith(prefix));
    if (index >= 0) return Promise.resolve(this.lines.splice(index, 1)[0]!.slice(prefix.length).trim());
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.resolve !== done);
        reject(new Error(`Go peer printed no "${prefix}" line within ${timeoutMs} ms; stderr: ${this.stderr.join('')}`));
      }, timeoutMs);
      const done = (line: string) => {
        clearTimeout(timer);
        resolve(line.slice(prefix.length).trim());
      };
      this.waiters.push({ prefix, resolve: done });
      this.exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`Go peer exited (${code}) before printing "${prefix}"; stderr: ${this.stderr.join('')}`));
      });
    });
  }

  async result<T = any>(timeoutMs?: number): Promise<T> {
    return JSON.parse(await this.line('RESULT ', timeoutMs)) as T;
  }

  kill(): void {
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }
}

/** Splits `host:port`. */
export function hostPort(text: string): { host: string; port: number } {
  const i = text.lastIndexOf(':');
  return { host: text.slice(0, i), port: Number(text.slice(i + 1)) };
}
