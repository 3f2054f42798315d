import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { decodeEvent, encodeEvent, FluxError, ResourceId, type FluxEvent, type UpdateSpec } from '../flux/model/index.js';
import { DemoCluster } from './cluster.js';

const ctx = { signal: new AbortController().signal };
const tags = (c: { current: { id: { tag: string } } }) => c.current.id.tag;
const GIT_CHANGE = { kind: 'git', source: { url: 'git@github.com:example/demo-cluster', branch: 'main' } } as const;
const releasePodinfo = (kind: string): UpdateSpec => ({
  type: 'image',
  cause: { user: 'alice', message: '' },
  spec: { serviceSpecs: ['default:deployment/podinfo'], imageSpec: '<all latest>', kind, excludes: null, force: false },
});
const policy = (id: string, add: Record<string, string> | null, remove: Record<string, string> | null = null): UpdateSpec => ({
  type: 'policy',
  cause: { user: 'bob', message: '' },
  spec: new Map([[id, { add: add && new Map(Object.entries(add)), remove: remove && new Map(Object.entries(remove)) }]]),
});
/** A cluster that never applies commits by itself (only NotifyChange does). */
const demo = (events?: FluxEvent[]) => new DemoCluster({ applyDelayMs: 2 ** 31 - 1, onEvent: (e) => events?.push(e) });

test('lists workloads by namespace and by ID; refuses both filters at once like fluxd', async () => {
  const d = demo();
  assert.deepEqual((await d.listServices(ctx, ''))!.map((s) => s.id.toString()), ['default:deployment/podinfo', 'default:deployment/helloworld', 'shop:statefulset/redis']);
  assert.deepEqual((await d.listServices(ctx, 'shop'))!.map((s) => s.id.toString()), ['shop:statefulset/redis']);
  assert.deepEqual(await d.listServices(ctx, 'nowhere'), []);
  const one = await d.listServicesWithOptions(ctx, { namespace: '', services: [ResourceId.parse('default:deployment/helloworld'), ResourceId.parse('a:deployment/none')] });
  assert.deepEqual(one!.map((s) => [s.id.toString(), s.containers!.map(tags)]), [['default:deployment/helloworld', ['master-a000001', '1.19.6']]]);
  await assert.rejects(d.listServicesWithOptions(ctx, { namespace: 'x', services: [ResourceId.parse('a:deployment/b')] }), /cannot filter by 'namespace' and 'workloads'/);
});

test("image listings apply each container's tag policy; fluxd's errors for bad filters", async () => {
  const d = demo();
  const images = await d.listImages(ctx, '<all>');
  const latest = images!.flatMap((s) => s.containers!.map((c) => `${s.id}/${c.name}=${c.latestFiltered.id.tag}`));
  assert.deepEqual(latest, [
    'default:deployment/podinfo/podinfod=5.2.1', // semver:~5
    'default:deployment/helloworld/helloworld=master-a000003', // glob:master-*
    'default:deployment/helloworld/sidecar=1.21.6', // no policy: newest
    'shop:statefulset/redis/redis=6.2.6', // semver:^6
  ]);
  const fields = await d.listImagesWithOptions(ctx, { spec: 'default:deployment/podinfo', overrideContainerFields: ['Name', 'AvailableImagesCount'], namespace: '' });
  assert.equal(fields!.length, 1);
  assert.equal(fields![0]!.containers![0]!.availableImagesCount, 5);
  assert.equal(fields![0]!.containers![0]!.latestFiltered.id.tag, '', 'fields not asked for stay zero');
  await assert.rejects(d.listImagesWithOptions(ctx, { spec: 'default:deployment/podinfo', overrideContainerFields: null, namespace: 'default' }), {
    message: "cannot filter by 'namespace' and 'workload' at the same time",
  });
  await assert.rejects(d.listImages(ctx, 'not an id'), /^Error: treating workload spec as ID: /);
});

