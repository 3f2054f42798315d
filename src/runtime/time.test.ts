import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkTimerMs, deadline, MAX_TIMER_MS } from './time.js';

test('checkTimerMs accepts 1 … MAX_TIMER_MS, 0 only when allowed, and names the option otherwise', () => {
  assert.equal(checkTimerMs('t', 1), 1);
  assert.equal(checkTimerMs('t', MAX_TIMER_MS), MAX_TIMER_MS);
  assert.equal(checkTimerMs('t', 0, { allowZero: true }), 0);
  assert.throws(() => checkTimerMs('callTimeoutMs', 0), /callTimeoutMs must be positive, got 0/);
  assert.throws(() => checkTimerMs('t', Number.NaN), /t must be positive/);
  assert.throws(() => checkTimerMs('t', MAX_TIMER_MS + 1), /at most 2147483647 ms \(a Node timer's limit\)/);
});

test('deadline: the timeout aborts with its own reason and says it expired', async () => {
  const d = deadline(undefined, 1, () => new Error('too slow'));
  await new Promise((resolve) => d.signal.addEventListener('abort', resolve, { once: true }));
  assert.equal((d.signal.reason as Error).message, 'too slow');
  assert.equal(d.expired, true);
  d.dispose();
});

test('deadline: the parent aborts first with its reason; the timeout then never fires', async () => {
  const parent = new AbortController();
  let made = 0;
  const d = deadline(parent.signal, 5, () => (made++, new Error('timeout')));
  parent.abort(new Error('hung up'));
  assert.equal((d.signal.reason as Error).message, 'hung up');
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(d.expired, false);
  assert.equal(made, 0);
  d.dispose();
});

test('deadline: an already aborted parent aborts at once; dispose detaches from a live parent', () => {
  const gone = deadline(AbortSignal.abort(new Error('gone')), 1000, () => new Error('x'));
  assert.equal((gone.signal.reason as Error).message, 'gone');
  gone.dispose();
  const parent = new AbortController();
  const d = deadline(parent.signal, undefined, () => new Error('never'));
  d.dispose();
  parent.abort(new Error('later'));
  assert.equal(d.signal.aborted, false, 'a disposed deadline no longer follows its parent');
});

test('deadline: no timer beyond a Node timer\'s limit (Infinity means none)', async () => {
  const d = deadline(undefined, Infinity, () => new Error('never'));
  await new Promise((resolve) => setTimeout(resolve, 5));
  assert.equal(d.signal.aborted, false);
  d.dispose();
});
