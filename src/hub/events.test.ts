import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ZERO_EVENT } from '../flux/model/index.js';
import { EventStore } from './events.js';

const ev = (message: string) => ({ ...ZERO_EVENT, type: 'other', message });

test('keeps the newest events per instance, newest first', () => {
  const s = new EventStore(3);
  for (let i = 1; i <= 5; i++) s.add('a', ev(`a${i}`));
  s.add('b', ev('b1'));
  assert.deepEqual(s.list('a').map((e) => e.event.message), ['a5', 'a4', 'a3']);
  assert.deepEqual(s.list('a', 1).map((e) => e.event.message), ['a5']);
  assert.deepEqual(s.list('nobody'), []);
  assert.deepEqual(s.recent(2).map((e) => `${e.instance}:${e.event.message}`), ['b:b1', 'a:a5']);
  assert.throws(() => new EventStore(0), RangeError);
});

test('subscribers hear of each event added, after it is kept; a throwing listener does not lose it', () => {
  const s = new EventStore(2);
  const seen: string[] = [];
  s.subscribe(() => {
    throw new Error('broken listener');
  });
  const stop = s.subscribe((instance, stored) => seen.push(`${instance}:${stored.event.message}:${s.list(instance)[0]!.seq === stored.seq}`));
  s.add('a', ev('one'));
  stop();
  s.add('a', ev('two'));
  assert.deepEqual(seen, ['a:one:true']);
  assert.equal(s.list('a').length, 2);
});
