/**
 * The daemon HTTP API server side (what fluxd serves at `/api/flux` and fluxctl calls), over a
 * `FluxApi`, with node:http only. Behaviour is fluxd v1.25.4's (`pkg/http/daemon/server.go` behind
 * `NewRouter`, mounted with `StripPrefix`): routes and statuses from `routes.ts`, query parsing and
 * 400 texts as Go's, JSON bodies as `json.Marshal`, error replies by content negotiation.
 *
 * Differences from Go on purpose are listed in index.ts (GitRepoConfig's double reply, the JSON
 * form of body type errors, body limit, timeout, abort on hang-up).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CallContext, FluxApi } from '../flux/api.js';
import { UnavailableError } from '../flux/model/flux-error.js';
import { checkTimerMs, deadline } from '../runtime/time.js';
import type { ByteBudget } from '../runtime/budget.js';
import { parseImageSpec, parseResourceSpec, RESOURCE_SPEC_ALL } from '../flux/model/resource-spec.js';
import { ResourceId } from '../flux/model/resource-id.js';
import { strconvQuote } from '../flux/policy/go-strings.js';
import { DEFAULT_MAX_BODY_BYTES, decodeRequestBody, readRequestBody } from './body.js';
import { EncodedJson } from './encoded-json.js';
import { ApiDeprecatedError, ApiNotFoundError, HttpRequestError } from './errors.js';
import { cleanPath, GoQuery, goPathEscape, goPathUnescape, muxQueryVar, splitRequestTarget, UrlEscapeError } from './go-url.js';
import { htmlEscape } from './html.js';
import { emptyResponse, errorResponse, jsonListResponse, jsonResponse, writeError, TEXT_CONTENT_TYPE } from './respond.js';
import { METHODS, type ListCodec } from '../flux/versions/methods.js';
import { matchRoute, PUBLIC_KEY_CODEC, ROUTES, type ApiRoute, type RouteName } from './routes.js';

export interface FluxHttpHandlerOptions {
  /**
   * The API to serve this request with (e.g. the daemon connected for the request's token). May
   * throw: a `FluxError` is answered by its type (`UnavailableError` → 422), `UnauthorizedError`
   * with 401, anything else as Flux's cover-all error.
   */
  resolve(req: IncomingMessage): FluxApi | Promise<FluxApi>;
  /** Where the API is mounted, e.g. `/api/flux` (default: the root). */
  basePath?: string;
  /**
   * Bound on each API call, in ms (default: none, as fluxd). When it passes, the call's signal is
   * aborted and the request is answered with `UnavailableError` (422).
   */
  callTimeoutMs?: number;
  /** Largest request body accepted (default 32 MiB); larger → 413. */
  maxBodyBytes?: number;
  /**
   * A budget of buffered bytes shared with the rest of the process: each request body is charged
   * while it is read and served; one that does not fit is answered 503 with `Retry-After`.
   */
  budget?: ByteBudget;
  /** `Retry-After` of that 503 (default 5 s). */
  retryAfterSeconds?: number;
}

/** Serves one request; resolves `false` (without touching `res`) when the path is not this API's. */
export type FluxHttpHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

/** A successful call's reply: status and, for 200, the JSON body (or a large list to encode in slices). */
interface Reply {
  status: number;
  json?: string | Uint8Array;
  list?: { items: readonly unknown[]; encode: (e: unknown) => string };
}

/** What a route needs from the request, parsed lazily. */
interface RouteRequest {
  readonly req: IncomingMessage;
  readonly rawQuery: string;
  /** `r.URL.Query()`. */
  readonly query: GoQuery;
  readBody(): Promise<Buffer>;
}

/** How request bodies are read (the handler's options). */
interface BodyOptions {
  maxBodyBytes: number;
  budget: ByteBudget | undefined;
  retryAfterSeconds: number | undefined;
}

/**
 * A class, not an object literal with a getter: a literal's accessor is a new function each time,
 * and V8 then gives each such object a hidden class of its own, made in the old generation, which
 * keeps the request's closures (and all they hold) alive past the request.
 */
class LazyRouteRequest implements RouteRequest {
  private parsedQuery: GoQuery | undefined;
  private body: Promise<Buffer> | undefined;

  constructor(
    readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    readonly rawQuery: string,
    private readonly options: BodyOptions,
  ) {}

  get query(): GoQuery {
    return (this.parsedQuery ??= GoQuery.parse(this.rawQuery));
  }

  readBody(): Promise<Buffer> {
    const o = this.options;
    return (this.body ??= readRequestBody(this.req, o.maxBodyBytes, { budget: o.budget, holdUntil: this.res, retryAfterSeconds: o.retryAfterSeconds }));
  }
}

/** A prepared call: the arguments are parsed, what remains is calling the API. */
type Call = (api: FluxApi, ctx: CallContext) => Promise<Reply>;

