/**
 * Turns bench runs into the results table, the target verdicts and bench/results.json rows.
 */
export type Stack = 'ts' | 'go';

/** One measured number, as written to bench/results.json. */
export interface ResultRow {
  name: string;
  stack: Stack;
  inflight: number;
  value: number;
  unit: 'calls/s' | 'ms' | 's' | 'bytes' | 'bytes/conn' | '%';
  /** Daemons connected to the hub (the fleet run's N). */
  connections?: number;
}

type Better = 'higher' | 'lower';

interface MetricSpec {
  name: string;
  inflight: number;
  unit: ResultRow['unit'];
  better: Better;
}

export const PAYLOAD_BYTES = 32 * 1024 * 1024;
export const RSS_LIMIT_BYTES = 4 * PAYLOAD_BYTES;
/** The fleet size the fleet targets are stated for. */
export const FLEET_TARGET_N = 10_000;

/** bench/stall.ts's target for small calls on one connection while another delivers 60 MB. */
export const STALL_P99_LIMIT_MS = 50;

export class Results {
  readonly rows: ResultRow[] = [];
  private readonly specs: MetricSpec[] = [];

  add(stack: Stack, name: string, inflight: number, value: number, unit: ResultRow['unit'], better: Better, connections?: number): void {
    this.rows.push({ name, stack, inflight, value, unit, ...(connections === undefined ? {} : { connections }) });
    if (!this.specs.some((s) => s.name === name && s.inflight === inflight)) this.specs.push({ name, inflight, unit, better });
  }

  get(stack: Stack, name: string, inflight: number): number | undefined {
    return this.rows.find((r) => r.stack === stack && r.name === name && r.inflight === inflight)?.value;
  }

  /** The value of a metric measured once per stack (whatever its in-flight count), e.g. the fleet's. */
  only(stack: Stack, name: string): number | undefined {
    return this.rows.find((r) => r.stack === stack && r.name === name)?.value;
  }

  /** metric | ts | go | ts/go, one line per metric measured on either stack. */
  table(): string {
    const lines: string[][] = [['metric', 'inflight', 'ts', 'go', 'ts/go']];
    for (const s of this.specs) {
      const ts = this.get('ts', s.name, s.inflight);
      const go = this.get('go', s.name, s.inflight);
      const ratio = ts !== undefined && go !== undefined && go !== 0 ? `${(ts / go).toFixed(2)}x (${s.better} is better)` : '-';
      lines.push([`${s.name} [${s.unit}]`, String(s.inflight), formatValue(ts, s.unit), formatValue(go, s.unit), ratio]);
    }
    return formatColumns(lines);
  }

