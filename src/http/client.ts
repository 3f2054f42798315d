/**
 * The daemon HTTP API client side: what fluxctl does through flux's `pkg/http/client` (v1.25.4),
 * as a `FluxApi`. Used to relay to a real fluxd (`http://<fluxd>:3030/api/flux`) and by the CLI
 * against the hub.
 *
 * Requests are Go's: `Accept: application/json`, `Authorization: Scope-Probe token=<token>` only
 * with a token, every query key of the route sent even when empty, keys sorted, values escaped as
 * `url.QueryEscape`; bodies are `json.Marshal` output without a `Content-Type`. Replies: 200, 201,
 * 202 and 204 are success; 401 is `UnauthorizedError` whatever the body; any other status is the
 * Flux error in a JSON body (`Content-Type` starting with `application/json`, non-empty `error`;
 * thrown as `FluxHttpError`, a `FluxError` with the status) or an `HttpStatusError` whose message is
 * what fluxctl prints (`executing HTTP request: <status line> <body>`). Success bodies are read as
 * Go reads them (the first JSON value for GET routes; the whole body, empty allowed, for POST
 * routes), with Go's error texts (`HttpDecodeError`). Redirects are not followed (Go's would be).
 * `describeHttpError(err)` gives one line for a CLI.
 *
 * Not in Go: a per-request `timeoutMs`, the caller's `signal` (the request is aborted; the promise
 * rejects with the signal's reason), and `syncNotify`, which the HTTP API does not have (it fails
 * with `UpgradeNeededError` without any I/O, as the RPC clients' fallbacks do).
 */
import { Buffer } from 'node:buffer';
import http from 'node:http';
import https from 'node:https';
import type { CallContext, FluxApi } from '../flux/api.js';
import type { Change } from '../flux/model/change.js';
import type { ControllerStatus } from '../flux/model/controller-status.js';
import { decodeFluxError, UpgradeNeededError } from '../flux/model/flux-error.js';
import type { GitConfig } from '../flux/model/git-config.js';
import { ZERO_GIT_CONFIG } from '../flux/model/git-config.js';
import type { ImageStatus } from '../flux/model/image-status.js';
import type { JobId, JobStatus } from '../flux/model/job.js';
import type { ListImagesOptions, ListServicesOptions } from '../flux/model/options.js';
import type { UpdateSpec } from '../flux/model/update-spec.js';
import { FluxHttpError, HttpDecodeError, HttpStatusError, HttpTimeoutError, HttpTransportError, UnauthorizedError } from './errors.js';
import { decodeFirstValue, unmarshalWhole } from './go-json-reader.js';
import { goEncodeQuery } from './go-url.js';
import { ROUTES, type ApiRoute, type JsonCodec } from './routes.js';
import { setTokenHeader } from './token-header.js';
import { checkTimerMs } from '../runtime/time.js';

export interface FluxHttpClientOptions {
  /** The API base, e.g. `http://127.0.0.1:3030/api/flux` (a query or fragment is dropped, as Go does). */
  baseUrl: string;
  /** Sent as `Authorization: Scope-Probe token=<token>` when not empty. */
  token?: string;
  /** `User-Agent` (default Go's `Go-http-client/1.1`, what fluxctl sends). */
  userAgent?: string;
  /** Per request: no complete reply within this many ms → `HttpTimeoutError` (default: none; at most 2^31−1). */
  timeoutMs?: number;
  /** node:http agent (default: the global agent of the URL's protocol). */
  agent?: http.Agent;
  /**
   * The largest reply body read, in bytes (default 96 MiB: a 64 MiB value, the daemon's limit, plus
   * the HTTP API's JSON overhead). A larger reply fails the call (`HttpTransportError`) and the
   * connection is dropped, so a broken or hostile server cannot make the client hold without bound.
   */
  maxResponseBytes?: number;
  /**
   * Read only the first JSON value of a JSON error body. fluxd's GitRepoConfig writes its error and
   * then an empty config after it, which Go's client (and this one, by default) fails to decode
   * (`decoding response body of error: invalid character '{' after top-level value`). Relay mode
   * sets this so that the daemon's real Flux error reaches the upstream.
   */
  firstErrorValueOnly?: boolean;
}

/** Default bound on a reply body: a 64 MiB value (the daemon's limit) plus the API's JSON overhead. */
export const DEFAULT_MAX_RESPONSE_BYTES = 96 * 1024 * 1024;

const SUCCESS = new Set([200, 201, 202, 204]);

interface RawReply {
  status: number;
  statusLine: string;
  contentType: string;
  body: Buffer;
}

/** Go's `path.Join(basePath, routePath)` for the URL path. */
function joinPath(basePath: string, routePath: string): string {
  const segments: string[] = [];
  for (const seg of (basePath + '/' + routePath).split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') segments.pop();
    else segments.push(seg);
  }
  return '/' + segments.join('/');
}

