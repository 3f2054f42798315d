/**
 * Just enough of the Prometheus client for the hub: counters, gauges and histograms with labels,
 * rendered in the text exposition format (version 0.0.4). Written here rather than taken from
 * prom-client, which brings a registry, default process metrics and a cluster aggregator the hub
 * does not need.
 */
type Labels = Record<string, string>;

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function escapeHelp(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function formatValue(n: number): string {
  if (n === Infinity) return '+Inf';
  if (n === -Infinity) return '-Inf';
  if (Number.isNaN(n)) return 'NaN';
  return String(n);
}

function labelText(names: readonly string[], values: readonly string[], extra?: [string, string]): string {
  const parts = names.map((n, i) => `${n}="${escapeLabel(values[i] ?? '')}"`);
  if (extra) parts.push(`${extra[0]}="${escapeLabel(extra[1])}"`);
  return parts.length === 0 ? '' : `{${parts.join(',')}}`;
}

abstract class Metric {
  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
  ) {
    if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(name)) throw new TypeError(`bad metric name ${name}`);
  }
  abstract readonly type: string;
  abstract samples(): string[];

  protected key(labels: Labels): string {
    const extra = Object.keys(labels).filter((k) => !this.labelNames.includes(k));
    if (extra.length > 0) throw new TypeError(`${this.name}: unknown label ${extra[0]}`);
    return JSON.stringify(this.labelNames.map((n) => labels[n] ?? ''));
  }

  render(): string {
    return [`# HELP ${this.name} ${escapeHelp(this.help)}`, `# TYPE ${this.name} ${this.type}`, ...this.samples()].join('\n');
  }
}

export class Counter extends Metric {
  readonly type = 'counter';
  private readonly values = new Map<string, number>();

  inc(labels: Labels = {}, by = 1): void {
    if (by < 0) throw new RangeError('counters only go up');
    const k = this.key(labels);
    this.values.set(k, (this.values.get(k) ?? 0) + by);
  }

  get(labels: Labels = {}): number {
    return this.values.get(this.key(labels)) ?? 0;
  }

  samples(): string[] {
    return [...this.values].map(([k, v]) => `${this.name}${labelText(this.labelNames, JSON.parse(k) as string[])} ${formatValue(v)}`);
  }
}

export class Gauge extends Metric {
  readonly type = 'gauge';
  private readonly values = new Map<string, number>();

  set(labels: Labels, value: number): void {
    this.values.set(this.key(labels), value);
  }

  inc(labels: Labels = {}, by = 1): void {
    const k = this.key(labels);
    this.values.set(k, (this.values.get(k) ?? 0) + by);
  }

  dec(labels: Labels = {}, by = 1): void {
    this.inc(labels, -by);
  }

  get(labels: Labels = {}): number {
    return this.values.get(this.key(labels)) ?? 0;
  }

  samples(): string[] {
    if (this.values.size === 0 && this.labelNames.length === 0) return [`${this.name} 0`];
    return [...this.values].map(([k, v]) => `${this.name}${labelText(this.labelNames, JSON.parse(k) as string[])} ${formatValue(v)}`);
  }
}

export const DEFAULT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export class Histogram extends Metric {
  readonly type = 'histogram';
  private readonly series = new Map<string, { counts: number[]; sum: number; count: number }>();

  constructor(
    name: string,
    help: string,
    labelNames: readonly string[],
    readonly buckets: readonly number[] = DEFAULT_BUCKETS,
  ) {
    super(name, help, labelNames);
    if (labelNames.includes('le')) throw new TypeError('le is reserved');
    for (let i = 1; i < buckets.length; i++) if (!(buckets[i]! > buckets[i - 1]!)) throw new TypeError('buckets must increase');
  }

  observe(labels: Labels, value: number): void {
    const k = this.key(labels);
    let s = this.series.get(k);
    if (!s) this.series.set(k, (s = { counts: this.buckets.map(() => 0), sum: 0, count: 0 }));
    for (let i = 0; i < this.buckets.length; i++) if (value <= this.buckets[i]!) s.counts[i]!++;
    s.sum += value;
    s.count++;
  }

  /** Number of observations for `labels`. */
  count(labels: Labels = {}): number {
    return this.series.get(this.key(labels))?.count ?? 0;
  }

  samples(): string[] {
    const out: string[] = [];
    for (const [k, s] of this.series) {
      const values = JSON.parse(k) as string[];
      this.buckets.forEach((b, i) => out.push(`${this.name}_bucket${labelText(this.labelNames, values, ['le', formatValue(b)])} ${s.counts[i]}`));
      out.push(`${this.name}_bucket${labelText(this.labelNames, values, ['le', '+Inf'])} ${s.count}`);
      out.push(`${this.name}_sum${labelText(this.labelNames, values)} ${formatValue(s.sum)}`);
      out.push(`${this.name}_count${labelText(this.labelNames, values)} ${s.count}`);
    }
    return out;
  }
}

export class MetricsRegistry {
  private readonly metrics: Metric[] = [];

  private add<M extends Metric>(m: M): M {
    if (this.metrics.some((x) => x.name === m.name)) throw new Error(`metric ${m.name} already registered`);
    this.metrics.push(m);
    return m;
  }

  counter(name: string, help: string, labelNames: readonly string[] = []): Counter {
    return this.add(new Counter(name, help, labelNames));
  }

  gauge(name: string, help: string, labelNames: readonly string[] = []): Gauge {
    return this.add(new Gauge(name, help, labelNames));
  }

  histogram(name: string, help: string, labelNames: readonly string[] = [], buckets?: readonly number[]): Histogram {
    return this.add(new Histogram(name, help, labelNames, buckets));
  }

  /** The text exposition format. */
  render(): string {
    return this.metrics.map((m) => m.render()).join('\n') + '\n';
  }
}

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** The hub's metrics. */
export function hubMetrics(registry = new MetricsRegistry()) {
  return {
    registry,
    requestDuration: registry.histogram('fluxrpc_hub_request_duration_seconds', 'Duration of Flux API calls relayed to daemons, by method and outcome.', ['method', 'outcome']),
    connectedDaemons: registry.gauge('fluxrpc_hub_connected_daemons', 'Daemons connected now.'),
    connectionDuration: registry.histogram(
      'fluxrpc_hub_connection_duration_seconds',
      'How long daemon connections lasted, observed when they end.',
      ['protocol'],
      [1, 10, 60, 300, 900, 3600, 7200, 21600, 86400],
    ),
    connections: registry.counter('fluxrpc_hub_connections_total', 'Daemon connections accepted, by protocol version.', ['protocol']),
    kicks: registry.counter('fluxrpc_hub_kicks_total', 'Daemon connections closed because a newer one for the same instance arrived.', ['instance']),
    fatalDisconnects: registry.counter('fluxrpc_hub_fatal_disconnects_total', 'Daemons disconnected after a fatal error or a call timeout.', ['instance', 'reason']),
    rejectedUpgrades: registry.counter('fluxrpc_hub_rejected_registrations_total', 'Daemon registrations refused, by HTTP status.', ['status']),
    events: registry.counter('fluxrpc_hub_events_total', 'Events posted by daemons.', ['instance']),
  };
}

export type HubMetrics = ReturnType<typeof hubMetrics>;
