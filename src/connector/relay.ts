/**
 * Relay mode: serve the Flux API by forwarding each call to a real fluxd's HTTP API (what fluxctl
 * talks to, `http://<fluxd>:3030/api/flux`), so a fluxd without `--connect` — or one too new to
 * have it — can be reached through a hub. Replies and Flux errors pass through unchanged (a Flux
 * error from fluxd becomes the RPC reply's ApplicationError); transport failures become internal
 * errors (the RPC error string).
 *
 * SyncNotify is not relayed: fluxd's HTTP API has no such route and v1.25.4 does not serve it over
 * RPC either, so the relay leaves it out as fluxd does.
 */
import type { DaemonImplementation } from '../flux/api.js';
import { FluxHttpClient } from '../http/client.js';
import { DEFAULT_CALL_TIMEOUT_MS } from '../runtime/time.js';

export interface RelayOptions {
  /** fluxd's API base, e.g. `http://127.0.0.1:3030/api/flux`; a URL without a path gets `/api/flux`. */
  fluxdUrl: string;
  /** Token for fluxd's API, if it wants one (fluxd itself does not check). */
  token?: string;
  /** Per-request limit (default 10 s, fluxd's `--rpc-timeout` default). */
  timeoutMs?: number;
  userAgent?: string;
}

/** The API base for `url`: as given, or with fluxd's `/api/flux` when it has no path. */
export function fluxdApiBase(url: string): string {
  const u = new URL(url);
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new TypeError(`fluxd URL must be http or https, got ${url}`);
  if (u.pathname === '/' || u.pathname === '') u.pathname = '/api/flux';
  return u.href.replace(/\/$/, '');
}

export function relayTo(options: RelayOptions): DaemonImplementation & { readonly baseUrl: string } {
  const baseUrl = fluxdApiBase(options.fluxdUrl);
  // firstErrorValueOnly: fluxd's GitRepoConfig appends an empty config to its error body; relay the
  // real Flux error instead of Go's client's "decoding response body of error" failure.
  const c = new FluxHttpClient({ baseUrl, token: options.token, timeoutMs: options.timeoutMs ?? DEFAULT_CALL_TIMEOUT_MS, userAgent: options.userAgent, firstErrorValueOnly: true });
  return {
    baseUrl,
    ping: (ctx) => c.ping(ctx),
    version: (ctx) => c.version(ctx),
    export: (ctx) => c.export(ctx),
    listServices: (ctx, namespace) => c.listServices(ctx, namespace),
    listServicesWithOptions: (ctx, opts) => c.listServicesWithOptions(ctx, opts),
    listImages: (ctx, spec) => c.listImages(ctx, spec),
    listImagesWithOptions: (ctx, opts) => c.listImagesWithOptions(ctx, opts),
    updateManifests: (ctx, spec) => c.updateManifests(ctx, spec),
    notifyChange: (ctx, change) => c.notifyChange(ctx, change),
    jobStatus: (ctx, id) => c.jobStatus(ctx, id),
    syncStatus: (ctx, ref) => c.syncStatus(ctx, ref),
    gitRepoConfig: (ctx, regenerate) => c.gitRepoConfig(ctx, regenerate),
  };
}
