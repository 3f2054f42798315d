/**
 * The CLI in-process: `run(argv, io)` with captured output and a stop signal we control. A hub
 * command and a daemon command talk over loopback; `call` goes through the hub.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DaemonConnector } from '../connector/connector.js';
import { DemoCluster } from '../demo/cluster.js';
import { Hub } from '../hub/hub.js';
import { run } from './cli.js';
import { waitForDaemon } from './demo-command.js';
import type { Io } from './io.js';

interface Captured extends Io {
  stdout: string;
  stderr: string;
  stop(): void;
  /** Resolves with the first stdout match of `re`. */
  waitFor(re: RegExp): Promise<RegExpExecArray>;
}

function io(env: Record<string, string> = {}): Captured {
  let stop!: () => void;
  const waiters: { re: RegExp; resolve(m: RegExpExecArray): void }[] = [];
  const c: Captured = {
    stdout: '',
    stderr: '',
    env,
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
  return cliEnv({}, ...argv);
}

async function cliEnv(env: Record<string, string>, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const c = io(env);
  const code = await run(argv, c);
  return { code, out: c.stdout, err: c.stderr };
}

/** A loopback HTTP server that takes requests and never answers them. */
async function silentServer(): Promise<{ url: string; arrived: Promise<void>; close(): void }> {
  let arrive!: () => void;
  const arrived = new Promise<void>((r) => (arrive = r));
  const server = http.createServer(() => arrive());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, arrived, close: () => (server.closeAllConnections(), server.close()) };
}

test('bad usage is one line on stderr and exit status 2', async () => {
  const nowhere = 'http://127.0.0.1:1';
  for (const argv of [
    ['nope'],
    ['hub', '--bogus'],
    ['daemon', '--connect', 'ftp://x', '--demo'],
    ['daemon', '--connect', 'ws://x'],
    ['call', '--url', 'http://x', 'frobnicate'],
    ['call', '--url', 'http://x', 'version', '--namespace', 'a'],
    ['call', 'ping'],
    ['hub', '--call-timeout', 'soon'],
    ['hub', '--max-buffered-bytes', 'lots'],
    ['hub', '--max-buffered-bytes', '0'],
    ['daemon', '--connect', nowhere, '--fluxd', nowhere, '--rpc-timeout', '0'],
    ['daemon', '--connect', nowhere, '--demo', '--max-value-bytes', 'big'],
    ['daemon', '--connect', nowhere, '--demo', '--max-value-elements', '0'],
    ['call', '--url', nowhere, '--timeout', '600h', 'ping'],
    ['call', '--url', nowhere, 'list-images', '--workload', 'not-an-id'],
    ['call', '--url', nowhere, 'list-images', '--workload', 'default:deployment/a', '--workload', 'default:deployment/b'],
    ['call', '--url', nowhere, 'update-manifests', '--all', '--workload', 'default:deployment/a', '--update-all-images'],
  ]) {
    const r = await cli(...argv);
    assert.equal(r.code, 2, argv.join(' '));
    assert.equal(r.out, '');
    // One form: `fluxrpc <command>: <message>`, and `fluxrpc: <message>` when there is no command.
    const prefix = argv[0] === 'nope' ? 'fluxrpc: ' : `fluxrpc ${argv[0]}: `;
    assert.ok(r.err.startsWith(prefix), `${argv.join(' ')}: ${r.err}`);
    assert.match(r.err.slice(prefix.length), /^(?!fluxrpc|hub:|daemon:|call:)[^\n]+\n$/, argv.join(' '));
  }
  assert.equal((await cli('nope')).err, 'fluxrpc: unknown command "nope" (commands: hub, daemon, call, demo, hash-password, version)\n');
  assert.equal((await cli('call', '--url', nowhere, 'list-images', '--workload', 'not-an-id')).err, 'fluxrpc call: invalid workload ID "not-an-id": use namespace:kind/name, e.g. default:deployment/podinfo\n');
  assert.equal((await cli('daemon', '--connect', nowhere, '--demo', '--rpc-timeout', '0s')).err, 'fluxrpc daemon: invalid --rpc-timeout "0s": must be at least 1ms\n');
  assert.equal((await cli('call', '--url', nowhere, 'update-manifests', '--all', '--workload', 'default:deployment/a', '--update-all-images')).err, 'fluxrpc call: update-manifests: --all does not go with --workload (use --exclude ID to leave workloads out)\n');
  assert.equal((await cli('call', '--url', 'http://x', 'frobnicate')).err, 'fluxrpc call: unknown method "frobnicate"; methods: ping, version, list-services, list-images, update-manifests, job-status, sync-status, export, git-repo-config, notify\n');
  assert.equal((await cli('call', '--url', 'http://x', 'version', '--namespace', 'a')).err, 'fluxrpc call: version: --namespace does not apply (see fluxrpc call --help)\n');
  assert.equal((await cli('hub', '--bogus')).err, 'fluxrpc hub: unknown flag --bogus (see fluxrpc hub --help)\n');
  assert.equal((await cli('call', 'ping')).err, 'fluxrpc call: --url is required (see fluxrpc call --help)\n');
  assert.equal((await cli('daemon', '--connect', 'ws://x')).err, 'fluxrpc daemon: give either --fluxd URL or --demo (see fluxrpc daemon --help)\n');
  assert.equal((await cli('toString')).err, 'fluxrpc: unknown command "toString" (commands: hub, daemon, call, demo, hash-password, version)\n', 'not an Object.prototype member');
});

