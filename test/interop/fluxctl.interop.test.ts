/**
 * The real fluxctl v1.25.4 against `npm start`'s setup (a hub and the demo daemon over the real
 * protocol): every command a user would try gives what it gives against a real fluxd — the same
 * tables, results, errors and exit statuses, and the waits for jobs and commits end. Expected
 * outputs follow from the demo's sample data and fluxd's rules (pkg/daemon, pkg/release,
 * pkg/update), which the comments name. `install` and `completion` talk to no daemon and are left out.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net, { type AddressInfo } from 'node:net';
import { unavailableHelp } from '../../src/flux/model/flux-error-help.js';
import { requirePeer } from './go-peer.js';
import { DemoUnderTest, type FluxctlRun } from './fluxctl.js';

const TIMEOUT = ['--timeout', '30s'];

function ok(r: FluxctlRun, what: string): FluxctlRun {
  assert.equal(r.code, 0, `${what} exited ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
  return r;
}

/** The revision fluxctl reports after `Commit pushed:` (7 hex digits). */
function pushed(r: FluxctlRun): string {
  const m = /^Commit pushed:\t([0-9a-f]{7})$/m.exec(r.stderr);
  assert.ok(m, `no "Commit pushed" in:\n${r.stderr}`);
  return m[1]!;
}

const LIST_DEFAULT = [
  'WORKLOAD                       CONTAINER   IMAGE                                         RELEASE  POLICY',
  'default:deployment/helloworld  helloworld  quay.io/weaveworks/helloworld:master-a000001  ready    ',
  '                               sidecar     docker.io/library/nginx:1.19.6                         ',
  'default:deployment/podinfo     podinfod    ghcr.io/stefanprodan/podinfo:5.0.3            ready    automated',
  '',
].join('\n');

