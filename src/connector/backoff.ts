/**
 * The reconnect policy as data (after nats.js `backoff()`/`jitter`); the notifier's retries use it
 * too (notify/sink-worker.ts). fluxd waits a fixed 5 s after
 * every attempt; we start at the same 5 s, double after each consecutive failure up to a cap, and
 * spread the wait by ±jitter so that many daemons cut off together do not come back in lock step.
 * A connection that was established resets the count, so a dropped connection waits the initial
 * delay again, as fluxd does.
 */
export interface BackoffPolicy {
  /** Wait after the first failure (fluxd: 5000). */
  initialMs: number;
  /** Growth per consecutive failure (1 = fixed, as fluxd). */
  multiplier: number;
  /** Upper bound before jitter. */
  maxMs: number;
  /** Fraction of the delay added or removed at random, 0 … 1. */
  jitter: number;
}

export const DEFAULT_BACKOFF: Readonly<BackoffPolicy> = Object.freeze({ initialMs: 5_000, multiplier: 2, maxMs: 60_000, jitter: 0.2 });

/** Validates a policy, naming the bad field. */
export function checkBackoff(p: BackoffPolicy): BackoffPolicy {
  const bad = (what: string) => new RangeError(`backoff: ${what}`);
  if (!Number.isFinite(p.initialMs) || p.initialMs < 0) throw bad(`initialMs must be ≥ 0, got ${p.initialMs}`);
  if (!Number.isFinite(p.multiplier) || p.multiplier < 1) throw bad(`multiplier must be ≥ 1, got ${p.multiplier}`);
  if (!Number.isFinite(p.maxMs) || p.maxMs < p.initialMs) throw bad(`maxMs must be ≥ initialMs, got ${p.maxMs}`);
  if (!Number.isFinite(p.jitter) || p.jitter < 0 || p.jitter > 1) throw bad(`jitter must be within 0 … 1, got ${p.jitter}`);
  return p;
}

/**
 * The wait before the next attempt after `failures` consecutive failures (≥ 1). `random` returns
 * a number in [0, 1) (Math.random by default).
 */
export function backoffDelay(policy: BackoffPolicy, failures: number, random: () => number = Math.random): number {
  const n = Math.max(1, failures);
  // The growth is capped before it meets initialMs: 0 × Infinity would be NaN after ~1000 failures.
  const base = Math.min(policy.maxMs, policy.initialMs * Math.min(policy.multiplier ** (n - 1), Number.MAX_VALUE));
  const spread = base * policy.jitter * (2 * random() - 1);
  return Math.max(0, Math.round(base + spread));
}
