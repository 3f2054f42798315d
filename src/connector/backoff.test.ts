import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffDelay, checkBackoff, DEFAULT_BACKOFF } from './backoff.js';

const mid = () => 0.5; // no jitter

test('starts at fluxd\'s 5 s, doubles per consecutive failure, stops at the cap', () => {
  assert.deepEqual([1, 2, 3, 4, 5, 6, 7].map((n) => backoffDelay(DEFAULT_BACKOFF, n, mid)), [5000, 10000, 20000, 40000, 60000, 60000, 60000]);
});

test('any number of failures gives a finite wait, also from an initial wait of 0', () => {
  assert.equal(backoffDelay(DEFAULT_BACKOFF, 5000, mid), 60000);
  assert.equal(backoffDelay({ ...DEFAULT_BACKOFF, initialMs: 0 }, 5000, mid), 0);
});

test('a multiplier of 1 gives fluxd\'s fixed wait', () => {
  const fixed = { ...DEFAULT_BACKOFF, multiplier: 1, jitter: 0 };
  assert.deepEqual([1, 5, 50].map((n) => backoffDelay(fixed, n)), [5000, 5000, 5000]);
});

test('jitter spreads the wait within ±jitter of the base', () => {
  assert.equal(backoffDelay(DEFAULT_BACKOFF, 1, () => 0), 4000);
  assert.equal(backoffDelay(DEFAULT_BACKOFF, 1, () => 0.999999), 6000);
  for (let i = 0; i < 200; i++) {
    const d = backoffDelay(DEFAULT_BACKOFF, 3);
    assert.ok(d >= 16000 && d <= 24000, String(d));
  }
});

test('bad policies are refused naming the field', () => {
  assert.throws(() => checkBackoff({ ...DEFAULT_BACKOFF, multiplier: 0.5 }), /multiplier/);
  assert.throws(() => checkBackoff({ ...DEFAULT_BACKOFF, maxMs: 10 }), /maxMs/);
  assert.throws(() => checkBackoff({ ...DEFAULT_BACKOFF, jitter: 2 }), /jitter/);
  assert.throws(() => checkBackoff({ ...DEFAULT_BACKOFF, initialMs: -1 }), /initialMs/);
});
