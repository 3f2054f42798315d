import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ZERO_EVENT } from '../flux/model/index.js';
import { MAX_KEPT_TEXT } from '../runtime/text.js';
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

test("an event's texts are cut before they are kept", () => {
  const s = new EventStore();
  const kept = s.add('a', { ...ev('m'.repeat(5_000_000)), type: 't'.repeat(100_000) });
  assert.ok(kept.event.message.length < MAX_KEPT_TEXT + 100 && kept.event.message.endsWith('…[cut: 5000000 characters in all]'), `message of ${kept.event.message.length}`);
  assert.ok(kept.event.type.length < MAX_KEPT_TEXT + 100, `type of ${kept.event.type.length}`);
  assert.ok(s.bytes < 4 * MAX_KEPT_TEXT, `${s.bytes} bytes kept`);
  assert.equal(s.add('a', ev('short')).event.message, 'short');
});

test('all instances together keep at most maxBytes; the largest holder loses its oldest events first', () => {
  const s = new EventStore({ capacity: 100, maxBytes: 1000 });
  for (let i = 0; i < 5; i++) s.add('quiet', ev(`q${i}`), new Date(), 50); // 250 bytes
  for (let i = 0; i < 50; i++) s.add('noisy', ev(`n${i}`), new Date(), 100); // 5000 bytes offered
  assert.ok(s.bytes <= 1000, `${s.bytes} bytes kept`);
  assert.equal(s.list('quiet').length, 5, 'the quiet instance keeps all its events');
  assert.deepEqual(s.list('noisy').map((e) => e.event.message).slice(0, 2), ['n49', 'n48'], 'the noisy one keeps its newest');
  // A small instance that pushes the total over the bound evicts from the largest, not itself.
  s.add('quiet', ev('q5'), new Date(), 50);
  assert.equal(s.list('quiet').length, 6);
  assert.ok(s.bytes <= 1000);
  // The status page's list skips evicted events.
  assert.ok(s.recent(100).every((e) => e.instance === 'quiet' || s.list('noisy').some((n) => n.seq === e.seq)));
  s.forget('noisy');
  assert.deepEqual(s.list('noisy'), []);
  assert.equal(s.bytes, 300);
  assert.throws(() => new EventStore({ maxBytes: 0 }), RangeError);
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
