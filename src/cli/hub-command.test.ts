/**
 * `fluxrpc hub` in cluster mode, in-process: flag errors are one line and exit status 2; the NATS
 * URL comes from --nats or FLUXRPC_NATS_URL, with credentials in the URL (user/password, token)
 * against a real nats-server that requires them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { run } from './cli.js';
import type { Io } from './io.js';
import { NatsServer, requireNatsServer } from '../../test/cluster/nats-server.js';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Hub } from '../hub/hub.js';
import { Notifier } from '../notify/notifier.js';
import { UserStore } from '../dashboard/users.js';

/** Runs `fluxrpc hub …` until its first lines are out (`ready` matches them), reads /healthz, then stops it. */
async function hub(argv: string[], env: Record<string, string> = {}, ready = /cluster mode: replica/): Promise<{ code: number; out: string; err: string; health: string }> {
  let stop!: () => void;
  let out = '';
  let err = '';
  let listening!: (url: string) => void;
  const url = new Promise<string>((r) => (listening = r));
  const io: Io = {
    env,
    stopped: new Promise<void>((r) => (stop = r)),
    out: (t) => {
      out += t;
      const m = /listening on (http:\/\/\S+) /.exec(out);
      if (m && ready.test(out)) listening(m[1]!);
    },
    err: (t) => void (err += t),
  };
  const done = run(['hub', '--listen', '127.0.0.1:0', ...argv], io);
  const first = await Promise.race([url, done.then((code) => ({ code }))]);
  if (typeof first !== 'string') return { code: first.code, out, err, health: '' };
  const health = await (await fetch(first + '/healthz')).text();
  stop();
  return { code: await done, out, err, health };
}

test('flags (cluster mode, limits): bad values are one line on stderr and exit status 2', async () => {
  const cases: [string[], RegExp][] = [
    [['--nats', 'http://x:1'], /^fluxrpc hub: NATS URL "http:\/\/x:1": the scheme must be nats:\/\/ or tls:\/\/\n$/],
    [['--nats', 'nats://a,tls://b'], /mixed nats:\/\/ and tls:\/\//],
    [['--nats', 'nats://u:secret@a', '--replica-id', 'bad id'], /^fluxrpc hub: invalid replica ID "bad id"/],
    [['--replica-id', 'A'], /^fluxrpc hub: --replica-id needs --nats \(or FLUXRPC_NATS_URL\)\n$/],
    [['--nats-creds', '/x'], /--nats-creds needs --nats/],
    [['--nats', 'nats://a', '--owner-ttl', '500ms'], /--owner-ttl must be at least 1s/],
    [['--events-per-instance', '0'], /invalid --events-per-instance "0"/],
    [['--max-value-bytes', '0'], /^fluxrpc hub: invalid --max-value-bytes "0": use a positive size/],
    [['--max-value-bytes', '12 parsecs'], /^fluxrpc hub: invalid --max-value-bytes "12 parsecs"/],
    [['--max-value-elements', '-5'], /^fluxrpc hub: invalid --max-value-elements "-5": a whole number from 1 to 2147483647\n$/],
    [['--max-value-elements', '1e3'], /^fluxrpc hub: invalid --max-value-elements "1e3"/],
    [['--nats', 'nats://127.0.0.1:1', '--users', '/nonexistent/users.json'], /^fluxrpc hub: the dashboard with --nats needs --session-key-file, the same file on every replica/],
  ];
  for (const [argv, re] of cases) {
    const r = await hub(argv);
    assert.equal(r.code, 2, argv.join(' '));
    assert.match(r.err, re);
    assert.doesNotMatch(r.err, /secret/);
  }
});

test('--max-value-bytes and --max-value-elements reach the hub (its start-up log line)', async () => {
  const r = await hub(['--max-value-bytes', '1MiB', '--max-value-elements', '5000'], {}, /generated a token/);
  assert.equal(r.code, 0, r.err);
  const line = r.err.split('\n').find((l) => l.includes('"listening"'));
  assert.ok(line, r.err);
  const fields = JSON.parse(line) as Record<string, unknown>;
  assert.equal(fields['maxValueBytes'], 1024 * 1024);
  assert.equal(fields['maxValueElements'], 5000);
});

test('an unreadable credentials file: one line, exit status 1', async () => {
  const r = await hub(['--nats', 'nats://127.0.0.1:1', '--nats-creds', '/nonexistent/user.creds']);
  assert.equal(r.code, 1);
  assert.match(r.err, /^fluxrpc hub: cannot read the NATS credentials file \/nonexistent\/user\.creds: ENOENT\n$/);
});

test('FLUXRPC_NATS_URL with user and password, --nats with a token: connected; a wrong password: serving, degraded', async (t) => {
  if (!requireNatsServer(t)) return;
  const withPass = await NatsServer.start({ args: ['--user', 'hub', '--pass', 's3cret'] });
  const withToken = await NatsServer.start({ args: ['--auth', 'T0KEN'] });
  try {
    const ok = await hub(['--replica-id', 'R1'], { FLUXRPC_NATS_URL: `nats://hub:s3cret@127.0.0.1:${withPass.port}` });
    assert.equal(ok.code, 0);
    assert.match(ok.out, new RegExp(`cluster mode: replica R1, NATS nats://127\\.0\\.0\\.1:${withPass.port} \\(connected\\)`));
    assert.match(ok.health, /^ok\nreplica: R1\n/);
    assert.doesNotMatch(ok.out + ok.err, /s3cret/);

    const token = await hub(['--nats', `nats://T0KEN@127.0.0.1:${withToken.port}`]);
    assert.match(token.health, /^ok\nreplica: \S+-[0-9a-f]{6}\n/, 'the default replica ID: host name and a random suffix');

    const wrong = await hub(['--nats', `nats://hub:wrong@127.0.0.1:${withPass.port}`]);
    assert.equal(wrong.code, 0);
    assert.match(wrong.out, /not reachable yet: serving local daemons, retrying/);
    assert.match(wrong.health, /^degraded: not connected to NATS \(connecting since [^)]*: .*Authorization Violation.*\); this replica serves its own daemons only\n/i);
  } finally {
    await withPass.dispose();
    await withToken.dispose();
  }
});

