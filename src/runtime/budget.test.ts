import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ByteBudget } from './budget.js';

test('charges say when the limit is passed; releases bring it back and wake waiters in order', async () => {
  const b = new ByteBudget(100);
  assert.equal(b.charge(60), true);
  assert.equal(b.fits(40), true);
  assert.equal(b.fits(41), false);
  assert.equal(b.charge(60), false, 'over the limit');
  assert.equal(b.exceeded, true);
  const woken: string[] = [];
  const first = b.whenAvailable().then(() => woken.push('first'));
  const second = b.whenAvailable().then(() => woken.push('second'));
  b.release(10);
  await Promise.resolve();
  assert.deepEqual(woken, [], 'still over');
  b.release(20);
  await Promise.all([first, second]);
  assert.deepEqual(woken, ['first', 'second']);
  assert.equal(b.used, 90);
  assert.equal(b.peak, 120);
  b.release(1000);
  assert.equal(b.used, 0, 'never negative');
});

test('a waiter whose signal aborts is rejected with its reason and forgotten', async () => {
  const b = new ByteBudget(1);
  b.charge(2);
  const stop = new AbortController();
  const waiting = b.whenAvailable(stop.signal);
  stop.abort(new Error('gave up'));
  await assert.rejects(waiting, /gave up/);
  await assert.rejects(b.whenAvailable(AbortSignal.abort(new Error('already'))), /already/);
  b.release(2);
  await b.whenAvailable();
});

test('limits must be positive; Infinity only counts', () => {
  assert.throws(() => new ByteBudget(0), /must be positive/);
  const b = new ByteBudget(Infinity);
  assert.equal(b.charge(Number.MAX_SAFE_INTEGER), true);
});
