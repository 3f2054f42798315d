import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FluxApi } from '../flux/api.js';
import type { JobStatus } from '../flux/model/index.js';
import { JobTracker, type TrackedJob } from './jobs.js';

const empty = { revision: '', spec: null, result: null };

function tracker(api: Partial<FluxApi>, timeoutMs = 60_000) {
  const done: TrackedJob[] = [];
  const seen: string[] = [];
  const t = new JobTracker({ api: () => api as FluxApi, callTimeoutMs: 1000, pollMs: 1, timeoutMs, onDone: (j) => done.push({ ...j }) });
  t.subscribe((j) => seen.push(j.stage));
  const finished = async () => {
    while (done.length === 0) await new Promise((r) => setTimeout(r, 2));
    return done[0]!;
  };
  return { t, seen, finished };
}

test('queued → running → committed → applied, as fluxctl awaits a release', async () => {
  const states: JobStatus[] = [
    { result: empty, err: '', statusString: 'queued' },
    { result: empty, err: '', statusString: 'running' },
    { result: { ...empty, revision: 'abc1234def' }, err: '', statusString: 'succeeded' },
  ];
  let syncs = 0;
  const { t, seen, finished } = tracker({ jobStatus: async () => states.shift() ?? states[0]!, syncStatus: async () => (++syncs < 3 ? ['abc1234def'] : []) });
  t.track('i', 'j1', { kind: 'release', user: 'u', title: 'x' });
  const job = await finished();
  assert.equal(job.stage, 'applied');
  assert.equal(job.revision, 'abc1234def');
  assert.deepEqual(seen, ['running', 'committed', 'applied']);
  t.close();
});

test('a failed job keeps its error and per-workload results; a job without a commit is done', async () => {
  const failed = tracker({ jobStatus: async () => ({ result: { ...empty, result: new Map([['ns:deployment/a', { status: 'failed', error: 'boom', perContainer: null }]]) }, err: 'release failed', statusString: 'failed' }) });
  failed.t.track('i', 'j', { kind: 'release', user: 'u', title: 'x' });
  const f = await failed.finished();
  assert.equal(f.stage, 'failed');
  assert.equal(f.error, 'release failed');
  assert.deepEqual(f.results.map((r) => `${r.workload}:${r.status}:${r.error}`), ['ns:deployment/a:failed:boom']);
  const nothing = tracker({ jobStatus: async () => ({ result: empty, err: '', statusString: 'succeeded' }) });
  nothing.t.track('i', 'j', { kind: 'policy', user: 'u', title: 'x' });
  assert.equal((await nothing.finished()).stage, 'done');
});

test('a daemon that stays away ends the wait as "unknown" at the deadline, not as a failure', async () => {
  const { t, finished } = tracker({ jobStatus: async () => Promise.reject(new Error('unavailable')) }, 50);
  t.track('i', 'j', { kind: 'release', user: 'u', title: 'x' });
  const job = await finished();
  assert.equal(job.stage, 'unknown');
  assert.match(job.error, /timed out waiting for the outcome/);
});

test('adopting a job started elsewhere: unknown to the daemon → none; known → followed, kind, user and title from the spec the daemon reports; a sync id → a sync', async () => {
  const spec = { type: 'image' as const, cause: { user: 'dee', message: '' }, spec: { serviceSpecs: ['default:deployment/podinfo'], imageSpec: '<all latest>', kind: 'execute', excludes: null, force: false } };
  const states: JobStatus[] = [
    { result: empty, err: '', statusString: 'queued' },
    { result: empty, err: '', statusString: 'running' },
    { result: { revision: 'abc1234def', spec, result: null }, err: '', statusString: 'succeeded' },
  ];
  const { t, finished } = tracker({
    jobStatus: async (_ctx, id) => {
      if (id !== 'j1') throw new Error(`unknown job "${id}"`);
      return states.length > 1 ? states.shift()! : states[0]!;
    },
    syncStatus: async () => [],
  });
  assert.equal(await t.adopt('i', 'nope'), undefined);
  const [job, same] = await Promise.all([t.adopt('i', 'j1'), t.adopt('i', 'j1')]);
  assert.ok(job && job === same, 'one tracked job for concurrent adoptions');
  assert.equal(job.adopted, true);
  assert.equal(job.title, 'Job j1', 'nothing known yet while queued');
  const end = await finished();
  assert.equal(end.stage, 'applied');
  assert.equal(end.title, 'Release the newest allowed images to default:deployment/podinfo');
  assert.equal(end.user, 'dee');
  const sync = await t.adopt('i', 'sync-0123456789abcdef');
  assert.equal(sync?.kind, 'sync');
  t.close();
});

test('adopted jobs have their own bound: adopting many never pushes out a job started here', async () => {
  const t = new JobTracker({ api: () => ({ jobStatus: async () => ({ result: empty, err: '', statusString: 'queued' }), syncStatus: async () => ['pending'] }) as unknown as FluxApi, callTimeoutMs: 1000, pollMs: 1000, capacity: 3, adoptedCapacity: 2 });
  t.track('i', 'mine', { kind: 'release', user: 'u', title: 'x' });
  for (const id of ['a1', 'a2', 'a3', 'a4']) assert.ok(await t.adopt('i', id));
  assert.ok(t.get('i', 'mine'), 'the job started here is kept');
  assert.deepEqual(['a1', 'a2', 'a3', 'a4'].map((id) => t.get('i', id) !== undefined), [false, false, true, true]);
  t.close();
});
