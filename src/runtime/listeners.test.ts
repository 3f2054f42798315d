import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Listeners } from './listeners.js';

test('every listener is told in turn; one that throws is reported and the rest still told; a removed one is not', () => {
  const errors: string[] = [];
  const l = new Listeners<[number]>((e, n) => errors.push(`${(e as Error).message} at ${n}`));
  const seen: string[] = [];
  l.add((n) => seen.push(`a${n}`));
  l.add(() => {
    throw new Error('boom');
  });
  const stop = l.add((n) => seen.push(`c${n}`));
  l.tell(1);
  stop();
  l.tell(2);
  assert.deepEqual(seen, ['a1', 'c1', 'a2']);
  assert.deepEqual(errors, ['boom at 1', 'boom at 2']);
  l.clear();
  l.tell(3);
  assert.deepEqual(seen, ['a1', 'c1', 'a2']);
});
