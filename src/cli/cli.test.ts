/**
 * The CLI in-process: `run(argv, io)` with captured output and a stop signal we control. A hub
 * command and a daemon command talk over loopback; `call` goes through the hub.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from './cli.js';
import { parseDuration, parseListen, UsageError } from './flags.js';
import type { Io } from './io.js';

interface Captured extends Io {
  stdout: string;
  stderr: string;
  stop(): void;
  /** Resolves with the first stdout match of `re`. */
  waitFor(re: RegExp): Promise<RegExpExecArray>;
}

function io(): Captured {
  let stop!: () => void;
  const waiters: { re: RegExp; resolve(m: RegExpExecArray): void }[] = [];
  const c: Captured = {
    stdout: '',
    stderr: '',
    env: {},
    stopped: new Promise<void>((r) => (stop = r)),
    stop: () => stop(),
    out(t) {
      c.stdout += t;
      for (const w of [...waiters]) {
        const m = w.re.exec(c.stdout);
        if (m) waiters.splice(waiters.indexOf(w), 1), w.resolve(m);
      }
    },
    err(t) {
      c.stderr += t;
    },
    waitFor(re) {
      const m = re.exec(c.stdout);
      return m ? Promise.resolve(m) : new Promise((resolve) => waiters.push({ re, resolve }));
    },
  };
  return c;
}

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const c = io();
  const code = await run(argv, c);
  return { code, out: c.stdout, err: c.stderr };
}

test('durations and addresses parse like Go flags', () => {
  assert.equal(parseDuration('10s', 'x'), 10_000);
  assert.equal(parseDuration('1m30s', 'x'), 90_000);
  assert.equal(parseDuration('250ms', 'x'), 250);
  assert.equal(parseDuration('1.5h', 'x'), 5_400_000);
  assert.equal(parseDuration('0', 'x'), 0);
  for (const bad of ['', '10', 's', '10 s', '-1s', '1d']) assert.throws(() => parseDuration(bad, 'x'), UsageError, bad);
  assert.deepEqual(parseListen('127.0.0.1:3030'), { host: '127.0.0.1', port: 3030 });
  assert.deepEqual(parseListen(':8080'), { host: '0.0.0.0', port: 8080 });
  assert.deepEqual(parseListen('[::1]:0'), { host: '::1', port: 0 });
  assert.throws(() => parseListen('localhost'), UsageError);
});

test('bad usage is one line on stderr and exit status 2', async () => {
  for (const argv of [['nope'], ['hub', '--bogus'], ['daemon', '--connect', 'ftp://x', '--demo'], ['daemon', '--connect', 'ws://x'], ['call', '--url', 'http://x', 'frobnicate'], ['call', '--url', 'http://x', 'version', '--namespace', 'a'], ['call', 'ping'], ['hub', '--call-timeout', 'soon']]) {
    const r = await cli(...argv);
    assert.equal(r.code, 2, argv.join(' '));
    assert.equal(r.out, '');
    assert.match(r.err, /^fluxrpc: [^\n]+\n$/, argv.join(' '));
  }
});

test('--help works on every command', async () => {
  for (const argv of [['--help'], ['hub', '--help'], ['daemon', '-h'], ['call', '--help'], ['demo', '--help']]) {
    const r = await cli(...argv);
    assert.equal(r.code, 0, argv.join(' '));
    assert.match(r.out, /^Usage: fluxrpc/);
  }
  assert.match((await cli('call', '--help')).out, /list-services .*\n.*list-images/s);
});

test('an unreachable URL is one line and exit status 1', async () => {
  const r = await cli('call', '--url', 'http://127.0.0.1:1', '--token', 't', 'ping');
  assert.equal(r.code, 1);
  assert.match(r.err, /^fluxrpc call: executing HTTP request: GET http:\/\/127\.0\.0\.1:1\/api\/flux\/v11\/ping: connect ECONNREFUSED[^\n]*\n$/);
});

