/**
 * Numbers as the Go peer (test/interop/go/cmd/rpcpeer/bench.go) computes them, so the TS and Go
 * RESULT lines mean the same thing.
 */

/** Rounds to three decimals (Go: `math.Round(x*1000) / 1000`). */
export function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** The p-quantile (nearest rank) of ascending-sorted latencies in ms, rounded to 3 decimals. */
export function percentileMs(sorted: Float64Array | number[], p: number): number {
  if (sorted.length === 0) return 0;
  const idx = Math.max(0, Math.ceil(p * sorted.length) - 1);
  return round3(sorted[idx]!);
}

/** This process's peak resident set size in bytes (Linux reports KiB, as getrusage). */
export function maxRssBytes(): number {
  return process.resourceUsage().maxRSS * 1024;
}

/** A growable list of latencies (ms) without boxing each number. */
export class LatencyLog {
  private data = new Float64Array(1 << 14);
  private n = 0;

  push(ms: number): void {
    if (this.n === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.n++] = ms;
  }

  get length(): number {
    return this.n;
  }

  sorted(): Float64Array {
    return this.data.slice(0, this.n).sort();
  }
}
