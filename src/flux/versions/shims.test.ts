import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CallContext, FluxApi } from '../api.js';
import { container, type Container } from '../model/container.js';
import { controllerStatus, type ControllerStatus } from '../model/controller-status.js';
import { InvalidResourceIdError } from '../model/errors.js';
import { FatalError } from '../model/fatal-error.js';
import { FluxError, UnsupportedResourceKindError } from '../model/flux-error.js';
import { GoTime } from '../model/go-time.js';
import { parseImageRef } from '../model/image.js';
import { imageInfo, ZERO_IMAGE_INFO, type ImageInfo } from '../model/image-info.js';
import type { ImageStatus } from '../model/image-status.js';
import { ResourceId } from '../model/resource-id.js';
import { KINDS_V6, KINDS_V8 } from './kinds.js';
import { FilterConflictError, listImagesWithOptions, listServicesWithOptions, polyfillRolloutStatus, polyfillStatus } from './shims.js';

const ctx: CallContext = { signal: new AbortController().signal };
const id = (s: string) => ResourceId.parse(s);

/** A FluxApi whose ListServices/ListImages are scripted; it records the calls it gets. */
function fakeApi(script: { services?: () => Promise<readonly ControllerStatus[] | null>; images?: () => Promise<readonly ImageStatus[] | null> }) {
  const calls: [string, unknown][] = [];
  const none = () => Promise.reject(new Error('not in this test'));
  const api: FluxApi = {
    ping: none,
    version: none,
    export: none,
    listServices: (_c, ns) => (calls.push(['listServices', ns]), script.services ? script.services() : none()),
    listServicesWithOptions: none,
    listImages: (_c, spec) => (calls.push(['listImages', spec]), script.images ? script.images() : none()),
    listImagesWithOptions: none,
    updateManifests: none,
    syncNotify: none,
    notifyChange: none,
    jobStatus: none,
    syncStatus: none,
    gitRepoConfig: none,
  };
  return { api, calls };
}

const rollout = (fields: Partial<ControllerStatus['rollout']> = {}) => ({ desired: 43, updated: 42, ready: 1, available: 2, outdated: 7, messages: ['m'], ...fields });

// --- rollout polyfill ---------------------------------------------------------------------------

test('rollout polyfill: "X out of N updated" becomes updating with Ready = Available = Updated; Outdated and Messages untouched', () => {
  const s = polyfillStatus(controllerStatus({ status: '3 out of 5 updated', rollout: rollout() }));
  assert.equal(s.status, 'updating');
  assert.deepEqual(s.rollout, { desired: 5, updated: 3, ready: 3, available: 3, outdated: 7, messages: ['m'] });
});

test('rollout polyfill: a partial scan leaves the status but has overwritten Updated (Go side effect)', () => {
  for (const [status, updated] of [
    ['3out of 5 updated', 3],
    ['7', 7],
    ['3 of 5', 3],
  ] as const) {
    const s = polyfillStatus(controllerStatus({ status, rollout: rollout() }));
    assert.equal(s.status, status);
    assert.deepEqual(s.rollout, rollout({ updated }), status);
  }
});

test('rollout polyfill: no number scanned (or an int32 overflow) leaves the status object itself', () => {
  for (const status of ['ready', '', '99999999999 out of 5 updated', 'updating']) {
    const before = controllerStatus({ status, rollout: rollout() });
    assert.equal(polyfillStatus(before), before, status);
  }
});

test('rollout polyfill over a list: idempotent, null stays null', () => {
  const list = [controllerStatus({ status: '1 out of 2 updated' }), controllerStatus({ status: 'ready' })];
  const once = polyfillRolloutStatus(list);
  assert.deepEqual(polyfillRolloutStatus(once), once);
  assert.deepEqual(
    once!.map((s) => s.status),
    ['updating', 'ready'],
  );
  assert.equal(polyfillRolloutStatus(null), null);
});

// --- ListServicesWithOptions shim ---------------------------------------------------------------

const statuses = [
  controllerStatus({ id: id('default:deployment/a'), status: '1 out of 2 updated' }),
  controllerStatus({ id: id('default/b') }),
  controllerStatus({ id: id('default:deployment/c') }),
  controllerStatus({ id: id('default:service/b') }),
];

test("ListServicesWithOptions shim: namespace and services together is a plain error, before any call", async () => {
  const { api, calls } = fakeApi({ services: async () => statuses });
  const err = await listServicesWithOptions(api, ctx, { namespace: 'default', services: [id('default:deployment/a')] }, KINDS_V8).catch((e: unknown) => e);
  assert.ok(err instanceof FilterConflictError);
  assert.ok(!(err instanceof FluxError) && !(err instanceof FatalError));
  assert.equal(err.message, "cannot filter by 'namespace' and 'services' at the same time");
  assert.deepEqual(calls, []);
});

