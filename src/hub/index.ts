/**
 * The hub: the upstream end of Flux's dial-out, with the Flux HTTP API in front. `Hub` (hub.ts)
 * composes the parts and routes each request to one:
 *
 * - registration.ts: daemons registering (`<base>/v6/daemon` … `/v11/daemon`, websocket upgrade),
 *   and plain HTTP for every other request on the upgrade path (upgrade-as-http.ts);
 * - event-routes.ts: `POST/GET <base>/v6/events`;
 * - ops-routes.ts: the status page (`/`, rendered by status-page.ts), `/metrics`, `/healthz`;
 * - token-reload.ts: the tokens in use, replaced from the tokens file or `setTokens`;
 * - fleet-view.ts: one view of the fleet (instances, APIs, events) in single-process or cluster
 *   mode, and the switch between them;
 * - request-log.ts: each request's log line, refusals counted and throttled (log-throttle.ts);
 * - request-path.ts: request paths as the routes compare them; answers.ts: what answers share;
 * - registry.ts: the connected daemons; auth.ts: token lookup and the tokens file watcher;
 *   events.ts: the events store; metrics.ts: Prometheus metrics; instance-name.ts: which
 *   instance names are allowed.
 *
 * Behaviour worth knowing (see each module's note): one connection per instance, the newest wins;
 * calls to an instance with no daemon fail at once with UnavailableError; a call timeout or a
 * fatal error disconnects the daemon; ListServicesWithOptions is emulated for Go daemons, which
 * never served it; request bodies and daemons' replies not yet complete share one memory budget
 * (a body beyond it is refused with 503, a daemon beyond it is not read until there is room); each
 * daemon reply is bounded in bytes and elements; a daemon's texts are cut before they are kept,
 * shown or relayed; the tokens file reloads without a restart.
 *
 * Cluster mode (`HubOptions.cluster`, `--nats`): replicas sharing a NATS system, in `cluster/`
 * (see its README.md), loaded by `listen()` only then; this barrel exports its types only, so
 * importing it loads nothing of NATS.
 */
export { Hub, API_BASE, DEFAULT_MAX_EVENT_BYTES, DEFAULT_MAX_BUFFERED_BYTES, type HubOptions, type ListenAddress, type DaemonClientOptions, type RequestHook, type FleetStatus, type ClusterStartHook } from './hub.js';
export type { Cluster, ClusterOptions } from './cluster/cluster.js';
export type { ClusterInstanceStatus } from './cluster/view.js';
export { DaemonRegistry, ConnectionState, noDaemonError, type RegistryListener, type StatusListener, type DeadlineContext, MAX_RELAYED_ERROR_TEXT, type DaemonClient, type ConnectionInfo, type InstanceStatus, type RegistryOptions } from './registry.js';
export { TokenAuth, TokenFileError, generateToken, loadTokenFile, parseTokens, watchTokenFile, DEFAULT_TOKEN_RELOAD_DEBOUNCE_MS, type Credential, type TokenAuthOptions, type TokenFileWatchOptions } from './auth.js';
export { LogThrottle, DEFAULT_LOG_INTERVAL_MS } from './log-throttle.js';
export { serveUpgradeAsHttp, type UpgradeAsHttpOptions } from './upgrade-as-http.js';
export { EventStore, DEFAULT_MAX_EVENT_STORE_BYTES, type StoredEvent, type EventStoreOptions, type EventLog, type EventListener } from './events.js';
export { hubMetrics, processMetrics, sampleValue, observations, PROMETHEUS_CONTENT_TYPE, type HubMetrics, type HubMetricsOptions } from './metrics.js';
export { renderStatusPage, MAX_MESSAGE_CHARS, MAX_PAGE_INSTANCES, type StatusPageData } from './status-page.js';
