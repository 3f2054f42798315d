/**
 * The other direction: values built in TypeScript, encoded by this model, must decode and
 * re-encode through flux's real Go types unchanged (`modelvectors check`). The encodings are also
 * pinned in test/interop/vectors/model/ts-vectors.json, which must match what we write today.
 *
 * Needs the Go peer binary (test/interop/build-peers.mjs); without it the Go check is skipped,
 * except when FLUXRPC_INTEROP_REQUIRED=1 (CI), where it fails.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MODEL_CODECS, type ModelTypeName } from './codecs.js';
import { GoTime } from './go-time.js';
import { ResourceId } from './resource-id.js';
import { parseImageRef } from './image.js';
import { imageInfo, ZERO_IMAGE_INFO } from './image-info.js';
import { container } from './container.js';
import { controllerStatus } from './controller-status.js';
import { MANUAL_SYNC, ZERO_RELEASE_IMAGE_SPEC } from './release-spec.js';
import type { UpdateSpec } from './update-spec.js';
import { ClusterError, CoverAllError, FluxError, UnavailableError, UnsupportedResourceKindError, UpgradeNeededError } from './flux-error.js';
import type { FluxEvent } from './event.js';

const root = new URL('../../../../', import.meta.url);
const binary = fileURLToPath(new URL('test/interop/go/bin/modelvectors', root));
const snapshot = new URL('test/interop/vectors/model/ts-vectors.json', root);

const id = ResourceId.parse;
const ref = parseImageRef;
const tricky = '<a href="x">&amp;</a> é 日本 😀 \u2028 \u0001\t\n\x7f \\ /';
const t1 = GoTime.fromCivil(2021, 3, 4, 5, 6, 7, 890000000, 3600);
const t2 = GoTime.fromCivil(1999, 12, 31, 23, 59, 59, 1, -(9 * 3600 + 30 * 60));

const spec: UpdateSpec = {
  type: 'image',
  cause: { message: tricky, user: 'me' },
  spec: { serviceSpecs: ['<all>', 'ns:deployment/x'], imageSpec: '<all latest>', kind: 'plan', excludes: [id('ns/legacy')], force: false },
};
const result = new Map([
  ['ns:deployment/b', { status: 'skipped', error: 'locked', perContainer: null }],
  ['ns:deployment/a', { status: 'success', error: '', perContainer: [{ container: 'c', current: ref('a:1'), target: ref('quay.io/a:2') }] }],
]);

/** [type, value] pairs, built only with the TypeScript API. */
const samples: Array<[ModelTypeName, unknown]> = [
  ['resource.ID', id('Default:Deployment/Foo')],
  ['resource.ID', id('<cluster>:namespace/flux')],
  ['resource.ID', id('legacy/svc')],
  ['resource.ID', ResourceId.ZERO],
  ['resource.ID', ResourceId.make('ns', 'HelmRelease', 'r')],
  ['[]resource.ID', [id('a/b'), ResourceId.ZERO]],
  ['image.Ref', ref('localhost:5000/path/to/repo:tag')],
  ['image.Ref', ref('foo:1@sha256:abc')],
  ['image.Name', { domain: 'quay.io', image: tricky }],
  ['image.Labels', { buildDate: t1, created: GoTime.ZERO }],
  ['image.Info', ZERO_IMAGE_INFO],
  ['image.Info', imageInfo({ id: ref('alpine:3'), digest: 'sha256:1', imageId: tricky, labels: { buildDate: t2, created: t1 }, createdAt: t2, lastFetched: t1 })],
  ['v6.Container', container({ name: 'c', current: imageInfo({ id: ref('a:1') }), available: [imageInfo({ id: ref('a:2'), createdAt: t1 })], availableImagesCount: 1, newFilteredImagesCount: 7 })],
  ['v6.Container', container({ available: [] })],
  ['cluster.RolloutStatus', { desired: 3, updated: 2, ready: -1, available: 2147483647, outdated: 0, messages: [tricky] }],
  [
    'v6.ControllerStatus',
    controllerStatus({
      id: id('ns:deployment/app'),
      containers: [container({ name: 'app' })],
      readOnly: 'NotReady',
      status: 'updating',
      syncError: tricky,
      antecedent: id('ns:helmrelease/app'),
      // Integer-like, upper-case, non-ASCII and astral keys: Go's byte order, not JavaScript's.
      labels: new Map([['b', '1'], ['10', '2'], ['9', '3'], ['B', '4'], ['é', '5'], ['😀', '6'], ['\ufffd', '7'], ['__proto__', '8']]),
      automated: true,
      policies: new Map([['tag.app', 'semver:^1'], ['automated', 'true']]),
    }),
  ],
  ['[]v6.ControllerStatus', [controllerStatus()]],
  ['v6.ImageStatus', { id: id('ns:deployment/app'), containers: [] }],
  ['[]v6.ImageStatus', null],
  [
    'v6.GitConfig',
    {
      remote: { url: 'ssh://git@host/repo', branch: 'main', path: 'a,b' },
      publicSSHKey: { key: 'ssh-ed25519 AAAA\n', fingerprints: new Map([['sha256', { hash: 'SHA256:x', randomart: tricky }]]) },
      status: 'cloned',
      error: '',
    },
  ],
  ['update.ResourceSpec', '<all>'],
  ['update.ImageSpec', '<all latest>'],
  ['update.Spec', spec],
  ['update.Spec', { type: 'policy', cause: { message: '', user: '<automated>' }, spec: new Map([['ns/a', { add: new Map([['locked', 'true']]), remove: null }]]) }],
  ['update.Spec', { type: 'policy', cause: { message: '', user: '' }, spec: null }],
  [
    'update.Spec',
    {
      type: 'auto',
      cause: { message: '', user: '' },
      spec: { changes: [{ workloadId: id('ns:deployment/a'), container: { name: 'c', image: ref('a:1') }, imageId: ref('a:2') }] },
    },
  ],
  ['update.Spec', { type: 'sync', cause: { message: 'm', user: 'u' }, spec: MANUAL_SYNC }],
  [
    'update.Spec',
    {
      type: 'containers',
      cause: { message: '', user: '' },
      spec: { kind: 'execute', containerSpecs: new Map([['ns:deployment/z', null], ['ns:deployment/a', []]]), skipMismatches: false, force: true },
    },
  ],
  ['update.ReleaseImageSpec', ZERO_RELEASE_IMAGE_SPEC],
  ['update.Result', result],
  ['update.Result', new Map()],
  ['policy.Set', new Map([['ignore', 'sync_only'], ['1', 'x'], ['tag.<c>', 'glob:*']])],
  ['resource.PolicyUpdates', null],
  ['job.ID', 'abc-123'],
  ['job.Result', { revision: '', spec: null, result: new Map() }],
  ['job.Status', { result: { revision: 'rev', spec, result }, err: '', statusString: 'succeeded' }],
  ['job.Status', { result: { revision: '', spec: null, result: null }, err: tricky, statusString: 'failed' }],
  ['v9.Change', { kind: 'git', source: { url: 'git@h:r', branch: 'main' } }],
  ['v9.Change', { kind: 'image', source: { name: { domain: '', image: 'alpine' } } }],
  ['v10.ListImagesOptions', { spec: '<all>', overrideContainerFields: ['Name', 'Current'], namespace: '' }],
  ['v11.ListServicesOptions', { namespace: 'ns', services: null }],
  ['fluxerr.Error', new FluxError('missing', tricky, 'not there')],
  ['fluxerr.Error', new FluxError('server', '')],
  ['fluxerr.Error', new UnavailableError('no daemon')],
  ['fluxerr.Error', new UpgradeNeededError('too old')],
  ['fluxerr.Error', new UnsupportedResourceKindError('Unsupported resource kind: service')],
  ['fluxerr.Error', new ClusterError(new Error('bad <namespace>'))],
  ['fluxerr.Error', new CoverAllError('boom')],
  ['[]byte', new TextEncoder().encode('---\nkind: Deployment\n')],
  ['[]byte', new Uint8Array([0xff, 0, 0xfb])],
  ['[]byte', new Uint8Array()],
  ['[]byte', null],
  ['event.Event', event({ type: 'sync', metadata: { kind: 'sync', revisions: ['r1'], commits: [{ revision: 'r1', message: tricky }], includes: new Map([['release', true], ['other', false]]), errors: [{ id: id('ns/a'), path: 'p.yaml', error: 'e' }], initialSync: true } })],
  ['event.Event', event({ type: 'release', metadata: { kind: 'release', revision: 'r', result, error: '', spec: { type: 'releaseImageSpecType', releaseImageSpec: spec.spec as never, releaseContainersSpec: null }, cause: { message: '', user: 'me' } } })],
  ['event.Event', event({ type: 'autorelease', metadata: { kind: 'autorelease', revision: '', result: null, error: 'e', spec: { changes: null } } })],
  ['event.Event', event({ type: 'commit', metadata: { kind: 'commit', revision: 'abc', spec, result: new Map() } })],
  ['event.Event', event({ type: 'update_policy', metadata: { kind: 'unknown', value: new Map<string, never>([['n', -0 as never], ['big', 1e21 as never], ['small', 1e-7 as never], ['10', [1.5, 'x<y', null, true] as never], ['2', new Map([['z', 0]]) as never]]) } })],
  ['event.Event', event({ type: 'other', metadata: { kind: 'unknown', value: null } })],
  ['event.Event', event({ type: 'lock', message: tricky, serviceIds: [id('ns:deployment/a')] })],
];

