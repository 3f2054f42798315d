/** A test clock for SharedTimer (not a test itself; kept out of the package by its name). */
import type { Clock } from './shared-timer.js';

/** A clock the test moves by hand; counts the Node timers that would be armed. */
export function fakeClock() {
  let now = 0;
  let timers: { fn: () => void; at: number }[] = [];
  let wakeUps = 0;
  const clock: Clock = {
    now: () => now,
    setTimeout: (fn, ms) => {
      const t = { fn, at: now + ms };
      timers.push(t);
      return t;
    },
    clearTimeout: (handle) => (timers = timers.filter((t) => t !== handle)),
  };
  return {
    clock,
    armed: () => timers.length,
    wakeUps: () => wakeUps,
    /** Moves time forward, firing timers in order as their time comes. */
    advance(ms: number) {
      const end = now + ms;
      for (;;) {
        const next = timers.reduce<{ fn: () => void; at: number } | undefined>((a, t) => (!a || t.at < a.at ? t : a), undefined);
        if (!next || next.at > end) break;
        timers = timers.filter((t) => t !== next);
        now = Math.max(now, next.at);
        wakeUps++;
        next.fn();
      }
      now = end;
    },
  };
}
