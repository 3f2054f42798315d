import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FluxApi } from '../api.js';
import { controllerStatus, ResourceId, UnsupportedResourceKindError } from '../model/index.js';
import { ServerError } from '../../rpc/errors.js';
import { listServicesWithOptionsOrShim, NO_LIST_SERVICES_WITH_OPTIONS, unknownGaps } from './daemon-fallbacks.js';

const ctx = { signal: new AbortController().signal };
const statuses = ['default:deployment/a', 'default:deployment/b'].map((id) => controllerStatus({ id: ResourceId.parse(id) }));

function daemon(answer: () => Promise<unknown>) {
  const calls: string[] = [];
  const api = {
    listServicesWithOptions: async () => (calls.push('listServicesWithOptions'), answer()),
    listServices: async (_c: unknown, ns: string) => (calls.push(`listServices(${ns})`), statuses),
  } as unknown as FluxApi;
  return { api, calls };
}

test("a daemon that answers \"can't find method\" gets the shim, from then on without asking again", async () => {
  const { api, calls } = daemon(() => Promise.reject(new ServerError(NO_LIST_SERVICES_WITH_OPTIONS)));
  const gaps = unknownGaps();
  let fallbacks = 0;
  const onFallback = () => fallbacks++;
  const only = await listServicesWithOptionsOrShim(api, ctx, { namespace: '', services: [ResourceId.parse('default:deployment/b')] }, gaps, onFallback);
  assert.deepEqual(only!.map((s) => s.id.toString()), ['default:deployment/b']);
  const all = await listServicesWithOptionsOrShim(api, ctx, { namespace: 'default', services: null }, gaps, onFallback);
  assert.equal(all!.length, 2);
  assert.deepEqual(calls, ['listServicesWithOptions', 'listServices()', 'listServices(default)']);
  assert.equal(gaps.lacksListServicesWithOptions, true);
  assert.equal(fallbacks, 1);
  assert.equal(NO_LIST_SERVICES_WITH_OPTIONS, "rpc: can't find method RPCServer.ListServicesWithOptions");
  // The shim's own checks apply (V8's kinds).
  await assert.rejects(listServicesWithOptionsOrShim(api, ctx, { namespace: '', services: [ResourceId.parse('default:foo/x')] }, gaps), UnsupportedResourceKindError);
});

test('a daemon that serves it is asked; other errors pass through and change nothing', async () => {
  const served = daemon(async () => statuses.slice(0, 1));
  const gaps = unknownGaps();
  assert.equal((await listServicesWithOptionsOrShim(served.api, ctx, { namespace: '', services: null }, gaps))!.length, 1);
  const failing = daemon(() => Promise.reject(new ServerError('rpc: something else')));
  await assert.rejects(listServicesWithOptionsOrShim(failing.api, ctx, { namespace: '', services: null }, gaps), /something else/);
  assert.equal(gaps.lacksListServicesWithOptions, false);
  assert.deepEqual(failing.calls, ['listServicesWithOptions']);
});