test('ListServicesWithOptions shim: a refused kind is UnsupportedResourceKind in every version (V6 kinds too), before any call', async () => {
  const { api, calls } = fakeApi({ services: async () => statuses });
  const v6 = await listServicesWithOptions(api, ctx, { namespace: '', services: [id('default:deployment/a')] }, KINDS_V6).catch((e: unknown) => e);
  assert.ok(v6 instanceof UnsupportedResourceKindError);
  assert.equal(v6.message, 'Unsupported resource kind: deployment');
  const v8 = await listServicesWithOptions(api, ctx, { namespace: '', services: [id('default:deployment/a'), id('default/b')] }, KINDS_V8).catch((e: unknown) => e);
  assert.ok(v8 instanceof UnsupportedResourceKindError);
  assert.equal(v8.message, 'Unsupported resource kind: service');
  assert.deepEqual(calls, []);
});

test('ListServicesWithOptions shim: without a filter, the whole (polyfilled) list for the namespace', async () => {
  const { api, calls } = fakeApi({ services: async () => statuses });
  const all = await listServicesWithOptions(api, ctx, { namespace: 'default', services: null }, KINDS_V8);
  assert.deepEqual(calls, [['listServices', 'default']]);
  assert.equal(all!.length, 4);
  assert.equal(all![0]!.status, 'updating');
  const empty = await listServicesWithOptions(api, ctx, { namespace: '', services: [] }, KINDS_V8);
  assert.equal(empty!.length, 4);
});

test('ListServicesWithOptions shim: the filter keeps the received order; legacy and qualified IDs differ; no match is null', async () => {
  const { api } = fakeApi({ services: async () => statuses });
  const kept = await listServicesWithOptions(api, ctx, { namespace: '', services: [id('default:deployment/c'), id('default:deployment/a')] }, KINDS_V8);
  assert.deepEqual(
    kept!.map((s) => s.id.toString()),
    ['default:deployment/a', 'default:deployment/c'],
  );
  const legacy = await listServicesWithOptions(api, ctx, { namespace: '', services: [id('default/b')] }, KINDS_V6);
  assert.deepEqual(
    legacy!.map((s) => s.id.toString()),
    ['default/b'],
  );
  const none = await listServicesWithOptions(api, ctx, { namespace: '', services: [id('other:deployment/a')] }, KINDS_V8);
  assert.equal(none, null);
});

test("ListServicesWithOptions shim: ListServices' error is returned as is", async () => {
  const boom = new Error('list failed');
  const { api } = fakeApi({ services: () => Promise.reject(boom) });
  await assert.rejects(listServicesWithOptions(api, ctx, { namespace: '', services: [id('default:deployment/a')] }, KINDS_V8), (e) => e === boom);
});

// --- ListImagesWithOptions shim -----------------------------------------------------------------

const at = (day: number) => GoTime.fromCivil(2020, 1, day);
const img = (ref: string, day?: number): ImageInfo => imageInfo({ id: parseImageRef(ref), ...(day === undefined ? {} : { createdAt: at(day) }) });
// The daemon's Available list, in the daemon's order (not the order by creation time).
const available = [img('repo/app:1.0.0', 1), img('repo/app:2.0.0', 5), img('repo/app:1.5.0', 3), img('repo/app:latest', 9)];
const current = img('repo/app:1.0.0', 1);

function imageStatuses(c: Partial<Container> = {}): ImageStatus[] {
  return [
    {
      id: id('default:deployment/app'),
      containers: [container({ name: 'app', current, available, availableError: 'daemon said so', availableImagesCount: 99, ...c })],
    },
  ];
}

const withPolicies = (policies: ReadonlyMap<string, string> | null) => async () => [controllerStatus({ id: id('default:deployment/app'), policies })];

test('ListImagesWithOptions shim: calls ListImages(spec) then ListServices(namespace of the spec); Namespace option ignored', async () => {
  const { api, calls } = fakeApi({ images: async () => imageStatuses(), services: withPolicies(null) });
  await listImagesWithOptions(api, ctx, { spec: 'default:deployment/app', overrideContainerFields: null, namespace: 'ignored' });
  await listImagesWithOptions(api, ctx, { spec: '<all>', overrideContainerFields: null, namespace: 'ignored' });
  assert.deepEqual(calls, [
    ['listImages', 'default:deployment/app'],
    ['listServices', 'default'],
    ['listImages', '<all>'],
    ['listServices', ''],
  ]);
});

