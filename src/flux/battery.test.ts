/**
 * The conformance battery (docs/rpc.md §9) for every client version × our server, over memory pipes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { memoryPipe } from '../transport/memory.js';
import { PROTOCOL_VERSIONS, type FluxApi, type ProtocolVersion } from './api.js';
import { GoTime } from './model/go-time.js';
import { ResourceId } from './model/resource-id.js';
import { serveFlux } from './server.js';
import { createFluxClient, type FluxClient } from './versions/client.js';
import { failedSteps, runServerTestBattery, type BatteryOptions } from '../../test/fakes/flux-battery.js';
import type { MockDaemon } from '../../test/fakes/mock-daemon.js';

/** Runs the battery with a client of `version` against our server (flat for V6 unless `flat` says). */
async function battery(version: ProtocolVersion, options: BatteryOptions & { flat?: boolean; distort?: (mock: MockDaemon) => object } = {}) {
  let client: FluxClient | undefined;
  const steps = await runServerTestBattery((mock) => {
    const [a, b] = memoryPipe();
    const impl = options.distort ? Object.assign(Object.create(mock) as MockDaemon, options.distort(mock)) : mock;
    serveFlux(impl, b, { flat: options.flat ?? version === 6 });
    client = createFluxClient(version, a);
    return client;
  }, options);
  await client?.close();
  return steps;
}

// docs/rpc.md §9: in flux's order, the V6–V9 ListImagesWithOptions shim also calls ListServices, whose
// error is still set from step 3 (step 4 fails), and V6–V8 have no NotifyChange (step 8 fails).
const GO_ORDER_FAILURES: Record<ProtocolVersion, number[]> = { 6: [4, 8], 7: [4, 8], 8: [4, 8], 9: [4], 10: [], 11: [] };
// Reduced battery: the ListServices error cleared before step 4; only the missing NotifyChange remains.
const REDUCED_FAILURES: Record<ProtocolVersion, number[]> = { 6: [8], 7: [8], 8: [8], 9: [], 10: [], 11: [] };

for (const version of PROTOCOL_VERSIONS) {
  test(`battery in flux's order, client V${version} × our server${version === 6 ? ' (flat)' : ''}: fails exactly steps [${GO_ORDER_FAILURES[version]}]`, async () => {
    const steps = await battery(version);
    assert.equal(steps.length, 9);
    assert.deepEqual(failedSteps(steps), GO_ORDER_FAILURES[version], JSON.stringify(steps.filter((s) => !s.ok)));
    if (version <= 9) assert.match(steps[3]!.detail, /list services query failure/);
    if (version <= 8) assert.match(steps[7]!.detail, /UpgradeNeededError: NotifyChange method not implemented/);
  });

  test(`reduced battery, client V${version} × our server: fails exactly steps [${REDUCED_FAILURES[version]}]`, async () => {
    const steps = await battery(version, { clearListServicesError: true });
    assert.deepEqual(failedSteps(steps), REDUCED_FAILURES[version], JSON.stringify(steps.filter((s) => !s.ok)));
  });
}

test('V6 client × union server: fatal from step 2 on (flat decoding of a union reply), as against Go', async () => {
  const steps = await battery(6, { flat: false });
  assert.deepEqual(failedSteps(steps), [2, 3, 4, 5, 6, 7, 8, 9]);
  assert.match(steps[1]!.detail, /FatalError: reading body json: cannot unmarshal object into Go value of type \[\]v6\.ControllerStatus/);
  assert.match(steps[2]!.detail, /FatalError: connection is shut down/);
});

test('V11 client × flat server: fatal from step 2 on (union decoding of a flat reply)', async () => {
  const steps = await battery(11, { flat: true });
  assert.deepEqual(failedSteps(steps), [2, 3, 4, 5, 6, 7, 8, 9]);
  assert.match(steps[1]!.detail, /FatalError: reading body json: cannot unmarshal array into Go value of type rpc\.ListServicesResponse/);
});

// Each check can fail: a daemon that misbehaves in one way fails exactly the step that checks it.
const reject = (text: string) => () => Promise.reject(new Error(text));
const distortions: { name: string; step: number[]; distort: (mock: MockDaemon) => Partial<FluxApi> }[] = [
  { name: 'Ping fails (the battery stops)', step: [1], distort: () => ({ ping: reject('down') }) },
  {
    name: 'ListServices loses the nil/empty distinction',
    step: [2],
    distort: (m) => ({ listServices: async (ctx, ns) => (await m.listServices(ctx, ns))!.map((s) => ({ ...s, labels: s.labels ?? new Map() })) }),
  },
  {
    name: 'ListServices truncates times to whole seconds',
    step: [2],
    distort: (m) => ({
      listServices: async (ctx, ns) =>
        (await m.listServices(ctx, ns))!.map((s) => ({
          ...s,
          containers: s.containers && s.containers.map((c) => ({ ...c, current: { ...c.current, createdAt: GoTime.fromUnix(c.current.createdAt.unixSeconds) } })),
        })),
    }),
  },
  {
    name: 'ListServices ignores the namespace',
    step: [2],
    distort: (m) => ({ listServices: (ctx) => m.listServices(ctx, '') }),
  },
  { name: 'ListServices never fails', step: [3], distort: (m) => ({ listServices: (ctx, ns) => m.listServices(ctx, ns).catch(() => m.listServicesAnswer) }) },
  {
    name: 'ListImagesWithOptions qualifies the legacy IDs',
    step: [4],
    distort: (m) => ({
      listImagesWithOptions: async (ctx, o) => (await m.listImagesWithOptions(ctx, o))!.map((s) => ({ ...s, id: s.id.toString() === 'barfoo/yello' ? ResourceId.parse('barfoo:service/yello') : s.id })),
    }),
  },
  { name: 'ListImagesWithOptions never fails', step: [5], distort: (m) => ({ listImagesWithOptions: (ctx, o) => m.listImagesWithOptions(ctx, o).catch(() => m.listImagesAnswer) }) },
  { name: 'UpdateManifests answers another job id', step: [6], distort: (m) => ({ updateManifests: async (ctx, s) => (await m.updateManifests(ctx, s)) && 'other-job' }) },
  {
    name: 'UpdateManifests changes the spec on the way',
    step: [6, 7],
    distort: (m) => ({ updateManifests: (ctx, s) => m.updateManifests(ctx, s.type === 'image' ? { ...s, spec: { ...s.spec, force: true } } : s) }),
  },
  { name: 'NotifyChange fails', step: [8], distort: () => ({ notifyChange: reject('no') }) },
  { name: 'SyncStatus reorders', step: [9], distort: (m) => ({ syncStatus: async () => [...m.syncStatusAnswer!].reverse() }) },
];

for (const d of distortions) {
  test(`a distorted daemon fails the battery where checked: ${d.name} → steps [${d.step}]`, async () => {
    const steps = await battery(11, { distort: d.distort, now: GoTime.fromUnix(1_700_000_000, 123_456_789) });
    assert.deepEqual(failedSteps(steps), d.step, JSON.stringify(steps.filter((s) => !s.ok)));
  });
}
