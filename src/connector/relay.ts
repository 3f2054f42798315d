/**
 * Relay mode: serve the Flux API by forwarding each call to a real fluxd's HTTP API (what fluxctl
 * talks to, `http://<fluxd>:3030/api/flux`), so a fluxd without `--connect` — or one too new to
 * have it — can be reached through a hub. Replies and Flux errors pass through unchanged (a Flux
 * error from fluxd becomes the RPC reply's ApplicationError).
 *
 * When fluxd cannot be reached (refused, reset, unresolvable, no reply in time) the caller gets
 * what flux's upstream gives for a daemon it cannot reach: `remote.UnavailableError` (type `user`,
 * help "Cannot contact Flux daemon …") with a short reason. fluxd's address and the low-level error
 * stay on this side, in the log: API callers never see internal addresses.
 *
 * SyncNotify is not relayed: fluxd's HTTP API has no such route and v1.25.4 does not serve it over
 * RPC either, so the relay leaves it out as fluxd does.
 */
import type { CallContext, DaemonImplementation } from '../flux/api.js';
import { UnavailableError } from '../flux/model/index.js';
import { FluxHttpClient } from '../http/client.js';
import { HttpTimeoutError, HttpTransportError } from '../http/errors.js';
import { silentLogger, type Logger } from '../runtime/log.js';
import { DEFAULT_CALL_TIMEOUT_MS } from '../runtime/time.js';

export interface RelayOptions {
  /** fluxd's API base, e.g. `http://127.0.0.1:3030/api/flux`; a URL without a path gets `/api/flux`. */
  fluxdUrl: string;
  /** Token for fluxd's API, if it wants one (fluxd itself does not check). */
  token?: string;
  /** Per-request limit (default 10 s, fluxd's `--rpc-timeout` default). */
  timeoutMs?: number;
  userAgent?: string;
  /** Where failures to reach fluxd are logged, with fluxd's address and the error (default: nowhere). */
  logger?: Logger;
}

/** The API base for `url`: as given, or with fluxd's `/api/flux` when it has no path. */
export function fluxdApiBase(url: string): string {
  const u = new URL(url);
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new TypeError(`fluxd URL must be http or https, got ${url}`);
  if (u.pathname === '/' || u.pathname === '') u.pathname = '/api/flux';
  return u.href.replace(/\/$/, '');
}

/** The reason a request to fluxd got no reply, in words that name no address. */
function unreachableReason(err: HttpTransportError | HttpTimeoutError): string {
  if (err instanceof HttpTimeoutError) return `no reply within ${err.timeoutMs} ms`;
  let cause: unknown = err.cause;
  if (cause instanceof AggregateError && cause.errors.length > 0) cause = cause.errors[0];
  switch ((cause as NodeJS.ErrnoException | undefined)?.code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ECONNRESET':
    case 'EPIPE':
      return 'connection reset';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host name not resolved';
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'host unreachable';
    default:
      return 'no reply';
  }
}

export function relayTo(options: RelayOptions): DaemonImplementation & { readonly baseUrl: string } {
  const baseUrl = fluxdApiBase(options.fluxdUrl);
  const log = (options.logger ?? silentLogger).child({ component: 'relay' });
  // firstErrorValueOnly: fluxd's GitRepoConfig appends an empty config to its error body; relay the
  // real Flux error instead of Go's client's "decoding response body of error" failure.
  const c = new FluxHttpClient({ baseUrl, token: options.token, timeoutMs: options.timeoutMs ?? DEFAULT_CALL_TIMEOUT_MS, userAgent: options.userAgent, firstErrorValueOnly: true });
  /** Calls fluxd; a request that got no reply becomes UnavailableError, its details logged here. */
  const relay =
    <A extends unknown[], R>(method: string, call: (ctx: CallContext, ...args: A) => Promise<R>) =>
    async (ctx: CallContext, ...args: A): Promise<R> => {
      try {
        return await call(ctx, ...args);
      } catch (err) {
        if (!(err instanceof HttpTransportError || err instanceof HttpTimeoutError)) throw err;
        const reason = unreachableReason(err);
        log.warn('fluxd cannot be reached', { method, fluxd: baseUrl, reason, error: err.message });
        throw new UnavailableError(new Error(`cannot reach the Flux daemon (fluxd) behind the relay: ${reason}`));
      }
    };
  return {
    baseUrl,
    ping: relay('Ping', (ctx) => c.ping(ctx)),
    version: relay('Version', (ctx) => c.version(ctx)),
    export: relay('Export', (ctx) => c.export(ctx)),
    listServices: relay('ListServices', (ctx, namespace: string) => c.listServices(ctx, namespace)),
    listServicesWithOptions: relay('ListServicesWithOptions', (ctx, opts: Parameters<FluxHttpClient['listServicesWithOptions']>[1]) => c.listServicesWithOptions(ctx, opts)),
    listImages: relay('ListImages', (ctx, spec: string) => c.listImages(ctx, spec)),
    listImagesWithOptions: relay('ListImagesWithOptions', (ctx, opts: Parameters<FluxHttpClient['listImagesWithOptions']>[1]) => c.listImagesWithOptions(ctx, opts)),
    updateManifests: relay('UpdateManifests', (ctx, spec: Parameters<FluxHttpClient['updateManifests']>[1]) => c.updateManifests(ctx, spec)),
    notifyChange: relay('NotifyChange', (ctx, change: Parameters<FluxHttpClient['notifyChange']>[1]) => c.notifyChange(ctx, change)),
    jobStatus: relay('JobStatus', (ctx, id: string) => c.jobStatus(ctx, id)),
    syncStatus: relay('SyncStatus', (ctx, ref: string) => c.syncStatus(ctx, ref)),
    gitRepoConfig: relay('GitRepoConfig', (ctx, regenerate: boolean) => c.gitRepoConfig(ctx, regenerate)),
  };
}
