/**
 * Child processes for the bench: stdout read as lines (`waitFor('RESULT')`), stderr kept for
 * diagnostics, a hard time box per child, and one place that kills every child still running when
 * the bench exits, fails or is interrupted.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

interface Killable {
  kill(signal: NodeJS.Signals): unknown;
}

const running = new Set<Killable>();

/** Kills every child still running (SIGKILL: they are ours and time-boxed anyway). */
export function killAll(): void {
  for (const child of running) child.kill('SIGKILL');
}

/** Registers a child spawned elsewhere so that `killAll` and an interrupt also end it. */
export function track(child: ChildProcess): void {
  hookProcessExit();
  running.add(child);
  child.once('close', () => running.delete(child));
}

let hooked = false;
function hookProcessExit(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', killAll);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      process.stdout.write(`\nbench: ${sig}, killing ${running.size} child process(es)\n`);
      killAll();
      process.exit(128 + (sig === 'SIGINT' ? 2 : sig === 'SIGTERM' ? 15 : 1));
    });
  }
}

interface Waiter {
  prefix: string;
  resolve(rest: string): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

export class Peer {
  private readonly proc: ChildProcess;
  private readonly lines: string[] = [];
  private waiters: Waiter[] = [];
  private stderr = '';
  private exitedWith: string | undefined;
  readonly exited: Promise<void>;

  /**
   * Starts `command args…`; it is SIGKILLed if still running after `timeBoxMs`. With `stdin`,
   * its standard input is a pipe `send` writes to; otherwise it is /dev/null.
   */
  constructor(
    readonly label: string,
    command: string,
    args: string[],
    timeBoxMs: number,
    options: { stdin?: boolean } = {},
  ) {
    hookProcessExit();
    this.proc = spawn(command, args, { stdio: [options.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
    // A child that exits before reading its input must not fail the bench with EPIPE.
    this.proc.stdin?.on('error', () => undefined);
    running.add(this);
    const box = setTimeout(() => {
      this.stderr += `\n[bench: time box of ${timeBoxMs} ms exceeded, killed]`;
      this.kill('SIGKILL');
    }, timeBoxMs);
    box.unref();
    createInterface({ input: this.proc.stdout! }).on('line', (line) => this.onLine(line));
    this.proc.stderr!.setEncoding('utf8').on('data', (s: string) => {
      this.stderr = (this.stderr + s).slice(-4000);
    });
    this.exited = new Promise((resolve) => {
      const done = (how: string) => {
        if (this.exitedWith !== undefined) return;
        this.exitedWith = how;
        clearTimeout(box);
        running.delete(this);
        // Let readline deliver the last lines before failing waiters.
        setImmediate(() => {
          for (const w of this.waiters) this.failWaiter(w);
          this.waiters = [];
          resolve();
        });
      };
      this.proc.once('error', (e) => done(`spawn error: ${e.message}`));
      this.proc.once('close', (code, signal) => done(signal ? `signal ${signal}` : `exit ${code}`));
    });
  }

  /**
   * Resolves with the rest of the first stdout line starting with `prefix` (seen already or to
   * come); rejects if the child exits first or `timeoutMs` passes.
   */
  waitFor(prefix: string, timeoutMs: number): Promise<string> {
    const seen = this.lines.find((l) => l === prefix || l.startsWith(prefix + ' '));
    if (seen !== undefined) return Promise.resolve(seen.slice(prefix.length).trim());
    return new Promise((resolve, reject) => {
      const w: Waiter = { prefix, resolve, reject, timer: undefined! };
      w.timer = setTimeout(() => {
        this.waiters = this.waiters.filter((x) => x !== w);
        reject(this.error(`no ${prefix} line within ${timeoutMs} ms`));
      }, timeoutMs);
      if (this.exitedWith !== undefined) this.failWaiter(w);
      else this.waiters.push(w);
    });
  }

  /** The child's process id (for /proc), undefined if it could not be started. */
  get pid(): number | undefined {
    return this.proc.pid;
  }

  /** Writes one line to the child's stdin (started with `stdin: true`). */
  send(line: string): void {
    if (!this.proc.stdin) throw new Error(`${this.label}: started without a stdin pipe`);
    this.proc.stdin.write(line + '\n');
  }

  kill(signal: NodeJS.Signals): void {
    if (this.exitedWith === undefined && this.proc.pid !== undefined) this.proc.kill(signal);
  }

  /** Waits up to `ms` for the child to exit by itself, then kills it. */
  async stop(ms: number): Promise<void> {
    const timer = setTimeout(() => this.kill('SIGKILL'), ms);
    await this.exited;
    clearTimeout(timer);
  }

  private onLine(line: string): void {
    this.lines.push(line);
    if (line.startsWith('ERROR ')) this.stderr += `\n${line}`;
    const matched = this.waiters.filter((w) => line === w.prefix || line.startsWith(w.prefix + ' '));
    if (matched.length === 0) return;
    this.waiters = this.waiters.filter((w) => !matched.includes(w));
    for (const w of matched) {
      clearTimeout(w.timer);
      w.resolve(line.slice(w.prefix.length).trim());
    }
  }

  private failWaiter(w: Waiter): void {
    clearTimeout(w.timer);
    w.reject(this.error(`exited (${this.exitedWith}) before printing ${w.prefix}`));
  }

  private error(what: string): Error {
    const tail = this.stderr.trim() ? `; stderr: ${this.stderr.trim().split('\n').slice(-8).join(' | ')}` : '';
    return new Error(`${this.label}: ${what}${tail}`);
  }
}
