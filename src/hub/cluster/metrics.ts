/**
 * The cluster's series on the hub's `/metrics` (which stays per replica): calls this replica
 * forwarded to others and served for others, by method and outcome, the NATS connection, and
 * events kept here while NATS is down. Registered in the hub's own prom-client registry.
 *
 * Outcomes of forwarded calls: the owner's (`ok`, `application_error`, `server_error`,
 * `unavailable`, `fatal`, `error`), or this replica's when no answer came: `no_owner` (no replica
 * holds the instance), `bus_down` (NATS not connected), `timeout` (no answer before the caller's
 * deadline), `canceled` (the caller went away), `bus_error` (a broken conversation).
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Buckets of forwarded call durations (seconds): the hub's own call buckets (src/hub/metrics.ts) with 1 ms added at the bottom. */
const CALL_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export function clusterMetrics(registry: Registry) {
  const registers = [registry];
  return {
    forwarded: new Histogram({ name: 'fluxrpc_hub_bus_request_duration_seconds', help: 'Flux API calls forwarded over NATS to the replica holding the daemon, by method and outcome.', labelNames: ['method', 'outcome'] as const, buckets: CALL_BUCKETS, registers }),
    served: new Histogram({ name: 'fluxrpc_hub_bus_served_duration_seconds', help: 'Flux API calls served here for other replicas, by method and outcome.', labelNames: ['method', 'outcome'] as const, buckets: CALL_BUCKETS, registers }),
    connected: new Gauge({ name: 'fluxrpc_hub_bus_connected', help: '1 while this replica is connected to NATS.', registers }),
    disconnects: new Counter({ name: 'fluxrpc_hub_bus_disconnects_total', help: 'Times this replica lost its NATS connection.', registers }),
    eventsPending: new Gauge({ name: 'fluxrpc_hub_events_pending', help: 'Events kept on this replica until NATS takes them.', registers }),
  };
}

export type ClusterMetrics = ReturnType<typeof clusterMetrics>;
