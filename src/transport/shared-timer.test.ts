import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SharedTimer, type TimerEntry } from './shared-timer.js';
import { fakeClock } from './fake-clock.test.util.js';

function entry(name: string, log: string[]): TimerEntry & { name: string } {
  return { name, due: 0, heapIndex: -1, fire: () => log.push(name) };
}

test('many entries, one Node timer; entries fire in due order; cancel and reschedule work both ways', () => {
  const fake = fakeClock();
  const timer = new SharedTimer(fake.clock);
  const log: string[] = [];
  const a = entry('a', log);
  const b = entry('b', log);
  const c = entry('c', log);
  timer.schedule(a, 300);
  timer.schedule(b, 100);
  timer.schedule(c, 200);
  assert.equal(fake.armed(), 1);
  timer.schedule(b, 400); // later
  timer.schedule(c, 50); // earlier
  timer.cancel(a);
  assert.equal(timer.size, 2);
  fake.advance(1000);
  assert.deepEqual(log, ['c', 'b']);
  assert.equal(timer.size, 0);
  assert.equal(fake.armed(), 0, 'no timer left once nothing is scheduled');
  assert.equal(a.heapIndex, -1);
});

test('entries due at the same time share one wake-up', () => {
  const fake = fakeClock();
  const timer = new SharedTimer(fake.clock);
  const log: string[] = [];
  for (let i = 0; i < 1000; i++) timer.schedule(entry(String(i), log), 100 + (i % 2) * 100);
  fake.advance(500);
  assert.equal(log.length, 1000);
  assert.equal(fake.wakeUps(), 2);
});

test('property: whatever is scheduled, moved and cancelled fires once, in due order, at or after its time', () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.nat(19), fc.oneof(fc.integer({ min: 1, max: 10_000 }), fc.constant(-1))), { maxLength: 200 }),
      (ops) => {
        const fake = fakeClock();
        const timer = new SharedTimer(fake.clock);
        const fired: { name: number; at: number; due: number }[] = [];
        const entries = Array.from({ length: 20 }, (_, name) => {
          const e: TimerEntry = { due: 0, heapIndex: -1, fire: (now) => fired.push({ name, at: now, due: e.due }) };
          return e;
        });
        const model = new Map<number, number>();
        for (const [i, due] of ops) {
          if (due < 0) {
            timer.cancel(entries[i]!);
            model.delete(i);
          } else {
            timer.schedule(entries[i]!, due);
            model.set(i, due);
          }
        }
        assert.equal(timer.size, model.size);
        fake.advance(20_000);
        assert.deepEqual(fired.map((f) => f.name).sort((x, y) => x - y), [...model.keys()].sort((x, y) => x - y));
        for (let k = 1; k < fired.length; k++) assert.ok(fired[k - 1]!.due <= fired[k]!.due, 'due order');
        for (const f of fired) assert.ok(f.at >= f.due - 1, 'not early');
      },
    ),
  );
});
