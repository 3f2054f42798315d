import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseImageRef, ResourceId, type ContainerUpdate, type ReleaseContainersSpec, type ReleaseImageSpec } from '../flux/model/index.js';
import { DemoRegistry } from './registry.js';
import { imageReleaseMessage, planContainersRelease, planImageRelease, containersReleaseMessage, writeUpdates, type ReleaseContext } from './release.js';
import { SAMPLE_IMAGES, SAMPLE_WORKLOADS } from './sample-data.js';
import { cloneWorkloads, workloadsFromSample } from './workloads.js';

function context(): ReleaseContext & { repo: ReturnType<typeof workloadsFromSample> } {
  const repo = workloadsFromSample(SAMPLE_WORKLOADS);
  return { repo, cluster: cloneWorkloads(repo), registry: new DemoRegistry(SAMPLE_IMAGES) };
}
const statuses = (results: Map<string, { status: string; error: string }>) => Object.fromEntries([...results].map(([k, r]) => [k, r.error ? `${r.status}: ${r.error}` : r.status]));
const images = (spec: Partial<ReleaseImageSpec>): ReleaseImageSpec => ({ serviceSpecs: ['<all>'], imageSpec: '<all latest>', kind: 'plan', excludes: null, force: false, ...spec });
const update = (container: string, current: string, target: string): ContainerUpdate => ({ container, current: current === '' ? { domain: '', image: '', tag: '', sha: '' } : parseImageRef(current), target: parseImageRef(target) });
const containers = (specs: Record<string, ContainerUpdate[]>, extra: Partial<ReleaseContainersSpec> = {}): ReleaseContainersSpec => ({
  kind: 'execute',
  containerSpecs: new Map(Object.entries(specs)),
  skipMismatches: false,
  force: false,
  ...extra,
});

test("the running workload's `ignore` policy skips it; the manifest's `locked` does", () => {
  const ctx = context();
  ctx.cluster.get('default:deployment/podinfo')!.policies.set('ignore', 'true');
  ctx.repo.get('default:deployment/helloworld')!.policies.set('locked', 'true');
  assert.deepEqual(statuses(planImageRelease(images({}), ctx).results), {
    'default:deployment/podinfo': 'skipped: ignore',
    'default:deployment/helloworld': 'skipped: locked',
    'shop:statefulset/redis': 'skipped: locked',
  });
  // Only a boolean policy set to "true" counts.
  ctx.cluster.get('default:deployment/podinfo')!.policies.set('ignore', 'false');
  assert.equal(planImageRelease(images({}), ctx).results.get('default:deployment/podinfo')!.status, 'success');
});

test('workloads defined but not running are "not accessible in cluster"; "<all>" overrides IDs before it', () => {
  const ctx = context();
  ctx.cluster.delete('default:deployment/podinfo');
  const plan = planImageRelease(images({ serviceSpecs: ['shop:statefulset/redis', '<all>', 'default:deployment/nope'] }), ctx);
  assert.deepEqual(statuses(plan.results), {
    'default:deployment/podinfo': 'skipped: not accessible in cluster',
    'default:deployment/helloworld': 'success',
    'shop:statefulset/redis': 'skipped: locked',
    'default:deployment/nope': 'skipped: not found in repository',
  });
  assert.throws(() => planImageRelease(images({ serviceSpecs: ['not an ID'] }), ctx), /invalid resource ID|not an ID/);
});

test('commit messages as fluxd writes them', () => {
  assert.equal(imageReleaseMessage(images({ serviceSpecs: ['<all>'] })), 'Release all latest to all');
  assert.equal(imageReleaseMessage(images({ serviceSpecs: ['a:deployment/b', 'c:deployment/d'], imageSpec: 'nginx:1' })), 'Release nginx:1 to a:deployment/b, c:deployment/d');
});

test('a containers release: exact updates, checked against the running images', () => {
  const ctx = context();
  const hw = 'default:deployment/helloworld';
  const ok = planContainersRelease(containers({ [hw]: [update('sidecar', 'docker.io/library/nginx:1.19.6', 'docker.io/library/nginx:1.21.6')] }), ctx);
  assert.deepEqual(statuses(ok.results), { [hw]: 'success', 'default:deployment/podinfo': 'ignored: not included', 'shop:statefulset/redis': 'ignored: not included' });
  assert.equal(containersReleaseMessage(ok.results), `Update image refs in ${hw}\n\n${hw}\n- docker.io/library/nginx:1.21.6\n`);
  // An empty current image skips the precondition.
  assert.equal(planContainersRelease(containers({ [hw]: [update('sidecar', '', 'docker.io/library/nginx:1.21.6')] }), ctx).updates.length, 1);
  assert.throws(() => planContainersRelease(containers({ [hw]: [update('sidecar', 'docker.io/library/nginx:1.0', 'docker.io/library/nginx:1.21.6')] }), ctx), { message: 'cannot satisfy specs' });
  assert.throws(() => planContainersRelease(containers({ [hw]: [update('nope', '', 'docker.io/library/nginx:1.21.6')] }), ctx), { message: 'cannot satisfy specs' });
  assert.throws(() => planContainersRelease(containers({ [hw]: [update('sidecar', '', 'docker.io/library/nginx:1.19.6')] }), ctx), { message: 'no changes found' });
  const skipping = planContainersRelease(
    containers({ [hw]: [update('sidecar', 'docker.io/library/nginx:1.0', 'docker.io/library/nginx:1.21.6'), update('helloworld', '', 'quay.io/weaveworks/helloworld:master-a000002')] }, { skipMismatches: true }),
    ctx,
  );
  assert.deepEqual(skipping.results.get(hw)!.error, 'container(s) tag mismatch: sidecar');
  assert.equal(skipping.results.get(hw)!.status, 'success');
  // Locked workloads need force.
  const redis = { 'shop:statefulset/redis': [update('redis', '', 'docker.io/library/redis:6.2.6')] };
  assert.throws(() => planContainersRelease(containers(redis), ctx), { message: 'no changes found' });
  assert.equal(planContainersRelease(containers(redis, { force: true }), ctx).results.get('shop:statefulset/redis')!.status, 'success');
});

test('writing updates reports whether a manifest changed', () => {
  const ctx = context();
  const id = ResourceId.parse('default:deployment/podinfo');
  const u = [{ id, updates: [update('podinfod', '', 'ghcr.io/stefanprodan/podinfo:5.2.1')] }];
  assert.equal(writeUpdates(ctx.repo, u), true);
  assert.equal(ctx.repo.get(id.toString())!.containers[0]!.image.tag, '5.2.1');
  assert.equal(writeUpdates(ctx.repo, u), false);
});
