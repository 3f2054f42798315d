/**
 * The hub: the upstream end of Flux's dial-out, with the Flux HTTP API in front (hub.ts), the
 * registry of connected daemons (registry.ts), token authentication (auth.ts), the events store
 * (events.ts), Prometheus metrics (metrics.ts) and the status page (status-page.ts).
 *
 * Behaviour worth knowing (see each module's note): one connection per instance, the newest wins;
 * calls to an instance with no daemon fail at once with UnavailableError; a call timeout or a
 * fatal error disconnects the daemon; ListServicesWithOptions is emulated for Go daemons, which
 * never served it.
 */
export { Hub, API_BASE, DEFAULT_MAX_EVENT_BYTES, type HubOptions, type ListenAddress, type RequestHook } from './hub.js';
export { DaemonRegistry, type RegistryListener, type DaemonClient, type ConnectionInfo, type InstanceStatus, type RegistryOptions } from './registry.js';
export { TokenAuth, TokenFileError, generateToken, loadTokenFile, parseTokens } from './auth.js';
export { EventStore, type StoredEvent, type EventListener } from './events.js';
export { MetricsRegistry, Counter, Gauge, Histogram, hubMetrics, PROMETHEUS_CONTENT_TYPE, type HubMetrics } from './metrics.js';
export { renderStatusPage, MAX_MESSAGE_CHARS, type StatusPageData } from './status-page.js';
