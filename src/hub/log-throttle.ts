/**
 * At most one log line per reason per interval: a flood of refused tokens (or of refused bodies)
 * must not become a flood of log lines. The line that is written says how many like it were left
 * out since the previous one (`suppressed`); reasons are a small fixed set (they also label the
 * `fluxrpc_hub_log_lines_suppressed_total` counter).
 */
export const DEFAULT_LOG_INTERVAL_MS = 1000;

export class LogThrottle {
  private readonly last = new Map<string, { at: number; suppressed: number }>();

  constructor(
    private readonly intervalMs = DEFAULT_LOG_INTERVAL_MS,
    /** Told of each line left out. */
    private readonly onSuppressed: (reason: string) => void = () => undefined,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /**
   * Calls `write(suppressed)` unless a line for `reason` was written less than the interval ago;
   * `suppressed` is how many were left out since that line. Returns whether it wrote.
   */
  run(reason: string, write: (suppressed: number) => void): boolean {
    const t = this.now();
    const state = this.last.get(reason);
    if (state !== undefined && t - state.at < this.intervalMs) {
      state.suppressed++;
      this.onSuppressed(reason);
      return false;
    }
    this.last.set(reason, { at: t, suppressed: 0 });
    write(state?.suppressed ?? 0);
    return true;
  }
}