function badQuery(message: string, cause: unknown): HttpRequestError {
  return new HttpRequestError(400, message, '{}', { cause });
}

/**
 * The routes whose reply is a Go slice, with its element codec (the same encoders as the routes'
 * reply codecs): a long list is encoded and written in slices (`jsonListResponse`).
 */
const LIST_REPLIES: Partial<Record<RouteName, ListCodec<any>>> = {
  ListServices: METHODS.ListServicesWithOptions.result!.list,
  ListServicesWithOptions: METHODS.ListServicesWithOptions.result!.list,
  ListImages: METHODS.ListImagesWithOptions.result!.list,
  ListImagesWithOptions: METHODS.ListImagesWithOptions.result!.list,
  SyncStatus: METHODS.SyncStatus.result!.list,
};
/** Lists at least this long are encoded in slices (128 workload statuses are about 600 KB). */
const SLICED_LIST_MIN = 128;

function json<T>(route: ApiRoute<unknown, T>, value: T): Reply {
  if (value instanceof EncodedJson) return { status: route.status, json: value.json };
  const list = LIST_REPLIES[route.name as RouteName];
  if (list !== undefined && Array.isArray(value) && value.length >= SLICED_LIST_MIN) return { status: route.status, list: { items: value, encode: list.encodeElem } };
  return { status: route.status, json: route.reply!.encode(value) };
}

/** Go's `ListServicesWithOptions` handler's query parsing (both service routes use it). */
function servicesOptions(rq: RouteRequest): Call {
  const namespace = rq.query.get('namespace');
  const services = rq.query.get('services');
  let ids: ResourceId[] | null = null;
  if (services !== '') {
    ids = services.split(',').map((svc) => {
      try {
        return ResourceId.parse(svc);
      } catch (err) {
        throw badQuery(`parsing service spec ${strconvQuote(svc)}: ${(err as Error).message}`, err);
      }
    });
  }
  return async (api, ctx) => json(ROUTES.ListServicesWithOptions, await api.listServicesWithOptions(ctx, { namespace, services: ids }));
}

/** Go's `ListImagesWithOptions` handler's query parsing (both image routes use it). */
function imagesOptions(rq: RouteRequest): Call {
  const service = rq.query.get('service') || RESOURCE_SPEC_ALL;
  let spec: string;
  try {
    spec = parseResourceSpec(service);
  } catch (err) {
    throw badQuery(`parsing service spec ${strconvQuote(service)}: ${(err as Error).message}`, err);
  }
  const containerFields = rq.query.get('containerFields');
  const overrideContainerFields = containerFields === '' ? null : containerFields.split(',');
  const namespace = rq.query.get('namespace');
  return async (api, ctx) => json(ROUTES.ListImagesWithOptions, await api.listImagesWithOptions(ctx, { spec, overrideContainerFields, namespace }));
}

