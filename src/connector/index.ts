/**
 * The daemon side of Flux's dial-out (`fluxd --connect`): dial an upstream's `<base>/v<N>/daemon`
 * websocket with fluxd's headers, serve the Flux API on it (an implementation in code, or a relay
 * to a real fluxd's HTTP API), post events to `<base>/v6/events`, and reconnect until closed.
 *
 * Differences from fluxd (`pkg/http/daemon/upstream.go`), all deliberate:
 * - the wait between attempts starts at fluxd's 5 s but doubles per consecutive failure up to a
 *   cap, with jitter (backoff.ts); fluxd waits a fixed 5 s;
 * - 410 Gone stops the connector (`closed` resolves with `DeprecatedError`) instead of exiting the
 *   process; the CLI then exits 1, as fluxd does;
 * - `close()` also interrupts a wait or a dial in progress; on a connection it sends the close
 *   frame and closes TCP as soon as the frame is flushed, without waiting for the upstream's reply
 *   (a Go upstream leaves closing to us); only an upstream that does not read is given up to the
 *   websocket write deadline (`writeWaitMs`, 10 s) before the connection is cut;
 * - the User-Agent is `fluxrpc/<version>` unless set (fluxd sends `fluxd/<version>`);
 * - protocol 6 serves the V6-era flat replies (what a V6 upstream client expects).
 */
export { DaemonConnector, DeprecatedError, DEPRECATED_TEXT, type ConnectorEvent, type ConnectorOptions, type DialFunction, type ServeFunction } from './connector.js';
export { inferEndpoints, routeUrl, daemonRoute, EndpointError, EVENTS_ROUTE, type Endpoints } from './endpoints.js';
export { backoffDelay, checkBackoff, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff.js';
export { relayTo, fluxdApiBase, type RelayOptions } from './relay.js';
