/**
 * fluxd's endpoint inference (docs/wire.md §7.2, `inferEndpoints` in flux `upstream.go`): the `--connect`
 * URL yields an HTTP and a websocket endpoint by swapping the scheme only; routes are joined onto
 * the endpoint's path like Go's `path.Join`, and the endpoint's query string is dropped.
 */
import { posix } from 'node:path';
import type { ProtocolVersion } from '../flux/api.js';
import { GoText } from '../runtime/go-text.js';

export class EndpointError extends Error {
  override name = 'EndpointError';
  readonly code = 'FLUXRPC_ERR_ENDPOINT';
}

export interface Endpoints {
  http: string;
  ws: string;
}

const SWAP: Record<string, [http: string, ws: string]> = {
  'ws:': ['http:', 'ws:'],
  'wss:': ['https:', 'wss:'],
  'http:': ['http:', 'ws:'],
  'https:': ['https:', 'wss:'],
};

/** Both endpoints for `url`; throws `inferring WS/HTTP endpoints: unsupported scheme <s>` as fluxd does. */
export function inferEndpoints(url: string): Endpoints {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // Go parses `host:3030/x` with scheme `host` and `cloud.example/api` with scheme ``.
    const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(url)?.[1]?.toLowerCase() ?? '';
    throw new EndpointError(GoText.unsupportedScheme(scheme));
  }
  const swap = SWAP[parsed.protocol];
  if (!swap) throw new EndpointError(GoText.unsupportedScheme(parsed.protocol.slice(0, -1)));
  if (parsed.username || parsed.password) throw new EndpointError(`malformed ws or wss URL: user info is not allowed in ${url}`);
  const withScheme = (scheme: string) => {
    // WHATWG URL refuses to switch between special schemes with different defaults only in odd
    // cases; http⇄ws and https⇄wss are always allowed.
    const u = new URL(parsed.href);
    u.protocol = scheme;
    return u.href;
  };
  return { http: withScheme(swap[0]), ws: withScheme(swap[1]) };
}

/** `endpoint` + `route` joined like Go's `MakeURL`: `path.Join` of the paths, no query, no fragment. */
export function routeUrl(endpoint: string, route: string): string {
  const u = new URL(endpoint);
  u.pathname = posix.join(u.pathname, route);
  u.search = '';
  u.hash = '';
  return u.href;
}

/** The registration route for a protocol version: `/v<N>/daemon`. */
export function daemonRoute(version: ProtocolVersion): string {
  return `/v${version}/daemon`;
}

/** The LogEvent route. */
export const EVENTS_ROUTE = '/v6/events';
