/**
 * Failed-login limits, per account and per client address: after `max` failures within
 * `windowMs`, the key is blocked until the oldest of those failures leaves the window. A success
 * clears the account's failures (not the address's). Keys are bounded (`maxKeys`, oldest dropped),
 * so a flood of made-up names costs a fixed amount of memory.
 */
export interface LimitOptions {
  max: number;
  windowMs: number;
  maxKeys?: number;
  now?: () => number;
}

export class FailureLimiter {
  private readonly failures = new Map<string, number[]>();
  private readonly now: () => number;
  private readonly maxKeys: number;

  constructor(private readonly options: LimitOptions) {
    this.now = options.now ?? Date.now;
    this.maxKeys = options.maxKeys ?? 10_000;
  }

  private recent(key: string): number[] {
    const since = this.now() - this.options.windowMs;
    const list = (this.failures.get(key) ?? []).filter((t) => t > since);
    if (list.length === 0) this.failures.delete(key);
    else this.failures.set(key, list);
    return list;
  }

  /** Milliseconds until `key` may try again (0: now). */
  blockedFor(key: string): number {
    const list = this.recent(key);
    if (list.length < this.options.max) return 0;
    return list[list.length - this.options.max]! + this.options.windowMs - this.now();
  }

  fail(key: string): void {
    const list = this.recent(key);
    list.push(this.now());
    if (list.length > this.options.max) list.splice(0, list.length - this.options.max);
    this.failures.delete(key); // re-insert: most recent last
    this.failures.set(key, list);
    while (this.failures.size > this.maxKeys) this.failures.delete(this.failures.keys().next().value!);
  }

  clear(key: string): void {
    this.failures.delete(key);
  }
}

/** The dashboard's pair: 5 failures per account and 20 per address in 15 minutes. */
export function loginLimits(now?: () => number): { account: FailureLimiter; address: FailureLimiter } {
  const windowMs = 15 * 60 * 1000;
  return { account: new FailureLimiter({ max: 5, windowMs, now }), address: new FailureLimiter({ max: 20, windowMs, now }) };
}
