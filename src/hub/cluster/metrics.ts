/**
 * The cluster's series on the hub's `/metrics` (which stays per replica): calls this replica
 * forwarded to others and served for others, by method and outcome, the NATS connection, and
 * events kept here while NATS is down.
 *
 * Outcomes of forwarded calls: the owner's (`ok`, `application_error`, `server_error`,
 * `unavailable`, `fatal`, `error`), or this replica's when no answer came: `no_owner` (no replica
 * holds the instance), `bus_down` (NATS not connected), `timeout` (no answer before the caller's
 * deadline), `canceled` (the caller went away), `bus_error` (a broken conversation).
 */
import type { MetricsRegistry } from '../metrics.js';

export function clusterMetrics(registry: MetricsRegistry) {
  return {
    forwarded: registry.histogram('fluxrpc_hub_bus_request_duration_seconds', 'Flux API calls forwarded over NATS to the replica holding the daemon, by method and outcome.', ['method', 'outcome']),
    served: registry.histogram('fluxrpc_hub_bus_served_duration_seconds', 'Flux API calls served here for other replicas, by method and outcome.', ['method', 'outcome']),
    connected: registry.gauge('fluxrpc_hub_bus_connected', '1 while this replica is connected to NATS.'),
    disconnects: registry.counter('fluxrpc_hub_bus_disconnects_total', 'Times this replica lost its NATS connection.'),
    eventsPending: registry.gauge('fluxrpc_hub_events_pending', 'Events kept on this replica until NATS takes them.'),
  };
}

export type ClusterMetrics = ReturnType<typeof clusterMetrics>;