test('every duration flag: a negative value, one under 1 ms or one too long is a duration error (exit status 2)', async () => {
  const nowhere = 'http://127.0.0.1:1';
  const flags: [string[], string][] = [
    [['hub'], 'call-timeout'],
    [['hub', '--nats', 'nats://127.0.0.1:1'], 'owner-ttl'],
    [['daemon', '--connect', nowhere, '--demo'], 'rpc-timeout'],
    [['call', '--url', nowhere, 'ping'], 'timeout'],
  ];
  for (const [argv, flag] of flags) {
    const command = argv[0]!;
    const zeroAllowed = flag === 'timeout';
    for (const [value, why] of [
      ['-1s', 'a duration cannot be negative (examples: 10s, 1m30s, 500ms)'],
      ['-500ms', 'a duration cannot be negative (examples: 10s, 1m30s, 500ms)'],
      ['1us', `too short: at least 1ms${zeroAllowed ? ' (or 0 for no limit)' : ''}`],
      ['999999ns', `too short: at least 1ms${zeroAllowed ? ' (or 0 for no limit)' : ''}`],
      ['600h', 'too long: at most 596h31m23.647s'],
    ]) {
      for (const form of [[`--${flag}`, value], [`--${flag}=${value}`]]) {
        const r = await cli(...argv, ...form);
        assert.equal(r.code, 2, `${argv.join(' ')} ${form.join(' ')}`);
        assert.equal(r.err, `fluxrpc ${command}: invalid --${flag} ${JSON.stringify(value)}: ${why}\n`);
      }
    }
  }
  // A value that starts with "-" but is not a number is still refused by the flag parser, not taken as a value.
  const missing = await cli('call', '--url', '--json', 'ping');
  assert.equal(missing.code, 2);
  assert.equal(missing.err, 'fluxrpc call: --url needs a value (one that starts with "-" is written --url=VALUE) (see fluxrpc call --help)\n');
});

