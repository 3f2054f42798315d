/**
 * Large replies through the Flux layer: list values encoded as parts and decoded in time slices
 * give exactly what the whole-value functions give, a large ListServices does not hold up other
 * connections, per-call deadlines, and a flood of calls without listener warnings.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { TimeSlicer } from '../../codec/time-slice.js';
import { DeadlineExceededError } from '../../rpc/errors.js';
import { memoryPipe } from '../../transport/memory.js';
import type { CallContext } from '../api.js';
import { encodeControllerStatusList } from '../model/controller-status.js';
import { FatalError } from '../model/fatal-error.js';
import { serveFlux } from '../server.js';
import { createFluxClient } from './client.js';
import { METHODS } from './methods.js';
import { decodeReply, decodeReplyInSlices, encodeReply, encodeReplyParts, type ReplyForm } from './replies.js';
import { fixtureStatusJson, manyStatuses } from '../../../test/fakes/statuses.js';
import { MockDaemon } from '../../../test/fakes/mock-daemon.js';
import { warningsDuring, watchLargeChunk } from '../../../test/fakes/observe.js';

const ctx: CallContext = { signal: new AbortController().signal };
const LISTS = [METHODS.ListServices, METHODS.ListServicesWithOptions, METHODS.ListImages, METHODS.SyncStatus] as const;
const FORMS: ReplyForm[] = ['flat', 'union'];

async function until(done: () => boolean, turns = 20_000): Promise<void> {
  for (let i = 0; i < turns && !done(); i++) await new Promise((r) => setImmediate(r));
  assert.ok(done(), 'condition not reached');
}

function outcomeOf(run: () => unknown): { ok: true; value: unknown } | { ok: false; message: string; name: string } {
  try {
    return { ok: true, value: run() };
  } catch (e) {
    return { ok: false, message: (e as Error).message, name: (e as Error).name };
  }
}

async function slicedOutcome(run: () => Promise<unknown>): Promise<{ ok: true; value: unknown } | { ok: false; message: string; name: string }> {
  try {
    return { ok: true, value: await run() };
  } catch (e) {
    return { ok: false, message: (e as Error).message, name: (e as Error).name };
  }
}

test('property: decoding a list reply in slices gives exactly what decodeReply gives, errors included', async () => {
  const statuses = fixtureStatusJson();
  const element = fc.oneof(
    fc.constantFrom(...statuses),
    fc.jsonValue({ maxDepth: 2 }),
    fc.record({ ID: fc.oneof(fc.string(), fc.integer()), Status: fc.oneof(fc.string(), fc.constant(null)), Rollout: fc.jsonValue({ maxDepth: 1 }) }, { requiredKeys: [] }),
  );
  const list = fc.oneof({ weight: 4, arbitrary: fc.array(element, { maxLength: 200 }) }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 1 }) });
  const resultKey = fc.constantFrom('Result', 'result', 'RESULT', 'Reſult', 'Other');
  const union = fc.array(fc.tuple(fc.oneof(resultKey, fc.constantFrom('ApplicationError', 'applicationerror')), fc.oneof(list, fc.constant(null), fc.record({ type: fc.constantFrom('user', 'missing'), help: fc.string(), error: fc.string() }))), { maxLength: 4 }).map((members) => Object.fromEntries(members));
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...LISTS), fc.constantFrom(...FORMS), fc.oneof(union, list), fc.constantFrom(0, 1_000_000), async (m, form, json, sliceMs) => {
      const whole = outcomeOf(() => decodeReply(m as never, form, json));
      const sliced = await slicedOutcome(() => decodeReplyInSlices(m as never, form, json, new TimeSlicer(sliceMs)));
      assert.deepStrictEqual(sliced, whole);
    }),
    { numRuns: 600 },
  );
});

test('a list reply encoded as parts is byte for byte the reply encoded whole', () => {
  for (const n of [0, 1, 63, 64, 65, 500]) {
    const statuses = manyStatuses(n);
    for (const form of FORMS) {
      for (const m of [METHODS.ListServices, METHODS.ListServicesWithOptions]) {
        const parts = encodeReplyParts(m, form, statuses);
        assert.equal(typeof parts === 'string' ? parts : parts.join(''), encodeReply(m, form, statuses), `${m.name} ${form} ${n}`);
        if (n >= 64) assert.ok(Array.isArray(parts) && parts.length > n, 'one part per element');
      }
      const strings = Array.from({ length: n }, (_, i) => `commit-<${i}>`);
      const parts = encodeReplyParts(METHODS.SyncStatus, form, strings);
      assert.equal(typeof parts === 'string' ? parts : parts.join(''), encodeReply(METHODS.SyncStatus, form, strings));
    }
    assert.equal(encodeReplyParts(METHODS.ListServices, 'union', null), encodeReply(METHODS.ListServices, 'union', null));
  }
});

test('a large ListServices reply is decoded in slices: pings to another daemon complete meanwhile, and the result is exact', async () => {
  const statuses = manyStatuses(1700); // ~8 MB on the wire
  const daemonA = new MockDaemon();
  daemonA.listServicesAnswer = statuses;
  const [upA, downA] = memoryPipe();
  serveFlux(daemonA, downA);
  const arrived = watchLargeChunk(upA, 1_000_000);
  const fluxA = createFluxClient(11, upA, { slicedParseBytes: 256 * 1024, sliceMs: 1 });

  const [upB, downB] = memoryPipe();
  serveFlux(new MockDaemon(), downB);
  const fluxB = createFluxClient(11, upB);

  let done = false;
  const big = fluxA.listServices(ctx, '').finally(() => (done = true));
  let pingsDuringA = 0;
  while (!done) {
    await fluxB.ping(ctx);
    if (arrived() && !done) pingsDuringA++;
  }
  const got = await big;
  assert.equal(encodeControllerStatusList(got), encodeControllerStatusList(statuses));
  assert.ok(pingsDuringA >= 1, `pings completed on B while A's reply was parsed and decoded: ${pingsDuringA}`);
  await fluxA.close();
  await fluxB.close();
});

test('ctx.deadline: the call rejects with DeadlineExceededError, not fatal; the daemon connection stays usable', async () => {
  const [up, down] = memoryPipe();
  const daemon = new MockDaemon();
  let hang = true;
  const release: (() => void)[] = [];
  daemon.ping = async () => {
    if (hang) await new Promise<void>((r) => release.push(r));
  };
  serveFlux(daemon, down);
  const flux = createFluxClient(11, up);
  const slow = flux.ping({ ...ctx, deadline: Date.now() + 30 });
  await assert.rejects(slow, (e: unknown) => e instanceof DeadlineExceededError && !(e instanceof FatalError));
  hang = false;
  for (const r of release) r();
  await flux.ping({ ...ctx, deadline: Date.now() + 60_000 });
  assert.equal(flux.rpc.isShutdown, false);
  await flux.close();
});

test('a flood of 10,000 calls sharing one signal, each under the daemon\'s RPC timeout, prints no MaxListenersExceededWarning', async () => {
  const warnings = await warningsDuring(async () => {
    const [up, down] = memoryPipe();
    const daemon = new MockDaemon();
    const gate: (() => void)[] = [];
    daemon.ping = (c: CallContext) =>
      new Promise<void>((resolve, reject) => {
        gate.push(resolve);
        c.signal.addEventListener('abort', () => reject(c.signal.reason), { once: true });
      });
    serveFlux(daemon, down, { rpcTimeoutMs: 60_000 });
    const flux = createFluxClient(11, up);
    const shared = new AbortController();
    const calls = Array.from({ length: 10_000 }, () => flux.ping({ signal: shared.signal, deadline: Date.now() + 60_000 }));
    await until(() => gate.length === 10_000, 100_000);
    for (const open of gate) open();
    await Promise.all(calls);
    await flux.close();
  });
  assert.deepEqual(warnings, []);
});