test('a release commits a 40-hex revision, pending until applied; the sync posts sync and release events', async () => {
  const events: FluxEvent[] = [];
  const d = demo(events);
  const job = await d.updateManifests(ctx, releasePodinfo('execute'));
  const status = await d.jobStatus(ctx, job);
  assert.equal(status.statusString, 'succeeded');
  assert.match(status.result.revision, /^[0-9a-f]{40}$/);
  const rev = status.result.revision;
  assert.deepEqual(Object.fromEntries([...status.result.result!].map(([k, v]) => [k, v.status])), {
    'default:deployment/podinfo': 'success',
    'default:deployment/helloworld': 'ignored', // not included
    'shop:statefulset/redis': 'ignored',
  });
  // The cluster runs the old image until the commit is applied.
  assert.deepEqual((await d.listServices(ctx, 'default'))!.map((s) => s.containers!.map(tags)), [['5.0.3'], ['master-a000001', '1.19.6']]);
  assert.deepEqual(await d.syncStatus(ctx, 'HEAD'), [rev]);
  assert.deepEqual(await d.syncStatus(ctx, rev.slice(0, 7)), [rev]);
  assert.deepEqual(await d.syncStatus(ctx, rev.slice(0, 7).toUpperCase() + '~1'), []);
  await d.notifyChange(ctx, { kind: 'git', source: { url: 'ssh://git@github.com/example/demo-cluster.git', branch: 'other' } });
  assert.deepEqual(await d.syncStatus(ctx, 'HEAD'), [rev], "another branch of the repository: fluxd ignores it");
  await d.notifyChange(ctx, GIT_CHANGE);
  assert.deepEqual(await d.syncStatus(ctx, 'HEAD'), []);
  assert.deepEqual(await d.syncStatus(ctx, rev.slice(0, 7)), []);
  assert.deepEqual((await d.listServices(ctx, 'default'))!.map((s) => s.containers!.map(tags)), [['5.2.1'], ['master-a000001', '1.19.6']]);
  assert.deepEqual(events.map((e) => e.type), ['commit', 'sync', 'release']);
  const sync = events[1]!.metadata;
  assert.ok(sync?.kind === 'sync');
  assert.deepEqual(sync.commits, [{ revision: rev, message: 'Release all latest to default:deployment/podinfo' }]);
  assert.deepEqual([...sync.includes!], [['release', true]]);
  assert.equal(events[2]!.message, 'Released: ghcr.io/stefanprodan/podinfo:5.2.1 to default:deployment/podinfo, by alice');
  // Events survive Go's JSON both ways (the hub decodes what the daemon posts).
  for (const e of events) assert.equal(encodeEvent(decodeEvent(JSON.parse(encodeEvent(e)))), encodeEvent(e));
});

test('commits are applied by themselves shortly after', async () => {
  const events: FluxEvent[] = [];
  const d = new DemoCluster({ applyDelayMs: 1, onEvent: (e) => events.push(e) });
  await d.updateManifests(ctx, releasePodinfo('execute'));
  while (events.length < 2) await new Promise((r) => setTimeout(r, 5));
  assert.deepEqual(await d.syncStatus(ctx, 'HEAD'), []);
  assert.equal(events[1]!.type, 'sync');
});

test('SyncStatus refuses what git refuses, with fluxd\'s error text', async () => {
  const d = demo();
  const sync = (await d.jobStatus(ctx, await d.updateManifests(ctx, { type: 'sync', cause: { user: '', message: '' }, spec: {} }))).result.revision;
  assert.match(sync, /^[0-9a-f]{40}$/, 'a sync job reports HEAD');
  await assert.rejects(d.syncStatus(ctx, 'abc'), { message: `fatal: bad revision '${sync}..abc', full output:\n fatal: bad revision '${sync}..abc'\n` });
  await assert.rejects(d.syncStatus(ctx, '0'.repeat(40)), { message: `fatal: Invalid revision range ${sync}..${'0'.repeat(40)}, full output:\n fatal: Invalid revision range ${sync}..${'0'.repeat(40)}\n` });
  await assert.rejects(d.syncStatus(ctx, 'HEAD~1'), /bad revision/, 'no parent before the first commit');
  assert.deepEqual(await d.syncStatus(ctx, ''), []);
  assert.deepEqual(await d.syncStatus(ctx, 'main'), []);
});