/** `r.ParseForm()` for the legacy UpdateImages: a urlencoded body's values, then the URL's. */
async function parseForm(rq: RouteRequest): Promise<GoQuery> {
  const mediaType = (rq.req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  let form = rq.query;
  if (mediaType === 'application/x-www-form-urlencoded') {
    form = GoQuery.parse((await rq.readBody()).toString('latin1')).concat(rq.query);
  }
  if (form.error !== undefined) throw badQuery(`parsing form: ${form.error.message}`, form.error);
  return form;
}

function parseOrBadRequest<T>(what: string, s: string, parse: (s: string) => T): T {
  try {
    return parse(s);
  } catch (err) {
    throw badQuery(`parsing ${what} ${strconvQuote(s)}: ${(err as Error).message}`, err);
  }
}

/** Per route: parse the request (throwing 400s), returning the call to make. */
const PREPARE: Record<RouteName, (rq: RouteRequest) => Call | Promise<Call>> = {
  Ping: () => async (api, ctx) => {
    await api.ping(ctx);
    return { status: ROUTES.Ping.status };
  },
  Version: () => async (api, ctx) => json(ROUTES.Version, await api.version(ctx)),
  Notify: async (rq) => {
    const change = decodeRequestBody(await rq.readBody(), ROUTES.Notify.body.decode);
    return async (api, ctx) => {
      await api.notifyChange(ctx, change);
      return { status: ROUTES.Notify.status };
    };
  },
  ListServices: servicesOptions,
  ListServicesWithOptions: servicesOptions,
  ListImages: imagesOptions,
  ListImagesWithOptions: imagesOptions,
  UpdateManifests: async (rq) => {
    const spec = decodeRequestBody(await rq.readBody(), ROUTES.UpdateManifests.body.decode);
    return async (api, ctx) => json(ROUTES.UpdateManifests, await api.updateManifests(ctx, spec));
  },
  JobStatus: (rq) => {
    const id = muxQueryVar(rq.rawQuery, 'id')!;
    return async (api, ctx) => json(ROUTES.JobStatus, await api.jobStatus(ctx, id));
  },
  SyncStatus: (rq) => {
    const ref = muxQueryVar(rq.rawQuery, 'ref')!;
    return async (api, ctx) => json(ROUTES.SyncStatus, await api.syncStatus(ctx, ref));
  },
  Export: () => async (api, ctx) => json(ROUTES.Export, await api.export(ctx)),
  GitRepoConfig: async (rq) => {
    const regenerate = decodeRequestBody(await rq.readBody(), ROUTES.GitRepoConfig.body.decode);
    return async (api, ctx) => json(ROUTES.GitRepoConfig, await api.gitRepoConfig(ctx, regenerate));
  },
  UpdateImages: async (rq) => {
    const form = await parseForm(rq);
    const serviceSpecs = form.all('service').map((s) => parseOrBadRequest('service spec', s, parseResourceSpec));
    const imageSpec = parseOrBadRequest('image spec', muxQueryVar(rq.rawQuery, 'image')!, parseImageSpec);
    const kind = parseOrBadRequest('release kind', muxQueryVar(rq.rawQuery, 'kind')!, (k) => {
      if (k !== 'plan' && k !== 'execute') throw new Error('invalid release kind');
      return k;
    });
    const excludeTexts = rq.query.all('exclude');
    const excludes = excludeTexts.map((e) => parseOrBadRequest('excluded service', e, (s) => ResourceId.parse(s)));
    const cause = { user: form.get('user'), message: form.get('message') };
    const spec = {
      serviceSpecs: serviceSpecs.length === 0 ? null : serviceSpecs,
      imageSpec,
      kind,
      excludes: excludes.length === 0 ? null : excludes,
      force: false,
    };
    return async (api, ctx) => json(ROUTES.UpdateImages, await api.updateManifests(ctx, { type: 'image', cause, spec }));
  },
  UpdatePolicies: async (rq) => {
    const updates = decodeRequestBody(await rq.readBody(), ROUTES.UpdatePolicies.body.decode);
    const cause = { user: rq.query.get('user'), message: rq.query.get('message') };
    return async (api, ctx) => json(ROUTES.UpdatePolicies, await api.updateManifests(ctx, { type: 'policy', cause, spec: updates }));
  },
  GetPublicSSHKey: () => async (api, ctx) => ({ status: 200, json: PUBLIC_KEY_CODEC.encode((await api.gitRepoConfig(ctx, false)).publicSSHKey) }),
  RegeneratePublicSSHKey: () => async (api, ctx) => {
    await api.gitRepoConfig(ctx, true);
    return { status: ROUTES.RegeneratePublicSSHKey.status };
  },
};

/** Why a call's signal aborts when its HTTP client hangs up. */
const CLIENT_WENT_AWAY = 'the HTTP client went away';

/**
 * The signal of every call made for requests on one HTTP connection, aborted when the connection
 * closes: over HTTP/1.1 a response cannot end unwritten in any other way, so this is "the client
 * went away" for each of them. One per connection, made by its first API call: a call costs no
 * AbortController and no listener of its own (fluxctl and other keep-alive clients send many
 * requests over one connection), and the RPC client's one listener per signal is shared by them.
 */
const hangUpSignals = new WeakMap<object, AbortSignal>();

function hangUpSignal(req: IncomingMessage, res: ServerResponse): AbortSignal {
  const socket = req.socket as IncomingMessage['socket'] | null;
  let signal = socket ? hangUpSignals.get(socket) : undefined;
  if (signal !== undefined) return signal;
  const controller = new AbortController();
  const abort = () => controller.abort(new Error(CLIENT_WENT_AWAY));
  if (!socket) {
    // Not on a connection (a handler run by hand): this response's end decides.
    res.once('close', () => {
      if (!res.writableFinished) abort();
    });
    return controller.signal;
  }
  hangUpSignals.set(socket, controller.signal);
  if (socket.destroyed) abort();
  else socket.once('close', abort);
  return controller.signal;
}

/** A promise that rejects with the signal's reason once it aborts (and never settles otherwise). */
function rejectOnAbort(signal: AbortSignal): Promise<never> {
  return new Promise<never>((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    else signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

function normaliseBase(basePath: string | undefined): string {
  let base = basePath ?? '';
  while (base.endsWith('/')) base = base.slice(0, -1);
  if (base !== '' && !base.startsWith('/')) base = '/' + base;
  return base;
}

/** Go's `http.Redirect(w, r, url, 301)`, as ServeMux does for unclean paths. */
function redirect(req: IncomingMessage, res: ServerResponse, location: string): void {
  const headers: Record<string, string> = { Location: location };
  let body = '';
  if (req.method === 'GET' || req.method === 'HEAD') headers['Content-Type'] = 'text/html; charset=utf-8';
  if (req.method === 'GET') body = `<a href="${htmlEscape(location)}">Moved Permanently</a>.\n\n`;
  headers['Content-Length'] = String(Buffer.byteLength(body));
  res.writeHead(301, headers);
  res.end(body);
}

/** Builds the handler; see `FluxHttpHandlerOptions`. */
export function createFluxHttpHandler(options: FluxHttpHandlerOptions): FluxHttpHandler {
  const base = normaliseBase(options.basePath);
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const callTimeoutMs = options.callTimeoutMs;
  if (callTimeoutMs !== undefined) checkTimerMs('callTimeoutMs', callTimeoutMs);
  const bodyOptions: BodyOptions = { maxBodyBytes, budget: options.budget, retryAfterSeconds: options.retryAfterSeconds };

  return async function fluxHttpHandler(req, res) {
    let target = req.url ?? '/';
    if (!target.startsWith('/')) {
      // absolute-form request target (via a proxy)
      try {
        const u = new URL(target);
        target = u.pathname + u.search;
      } catch {
        return false;
      }
    }
    const { rawPath, rawQuery } = splitRequestTarget(target);
    let path: string;
    try {
      path = goPathUnescape(rawPath);
    } catch (err) {
      if (!(err instanceof UrlEscapeError) || !(rawPath === base || rawPath.startsWith(base + '/'))) return false;
      // Go's server refuses such a request target before any handler runs.
      res.writeHead(400, { 'Content-Type': TEXT_CONTENT_TYPE, Connection: 'close', 'Content-Length': '15' });
      res.end('400 Bad Request');
      return true;
    }
    if (!(path === base || path.startsWith(base + '/'))) return false;

    // Go's ServeMux (fluxd mounts the API at "/api/flux/"): unclean paths and the bare base path
    // are redirected.
    const clean = path === base && base !== '' ? base + '/' : cleanPath(path);
    if (clean !== path) {
      redirect(req, res, goPathEscape(clean) + (rawQuery === '' ? '' : '?' + rawQuery));
      return true;
    }
    const rel = path.slice(base.length) || '/';
    const method = req.method ?? 'GET';
    const match = matchRoute(method, rel, rawQuery);
    switch (match.kind) {
      case 'upstream':
        return false;
      case 'deprecated':
        writeError(req, res, 410, new ApiDeprecatedError());
        return true;
      case 'notFound':
        writeError(req, res, 404, new ApiNotFoundError(rel));
        return true;
    }

    try {
      await serveRoute(req, res, match.route, rawQuery);
    } catch (err) {
      // A failure of our own (not of the API call): report it the way Go reports any error.
      if (!res.headersSent && !res.destroyed) errorResponse(req, res, err);
      else res.destroy();
    }
    return true;
  };

  async function serveRoute(req: IncomingMessage, res: ServerResponse, route: ApiRoute, rawQuery: string): Promise<void> {
    // resolve and PREPARE are mostly synchronous: awaited only when they return a promise (each
    // await costs the request a turn of the microtask queue and a copy of this frame).
    let api: FluxApi;
    try {
      const resolved = options.resolve(req);
      api = resolved instanceof Promise ? await resolved : resolved;
    } catch (err) {
      errorResponse(req, res, err);
      return;
    }

    const rq = new LazyRouteRequest(req, res, rawQuery, bodyOptions);
    let call: Call;
    try {
      const prepared = PREPARE[route.name as RouteName](rq);
      call = prepared instanceof Promise ? await prepared : prepared;
    } catch (err) {
      if (err instanceof HttpRequestError) {
        writeError(req, res, err.status, err);
        return;
      }
      throw err;
    }

    // The call's signal: aborted when the HTTP client goes away (and, with a call timeout, then).
    const hangUp = hangUpSignal(req, res);
    const limit = callTimeoutMs === undefined ? undefined : deadline(hangUp, callTimeoutMs, () => new UnavailableError(`no reply from the Flux daemon within ${callTimeoutMs} ms`));
    let reply: Reply;
    try {
      // The timeout answers at once, even if the API does not honour its signal.
      reply = limit === undefined ? await call(api, { signal: hangUp }) : await Promise.race([call(api, { signal: limit.signal }), rejectOnAbort(limit.signal)]);
    } catch (err) {
      if (!res.destroyed) errorResponse(req, res, err);
      return;
    } finally {
      limit?.dispose();
    }
    if (res.destroyed) return;
    if (reply.list !== undefined) await jsonListResponse(res, reply.list.items, reply.list.encode, reply.status);
    else if (reply.json === undefined) emptyResponse(res, reply.status);
    else jsonResponse(res, reply.json, reply.status);
  }
}
