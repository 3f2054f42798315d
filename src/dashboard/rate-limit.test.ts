import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FailureLimiter } from './rate-limit.js';

test('blocks after max failures in the window, until the oldest leaves it; clear resets', () => {
  let now = 0;
  const l = new FailureLimiter({ max: 3, windowMs: 1000, now: () => now });
  for (let i = 0; i < 3; i++) {
    assert.equal(l.blockedFor('k'), 0);
    l.fail('k');
    now += 100;
  }
  assert.equal(l.blockedFor('k'), 700, 'first failure at 0 leaves the window at 1000');
  assert.equal(l.blockedFor('other'), 0);
  now = 1000;
  assert.equal(l.blockedFor('k'), 0);
  l.fail('k');
  assert.equal(l.blockedFor('k'), 100);
  l.clear('k');
  assert.equal(l.blockedFor('k'), 0);
});

test('the number of keys is bounded', () => {
  const l = new FailureLimiter({ max: 1, windowMs: 60_000, maxKeys: 10 });
  for (let i = 0; i < 100; i++) l.fail(`k${i}`);
  assert.equal(l.blockedFor('k0'), 0, 'oldest forgotten');
  assert.ok(l.blockedFor('k99') > 0);
});
