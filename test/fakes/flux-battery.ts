/**
 * The conformance battery of flux `remote.ServerTestBattery` (docs/rpc.md §9), for any path from a
 * `FluxApi` client to a daemon implementation: `wrap(mock)` must return a client that reaches the
 * mock through the transport under test.
 *
 * Same fixture and step order as flux's, with every check able to fail:
 * - comparisons are deep equality of the model values (legacy vs qualified IDs, nil vs empty,
 *   zero image infos, nanosecond UTC times all count);
 * - error steps check that the error is the preset one (its text), not any error;
 * - step 6 calls UpdateManifests through the client (flux calls the mock directly, which cannot
 *   fail) and checks the job ID and that the daemon received exactly the spec sent; step 7 then
 *   checks the preset error arrives (not the argument check's `expected != actual`);
 * - steps 2 and 8 also check the argument the daemon received.
 *
 * Steps report instead of asserting, so tests can state which steps fail for which client version
 * (docs/rpc.md §9: the V6–V9 ListImagesWithOptions shim also calls ListServices, whose error is still set
 * from step 3; V6–V8 lack NotifyChange). `clearListServicesError` gives the reduced battery that
 * clears it before step 4.
 */
import { isDeepStrictEqual } from 'node:util';
import type { CallContext, FluxApi } from '../../src/flux/api.js';
import type { Change } from '../../src/flux/model/change.js';
import { container } from '../../src/flux/model/container.js';
import { controllerStatus, ZERO_CONTROLLER_STATUS, type ControllerStatus } from '../../src/flux/model/controller-status.js';
import { GoTime } from '../../src/flux/model/go-time.js';
import { parseImageRef } from '../../src/flux/model/image.js';
import { imageInfo } from '../../src/flux/model/image-info.js';
import type { ImageStatus } from '../../src/flux/model/image-status.js';
import { newJobId } from '../../src/flux/model/job.js';
import { ResourceId } from '../../src/flux/model/resource-id.js';
import { ZERO_RELEASE_IMAGE_SPEC } from '../../src/flux/model/release-spec.js';
import { ZERO_CAUSE, type UpdateSpec } from '../../src/flux/model/update-spec.js';
import { MockDaemon } from './mock-daemon.js';

export interface BatteryStep {
  readonly step: number;
  readonly name: string;
  readonly ok: boolean;
  /** Why it failed. */
  readonly detail: string;
}

export interface BatteryOptions {
  /** Clear the ListServices error before step 4 (the reduced battery for V6–V9 clients). */
  clearListServicesError?: boolean;
  /** The time the fixture uses as "now" (default: the current time with random nanoseconds). */
  now?: GoTime;
}

export const BATTERY_NAMESPACE = 'the-space-of-names';

export interface BatteryFixture {
  readonly services: readonly ControllerStatus[];
  readonly images: readonly ImageStatus[];
  readonly syncStatus: readonly string[];
  readonly updateSpec: UpdateSpec;
  readonly change: Change;
  readonly jobId: string;
}

export function batteryFixture(now: GoTime = randomNow()): BatteryFixture {
  const ref = parseImageRef('quay.io/example.com/frob:v0.4.5');
  return {
    services: [
      controllerStatus({
        id: ResourceId.parse('foobar/hello'),
        status: 'ok',
        containers: [container({ name: 'frobnicator', current: imageInfo({ id: ref, createdAt: now }) })],
      }),
      ZERO_CONTROLLER_STATUS,
    ],
    images: [{ id: ResourceId.parse('barfoo/yello'), containers: [container({ name: 'flubnicator', current: imageInfo({ id: ref }) })] }],
    syncStatus: ['commit 1', 'commit 2', 'commit 3'],
    updateSpec: { type: 'image', cause: ZERO_CAUSE, spec: { ...ZERO_RELEASE_IMAGE_SPEC, serviceSpecs: ['<all>'], imageSpec: '<all latest>' } },
    change: { kind: 'git', source: { url: 'git@example.com:foo/bar', branch: '' } },
    jobId: newJobId(),
  };
}

function randomNow(): GoTime {
  const ms = Date.now();
  return GoTime.fromUnix(Math.floor(ms / 1000), (ms % 1000) * 1e6 + Math.floor(Math.random() * 1e6), 0);
}