describe('fluxctl v1.25.4 against the hub and the demo daemon', { timeout: 240_000 }, () => {
  let demo: DemoUnderTest | undefined;
  const fresh = async () => {
    await demo?.close();
    demo = await DemoUnderTest.start();
    return demo;
  };
  after(async () => demo?.close());

  test('version is fluxctl\'s own and needs no daemon', async (t) => {
    if (!requirePeer(t, 'fluxctl')) return;
    const d = await fresh();
    const r = ok(await d.fluxctl('version'), 'version');
    assert.deepEqual(r, { code: 0, stdout: 'unversioned\n', stderr: '' });
  });

  test('list-workloads: the namespace of the context (default), -a, -n, -c and -o json', async (t) => {
    if (!requirePeer(t, 'fluxctl')) return;
    const d = await fresh();
    assert.deepEqual(await d.fluxctl('list-workloads'), { code: 0, stdout: LIST_DEFAULT, stderr: '' });
    assert.equal(
      ok(await d.fluxctl('list-workloads', '-a'), '-a').stdout,
      LIST_DEFAULT.replace(/\n$/, '\n') + 'shop:statefulset/redis         redis       docker.io/library/redis:6.0.9                 ready    locked\n',
    );
    assert.equal(
      ok(await d.fluxctl('list-workloads', '-n', 'shop'), '-n shop').stdout,
      'WORKLOAD                CONTAINER  IMAGE                          RELEASE  POLICY\nshop:statefulset/redis  redis      docker.io/library/redis:6.0.9  ready    locked\n',
    );
    assert.equal(ok(await d.fluxctl('list-workloads', '-n', 'nowhere'), '-n nowhere').stdout, 'WORKLOAD  CONTAINER  IMAGE  RELEASE  POLICY\n');
    // Only the workloads with a container of that name (the columns keep their widths here).
    assert.equal(ok(await d.fluxctl('list-workloads', '-c', 'sidecar'), '-c').stdout, LIST_DEFAULT.split('\n').slice(0, 3).join('\n') + '\n');
    const json = JSON.parse(ok(await d.fluxctl('list-workloads', '-a', '-o', 'json'), '-o json').stdout) as { ID: string; Policies: Record<string, string>; Containers: { Current: { ID: string } }[] }[];
    assert.deepEqual(json.map((w) => w.ID), ['default:deployment/helloworld', 'default:deployment/podinfo', 'shop:statefulset/redis']);
    assert.deepEqual(json[1]!.Policies, { automated: 'true', 'tag.podinfod': 'semver:~5' });
    // fluxd lists running containers by image ref only (the empty labels are always written).
    assert.deepEqual(json[1]!.Containers[0]!.Current, { ID: 'ghcr.io/stefanprodan/podinfo:5.0.3', Labels: {} });
  });

  test('list-images: all in the namespace, -w, -n, -l', async (t) => {
    if (!requirePeer(t, 'fluxctl')) return;
    const d = await fresh();
    const podinfo = [
      'WORKLOAD                    CONTAINER  IMAGE                         CREATED',
      'default:deployment/podinfo  podinfod   ghcr.io/stefanprodan/podinfo  ',
      '                                       |   6.0.0                     16 Jun 21 10:00 UTC',
      '                                       |   5.2.1                     12 May 21 17:44 UTC',
      '                                       |   5.1.0                     06 Jan 21 08:30 UTC',
      "                                       '-> 5.0.3                     14 Oct 20 13:02 UTC",
      '                                           5.0.0                     25 Sep 20 09:12 UTC',
      '',
    ].join('\n');
    assert.deepEqual(await d.fluxctl('list-images', '-w', 'default:deployment/podinfo'), { code: 0, stdout: podinfo, stderr: '' });
    // A workload in the namespace of the context can be named without it.
    assert.equal(ok(await d.fluxctl('list-images', '-w', 'deployment/podinfo'), '-w deployment/podinfo').stdout, podinfo);
    const all = ok(await d.fluxctl('list-images'), 'list-images').stdout;
    assert.match(all, /^WORKLOAD +CONTAINER +IMAGE +CREATED\ndefault:deployment\/helloworld +helloworld +quay\.io\/weaveworks\/helloworld +\n/);
    assert.match(all, /\n +sidecar +docker\.io\/library\/nginx +\n +\| +1\.21\.6 +25 Jan 22 00:00 UTC\n +'-> 1\.19\.6 +15 Dec 20 00:00 UTC\n/);
    assert.doesNotMatch(all, /redis/, 'only the default namespace');
    const shop = ok(await d.fluxctl('list-images', '-n', 'shop', '-l', '2'), '-n shop -l 2').stdout;
    assert.equal(
      shop,
      [
        'WORKLOAD                CONTAINER  IMAGE                    CREATED',
        'shop:statefulset/redis  redis      docker.io/library/redis  ',
        '                                   |   7.0.0                28 Apr 22 00:00 UTC',
        '                                   |   6.2.6                04 Oct 21 00:00 UTC',
        '                                   : (1 image(s) omitted)   ',
        "                                   '-> 6.0.9                28 Oct 20 00:00 UTC",
        '',
      ].join('\n'),
    );
  });

  test('release --dry-run reports the plan and changes nothing', async (t) => {
    if (!requirePeer(t, 'fluxctl')) return;
    const d = await fresh();
    const r = await d.fluxctl('release', '--dry-run', '--workload=default:deployment/podinfo', '--update-all-images', ...TIMEOUT);
    assert.deepEqual(r, {
      code: 0,
      stdout: 'WORKLOAD                    STATUS   UPDATES\ndefault:deployment/podinfo  success  podinfod: ghcr.io/stefanprodan/podinfo:5.0.3 -> 5.2.1\n',
      stderr: 'Submitting dry-run release ...\n',
    });
    assert.equal(ok(await d.fluxctl('list-workloads'), 'list-workloads').stdout, LIST_DEFAULT);
  });

  test('release commits, and fluxctl sees the commit applied (no time-out)', async (t) => {
    if (!requirePeer(t, 'fluxctl')) return;
    const d = await fresh();
    const r = ok(await d.fluxctl('release', '--workload=default:deployment/podinfo', '--update-all-images', ...TIMEOUT), 'release');
    assert.equal(r.stdout, 'WORKLOAD                    STATUS   UPDATES\ndefault:deployment/podinfo  success  podinfod: ghcr.io/stefanprodan/podinfo:5.0.3 -> 5.2.1\n');
    const rev = pushed(r);
    assert.equal(r.stderr, `Submitting release ...\nCommit pushed:\t${rev}\nCommit applied:\t${rev}\n`);
    assert.equal(ok(await d.fluxctl('list-workloads'), 'list-workloads').stdout, LIST_DEFAULT.replace('podinfo:5.0.3', 'podinfo:5.2.1'));
    // The same release again changes nothing in the repository: fluxd's job fails.
    assert.deepEqual(await d.fluxctl('release', '--workload=default:deployment/podinfo', '--update-all-images', ...TIMEOUT), {
      code: 1,
      stdout: '',
      stderr: "Submitting release ...\nError: no changes made in repo\nRun 'fluxctl release --help' for usage.\n",
    });
    // The daemon posted the commit, then the sync and the release (as fluxd does when it applies it).
    const types = d.events().map((e) => e.type);
    assert.deepEqual(types, ['commit', 'sync', 'release']);
    const sync = d.events()[1]!;
    assert.equal(sync.metadata?.kind === 'sync' && sync.metadata.commits?.[0]?.revision.slice(0, 7), rev);
  });

  test('release --all --update-all-images: locked workloads skipped (-v); --exclude ignored (-vv); --watch', async (t) => {
    if (!requirePeer(t, 'fluxctl')) return;
    const d = await fresh();
    const r = ok(await d.fluxctl('release', '--all', '--update-all-images', '-v', ...TIMEOUT), 'release --all');
    assert.equal(
      r.stdout,
      [
        'WORKLOAD                       STATUS   UPDATES',
        'default:deployment/helloworld  success  helloworld: quay.io/weaveworks/helloworld:master-a000001 -> master-a000003',
        '                                        sidecar: docker.io/library/nginx:1.19.6 -> 1.21.6',
        'default:deployment/podinfo     success  podinfod: ghcr.io/stefanprodan/podinfo:5.0.3 -> 5.2.1',
        'shop:statefulset/redis         skipped  locked',
        '',
      ].join('\n'),
    );
    const rev = pushed(r);
    assert.equal(r.stderr, `Submitting release ...\nCommit pushed:\t${rev}\nCommit applied:\t${rev}\n`);

    const d2 = await fresh();
    const ex = ok(await d2.fluxctl('release', '--all', '--update-all-images', '--exclude=default:deployment/helloworld', '-vv', '--dry-run', ...TIMEOUT), '--exclude');
    assert.equal(
      ex.stdout,
      [
        'WORKLOAD                       STATUS   UPDATES',
        'default:deployment/helloworld  ignored  excluded',
        'default:deployment/podinfo     success  podinfod: ghcr.io/stefanprodan/podinfo:5.0.3 -> 5.2.1',
        'shop:statefulset/redis         skipped  locked',
        '',
      ].join('\n'),
    );
    const watched = ok(await d2.fluxctl('release', '--workload=default:deployment/helloworld', '--update-image=docker.io/library/nginx:1.21.6', '--watch', ...TIMEOUT), '--watch');
    assert.match(watched.stderr, /\nCommit applied:\t[0-9a-f]{7}\nMonitoring rollout \.\.\.\nAll workloads ready\.\n$/);
    assert.match(watched.stdout, /default:deployment\/helloworld +helloworld +quay\.io\/weaveworks\/helloworld:master-a000001 +ready +1\/1\n +sidecar +docker\.io\/library\/nginx:1\.21\.6/);
  });

  test('release of a specific image: --force overrides a lock and the tag filter; unknown images fail as in fluxd', async (t) => {
    if (!requirePeer(t, 'fluxctl')) return;
    const d = await fresh();
    const redis7 = ['release', '--workload=shop:statefulset/redis', '--update-image=docker.io/library/redis:7.0.0', ...TIMEOUT];
    // Locked: skipped, so nothing to commit (fluxd's job fails with git's "no changes").
    assert.equal((await d.fluxctl(...redis7, '--dry-run', '-v')).stdout, 'WORKLOAD                STATUS   UPDATES\nshop:statefulset/redis  skipped  locked\n');
    assert.deepEqual(await d.fluxctl(...redis7), { code: 1, stdout: '', stderr: "Submitting release ...\nError: no changes made in repo\nRun 'fluxctl release --help' for usage.\n" });
    // Unlocked by force, but its tag filter (semver:^6) still rules 7.0.0 out only without --force.
    const forced = ok(await d.fluxctl(...redis7, '--force'), '--force');
    assert.equal(forced.stdout, 'WORKLOAD                STATUS   UPDATES\nshop:statefulset/redis  success  redis: docker.io/library/redis:6.0.9 -> 7.0.0\n');
    assert.match(forced.stderr, /^Submitting release \.\.\.\nCommit pushed:\t(\w{7})\nCommit applied:\t\1\n$/);
    const d2 = await fresh();
    ok(await d2.fluxctl('unlock', '-n', 'shop', '-w', 'statefulset/redis'), 'unlock');
    assert.equal(
      (await d2.fluxctl(...redis7, '--dry-run', '-v')).stdout,
      'WORKLOAD                STATUS   UPDATES\nshop:statefulset/redis  skipped  cannot find one or more images\n',
    );
    // A different image: the workload does not use it.
    assert.equal(
      (await d2.fluxctl('release', '--all', '--update-image=docker.io/library/redis:6.2.6', '--dry-run', '-vv', ...TIMEOUT)).stdout,
      [
        'WORKLOAD                       STATUS   UPDATES',
        'default:deployment/helloworld  ignored  a different image',
        'default:deployment/podinfo     ignored  a different image',
        'shop:statefulset/redis         success  redis: docker.io/library/redis:6.0.9 -> 6.2.6',
        '',
      ].join('\n'),
    );
    // An image the registry does not have: the job fails; a dry run's call fails (fluxd runs it at once).
    const missing = ['release', '--workload=default:deployment/podinfo', '--update-image=ghcr.io/stefanprodan/podinfo:9.9.9', ...TIMEOUT];
    assert.deepEqual(await d2.fluxctl(...missing), {
      code: 1,
      stdout: '',
      stderr: 'Submitting release ...\nError: image "ghcr.io/stefanprodan/podinfo:9.9.9" does not exist: invalid image ID\nRun \'fluxctl release --help\' for usage.\n',
    });
    const dry = await d2.fluxctl(...missing, '--dry-run');
    assert.equal(dry.code, 1);
    assert.match(dry.stderr, /^Submitting dry-run release \.\.\.\n== Error ==\n\nError: image "ghcr\.io\/stefanprodan\/podinfo:9\.9\.9" does not exist: invalid image ID\n\nWe don't have a specific help message/);
    // A workload the repository does not have.
    assert.equal(
      (await d2.fluxctl('release', '--workload=default:deployment/nope', '--update-all-images', '--dry-run', '-v', ...TIMEOUT)).stdout,
      'WORKLOAD                 STATUS   UPDATES\ndefault:deployment/nope  skipped  not found in repository\n',
    );
  });

  test('automate, deautomate, lock, unlock: a commit each, policies shown at once; repeating one changes nothing', async (t) => {
    if (!requirePeer(t, 'fluxctl')) return;
    const d = await fresh();
    const hw = ['-w', 'default:deployment/helloworld', ...TIMEOUT];
    const success = 'WORKLOAD                       STATUS   UPDATES\ndefault:deployment/helloworld  success  \n';
    const policyOf = async () => /^default:deployment\/helloworld .* ready {4}(.*)$/m.exec(ok(await d.fluxctl('list-workloads'), 'list-workloads').stdout)![1];
    for (const [command, policy] of [
      ['automate', 'automated'],
      ['lock', 'automated,locked'],
      ['deautomate', 'locked'],
      ['unlock', ''],
    ] as const) {
      const r = ok(await d.fluxctl(command, ...hw), command);
      assert.equal(r.stdout, success, command);
      assert.match(r.stderr, /^Commit pushed:\t[0-9a-f]{7}\n$/, command);
      assert.equal(await policyOf(), policy, command);
    }
    // Nothing to change: skipped (shown with -v), no commit.
    assert.deepEqual(await d.fluxctl('unlock', ...hw), { code: 0, stdout: 'WORKLOAD   STATUS   UPDATES\n', stderr: '' });
    assert.deepEqual(await d.fluxctl('unlock', '-v', ...hw), { code: 0, stdout: 'WORKLOAD                       STATUS   UPDATES\ndefault:deployment/helloworld  skipped  \n', stderr: '' });
  });

  test('policy: tag filters (--tag-all, --tag, removal with *), unknown workloads skipped, bad patterns refused', async (t) => {
    if (!requirePeer(t, 'fluxctl')) return;
    const d = await fresh();
    const policies = async (id: string) =>
      (JSON.parse(ok(await d.fluxctl('list-workloads', '-a', '-o', 'json'), 'json').stdout) as { ID: string; Policies: Record<string, string> }[]).find((w) => w.ID === id)!.Policies;
    ok(await d.fluxctl('policy', '-w', 'default:deployment/helloworld', "--tag-all=master-*", ...TIMEOUT), '--tag-all');
    assert.deepEqual(await policies('default:deployment/helloworld'), { 'tag.helloworld': 'glob:master-*', 'tag.sidecar': 'glob:master-*' });
    ok(await d.fluxctl('policy', '-w', 'default:deployment/helloworld', '--tag=sidecar=semver:~1.21', '--tag=helloworld=*', ...TIMEOUT), '--tag');
    assert.deepEqual(await policies('default:deployment/helloworld'), { 'tag.sidecar': 'semver:~1.21' });
    // The new filter decides what a release picks.
    assert.equal(
      (await d.fluxctl('release', '--workload=default:deployment/helloworld', '--update-all-images', '--dry-run', ...TIMEOUT)).stdout,
      'WORKLOAD                       STATUS   UPDATES\ndefault:deployment/helloworld  success  helloworld: quay.io/weaveworks/helloworld:master-a000001 -> dev-b000004\n                                        sidecar: docker.io/library/nginx:1.19.6 -> 1.21.6\n',
    );
    // fluxd skips a workload it does not have (no commit, nothing failed).
    assert.deepEqual(await d.fluxctl('policy', '-w', 'default:deployment/nope', '--automate', '-v', ...TIMEOUT), {
      code: 0,
      stdout: 'WORKLOAD                 STATUS   UPDATES\ndefault:deployment/nope  skipped  \n',
      stderr: '',
    });
    assert.deepEqual(await d.fluxctl('automate', '-w', 'deployment/nope', ...TIMEOUT), { code: 0, stdout: 'WORKLOAD   STATUS   UPDATES\n', stderr: '' });
    assert.deepEqual(await d.fluxctl('policy', '-w', 'default:deployment/podinfo', '--tag=podinfod=semver:bad', ...TIMEOUT), {
      code: 1,
      stdout: '',
      stderr: 'Error: invalid tag pattern: "semver:bad"\nRun \'fluxctl policy --help\' for usage.\n',
    });
  });

  test('sync: the job\'s revision is HEAD, its 7-digit form is accepted, the wait ends', async (t) => {
    if (!requirePeer(t, 'fluxctl')) return;
    const d = await fresh();
    const nothingNew = ok(await d.fluxctl('sync', ...TIMEOUT), 'sync');
    const m = /^Synchronizing with git@github\.com:example\/demo-cluster\nRevision of main to apply is ([0-9a-f]{7})\nWaiting for \1 to be applied \.\.\.\nDone\.\n$/.exec(nothingNew.stderr);
    assert.ok(m, nothingNew.stderr);
    assert.equal(nothingNew.stdout, '');
    // A commit not applied yet (a policy change does not wait for it) is what the next sync applies.
    const r = ok(await d.fluxctl('automate', '-w', 'default:deployment/helloworld', ...TIMEOUT), 'automate');
    const rev = pushed(r);
    assert.notEqual(rev, m[1]);
    const s = ok(await d.fluxctl('sync', ...TIMEOUT), 'sync after a commit');
    assert.equal(s.stderr, `Synchronizing with git@github.com:example/demo-cluster\nRevision of main to apply is ${rev}\nWaiting for ${rev} to be applied ...\nDone.\n`);
  });

  test('identity: an OpenSSH key line, its md5 fingerprint (-l) and picture (-v) as ssh-keygen gives them; -r makes a new key', async (t) => {
    if (!requirePeer(t, 'fluxctl')) return;
    const d = await fresh();
    const key = ok(await d.fluxctl('identity'), 'identity').stdout;
    assert.match(key, /^ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI[A-Za-z0-9+/]{43} \S+\n$/);
    const blob = Buffer.from(key.split(' ')[1]!, 'base64');
    const md5 = [...createHash('md5').update(blob).digest()].map((b) => b.toString(16).padStart(2, '0')).join(':');
    assert.deepEqual(await d.fluxctl('identity', '-l'), { code: 0, stdout: md5 + '\n', stderr: '' });
    const visual = ok(await d.fluxctl('identity', '-v'), 'identity -v').stdout;
    assert.match(visual, new RegExp(`^${md5}\\n\\+--\\[ED25519 256\\]--\\+\\n(\\|.{17}\\|\\n){9}\\+------\\[MD5\\]------\\+\\n$`));
    if (!spawnSync('ssh-keygen', ['-?']).error) {
      const dir = mkdtempSync(join(tmpdir(), 'fluxctl-key-'));
      try {
        writeFileSync(join(dir, 'k.pub'), key);
        const out = spawnSync('ssh-keygen', ['-l', '-v', '-E', 'md5', '-f', join(dir, 'k.pub')], { encoding: 'utf8' });
        assert.equal(visual, md5 + '\n' + out.stdout.slice(out.stdout.indexOf('\n') + 1), 'the picture is ssh-keygen\'s');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
    const renewed = ok(await d.fluxctl('identity', '-r'), 'identity -r').stdout;
    assert.match(renewed, /^ssh-ed25519 \S+ \S+\n$/);
    assert.notEqual(renewed, key);
    assert.equal(ok(await d.fluxctl('identity'), 'identity').stdout, renewed);
  });

  test('save: the cluster\'s objects as YAML on stdout, or one file per object', async (t) => {
    if (!requirePeer(t, 'fluxctl')) return;
    const d = await fresh();
    const out = ok(await d.fluxctl('save'), 'save').stdout;
    assert.match(out, /^---\napiVersion: v1\nkind: Namespace\nmetadata:\n {2}name: default\n/);
    assert.match(
      out,
      /---\napiVersion: apps\/v1\nkind: Deployment\nmetadata:\n {2}annotations:\n {4}fluxcd\.io\/automated: "true"\n {4}fluxcd\.io\/tag\.podinfod: semver:~5\n {2}labels:\n {4}app: podinfo\n {2}name: podinfo\n {2}namespace: default\nspec:\n/,
    );
    assert.match(out, /- image: ghcr\.io\/stefanprodan\/podinfo:5\.0\.3\n {8}name: podinfod\n/);
    const dir = mkdtempSync(join(tmpdir(), 'fluxctl-save-'));
    try {
      const r = ok(await d.fluxctl('save', '--out', dir), 'save --out');
      assert.match(r.stdout, new RegExp(`^Saving Namespace 'default' to ${dir}/default-ns\\.yaml\\n`));
      assert.deepEqual(readdirSync(dir).sort(), ['default', 'default-ns.yaml', 'shop', 'shop-ns.yaml']);
      assert.deepEqual(readdirSync(join(dir, 'default')).sort(), ['helloworld-dep.yaml', 'podinfo-dep.yaml']);
      assert.ok(existsSync(join(dir, 'shop', 'redis-StatefulSet.yaml')));
      assert.match(readFileSync(join(dir, 'shop', 'redis-StatefulSet.yaml'), 'utf8'), /^---\napiVersion: apps\/v1\nkind: StatefulSet\n/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('fluxctl through a relay whose fluxd is down', { timeout: 60_000 }, () => {
  test("fluxctl prints flux's \"Cannot contact Flux daemon\" help, and no internal address", async (t) => {
    if (!requirePeer(t, 'fluxctl')) return;
    const s = net.createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const { port } = s.address() as AddressInfo;
    await new Promise((r) => s.close(r));
    const relay = await DemoUnderTest.start(`http://127.0.0.1:${port}/api/flux`);
    try {
      const r = await relay.fluxctl('list-workloads');
      assert.deepEqual(r, { code: 1, stdout: '', stderr: `== Error ==\n\n${unavailableHelp()}\n` });
      const sync = await relay.fluxctl('sync', ...TIMEOUT);
      assert.equal(sync.code, 1);
      assert.doesNotMatch(sync.stderr, new RegExp(`${port}|ECONNREFUSED`));
    } finally {
      await relay.close();
    }
  });
});
