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

/** Runs `fluxrpc hub …` until its first lines are out, reads /healthz, then stops it. */
async function hub(argv: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string; err: string; health: string }> {
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
      if (m && /cluster mode: replica/.test(out)) listening(m[1]!);
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

test('cluster flags: bad values are one line on stderr and exit status 2', async () => {
  const cases: [string[], RegExp][] = [
    [['--nats', 'http://x:1'], /^fluxrpc hub: NATS URL "http:\/\/x:1": the scheme must be nats:\/\/ or tls:\/\/\n$/],
    [['--nats', 'nats://a,tls://b'], /mixed nats:\/\/ and tls:\/\//],
    [['--nats', 'nats://u:secret@a', '--replica-id', 'bad id'], /^fluxrpc hub: invalid replica ID "bad id"/],
    [['--replica-id', 'A'], /^fluxrpc hub: --replica-id needs --nats \(or FLUXRPC_NATS_URL\)\n$/],
    [['--nats-creds', '/x'], /--nats-creds needs --nats/],
    [['--nats', 'nats://a', '--owner-ttl', '500ms'], /--owner-ttl must be at least 1s/],
    [['--events-per-instance', '0'], /invalid --events-per-instance "0"/],
    [['--nats', 'nats://127.0.0.1:1', '--users', '/nonexistent/users.json'], /^fluxrpc hub: the dashboard with --nats needs --session-key-file, the same file on every replica/],
  ];
  for (const [argv, re] of cases) {
    const r = await hub(argv);
    assert.equal(r.code, 2, argv.join(' '));
    assert.match(r.err, re);
    assert.doesNotMatch(r.err, /secret/);
  }
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
