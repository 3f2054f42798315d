import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FLUX_PING_PERIOD_MS, Heartbeat, type HeartbeatHooks } from './heartbeat.js';
import { SharedTimer } from './shared-timer.js';
import { fakeClock } from './fake-clock.test.util.js';

function setup(options: { pingPeriodMs?: number; pongWaitMs?: number; writeWaitMs?: number }, ping?: HeartbeatHooks['ping']) {
  const fake = fakeClock();
  const timer = new SharedTimer(fake.clock);
  const pings: number[] = [];
  const expired: string[] = [];
  const hb = new Heartbeat(
    {
      ping: ping ?? ((done) => (pings.push(fake.clock.now()), done())),
      expire: (e) => expired.push(e.message),
    },
    options,
    timer,
  );
  return { fake, timer, hb, pings, expired };
}

test('a ping every period after start and after each ping written; traffic does not move it', () => {
  const { fake, hb, pings, expired } = setup({ pingPeriodMs: 100, pongWaitMs: 1000, writeWaitMs: 50 });
  hb.start();
  for (let t = 0; t < 450; t += 10) {
    hb.alive();
    hb.writeStarted();
    hb.writeDone();
    fake.advance(10);
  }
  assert.deepEqual(pings, [100, 200, 300, 400]);
  assert.deepEqual(expired, []);
});

test('read deadline: nothing read for pongWaitMs expires the connection; data and pongs push it back', () => {
  const idle = setup({ pingPeriodMs: 1000, pongWaitMs: 300, writeWaitMs: 50 });
  idle.hb.start();
  idle.fake.advance(299);
  assert.deepEqual(idle.expired, []);
  idle.fake.advance(10);
  assert.deepEqual(idle.expired, ['i/o timeout: nothing read for 300 ms (no data, no pong)']);
  assert.equal(idle.timer.size, 0, 'an expired heartbeat leaves the timer');

  const live = setup({ pingPeriodMs: 1000, pongWaitMs: 300, writeWaitMs: 50 });
  live.hb.start();
  for (let i = 0; i < 10; i++) {
    live.fake.advance(200);
    live.hb.alive();
  }
  assert.deepEqual(live.expired, []);
  live.fake.advance(310);
  assert.equal(live.expired.length, 1);
});

test('write deadline: a write that makes no progress for writeWaitMs expires the connection', () => {
  const { fake, hb, expired } = setup({ pingPeriodMs: 10_000, pongWaitMs: 10_000, writeWaitMs: 50 });
  hb.start();
  hb.writeStarted();
  fake.advance(30);
  hb.writeStarted(); // a second write, the first still pending
  hb.writeDone(); // progress
  fake.advance(40);
  assert.deepEqual(expired, [], 'progress 40 ms ago');
  fake.advance(20);
  assert.deepEqual(expired, ['write: i/o timeout: no progress for 50 ms']);
});

test('a ping that is not written in time, or fails, expires the connection', () => {
  const stuck = setup({ pingPeriodMs: 100, pongWaitMs: 10_000, writeWaitMs: 50 }, () => undefined);
  stuck.hb.start();
  stuck.fake.advance(149);
  assert.deepEqual(stuck.expired, []);
  stuck.fake.advance(2);
  assert.deepEqual(stuck.expired, ['ping not written within 50 ms']);
  const failing = setup({ pingPeriodMs: 100 }, (done) => done(new Error('EPIPE')));
  failing.hb.start();
  failing.fake.advance(100);
  assert.deepEqual(failing.expired, ['ping failed: EPIPE']);
});

test('stop() removes every deadline: nothing fires afterwards', () => {
  const { fake, timer, hb, pings, expired } = setup({ pingPeriodMs: 10, pongWaitMs: 20, writeWaitMs: 5 });
  hb.start();
  hb.writeStarted();
  hb.stop();
  assert.equal(timer.size, 0);
  assert.equal(fake.armed(), 0);
  fake.advance(1000);
  assert.deepEqual([pings, expired], [[], []]);
});

test("10,000 connections with Flux's timings: one Node timer, pings grouped into few wake-ups", () => {
  const fake = fakeClock();
  const timer = new SharedTimer(fake.clock);
  let pings = 0;
  const beats: Heartbeat[] = [];
  for (let i = 0; i < 10_000; i++) {
    const hb = new Heartbeat({ ping: (done) => (pings++, done()), expire: () => assert.fail('expired') }, {}, timer);
    hb.start();
    beats.push(hb);
    fake.advance(FLUX_PING_PERIOD_MS / 10_000); // start-ups spread over one ping period
  }
  assert.equal(fake.armed(), 1);
  const before = fake.wakeUps();
  // One simulated minute, every connection answering (a pong 5 ms after each ping).
  for (let t = 0; t < 60_000; t += 5) {
    fake.advance(5);
    if (t % 1000 === 0) for (const hb of beats) hb.alive();
  }
  const wakeUps = fake.wakeUps() - before;
  assert.ok(pings >= 10_000 * 4, `${pings} pings`);
  // A timer per connection would wake ~45,000 times a minute; due times rounded to 156 ms share one.
  assert.ok(wakeUps < 60_000 / 150 + 50, `${wakeUps} wake-ups`);
  for (const hb of beats) hb.stop();
  assert.equal(timer.size, 0);
});
