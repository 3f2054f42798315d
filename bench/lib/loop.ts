/**
 * The upstream's measuring loop, shared by the bench peers (ts-peer: the RPC layer; flux-peer: the
 * Flux API), computed as rpcpeer's and fluxbench's runBench (Go) so the RESULT lines mean the same.
 */
import { LatencyLog, maxRssBytes, percentileMs, round3 } from './stats.js';

export interface LoopOptions {
  /** The RESULT line's `method`. */
  method: string;
  inflight: number;
  durationMs: number;
  warmupMs: number;
  /** Adds `secondsPerCall` (the blob run). */
  secondsPerCall?: boolean;
}

/** The RESULT line's fields (rpcpeer's BenchResult). */
export interface LoopResult {
  method: string;
  inflight: number;
  calls: number;
  seconds: number;
  callsPerSec: number;
  secondsPerCall?: number;
  p50ms: number;
  p99ms: number;
  maxRssBytes: number;
  errors: number;
  firstError?: { error: string | null; serverError: boolean };
}

export interface LoopCall {
  /** One call; a rejection counts as an error. */
  call(): Promise<unknown>;
  /** Whether an error ends this loop (the connection is gone); others are counted and the loop goes on. */
  isFatal(error: Error): boolean;
  /** Whether an error is a remote one (RESULT `firstError.serverError`). */
  isServerError(error: Error): boolean;
}

/**
 * Keeps exactly `inflight` calls outstanding for warmup+duration; calls that complete inside the
 * measured window [start+warmup, start+warmup+duration] are counted.
 */
export async function runBenchLoop(o: LoopOptions, c: LoopCall): Promise<LoopResult> {
  const latencies = new LatencyLog();
  let errors = 0;
  let firstError: Error | undefined;
  const start = process.hrtime.bigint();
  const measureFrom = start + BigInt(o.warmupMs) * 1_000_000n;
  const measureTo = measureFrom + BigInt(o.durationMs) * 1_000_000n;

  const loop = async (): Promise<void> => {
    for (;;) {
      const t0 = process.hrtime.bigint();
      if (t0 >= measureTo) return;
      let err: Error | undefined;
      try {
        await c.call();
      } catch (e) {
        err = e instanceof Error ? e : new Error(String(e));
      }
      const t1 = process.hrtime.bigint();
      if (err) {
        errors++;
        firstError ??= err;
        if (c.isFatal(err)) return;
      } else if (t1 >= measureFrom && t1 <= measureTo) {
        latencies.push(Number(t1 - t0) / 1e6);
      }
    }
  };
  await Promise.all(Array.from({ length: o.inflight }, loop));

  const seconds = o.durationMs / 1000;
  const calls = latencies.length;
  const sorted = latencies.sorted();
  const result: LoopResult = {
    method: o.method,
    inflight: o.inflight,
    calls,
    seconds,
    callsPerSec: round3(calls / seconds),
    ...(o.secondsPerCall ? { secondsPerCall: calls > 0 ? seconds / calls : 0 } : {}),
    p50ms: percentileMs(sorted, 0.5),
    p99ms: percentileMs(sorted, 0.99),
    maxRssBytes: maxRssBytes(),
    errors,
  };
  if (firstError) result.firstError = { error: firstError.message, serverError: c.isServerError(firstError) };
  return result;
}