/** Files for a hub that fails to start: tokens, a notifications file, good and broken users files. */
function startupFiles() {
  const dir = mkdtempSync(join(tmpdir(), 'fluxrpc-hub-start-'));
  const file = (name: string, text: string) => (writeFileSync(join(dir, name), text), join(dir, name));
  return {
    tokens: file('tokens.json', JSON.stringify({ 'tok-a': 'alpha' })),
    notify: file('notify.json', JSON.stringify({ sinks: [] })),
    users: file('users.json', JSON.stringify({ users: [{ name: 'ada', role: 'admin' }] })),
    broken: file('broken-users.json', '{"users": [{"name": '),
    missingKey: join(dir, 'no-such.key'),
  };
}

test('a hub that fails to start closes what it made: the hub (and its tokens file watcher), the notifier, the users file watcher', async () => {
  const f = startupFiles();
  const closed: string[] = [];
  const restore = [Hub.prototype, Notifier.prototype, UserStore.prototype].map((proto, i) => {
    const close = proto.close as (...a: unknown[]) => unknown;
    (proto as { close: unknown }).close = function (this: unknown, ...a: unknown[]) {
      closed.push(['hub', 'notifier', 'users'][i]!);
      return close.apply(this, a);
    };
    return () => ((proto as { close: unknown }).close = close);
  });
  const busy = net.createServer();
  await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
  try {
    const broken = await hub(['--tokens', f.tokens, '--notify', f.notify, '--users', f.broken]);
    assert.equal(broken.code, 1);
    assert.match(broken.err, /^fluxrpc hub: .*broken-users\.json: not valid JSON/);
    assert.deepEqual(closed.sort(), ['hub', 'notifier']);

    closed.length = 0;
    const noKey = await hub(['--tokens', f.tokens, '--notify', f.notify, '--users', f.users, '--session-key-file', f.missingKey]);
    assert.equal(noKey.code, 2);
    assert.match(noKey.err, /cannot read --session-key-file/);
    assert.deepEqual(closed.sort(), ['hub', 'notifier', 'users']);

    closed.length = 0;
    const inUse = await hub(['--tokens', f.tokens, '--listen', `127.0.0.1:${(busy.address() as net.AddressInfo).port}`]);
    assert.equal(inUse.code, 1);
    assert.match(inUse.err, /cannot listen on 127\.0\.0\.1:\d+: address already in use/);
    assert.deepEqual(closed, ['hub']);
  } finally {
    for (const r of restore) r();
    busy.close();
  }
});

test('the fluxrpc process with a broken users file: one clear line, exit status 1, and it ends', async () => {
  const f = startupFiles();
  const child = spawn(process.execPath, [fileURLToPath(new URL('./main.js', import.meta.url)), 'hub', '--listen', '127.0.0.1:0', '--tokens', f.tokens, '--users', f.broken], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.setEncoding('utf8').on('data', (t: string) => (err += t));
  // Bounded: a process still running after 20 s is killed and fails the test.
  const kill = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const [code, signal] = await new Promise<[number | null, string | null]>((r) => child.on('exit', (c, s) => r([c, s])));
  clearTimeout(kill);
  assert.equal(signal, null, 'it ended by itself');
  assert.equal(code, 1);
  assert.match(err, /^fluxrpc hub: .*broken-users\.json: not valid JSON \(.*\)\n$/);
});