describe('hub, daemon and call together', { timeout: 30_000 }, () => {
  test('a generated token, a demo daemon, calls as tables and JSON, errors as exit status 1', async () => {
    const hubIo = io();
    const hubDone = run(['hub', '--listen', '127.0.0.1:0', '--log-level', 'warn'], hubIo);
    const [, url] = await hubIo.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
    const [, token] = await hubIo.waitFor(/generated a token for instance "default" \(shown only now\):\n {2}(\S+)\n/);

    const daemonIo = io();
    const daemonDone = run(['daemon', '--connect', `${url}/api/flux`, '--token', token!, '--demo', '--log-level', 'info'], daemonIo);
    // Wait until the hub routes calls to it.
    let r = await cli('call', '--url', url!, '--token', token!, 'ping');
    while (r.code !== 0) {
      assert.match(r.err, /no daemon is connected/);
      await new Promise((res) => setTimeout(res, 10));
      r = await cli('call', '--url', url!, '--token', token!, 'ping');
    }
    assert.equal(r.out, 'ok\n');
    assert.doesNotMatch(daemonIo.stderr + hubIo.stderr, new RegExp(token!), 'the token is never logged');
    assert.match(daemonIo.stderr, /"msg":"connected"/);

    const table = await cli('call', '--url', url!, '--token', token!, 'list-services', '--namespace', 'shop');
    assert.equal(table.code, 0);
    assert.match(table.out, /^WORKLOAD +CONTAINER +IMAGE +RELEASE +POLICY\nshop:statefulset\/redis +redis +docker\.io\/library\/redis:6\.0\.9 +ready \(3\/3\) +locked,tag\.redis=semver:\^6\n$/);
    const json = await cli('call', '--url', url!, '--token', token!, 'list-images', '--workload', 'default:deployment/podinfo', '--json');
    assert.equal(JSON.parse(json.out)[0].Containers[0].LatestFiltered.ID, 'ghcr.io/stefanprodan/podinfo:5.2.1');

    const release = await cli('call', '--url', url!, '--token', token!, 'update-manifests', '--workload', 'default:deployment/helloworld', '--update-all-images', '--json');
    const job = JSON.parse(release.out) as string;
    const status = await cli('call', '--url', url!, '--token', token!, 'job-status', job);
    assert.match(status.out, /^Status: +succeeded\n/);
    assert.match(status.out, /helloworld: master-a000001 -> master-a000003/);

    const missing = await cli('call', '--url', url!, '--token', token!, 'job-status', 'no-such-job');
    assert.equal(missing.code, 1);
    assert.equal(missing.err, 'fluxrpc call: unknown job no-such-job (flux missing error, HTTP 404)\n');
    const denied = await cli('call', '--url', url!, '--token', 'wrong', 'version');
    assert.equal(denied.code, 1);
    assert.match(denied.err, /^fluxrpc call: request failed authentication/);

    // The daemon posted events for the release; the status page lists them.
    const page = await (await fetch(url + '/')).text();
    assert.match(page, /data-instance="default" data-connected="true"/);

    daemonIo.stop();
    assert.equal(await daemonDone, 0);
    hubIo.stop();
    assert.equal(await hubDone, 0);
  });

  test('a token file names instances; a daemon on a refused protocol stops with a clear message', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fluxrpc-cli-'));
    const file = join(dir, 'tokens.json');
    writeFileSync(file, JSON.stringify({ 'tok-a': 'alpha' }));
    const hubIo = io();
    const hubDone = run(['hub', '--listen', '127.0.0.1:0', '--tokens', file, '--min-protocol', '9', '--log-level', 'error'], hubIo);
    const [, url] = await hubIo.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
    assert.match(hubIo.stdout, /1 token\(s\) for 1 instance\(s\)/);
    const d = await cli('daemon', '--connect', url!, '--token', 'tok-a', '--demo', '--protocol', '8', '--log-level', 'error');
    assert.equal(d.code, 1);
    assert.match(d.err, /\nfluxrpc daemon: Your fluxd version is deprecated - please upgrade, see https:\/\/github.com\/weaveworks\/flux-adapter \(the hub answered 410 Gone to protocol 8; try a newer --protocol\)\n$/);
    hubIo.stop();
    assert.equal(await hubDone, 0);
  });
});