test('a dry run changes nothing and is not a commit; unknown jobs are fluxd\'s "missing" error', async () => {
  const d = demo();
  const to6 = (force: boolean): UpdateSpec => ({
    type: 'image',
    cause: { user: '', message: '' },
    spec: { serviceSpecs: ['default:deployment/podinfo'], imageSpec: 'ghcr.io/stefanprodan/podinfo:6.0.0', kind: 'plan', excludes: null, force },
  });
  // The tag filter (semver:~5) rules 6.0.0 out, unless forced.
  const filtered = await d.jobStatus(ctx, await d.updateManifests(ctx, to6(false)));
  assert.deepEqual(filtered.result.result!.get('default:deployment/podinfo'), { status: 'skipped', error: 'cannot find one or more images', perContainer: null });
  const status = await d.jobStatus(ctx, await d.updateManifests(ctx, to6(true)));
  assert.equal(status.result.revision, '');
  assert.equal(status.result.result!.get('default:deployment/podinfo')!.perContainer![0]!.target.tag, '6.0.0');
  assert.equal((await d.listServices(ctx, 'default'))![0]!.containers![0]!.current.id.tag, '5.0.3');
  assert.deepEqual(await d.syncStatus(ctx, 'HEAD'), []);
  await assert.rejects(d.jobStatus(ctx, 'nope'), (e: unknown) => e instanceof FluxError && e.type === 'missing' && e.message === 'unknown job "nope"' && e.help.startsWith('Job not found\n'));
  // A dry run's failure is the call's failure; an execution's is the job's.
  const missing = (kind: string): UpdateSpec => ({
    type: 'image',
    cause: { user: '', message: '' },
    spec: { serviceSpecs: ['default:deployment/podinfo'], imageSpec: 'ghcr.io/stefanprodan/podinfo:9.9.9', kind, excludes: null, force: false },
  });
  await assert.rejects(d.updateManifests(ctx, missing('plan')), { message: 'image "ghcr.io/stefanprodan/podinfo:9.9.9" does not exist: invalid image ID' });
  const failed = await d.jobStatus(ctx, await d.updateManifests(ctx, missing('execute')));
  assert.deepEqual(failed, { result: { revision: '', spec: null, result: null }, err: 'image "ghcr.io/stefanprodan/podinfo:9.9.9" does not exist: invalid image ID', statusString: 'failed' });
  await assert.rejects(d.updateManifests(ctx, { type: 'auto', cause: { user: '', message: '' }, spec: { changes: null } }), { message: 'unknown update type "auto"' });
});

test('a release that changes nothing fails as fluxd\'s does (no changes made in repo)', async () => {
  const d = demo();
  await d.updateManifests(ctx, releasePodinfo('execute'));
  const again = await d.jobStatus(ctx, await d.updateManifests(ctx, releasePodinfo('execute')));
  assert.equal(again.statusString, 'failed');
  assert.equal(again.err, 'no changes made in repo');
});