test('ListImagesWithOptions shim: default fields recompute from the daemon list taken as sorted; AvailableError dropped', async () => {
  const { api } = fakeApi({ images: async () => imageStatuses(), services: withPolicies(new Map([['tag.app', 'glob:1.*']])) });
  const [status] = (await listImagesWithOptions(api, ctx, { spec: '<all>', overrideContainerFields: null, namespace: '' }))!;
  const c = status!.containers![0]!;
  assert.equal(c.name, 'app');
  assert.equal(c.current, current);
  assert.deepEqual(c.available, available, 'Available keeps the daemon order');
  assert.equal(c.availableError, '');
  assert.equal(c.availableImagesCount, 4);
  // Taken as sorted: the first entry of the daemon's list is "newest"; 1.0.0 is current itself.
  assert.equal(c.newAvailableImagesCount, 0);
  // Filtered by glob:1.* in the daemon's order: 1.0.0, 1.5.0.
  assert.equal(c.latestFiltered, available[0]);
  assert.equal(c.filteredImagesCount, 2);
});

test('ListImagesWithOptions shim: without Available among the fields, the filtered images are re-sorted by the pattern', async () => {
  const { api } = fakeApi({ images: async () => imageStatuses(), services: withPolicies(new Map([['tag.app', 'glob:1.*']])) });
  const [status] = (await listImagesWithOptions(api, ctx, { spec: '<all>', overrideContainerFields: ['Name', 'LatestFiltered', 'FilteredImagesCount'], namespace: '' }))!;
  const c = status!.containers![0]!;
  assert.equal(c.latestFiltered, available[2], '1.5.0 is the newest 1.* by creation time');
  assert.equal(c.filteredImagesCount, 2);
  assert.equal(c.current, ZERO_IMAGE_INFO, 'Current not requested');
  assert.equal(c.available, null);
  assert.equal(c.availableImagesCount, 0);
});

test('ListImagesWithOptions shim: no policies for the workload → every tag but latest; an unknown workload likewise', async () => {
  for (const services of [withPolicies(null), withPolicies(new Map()), async () => []]) {
    const { api } = fakeApi({ images: async () => imageStatuses(), services });
    const [status] = (await listImagesWithOptions(api, ctx, { spec: '<all>', overrideContainerFields: null, namespace: '' }))!;
    assert.equal(status!.containers![0]!.filteredImagesCount, 3);
  }
});

test('ListImagesWithOptions shim: a container without images keeps Name and Current only', async () => {
  const { api } = fakeApi({ images: async () => imageStatuses({ available: null }), services: withPolicies(null) });
  const [status] = (await listImagesWithOptions(api, ctx, { spec: '<all>', overrideContainerFields: null, namespace: '' }))!;
  assert.deepEqual(status!.containers![0], container({ name: 'app', current }));
});

test('ListImagesWithOptions shim: errors — ListImages first (no ListServices), a bad spec, ListServices, a bad field', async () => {
  const imagesDown = fakeApi({ images: () => Promise.reject(new Error('images down')), services: withPolicies(null) });
  await assert.rejects(listImagesWithOptions(imagesDown.api, ctx, { spec: '<all>', overrideContainerFields: null, namespace: '' }), /images down/);
  assert.deepEqual(imagesDown.calls, [['listImages', '<all>']]);

  const badSpec = fakeApi({ images: async () => imageStatuses(), services: withPolicies(null) });
  await assert.rejects(
    listImagesWithOptions(badSpec.api, ctx, { spec: 'not an id', overrideContainerFields: null, namespace: '' }),
    (e) => e instanceof InvalidResourceIdError && e.message === 'parsing not an id: invalid service ID',
  );

  const servicesDown = fakeApi({ images: async () => imageStatuses(), services: () => Promise.reject(new Error('services down')) });
  await assert.rejects(listImagesWithOptions(servicesDown.api, ctx, { spec: '<all>', overrideContainerFields: null, namespace: '' }), /services down/);

  const { api } = fakeApi({ images: async () => imageStatuses(), services: withPolicies(null) });
  await assert.rejects(listImagesWithOptions(api, ctx, { spec: '<all>', overrideContainerFields: ['Name', 'Bogus'], namespace: '' }), (e) => e instanceof Error && !(e instanceof FluxError) && e.message === 'Bogus is an invalid field');
});

test('ListImagesWithOptions shim: a nil list stays nil; a status without containers is kept', async () => {
  const { api } = fakeApi({ images: async () => null, services: withPolicies(null) });
  assert.equal(await listImagesWithOptions(api, ctx, { spec: '<all>', overrideContainerFields: null, namespace: '' }), null);
  const bare = fakeApi({ images: async () => [{ id: id('default:deployment/app'), containers: null }], services: withPolicies(null) });
  assert.deepEqual(await listImagesWithOptions(bare.api, ctx, { spec: '<all>', overrideContainerFields: null, namespace: '' }), [
    { id: id('default:deployment/app'), containers: null },
  ]);
});
