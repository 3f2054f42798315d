import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LogThrottle } from './log-throttle.js';

test('one line per reason per interval; the next line says how many were left out', () => {
  let t = 0;
  const left: string[] = [];
  const lines: string[] = [];
  const throttle = new LogThrottle(1000, (r) => left.push(r), () => t);
  const log = (reason: string) => throttle.run(reason, (suppressed) => lines.push(`${reason} (${suppressed} suppressed)`));
  for (let i = 0; i < 10_000; i++) log('unknown token');
  log('no token');
  t = 999;
  log('unknown token');
  t = 1000;
  log('unknown token');
  log('unknown token');
  t = 5000;
  log('unknown token');
  assert.deepEqual(lines, ['unknown token (0 suppressed)', 'no token (0 suppressed)', 'unknown token (10000 suppressed)', 'unknown token (1 suppressed)']);
  assert.equal(left.length, 10_001);
  assert.ok(left.every((r) => r === 'unknown token'));
});