function event(fields: Partial<FluxEvent>): FluxEvent {
  return { id: 0, serviceIds: null, type: 'other', startedAt: t2, endedAt: t1, logLevel: 'info', message: '', metadata: null, ...fields };
}

const encoded = samples.map(([type, value]) => ({ type, json: (MODEL_CODECS[type] as { encode(v: unknown): string }).encode(value) }));
const fileText = '[\n' + encoded.map((e) => JSON.stringify(e)).join(',\n') + '\n]\n';

test('TypeScript-encoded vectors match the committed ts-vectors.json', () => {
  assert.equal(fileText, readFileSync(snapshot, 'utf8'));
});

test('TypeScript-encoded vectors decode and re-encode unchanged, in TypeScript', () => {
  for (const e of encoded) {
    const c = MODEL_CODECS[e.type] as { encode(v: unknown): string; decode(j: unknown): unknown };
    assert.equal(c.encode(c.decode(JSON.parse(e.json))), e.json, e.type);
  }
});

test('Go decodes and re-encodes every TypeScript-encoded vector unchanged', (t) => {
  if (!existsSync(binary)) {
    if (process.env.FLUXRPC_INTEROP_REQUIRED === '1') assert.fail(`missing Go peer ${binary}`);
    t.skip('Go peer not built (node test/interop/build-peers.mjs)');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'fluxrpc-model-'));
  try {
    const file = join(dir, 'ts-vectors.json');
    writeFileSync(file, fileText);
    const run = spawnSync(binary, ['check', file], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stdout + run.stderr);
    assert.match(run.stdout, new RegExp(`^${encoded.length} passed, 0 failed$`, 'm'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

