/**
 * Flux's token header, as flux's `pkg/http/client` sets it (`Token.Set`), on every request to a
 * daemon's or an upstream's API and on fluxd's dial to its upstream: `Authorization: Scope-Probe
 * token=<token>`, and no header at all for an empty token. Sent by the connector's dial and by
 * `FluxHttpClient`; the hub reads it (src/hub/auth.ts).
 */

/** Sets `Authorization: Scope-Probe token=<token>` in `headers` unless the token is empty or absent. */
export function setTokenHeader(headers: Record<string, string>, token: string | undefined): void {
  if (token) headers['Authorization'] = `Scope-Probe token=${token}`;
}
