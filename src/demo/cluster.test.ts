import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeEvent, encodeEvent, FluxError, ResourceId, type FluxEvent } from '../flux/model/index.js';
import { DemoCluster } from './cluster.js';

const ctx = { signal: new AbortController().signal };
const tags = (c: { current: { id: { tag: string } } }) => c.current.id.tag;

test('lists workloads by namespace and by ID; refuses both filters at once like fluxd', async () => {
  const demo = new DemoCluster();
  assert.deepEqual((await demo.listServices(ctx, ''))!.map((s) => s.id.toString()), ['default:deployment/podinfo', 'default:deployment/helloworld', 'shop:statefulset/redis']);
  assert.deepEqual((await demo.listServices(ctx, 'shop'))!.map((s) => s.id.toString()), ['shop:statefulset/redis']);
  const one = await demo.listServicesWithOptions(ctx, { namespace: '', services: [ResourceId.parse('default:deployment/helloworld')] });
  assert.deepEqual(one!.map((s) => [s.id.toString(), s.containers!.map(tags)]), [['default:deployment/helloworld', ['master-a000001', '1.19.6']]]);
  await assert.rejects(demo.listServicesWithOptions(ctx, { namespace: 'x', services: [ResourceId.parse('a:deployment/b')] }), /cannot filter by 'namespace' and 'workloads'/);
});

test('image listings apply each container\'s tag policy', async () => {
  const demo = new DemoCluster();
  const images = await demo.listImages(ctx, '<all>');
  const latest = images!.flatMap((s) => s.containers!.map((c) => `${s.id}/${c.name}=${c.latestFiltered.id.tag}`));
  assert.deepEqual(latest, [
    'default:deployment/podinfo/podinfod=5.2.1', // semver:~5
    'default:deployment/helloworld/helloworld=master-a000003', // glob:master-*
    'default:deployment/helloworld/sidecar=1.21.6', // no policy: newest
    'shop:statefulset/redis/redis=6.2.6', // semver:^6
  ]);
  const fields = await demo.listImagesWithOptions(ctx, { spec: 'default:deployment/podinfo', overrideContainerFields: ['Name', 'AvailableImagesCount'], namespace: '' });
  assert.equal(fields!.length, 1);
  assert.equal(fields![0]!.containers![0]!.availableImagesCount, 5);
  assert.equal(fields![0]!.containers![0]!.latestFiltered.id.tag, '', 'fields not asked for stay zero');
});

test('a release updates unlocked workloads, is recorded as a job, a pending commit and events', async () => {
  const events: FluxEvent[] = [];
  const demo = new DemoCluster({ onEvent: (e) => events.push(e) });
  const job = await demo.updateManifests(ctx, {
    type: 'image',
    cause: { user: 'alice', message: 'release all' },
    spec: { serviceSpecs: ['<all>'], imageSpec: '<all latest>', kind: 'execute', excludes: null, force: false },
  });
  const status = await demo.jobStatus(ctx, job);
  assert.equal(status.statusString, 'succeeded');
  const result = Object.fromEntries([...status.result.result!].map(([k, v]) => [k, v.status + (v.error ? `:${v.error}` : '')]));
  assert.deepEqual(result, { 'default:deployment/podinfo': 'success', 'default:deployment/helloworld': 'success', 'shop:statefulset/redis': 'skipped:locked' });
  assert.deepEqual((await demo.listServices(ctx, 'default'))!.map((s) => s.containers!.map(tags)), [['5.2.1'], ['master-a000003', '1.21.6']]);
  const pending = await demo.syncStatus(ctx, 'HEAD');
  assert.deepEqual(pending, [status.result.revision]);
  await demo.notifyChange(ctx, { kind: 'git', source: { url: 'git@github.com:example/demo-cluster', branch: 'main' } });
  assert.deepEqual(await demo.syncStatus(ctx, 'HEAD'), []);
  assert.deepEqual(events.map((e) => e.type), ['commit', 'sync']);
  // Events survive Go's JSON both ways (the hub decodes what the daemon posts).
  for (const e of events) assert.equal(encodeEvent(decodeEvent(JSON.parse(encodeEvent(e)))), encodeEvent(e));
});

test('a dry run changes nothing; unknown jobs are a "missing" Flux error', async () => {
  const demo = new DemoCluster();
  const job = await demo.updateManifests(ctx, { type: 'image', cause: { user: '', message: '' }, spec: { serviceSpecs: ['default:deployment/podinfo'], imageSpec: 'ghcr.io/stefanprodan/podinfo:6.0.0', kind: 'plan', excludes: null, force: false } });
  const status = await demo.jobStatus(ctx, job);
  assert.equal(status.result.revision, '');
  assert.equal(status.result.result!.get('default:deployment/podinfo')!.perContainer![0]!.target.tag, '6.0.0');
  assert.equal((await demo.listServices(ctx, 'default'))![0]!.containers![0]!.current.id.tag, '5.0.3');
  await assert.rejects(demo.jobStatus(ctx, 'nope'), (e: unknown) => e instanceof FluxError && e.type === 'missing' && e.message === 'unknown job nope');
});

test('policy updates change the workload; git config regenerates its key; export lists manifests', async () => {
  const demo = new DemoCluster();
  await demo.updateManifests(ctx, { type: 'policy', cause: { user: 'bob', message: '' }, spec: new Map([['shop:statefulset/redis', { add: null, remove: new Map([['locked', 'true']]) }]]) });
  assert.equal((await demo.listServices(ctx, 'shop'))![0]!.locked, false);
  const a = await demo.gitRepoConfig(ctx, false);
  const b = await demo.gitRepoConfig(ctx, true);
  assert.equal(a.remote.url, 'git@github.com:example/demo-cluster');
  assert.notEqual(a.publicSSHKey.key, b.publicSSHKey.key);
  const yaml = Buffer.from((await demo.export())!).toString();
  assert.match(yaml, /name: redis\n  namespace: shop/);
});