export class FluxHttpClient implements FluxApi {
  private readonly base: URL;
  private readonly token: string;
  private readonly userAgent: string;
  private readonly timeoutMs: number | undefined;
  private readonly agent: http.Agent | undefined;
  private readonly firstErrorValueOnly: boolean;
  private readonly maxResponseBytes: number;

  constructor(options: FluxHttpClientOptions) {
    let base: URL;
    try {
      base = new URL(options.baseUrl);
    } catch (err) {
      throw new TypeError(`invalid Flux API base URL ${JSON.stringify(options.baseUrl)}`, { cause: err });
    }
    if (base.protocol !== 'http:' && base.protocol !== 'https:') {
      throw new TypeError(`Flux API base URL must be http or https, got ${JSON.stringify(options.baseUrl)}`);
    }
    if (options.timeoutMs !== undefined) checkTimerMs('timeoutMs', options.timeoutMs);
    this.base = base;
    this.token = options.token ?? '';
    this.userAgent = options.userAgent ?? 'Go-http-client/1.1';
    this.timeoutMs = options.timeoutMs;
    this.agent = options.agent;
    this.firstErrorValueOnly = options.firstErrorValueOnly ?? false;
    this.maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    if (!(this.maxResponseBytes > 0)) throw new RangeError(`maxResponseBytes must be positive, got ${this.maxResponseBytes}`);
  }

  /** The URL Go's `MakeURL` builds for a route and its query pairs. */
  url(route: ApiRoute, query: ReadonlyArray<readonly [string, string]> = []): string {
    const u = new URL(this.base.href);
    u.hash = '';
    u.search = '';
    u.pathname = joinPath(this.base.pathname, route.path);
    const q = goEncodeQuery(query);
    return u.origin + u.pathname + (q === '' ? '' : '?' + q);
  }

  async ping(ctx: CallContext): Promise<void> {
    await this.call(ctx, ROUTES.Ping, [], undefined);
  }

  async version(ctx: CallContext): Promise<string> {
    return this.call<string>(ctx, ROUTES.Version, [], undefined, '');
  }

  async notifyChange(ctx: CallContext, change: Change): Promise<void> {
    await this.call(ctx, ROUTES.Notify, [], ROUTES.Notify.body.encode(change));
  }

  async listServices(ctx: CallContext, namespace: string): Promise<readonly ControllerStatus[] | null> {
    return this.call<readonly ControllerStatus[] | null>(ctx, ROUTES.ListServices, [['namespace', namespace]], undefined, null);
  }

  async listServicesWithOptions(ctx: CallContext, options: ListServicesOptions): Promise<readonly ControllerStatus[] | null> {
    const services = (options.services ?? []).map((id) => id.toString()).join(',');
    return this.call<readonly ControllerStatus[] | null>(
      ctx,
      ROUTES.ListServicesWithOptions,
      [
        ['namespace', options.namespace],
        ['services', services],
      ],
      undefined,
      null,
    );
  }

  async listImages(ctx: CallContext, spec: string): Promise<readonly ImageStatus[] | null> {
    return this.call<readonly ImageStatus[] | null>(ctx, ROUTES.ListImages, [['service', spec]], undefined, null);
  }

  async listImagesWithOptions(ctx: CallContext, options: ListImagesOptions): Promise<readonly ImageStatus[] | null> {
    return this.call<readonly ImageStatus[] | null>(
      ctx,
      ROUTES.ListImagesWithOptions,
      [
        ['service', options.spec],
        ['containerFields', (options.overrideContainerFields ?? []).join(',')],
        ['namespace', options.namespace],
      ],
      undefined,
      null,
    );
  }

  async jobStatus(ctx: CallContext, id: JobId): Promise<JobStatus> {
    return this.call<JobStatus>(ctx, ROUTES.JobStatus, [['id', id]], undefined, undefined);
  }

  async syncStatus(ctx: CallContext, ref: string): Promise<readonly string[] | null> {
    return this.call<readonly string[] | null>(ctx, ROUTES.SyncStatus, [['ref', ref]], undefined, null);
  }

  async updateManifests(ctx: CallContext, spec: UpdateSpec): Promise<JobId> {
    return this.call<JobId>(ctx, ROUTES.UpdateManifests, [], ROUTES.UpdateManifests.body.encode(spec), '');
  }

  async export(ctx: CallContext): Promise<Uint8Array | null> {
    return this.call<Uint8Array | null>(ctx, ROUTES.Export, [], undefined, null);
  }

  async gitRepoConfig(ctx: CallContext, regenerate: boolean): Promise<GitConfig> {
    return this.call<GitConfig>(ctx, ROUTES.GitRepoConfig, [], ROUTES.GitRepoConfig.body.encode(regenerate), ZERO_GIT_CONFIG);
  }

  /** Not part of the HTTP API: fails like the RPC clients' fallbacks, without I/O. */
  async syncNotify(_ctx: CallContext): Promise<void> {
    throw new UpgradeNeededError('SyncNotify method not implemented');
  }