/** Runs the battery; stops after step 1 if it fails (flux: `t.Fatal`). */
export async function runServerTestBattery(wrap: (mock: MockDaemon) => FluxApi | Promise<FluxApi>, options: BatteryOptions = {}): Promise<BatteryStep[]> {
  const fx = batteryFixture(options.now);
  const mock = new MockDaemon();
  mock.listServicesAnswer = fx.services;
  mock.listImagesAnswer = fx.images;
  mock.updateManifestsArgTest = (s) => (isDeepStrictEqual(s, fx.updateSpec) ? undefined : new Error('expected != actual'));
  mock.updateManifestsAnswer = fx.jobId;
  mock.syncStatusAnswer = fx.syncStatus;

  const client = await wrap(mock);
  const ctx: CallContext = { signal: new AbortController().signal };
  const steps: BatteryStep[] = [];
  const record = async (step: number, name: string, check: () => Promise<string | undefined>): Promise<boolean> => {
    let detail: string | undefined;
    try {
      detail = await check();
    } catch (e) {
      detail = `unexpected error: ${describe(e)}`;
    }
    steps.push({ step, name, ok: detail === undefined, detail: detail ?? '' });
    return detail === undefined;
  };
  const expectError = async (call: () => Promise<unknown>, text: string): Promise<string | undefined> => {
    try {
      await call();
    } catch (e) {
      return e instanceof Error && e.message === text ? undefined : `expected the error ${JSON.stringify(text)}, got ${describe(e)}`;
    }
    return `expected the error ${JSON.stringify(text)}, got none`;
  };
  const expectEqual = (what: string, actual: unknown, expected: unknown): string | undefined =>
    isDeepStrictEqual(actual, expected) ? undefined : `${what} differs: got ${show(actual)}`;

  if (!(await record(1, 'Ping', async () => void (await client.ping(ctx))))) return steps;

  await record(2, 'ListServices', async () => {
    const got = await client.listServices(ctx, BATTERY_NAMESPACE);
    return expectEqual('services', got, fx.services) ?? expectEqual('namespace received', mock.argsOf('listServices').at(-1), BATTERY_NAMESPACE);
  });

  mock.listServicesError = new Error('list services query failure');
  await record(3, 'ListServices error', () => expectError(() => client.listServices(ctx, BATTERY_NAMESPACE), 'list services query failure'));

  if (options.clearListServicesError) mock.listServicesError = undefined;
  const allImages = { spec: '<all>', overrideContainerFields: null, namespace: '' };
  await record(4, 'ListImagesWithOptions', async () => expectEqual('images', await client.listImagesWithOptions(ctx, allImages), fx.images));

  mock.listImagesError = new Error('list images error');
  await record(5, 'ListImagesWithOptions error', () => expectError(() => client.listImagesWithOptions(ctx, allImages), 'list images error'));

  await record(6, 'UpdateManifests', async () => {
    const id = await client.updateManifests(ctx, fx.updateSpec);
    return expectEqual('job id', id, fx.jobId) ?? expectEqual('spec received', mock.argsOf('updateManifests').at(-1), fx.updateSpec);
  });

  mock.updateManifestsError = new Error('update manifests error');
  await record(7, 'UpdateManifests error', () => expectError(() => client.updateManifests(ctx, fx.updateSpec), 'update manifests error'));

  await record(8, 'NotifyChange', async () => {
    await client.notifyChange(ctx, fx.change);
    return expectEqual('change received', mock.argsOf('notifyChange').at(-1), fx.change);
  });

  await record(9, 'SyncStatus', async () => expectEqual('sync status', await client.syncStatus(ctx, 'HEAD'), fx.syncStatus));
  return steps;
}

/** The numbers of the steps that failed. */
export function failedSteps(steps: readonly BatteryStep[]): number[] {
  return steps.filter((s) => !s.ok).map((s) => s.step);
}

function describe(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

function show(v: unknown): string {
  try {
    return JSON.stringify(v, (_k, x) => (x instanceof Map ? Object.fromEntries(x) : typeof x === 'bigint' ? String(x) : x));
  } catch {
    return String(v);
  }
}