test('policy updates: commit when a manifest changes; unknown or unchanged workloads are skipped', async () => {
  const events: FluxEvent[] = [];
  const d = demo(events);
  const unlock = await d.jobStatus(ctx, await d.updateManifests(ctx, policy('shop:statefulset/redis', null, { locked: 'true' })));
  assert.match(unlock.result.revision, /^[0-9a-f]{40}$/);
  assert.equal((await d.listServices(ctx, 'shop'))![0]!.locked, false, 'policies are read from the repository at once');
  assert.equal(events[0]!.message, 'Unlocked: shop:statefulset/redis\n');
  const again = await d.jobStatus(ctx, await d.updateManifests(ctx, policy('shop:statefulset/redis', null, { locked: 'true' })));
  assert.deepEqual({ revision: again.result.revision, status: again.statusString, result: [...again.result.result!] }, {
    revision: '',
    status: 'succeeded',
    result: [['shop:statefulset/redis', { status: 'skipped', error: '', perContainer: null }]],
  });
  const unknown = await d.jobStatus(ctx, await d.updateManifests(ctx, policy('default:deployment/nope', { automated: 'true' })));
  assert.deepEqual([unknown.statusString, unknown.result.revision, unknown.result.result!.get('default:deployment/nope')!.status], ['succeeded', '', 'skipped']);
  const bad = await d.jobStatus(ctx, await d.updateManifests(ctx, policy('default:deployment/podinfo', { 'tag.podinfod': 'semver:bad' })));
  assert.equal(bad.statusString, 'failed');
  assert.equal(bad.err, 'invalid tag pattern: "semver:bad"');
  // tag_all stands for each container's tag policy; glob:* removes them.
  await d.updateManifests(ctx, policy('default:deployment/helloworld', { tag_all: 'glob:1.*' }));
  assert.deepEqual([...(await d.listServices(ctx, 'default'))![1]!.policies!], [['tag.helloworld', 'glob:1.*'], ['tag.sidecar', 'glob:1.*']]);
  await d.updateManifests(ctx, policy('default:deployment/helloworld', { tag_all: 'glob:*' }));
  assert.deepEqual([...(await d.listServices(ctx, 'default'))![1]!.policies!], []);
});

test('jobs beyond the newest 100 are still found through their commit', async () => {
  const d = demo();
  const first = await d.updateManifests(ctx, policy('default:deployment/helloworld', { automated: 'true' }));
  for (let i = 0; i < 100; i++) await d.updateManifests(ctx, policy('default:deployment/nope', { automated: 'true' }));
  const old = await d.jobStatus(ctx, first);
  assert.equal(old.statusString, 'succeeded');
  assert.equal(old.result.spec?.type, 'policy');
});

test('GitRepoConfig: an OpenSSH deploy key with its fingerprints; regenerate makes a new one', async () => {
  const d = demo();
  const a = await d.gitRepoConfig(ctx, false);
  assert.deepEqual(a.remote, { url: 'git@github.com:example/demo-cluster', branch: 'main', path: 'clusters/demo' });
  assert.equal(a.status, 'ready');
  assert.match(a.publicSSHKey.key, /^ssh-ed25519 \S+ flux-demo\n$/);
  const blob = Buffer.from(a.publicSSHKey.key.split(' ')[1]!, 'base64');
  assert.equal(a.publicSSHKey.fingerprints!.get('sha256')!.hash, createHash('sha256').update(blob).digest('base64').replace(/=+$/, ''));
  assert.match(a.publicSSHKey.fingerprints!.get('md5')!.randomart, /\[MD5\]------\+\n$/);
  const b = await d.gitRepoConfig(ctx, true);
  assert.notEqual(a.publicSSHKey.key, b.publicSSHKey.key);
  assert.equal((await d.gitRepoConfig(ctx, false)).publicSSHKey.key, b.publicSSHKey.key);
});

test('Export lists namespaces, then their workloads as running', async () => {
  const yaml = Buffer.from((await demo().export())!).toString();
  assert.match(yaml, /^apiVersion: v1\nkind: Namespace\nmetadata:\n {2}name: default\n/);
  assert.match(yaml, /\n---\napiVersion: apps\/v1\nkind: StatefulSet\nmetadata:\n {2}annotations:\n {4}fluxcd\.io\/locked: "true"\n {4}fluxcd\.io\/tag\.redis: "semver:\^6"\n {2}labels:\n {4}app: "redis"\n {4}tier: "cache"\n {2}name: redis\n {2}namespace: shop\n/);
  assert.match(yaml, /- image: docker\.io\/library\/redis:6\.0\.9\n {8}name: redis\n$/);
});