  /** The acceptance targets, each PASS, FAIL or n/a (a number is missing). */
  targets(): { text: string; verdict: 'PASS' | 'FAIL' | 'n/a' }[] {
    const out: { text: string; verdict: 'PASS' | 'FAIL' | 'n/a' }[] = [];
    const check = (text: string, a: number | undefined, b: number | undefined, ok: (a: number, b: number) => boolean, show: (a: number, b: number) => string) => {
      const verdict = a === undefined || b === undefined ? 'n/a' : ok(a, b) ? 'PASS' : 'FAIL';
      out.push({ text: a === undefined || b === undefined ? text : `${text}: ${show(a, b)}`, verdict });
    };
    check(
      'statuses50 @64 in flight: TS calls/s >= 1.5x Go',
      this.get('ts', 'statuses50.callsPerSec', 64),
      this.get('go', 'statuses50.callsPerSec', 64),
      (ts, go) => ts >= 1.5 * go,
      (ts, go) => `${ts.toFixed(0)} vs ${go.toFixed(0)} (${(ts / go).toFixed(2)}x)`,
    );
    check(
      'statuses50 @64 in flight: TS p99 <= Go p99',
      this.get('ts', 'statuses50.p99', 64),
      this.get('go', 'statuses50.p99', 64),
      (ts, go) => ts <= go,
      (ts, go) => `${ts.toFixed(2)} ms vs ${go.toFixed(2)} ms`,
    );
    check(
      'listServices50 (Flux API, V11 client) @64 in flight: TS calls/s >= 1.5x Go',
      this.get('ts', 'listServices50.callsPerSec', 64),
      this.get('go', 'listServices50.callsPerSec', 64),
      (ts, go) => ts >= 1.5 * go,
      (ts, go) => {
        const p99 = (stack: Stack) => this.get(stack, 'listServices50.p99', 64)?.toFixed(2) ?? '-';
        return `${ts.toFixed(0)} vs ${go.toFixed(0)} (${(ts / go).toFixed(2)}x); p99 ${p99('ts')} ms vs ${p99('go')} ms`;
      },
    );
    check(
      'ping (Test.Echo) @1 in flight: TS p50 <= Go p50',
      this.get('ts', 'ping.p50', 1),
      this.get('go', 'ping.p50', 1),
      (ts, go) => ts <= go,
      (ts, go) => `${ts.toFixed(3)} ms vs ${go.toFixed(3)} ms; p99 ${this.get('ts', 'ping.p99', 1)?.toFixed(3) ?? '-'} ms vs ${this.get('go', 'ping.p99', 1)?.toFixed(3) ?? '-'} ms`,
    );
    const n = this.rows.find((r) => r.name.startsWith('fleet.'))?.connections;
    const fleet = `fleet of ${n ?? '?'} daemons`;
    for (const [what, name, unit] of [
      ['time to register all', 'fleet.registerSeconds', 's'],
      ['time to call every instance once', 'fleet.fanoutSeconds', 's'],
      ['single-call p50', 'fleet.callP50', 'ms'],
      ['idle CPU', 'fleet.idleCpu', '% of a core'],
    ] as const) {
      check(`${fleet}: TS ${what} <= Go`, this.only('ts', name), this.only('go', name), (ts, go) => ts <= go, (ts, go) => `${ts.toFixed(3)} ${unit} vs ${go.toFixed(3)} ${unit}`);
    }
    check(
      `${fleet}: TS RSS with all connected <= 0.5x Go${n === FLEET_TARGET_N ? '' : ` (the target is for ${FLEET_TARGET_N})`}`,
      this.only('ts', 'fleet.rss'),
      this.only('go', 'fleet.rss'),
      (ts, go) => ts <= 0.5 * go,
      (ts, go) => `${mib(ts)} vs ${mib(go)} (${(ts / go).toFixed(2)}x); per connection ${kib(this.only('ts', 'fleet.bytesPerConnection'))} vs ${kib(this.only('go', 'fleet.bytesPerConnection'))}`,
    );
    check(
      'blob32MiB: TS seconds per call <= Go',
      this.get('ts', 'blob32MiB.secondsPerCall', 1),
      this.get('go', 'blob32MiB.secondsPerCall', 1),
      (ts, go) => ts <= go,
      (ts, go) => `${ts.toFixed(3)} s vs ${go.toFixed(3)} s`,
    );
    for (const [who, name] of [
      ['upstream, receives the 32 MiB', 'blob32MiB.upstreamPeakRss'],
      ['daemon, sends the 32 MiB', 'blob32MiB.daemonPeakRss'],
    ] as const) {
      check(
        `blob32MiB: TS ${who}: peak RSS < 4x payload (${mib(RSS_LIMIT_BYTES)})`,
        this.get('ts', name, 1),
        RSS_LIMIT_BYTES,
        (ts, limit) => ts < limit,
        (ts) => `${mib(ts)} (Go: ${this.get('go', name, 1) === undefined ? '-' : mib(this.get('go', name, 1)!)})`,
      );
    }
    check(
      `stall60MB: TS p99 of pings to daemon B while daemon A's 60 MB reply is delivered <= ${STALL_P99_LIMIT_MS} ms`,
      this.get('ts', 'stall60MB.duringP99', 1),
      STALL_P99_LIMIT_MS,
      (ts, limit) => ts <= limit,
      (ts) => `${ts.toFixed(1)} ms (alone: ${this.get('ts', 'stall60MB.idleP99', 1)?.toFixed(1) ?? '-'} ms)`,
    );
    return out;
  }
}

/**
 * The rows of a partial run (BENCH_ONLY, BENCH_STACKS) merged into an earlier results file: every
 * earlier row with the name, stack and in-flight count of a row this run measured is replaced;
 * the rest are kept (a TS-only run keeps Go's rows of the same metric).
 */
export function mergeRows(earlier: ResultRow[], fresh: ResultRow[]): ResultRow[] {
  const key = (r: ResultRow) => `${r.name}|${r.stack}|${r.inflight}`;
  const measured = new Set(fresh.map(key));
  return [...earlier.filter((r) => !measured.has(key(r))), ...fresh];
}

export function mib(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

export function kib(bytes: number | undefined): string {
  return bytes === undefined ? '-' : `${(bytes / 1024).toFixed(1)} KiB`;
}

function formatValue(v: number | undefined, unit: ResultRow['unit']): string {
  if (v === undefined) return '-';
  switch (unit) {
    case 'bytes':
      return mib(v);
    case 'bytes/conn':
      return kib(v);
    case '%':
      return `${v.toFixed(2)}%`;
    case 'calls/s':
      return v.toFixed(1);
    case 'ms':
      return v.toFixed(3);
    case 's':
      return v.toFixed(4);
  }
}

function formatColumns(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const fmt = (r: string[]) => r.map((c, i) => (i === 0 || i === r.length - 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return [fmt(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(fmt)].join('\n');
}
