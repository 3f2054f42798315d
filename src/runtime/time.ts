/**
 * Time limits shared by every layer: Node's timer limit, the one default call timeout, duration
 * checks, and `deadline()`, the one way a parent signal and a timeout are joined into the signal
 * a piece of work runs under.
 */

/** `setTimeout`'s limit: a longer delay fires at once (Node clamps it to 1 ms). */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Flux's bound on one call, used wherever Flux uses it: fluxd's `--rpc-timeout`, the upstream's
 * (fluxsvc's) call timeout, fluxd's HTTP client timeout and its websocket handshake. 10 s.
 */
export const DEFAULT_CALL_TIMEOUT_MS = 10_000;

/**
 * Checks a duration option: a positive number of ms a Node timer can wait (`allowZero`: 0 also
 * accepted, meaning "no limit" to the caller). Throws a RangeError naming the option.
 */
export function checkTimerMs(name: string, ms: number, options: { allowZero?: boolean } = {}): number {
  if (options.allowZero && ms === 0) return ms;
  if (!(ms > 0)) throw new RangeError(`${name} must be positive, got ${ms}`);
  if (ms > MAX_TIMER_MS) throw new RangeError(`${name} must be at most ${MAX_TIMER_MS} ms (a Node timer's limit), got ${ms}`);
  return ms;
}

export interface Deadline {
  /** Aborted when the parent aborts (with its reason) or the time is up (with `reason()`). */
  readonly signal: AbortSignal;
  /** True when the signal was aborted by the timeout, not by the parent. */
  readonly expired: boolean;
  /** Stops the timer and forgets the parent; call when the work ends, however it ends. */
  dispose(): void;
}

/**
 * A signal that aborts when `parent` does or after `timeoutMs`, whichever comes first; no timeout
 * when `timeoutMs` is undefined or beyond a Node timer's limit (`Infinity`, say). `reason` makes the timeout's abort reason, only if it fires.
 *
 * Not `AbortSignal.any([parent, AbortSignal.timeout(ms)])`: on Node 20 each signal made by `any`
 * stays in a long-lived parent's dependant set (nodejs/node#55351), so a connection-wide signal
 * would grow by one per call; and `AbortSignal.timeout`'s timer is unref'd and lingers until it
 * fires. Here the parent gets one `{ once: true }` listener that `dispose` removes, and the timer
 * is cleared.
 */
export function deadline(parent: AbortSignal | undefined, timeoutMs: number | undefined, reason: () => Error): Deadline {
  const controller = new AbortController();
  let expired = false;
  let timer: NodeJS.Timeout | undefined;
  const onParentAbort = () => {
    clearTimeout(timer);
    controller.abort(parent!.reason);
  };
  if (parent?.aborted) controller.abort(parent.reason);
  else {
    parent?.addEventListener('abort', onParentAbort, { once: true });
    if (timeoutMs !== undefined && timeoutMs <= MAX_TIMER_MS) {
      timer = setTimeout(() => {
        expired = true;
        controller.abort(reason());
      }, timeoutMs);
    }
  }
  return {
    signal: controller.signal,
    get expired() {
      return expired;
    },
    dispose() {
      clearTimeout(timer);
      parent?.removeEventListener('abort', onParentAbort);
    },
  };
}