test('version: "fluxrpc version" and "fluxrpc --version" print it; the top help lists it', async () => {
  const { PACKAGE_VERSION } = await import('../runtime/version.js');
  for (const argv of [['version'], ['--version']]) {
    const r = await cli(...argv);
    assert.deepEqual(r, { code: 0, out: `fluxrpc ${PACKAGE_VERSION}\n`, err: '' });
  }
  const help = await cli('--help');
  assert.match(help.out, /\n {2}version {8}Print fluxrpc's version \(also: fluxrpc --version\)\.\n/);
  assert.equal((await cli('version', 'extra')).code, 2);
});

test('usage lines: --listen is optional with its default; daemon\'s --token is optional; demo has no --nats text', async () => {
  const hub = (await cli('hub', '--help')).out;
  assert.match(hub, /^Usage: fluxrpc hub \[--listen 127\.0\.0\.1:3030\] /);
  assert.match(hub, /--session-key-file FILE .*Required with --nats/);
  const daemon = (await cli('daemon', '--help')).out;
  assert.match(daemon, /^Usage: fluxrpc daemon --connect URL \[--token T\] \(--fluxd URL \| --demo\)/);
  const demo = (await cli('demo', '--help')).out;
  assert.match(demo, /--session-key-file FILE +At least 32 bytes of secret that sign session cookies \(without it, sessions end when the hub restarts\)\.\n/);
  assert.doesNotMatch(demo, /--nats/);
});

describe('call against a server that never answers', { timeout: 10_000 }, () => {
  test('Ctrl+C/SIGTERM stops the call: one line, exit status 1', async () => {
    const server = await silentServer();
    try {
      const c = io();
      const done = run(['call', '--url', server.url, '--token', 't', 'ping'], c);
      await server.arrived;
      c.stop();
      assert.equal(await done, 1);
      assert.equal(c.stderr, 'fluxrpc call: interrupted\n');
    } finally {
      server.close();
    }
  });

  test('--timeout says what timed out', async () => {
    const server = await silentServer();
    try {
      const r = await cli('call', '--url', server.url, '--timeout', '50ms', 'ping');
      assert.equal(r.code, 1);
      assert.equal(r.err, `fluxrpc call: executing HTTP request: GET ${server.url}/api/flux/v11/ping: no complete reply within 50 ms\n`);
    } finally {
      server.close();
    }
  });
});

describe('the demo waits for its daemon', { timeout: 10_000 }, () => {
  test('until the hub has registered it, or fails with one line at the first failed dial', async () => {
    const hub = new Hub({ tokens: new Map([['tok', 'demo']]) });
    const addr = await hub.listen(0, '127.0.0.1');
    const refused = new DaemonConnector({ url: addr.url, token: 'wrong', implementation: new DemoCluster() });
    const good = new DaemonConnector({ url: addr.url, token: 'tok', implementation: new DemoCluster() });
    try {
      const failed = waitForDaemon(hub.registry, 'demo', refused);
      refused.start();
      await assert.rejects(failed, { message: `the demo daemon could not connect to the hub: connecting to websocket ${addr.url.replace('http', 'ws')}/v11/daemon (http status code = 401)` });
      const up = waitForDaemon(hub.registry, 'demo', good);
      good.start();
      await up;
      assert.equal(hub.registry.isConnected('demo'), true);
    } finally {
      await refused.close();
      await good.close();
      await hub.close();
    }
  });
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

    // The daemon's token from FLUXRPC_TOKEN (not in argv, where ps would show it).
    const daemonIo = io({ FLUXRPC_TOKEN: token! });
    const daemonDone = run(['daemon', '--connect', `${url}/api/flux`, '--demo', '--log-level', 'info'], daemonIo);
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
    // --workload picks that workload only (the first listed is podinfo either way).
    const one = await cliEnv({ FLUXRPC_TOKEN: token! }, 'call', '--url', url!, 'list-images', '--workload', 'default:deployment/helloworld', '--json');
    assert.equal(one.code, 0, one.err);
    assert.deepEqual((JSON.parse(one.out) as { ID: string }[]).map((s) => s.ID), ['default:deployment/helloworld']);

    const release = await cli('call', '--url', url!, '--token', token!, 'update-manifests', '--workload', 'default:deployment/helloworld', '--update-all-images', '--json');
    const job = JSON.parse(release.out) as string;
    const status = await cli('call', '--url', url!, '--token', token!, 'job-status', job);
    assert.match(status.out, /^Status: +succeeded\n/);
    assert.match(status.out, /helloworld: master-a000001 -> master-a000003/);

    const missing = await cli('call', '--url', url!, '--token', token!, 'job-status', 'no-such-job');
    assert.equal(missing.code, 1);
    assert.equal(missing.err, 'fluxrpc call: unknown job "no-such-job" (flux missing error, HTTP 404)\n');
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

describe('dashboard flags', { timeout: 30_000 }, () => {
  test('hash-password reads the password (never from argv) and prints a hash that verifies', async () => {
    const c = io();
    c.readSecret = async () => 'a long enough password';
    assert.equal(await run(['hash-password'], c), 0);
    const { verifyPassword } = await import('../dashboard/password.js');
    assert.equal(await verifyPassword('a long enough password', c.stdout.trim()), true);
    const empty = io();
    empty.readSecret = async () => '';
    assert.equal(await run(['hash-password'], empty), 2);
    assert.match(empty.stderr, /the password is empty/);
    assert.equal((await cli('hash-password', 'secret')).code, 2, 'no positional password');
  });

  test('the hub says at start-up whether the dashboard is on; bad users or notify files are one line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fluxrpc-cli-dash-'));
    const users = join(dir, 'users.json');
    writeFileSync(users, JSON.stringify({ users: [{ name: 'ada', role: 'admin' }] }));
    const plain = io();
    const plainDone = run(['hub', '--listen', '127.0.0.1:0', '--log-level', 'error'], plain);
    await plain.waitFor(/No --users file: the dashboard is off/);
    plain.stop();
    assert.equal(await plainDone, 0);

    const on = io();
    const onDone = run(['hub', '--listen', '127.0.0.1:0', '--log-level', 'error', '--users', users], on);
    const [, url] = (await on.waitFor(/dashboard (http:\/\/127\.0\.0\.1:\d+)\//))!;
    await on.waitFor(/Dashboard: sign-in required; 1 user\(s\)/);
    assert.equal((await fetch(`${url}/`, { redirect: 'manual' })).status, 303, 'the page at / needs a session');
    on.stop();
    assert.equal(await onDone, 0);

    writeFileSync(join(dir, 'bad.json'), '{"users": [{"name": "x", "role": "god"}]}');
    const bad = await cli('hub', '--listen', '127.0.0.1:0', '--users', join(dir, 'bad.json'));
    assert.equal(bad.code, 1);
    assert.match(bad.err, /^fluxrpc hub: .*bad\.json: users\[0\] \(x\): "role" must be one of viewer, deployer, admin\n$/);
    const missing = await cli('hub', '--listen', '127.0.0.1:0', '--notify', join(dir, 'nope.json'));
    assert.match(missing.err, /cannot read notifications file .*nope\.json: ENOENT/);
    const proxy = await cli('hub', '--listen', '127.0.0.1:0', '--users', users, '--trusted-proxy', 'not-an-ip');
    assert.equal(proxy.code, 2);
    assert.match(proxy.err, /--trusted-proxy: bad trusted proxy "not-an-ip"/);
    const key = await cli('hub', '--listen', '127.0.0.1:0', '--users', users, '--session-key-file', users.replace('users', 'short'));
    assert.match(key.err, /cannot read --session-key-file/);
  });
});

describe('daemon without a token', { timeout: 10_000 }, () => {
  test('is allowed, with a warning at start; with --token or $FLUXRPC_TOKEN there is none', async () => {
    const { NO_TOKEN_WARNING } = await import('./daemon-command.js');
    for (const [env, argv, warned] of [
      [{}, [], true],
      [{ FLUXRPC_TOKEN: 'tok' }, [], false],
      [{}, ['--token', 'tok'], false],
    ] as const) {
      const c = io(env);
      const done = run(['daemon', '--connect', 'http://127.0.0.1:1/api/flux', '--demo', '--log-level', 'error', ...argv], c);
      await c.waitFor(/serving the demo cluster; connecting to /);
      c.stop();
      assert.equal(await done, 0);
      assert.equal(c.stderr.startsWith(`${NO_TOKEN_WARNING}\n`), warned, c.stderr);
      assert.equal(c.stderr.includes('warning'), warned);
    }
    assert.match(NO_TOKEN_WARNING, /^fluxrpc daemon: warning: /);
  });
});
