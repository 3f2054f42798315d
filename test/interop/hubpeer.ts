/**
 * Runs the Go peer test/interop/go/cmd/hubpeer (flux's Upstream, HTTP client, a Go upstream, and
 * fluxd's HTTP API, all from flux v1.25.4) with a stdin pipe for its commands, and waits for the
 * lines it prints (bounded in time).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import assert from 'node:assert/strict';
import { createInterface } from 'node:readline';
import { goBin } from './go-peer.js';

export class HubPeer {
  readonly lines: string[] = [];
  private waiters: { match(line: string): boolean; resolve(line: string): void }[] = [];
  readonly exited: Promise<number | null>;
  readonly stderr: string[] = [];

  private constructor(readonly child: ChildProcess) {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      this.lines.push(line);
      for (const w of [...this.waiters]) {
        if (w.match(line)) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(line);
        }
      }
    });
    child.stderr!.on('data', (c: Buffer) => this.stderr.push(c.toString()));
    this.exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  }

  static start(args: string[]): HubPeer {
    return new HubPeer(spawn(goBin('hubpeer'), args, { stdio: ['pipe', 'pipe', 'pipe'] }));
  }

  /**
   * The next line (after the `from`-th line printed, default: any line not yet consumed by a wait
   * from that index) that starts with `prefix` and satisfies `test`.
   */
  line(prefix: string, test: (line: string) => boolean = () => true, timeoutMs = 20_000, from = 0): Promise<string> {
    const match = (l: string) => l.startsWith(prefix) && test(l);
    const seen = this.lines.slice(from).find(match);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.resolve !== done);
        reject(new Error(`hubpeer printed no "${prefix}" line within ${timeoutMs} ms; lines: ${this.lines.slice(-20).join(' | ')}; stderr: ${this.stderr.join('')}`));
      }, timeoutMs);
      const done = (l: string) => {
        clearTimeout(timer);
        resolve(l);
      };
      this.waiters.push({ match, resolve: done });
    });
  }

  /** Sends a command line on stdin. */
  send(command: string): void {
    this.child.stdin!.write(command + '\n');
  }

  /** The RESULT lines printed after the `from`-th line, up to the next DONE, by method. */
  /** Each method's outcome; `errorType` is Go's `%T` of the error (e.g. `*errors.Error`, `rpc.ServerError`). */
  async results(from: number, timeoutMs = 30_000): Promise<Map<string, { value: any; error: string; errorType?: string }>> {
    await this.line('DONE', () => true, timeoutMs, from);
    const out = new Map<string, { value: any; error: string; errorType?: string }>();
    for (const l of this.lines.slice(from)) {
      if (l === 'DONE') break;
      if (!l.startsWith('RESULT ')) continue;
      const r = JSON.parse(l.slice('RESULT '.length)) as { method: string; value: any; error: string; errorType?: string };
      out.set(r.method, { value: r.value, error: r.error, errorType: r.errorType });
    }
    return out;
  }

  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}

/**
 * What flux's Go HTTP client (`hubpeer client`) must get from every route when the daemon behind
 * the hub is `hubpeer daemon` (flux's MockServer) registered on route `/v<version>/daemon`.
 */
export function checkGoMockAnswers(r: Map<string, { value: any; error: string }>, version: number): void {
  const ok = (method: string) => {
    const x = r.get(method);
    assert.ok(x, `no result for ${method}`);
    assert.equal(x.error, '', `${method} failed: ${x.error}`);
    return x.value;
  };
  ok('Ping');
  assert.equal(ok('Version'), 'go-mock');
  assert.deepEqual(ok('ListServices').map((s: { ID: string }) => s.ID), ['default:deployment/helloworld']);
  assert.equal(ok('ListImages')[0].Containers[0].LatestFiltered.ID, 'quay.io/weaveworks/helloworld:master-a000002');
  assert.deepEqual(ok('JobStatus'), { Result: { revision: 'abc123' }, Err: '', StatusString: 'succeeded' });
  assert.deepEqual(ok('SyncStatus'), ['c1', 'c2']);
  assert.equal(Buffer.from(ok('Export'), 'base64').toString(), '---\nkind: Deployment\nmetadata:\n  name: helloworld\n');
  assert.equal(ok('GitRepoConfig').remote.url, 'git@github.com:org/repo');
  assert.equal(ok('GetPublicSSHKey').key, 'ssh-rsa AAAAB3Nza go-mock');
  ok('RegeneratePublicSSHKey');
  if (version >= 8) {
    assert.deepEqual(ok('ListServicesWithOptions').map((s: { ID: string }) => s.ID), ['default:deployment/helloworld']);
    assert.equal(ok('ListImagesWithOptions')[0].Containers[0].Name, 'helloworld');
    // The spec arrives intact (the mock compares it with what the client sent).
    assert.equal(ok('UpdateManifests'), 'job-0001');
    ok('UpdateImages');
    ok('UpdatePolicies');
  } else {
    // V6/V7 clients only know the kind "service" (docs/rpc.md §6.5): IDs of other kinds are refused
    // by the hub's client before anything is sent.
    for (const m of ['ListServicesWithOptions', 'ListImagesWithOptions', 'UpdateManifests', 'UpdateImages', 'UpdatePolicies']) {
      assert.match(r.get(m)!.error, /Unsupported resource kind: deployment/, m);
    }
  }
  if (version >= 9) ok('NotifyChange');
  else assert.match(r.get('NotifyChange')!.error, /NotifyChange method not implemented/);
}