  /**
   * One request: Go's `Get` (body-less GET routes) or `methodWithResp` (routes with a body), then
   * the reply read as Go's client reads it. `zero` is the value for an empty `unmarshal` reply.
   */
  private async call<Rep>(ctx: CallContext, route: ApiRoute, query: ReadonlyArray<readonly [string, string]>, body: string | undefined, zero?: Rep): Promise<Rep> {
    const method = route.methods.includes('GET') ? 'GET' : route.methods[0]!;
    const url = this.url(route, query);
    // Go's methodWithResp always sends a (possibly empty) body; Get sends none.
    const payload = route.clientRead === 'decode' || route.clientRead === 'none' ? undefined : Buffer.from(body ?? '', 'utf8');
    const reply = await this.request(ctx, method, url, payload);

    if (!SUCCESS.has(reply.status)) throw this.replyError(reply);
    if (route.clientRead === 'none' || route.reply === null) {
      if (route.clientRead === 'unmarshal' && reply.body.length > 0) this.decodeSuccess(reply, () => unmarshalWhole(reply.body));
      return zero as Rep;
    }
    if (route.clientRead === 'unmarshal' && reply.body.length === 0) return zero as Rep;
    const codec = route.reply as JsonCodec<Rep>;
    return this.decodeSuccess(reply, () => codec.decode(route.clientRead === 'decode' ? decodeFirstValue(reply.body) : unmarshalWhole(reply.body)));
  }

  private decodeSuccess<T>(reply: RawReply, decode: () => T): T {
    try {
      return decode();
    } catch (err) {
      throw new HttpDecodeError(reply.status, `decoding response from server: ${(err as Error).message}`, { cause: err });
    }
  }

  /** Go's `executeRequest` for a non-success status. */
  private replyError(reply: RawReply): Error {
    if (reply.status === 401) return new UnauthorizedError();
    const text = reply.body.toString('utf8');
    if (reply.contentType.startsWith('application/json')) {
      let fluxErr;
      try {
        fluxErr = decodeFluxError(this.firstErrorValueOnly ? decodeFirstValue(reply.body) : unmarshalWhole(reply.body));
      } catch (err) {
        return new HttpDecodeError(reply.status, `executing HTTP request: decoding response body of error: ${(err as Error).message}`, { cause: err });
      }
      if (fluxErr !== null && fluxErr.err !== undefined) {
        return new FluxHttpError(fluxErr.type, fluxErr.help, fluxErr.message, reply.status, reply.statusLine);
      }
    }
    return new HttpStatusError(reply.status, reply.statusLine, text);
  }

  private request(ctx: CallContext, method: string, url: string, body: Buffer | undefined): Promise<RawReply> {
    const signal = ctx.signal;
    if (signal.aborted) return Promise.reject(signal.reason);
    const headers: Record<string, string> = { 'User-Agent': this.userAgent };
    setTokenHeader(headers, this.token);
    headers['Accept'] = 'application/json';
    if (body !== undefined) headers['Content-Length'] = String(body.length);
    const transport = url.startsWith('https:') ? https : http;

    // Made now so that its stack names the caller (as nats.js does for its timeouts).
    const timeoutError = this.timeoutMs === undefined ? undefined : new HttpTimeoutError(method, url, this.timeoutMs);

    return new Promise<RawReply>((resolve, reject) => {
      let settled = false;
      let timer: NodeJS.Timeout | undefined;
      const finish = (err: unknown, reply?: RawReply) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        if (err !== undefined) reject(err);
        else resolve(reply!);
      };
      const req = transport.request(url, { method, headers, ...(this.agent ? { agent: this.agent } : {}) });
      const onAbort = () => {
        finish(signal.reason);
        req.destroy();
      };
      signal.addEventListener('abort', onAbort, { once: true });
      if (timeoutError !== undefined) {
        timer = setTimeout(() => {
          finish(timeoutError);
          req.destroy();
        }, timeoutError.timeoutMs);
      }
      req.on('error', (err) => finish(new HttpTransportError(method, url, err)));
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > this.maxResponseBytes) {
            finish(new HttpTransportError(method, url, new Error(`the reply is larger than ${this.maxResponseBytes} bytes`)));
            req.destroy();
            return;
          }
          chunks.push(c);
        });
        res.on('error', (err) => finish(new HttpTransportError(method, url, err)));
        res.on('aborted', () => finish(new HttpTransportError(method, url, new Error('connection closed before the reply was complete'))));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          const reason = res.statusMessage ?? '';
          finish(undefined, {
            status,
            statusLine: reason === '' ? String(status) : `${status} ${reason}`,
            contentType: headerValue(res.headers['content-type']),
            body: Buffer.concat(chunks),
          });
        });
      });
      req.end(body);
    });
  }
}

function headerValue(v: string | string[] | undefined): string {
  return Array.isArray(v) ? (v[0] ?? '') : (v ?? '');
}
