/**
 * The hub's Prometheus metrics, on prom-client: one `Registry` per hub (never prom-client's global
 * one, so several hubs in a process or a test do not clash), plus the process's standard series
 * (`process_*`, `nodejs_*`, with event-loop lag), which are collected once per process and shown
 * by every hub in it.
 *
 * Label cardinality. A hub serves a fleet (10,000 instances is a design point), so no series is
 * labelled by instance: an `instance` label on counters would make up to 10,000 series per
 * counter that every scrape carries, most of them at 0 or 1. Per-instance detail is in the log
 * lines (each carries the instance) and on the status page. Labels take values from small fixed
 * sets only: method (the Flux API's ~16), outcome, protocol (6 … 11), HTTP status, reason.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry, type LabelValues, type Metric } from 'prom-client';
import type { ByteBudget } from '../runtime/budget.js';

export const PROMETHEUS_CONTENT_TYPE: string = Registry.PROMETHEUS_CONTENT_TYPE;

/** Buckets of call durations (seconds): prom-client's defaults, up to the 10 s call timeout. */
const CALL_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Buckets of connection lifetimes (seconds): a second to a day. */
const CONNECTION_BUCKETS = [1, 10, 60, 300, 900, 3600, 7200, 21600, 86400];

/**
 * Why an HTTP request was refused (`fluxrpc_hub_refused_requests_total{reason}`): `token` (an API
 * or event call without a valid token, 401), `budget` (a body that did not fit the budget of
 * buffered bytes, 503), `dashboard_sign_in` (a dashboard sign-in that failed or is missing, 401),
 * `dashboard_busy` (the dashboard has too many live streams, 503).
 */
export const REFUSAL_REASONS = ['token', 'budget', 'dashboard_sign_in', 'dashboard_busy'] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];

let processRegistry: Registry | undefined;

/**
 * The process's standard series (`process_*`, `nodejs_*`, event-loop lag sampled every 10 ms),
 * made on first use and shared by every hub of the process: they describe the process, and each
 * collection starts an event-loop monitor and a GC observer that live as long as the process.
 */
export function processMetrics(): Registry {
  if (processRegistry === undefined) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry, eventLoopMonitoringPrecision: 10 });
  }
  return processRegistry;
}

export interface HubMetricsOptions {
  /** The budget of buffered bytes, shown as `fluxrpc_hub_buffered_bytes{,_limit,_peak}`. */
  budget?: ByteBudget;
  /** Include the process's series in `render()` (default true). */
  processMetrics?: boolean;
}

/** The hub's metrics, in a registry of their own. */
export function hubMetrics(options: HubMetricsOptions = {}) {
  const registry = new Registry();
  const registers = [registry];
  const budget = options.budget;
  const withProcess = options.processMetrics ?? true;
  const counter = <L extends string = never>(name: string, help: string, labelNames: readonly L[] = []) => new Counter<L>({ name, help, labelNames, registers });
  /** A gauge read from the budget at each scrape. */
  const budgetGauge = (name: string, help: string, read: () => number) =>
    new Gauge({
      name,
      help,
      registers,
      collect() {
        this.set(read());
      },
    });
  const metrics = {
    registry,
    requestDuration: new Histogram({
      name: 'fluxrpc_hub_request_duration_seconds',
      help: 'Duration of Flux API calls relayed to daemons, by method and outcome.',
      labelNames: ['method', 'outcome'] as const,
      buckets: CALL_BUCKETS,
      registers,
    }),
    connectedDaemons: new Gauge({ name: 'fluxrpc_hub_connected_daemons', help: 'Daemons connected now.', registers }),
    connectionDuration: new Histogram({
      name: 'fluxrpc_hub_connection_duration_seconds',
      help: 'How long daemon connections lasted, observed when they end.',
      labelNames: ['protocol'] as const,
      buckets: CONNECTION_BUCKETS,
      registers,
    }),
    connections: counter('fluxrpc_hub_connections_total', 'Daemon connections accepted, by protocol version.', ['protocol']),
    kicks: counter('fluxrpc_hub_kicks_total', 'Daemon connections closed because a newer one for the same instance arrived.'),
    fatalDisconnects: counter('fluxrpc_hub_fatal_disconnects_total', 'Daemons disconnected after a fatal error or a call timeout, by reason (fatal, timeout).', ['reason']),
    rejectedRegistrations: counter('fluxrpc_hub_rejected_registrations_total', 'Daemon registrations refused, by HTTP status.', ['status']),
    events: counter('fluxrpc_hub_events_total', 'Events posted by daemons and kept.'),
    bufferedBytes: budgetGauge('fluxrpc_hub_buffered_bytes', 'Bytes of request bodies and of daemon replies not yet complete the hub holds now, charged to its budget.', () => budget?.used ?? 0),
    bufferedBytesLimit: budgetGauge('fluxrpc_hub_buffered_bytes_limit', 'The budget of buffered bytes (--max-buffered-bytes); past it request bodies are refused with 503 and reading from daemons pauses.', () => budget?.limit ?? Infinity),
    bufferedBytesPeak: budgetGauge('fluxrpc_hub_buffered_bytes_peak', 'The most bytes charged to the budget at once since the hub started.', () => budget?.peak ?? 0),
    budgetRefusals: counter('fluxrpc_hub_budget_refusals_total', 'Request bodies refused with 503 because the budget of buffered bytes was used up, by kind (api, event).', ['kind']),
    refusedRequests: counter('fluxrpc_hub_refused_requests_total', 'HTTP requests refused, by reason: token (API or event call without a valid token, 401), budget (body refused for the budget of buffered bytes, 503), dashboard_sign_in (401), dashboard_busy (too many live streams, 503).', ['reason']),
    suppressedLogLines: counter('fluxrpc_hub_log_lines_suppressed_total', 'Log lines left out by the throttle (at most one line per second per reason), by reason.', ['reason']),
    tokenReloads: counter('fluxrpc_hub_token_reloads_total', 'Reloads of the tokens file, by outcome (ok, error: the old tokens stay).', ['outcome']),
    tokens: new Gauge({ name: 'fluxrpc_hub_tokens', help: 'Tokens configured now.', registers }),
    /** The exposition: the hub's series, then the process's. */
    async render(): Promise<string> {
      const own = await registry.metrics();
      return withProcess ? own + (await processMetrics().metrics()) : own;
    },
  };
  return metrics;
}

export type HubMetrics = ReturnType<typeof hubMetrics>;

/**
 * The current value of one series of `metric` (0 when it has none yet); for a histogram, pass the
 * sample's name (`<name>_count`, `<name>_sum`). For tests and tools; scrapes use `render()`.
 */
export async function sampleValue<T extends string>(metric: Metric<T>, labels: LabelValues<T> = {}, sample?: string): Promise<number> {
  const { name, values } = await metric.get();
  const wanted = Object.entries(labels);
  const found = values.find((v) => ((v as { metricName?: string }).metricName ?? name) === (sample ?? name) && wanted.every(([k, x]) => v.labels[k as T] === x));
  return found?.value ?? 0;
}

/** How many observations a histogram has for `labels`. */
export function observations<T extends string>(histogram: Histogram<T>, labels: LabelValues<T> = {}): Promise<number> {
  return sampleValue(histogram, labels, `${(histogram as unknown as { name: string }).name}_count`);
}
