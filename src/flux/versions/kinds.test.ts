import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ResourceId } from '../model/resource-id.js';
import { ZERO_RELEASE_IMAGE_SPEC } from '../model/release-spec.js';
import { ZERO_CAUSE, type UpdateSpec } from '../model/update-spec.js';
import { checkIdKind, checkIdKinds, checkSpecKind, checkUpdateSpecKinds, KINDS_V6, KINDS_V8 } from './kinds.js';

const id = (s: string) => ResourceId.parse(s);

test('a ResourceSpec is checked only if it parses as an ID; the kind is the parsed (lower-cased) one', () => {
  assert.equal(checkSpecKind('<all>', KINDS_V8), undefined);
  assert.equal(checkSpecKind('not an id', KINDS_V8), undefined);
  assert.equal(checkSpecKind('default:Deployment/x', KINDS_V8), undefined);
  assert.equal(checkSpecKind('default:Deployment/x', KINDS_V6), 'Unsupported resource kind: deployment');
  assert.equal(checkSpecKind('default/x', KINDS_V6), undefined);
  assert.equal(checkSpecKind('default/x', KINDS_V8), 'Unsupported resource kind: service', 'V8+ refuse legacy IDs');
  for (const kind of ['deployment', 'daemonset', 'statefulset', 'cronjob', 'helmrelease']) assert.equal(checkSpecKind(`ns:${kind}/x`, KINDS_V8), undefined);
  assert.equal(checkSpecKind('ns:service/x', KINDS_V8), 'Unsupported resource kind: service');
});

test('ID lists: the first refused one is named; the zero ID has kind "" (Go panics)', () => {
  assert.equal(checkIdKinds(null, KINDS_V8), undefined);
  assert.equal(checkIdKinds([id('a:deployment/x'), id('a:job/y'), id('a/z')], KINDS_V8), 'Unsupported resource kind: job');
  assert.equal(checkIdKind(ResourceId.ZERO, KINDS_V8), 'Unsupported resource kind: ');
});

test('update specs: policy keys, image ServiceSpecs then Excludes; auto, sync and containers unchecked', () => {
  const image = (serviceSpecs: string[], excludes: ResourceId[] | null): UpdateSpec => ({
    type: 'image',
    cause: ZERO_CAUSE,
    spec: { ...ZERO_RELEASE_IMAGE_SPEC, serviceSpecs, excludes },
  });
  assert.equal(checkUpdateSpecKinds(image(['<all>'], null), KINDS_V8), undefined);
  assert.equal(checkUpdateSpecKinds(image(['<all>', 'a/b'], null), KINDS_V8), 'Unsupported resource kind: service');
  assert.equal(checkUpdateSpecKinds(image(['a:deployment/b'], [id('a:job/c')]), KINDS_V8), 'Unsupported resource kind: job');
  assert.equal(checkUpdateSpecKinds(image(['a:cronjob/b'], [id('a:job/c')]), KINDS_V8), 'Unsupported resource kind: job');
  assert.equal(checkUpdateSpecKinds(image(['a:widget/b'], [id('a:job/c')]), KINDS_V8), 'Unsupported resource kind: widget', 'ServiceSpecs first');
  const policy = (keys: string[]): UpdateSpec => ({ type: 'policy', cause: ZERO_CAUSE, spec: new Map(keys.map((k) => [k, { add: null, remove: null }])) });
  assert.equal(checkUpdateSpecKinds(policy(['a:deployment/b']), KINDS_V8), undefined);
  assert.equal(checkUpdateSpecKinds(policy(['a/b']), KINDS_V8), 'Unsupported resource kind: service');
  assert.equal(checkUpdateSpecKinds(policy(['a:deployment/b']), KINDS_V6), 'Unsupported resource kind: deployment');
  assert.equal(checkUpdateSpecKinds({ type: 'policy', cause: ZERO_CAUSE, spec: null }, KINDS_V8), undefined);
  assert.equal(checkUpdateSpecKinds({ type: 'sync', cause: ZERO_CAUSE, spec: {} }, KINDS_V8), undefined);
  assert.equal(checkUpdateSpecKinds({ type: 'auto', cause: ZERO_CAUSE, spec: { changes: null } }, KINDS_V6), undefined);
  const containers: UpdateSpec = {
    type: 'containers',
    cause: ZERO_CAUSE,
    spec: { kind: 'execute', containerSpecs: new Map([['a/b', null]]), skipMismatches: false, force: false },
  };
  assert.equal(checkUpdateSpecKinds(containers, KINDS_V8), undefined);
});
