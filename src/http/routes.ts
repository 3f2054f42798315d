/**
 * Flux's daemon HTTP API route table (`pkg/http/transport.go` `NewAPIRouter`, plus the daemon's
 * deprecated versions and catch-all; docs/wire.md Appendix A) as data: both the handler and the client
 * are driven by it.
 *
 * Paths are relative to the API base (fluxd serves `http://<fluxd>:3030/api/flux`). Matching
 * follows gorilla/mux as fluxd configures it: exact path and method (a known path with another
 * method is "not found", since fluxd's catch-all route takes it), required query keys for
 * `JobStatus`/`SyncStatus`/`UpdateImages`, then `/v1/`…`/v5/` prefixes (deprecated), then not found.
 * The upstream routes (`/v<N>/daemon`, `POST /v6/events`) belong to the hub, not to this API.
 */
import { goQuote } from '../codec/go-json.js';
import { goMap, goObject, goSlice as encodeSlice } from '../flux/model/go-encode.js';
import { goBool, goSlice, goString, unmarshal } from '../flux/model/go-decode.js';
import { MODEL_CODECS, type ModelCodec } from '../flux/model/codecs.js';
import type { Change } from '../flux/model/change.js';
import type { ControllerStatus } from '../flux/model/controller-status.js';
import type { GitConfig, PublicSshKey } from '../flux/model/git-config.js';
import type { ImageStatus } from '../flux/model/image-status.js';
import type { JobId, JobStatus } from '../flux/model/job.js';
import type { PolicyUpdates } from '../flux/model/policy.js';
import type { UpdateSpec } from '../flux/model/update-spec.js';
import { muxQueryVar } from './go-url.js';

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PATCH';

/** Encoder (Go's `json.Marshal`) and decoder (Go's `json.Unmarshal` of parsed JSON) of one Go type. */
export interface JsonCodec<T> {
  /** The Go type, for messages and docs. */
  readonly goType: string;
  encode(value: T): string;
  decode(json: unknown): T;
}

/** How Go's `pkg/http/client` reads a success reply. */
export type ClientRead =
  /** Not read (`Get` with no destination: Ping). */
  | 'none'
  /** `json.NewDecoder(body).Decode`: the first value; an empty body is an error (`EOF`). */
  | 'decode'
  /** `json.Unmarshal(body)` only if the body is not empty: empty = the zero value. */
  | 'unmarshal';

export interface ApiRoute<Req = unknown, Rep = unknown> {
  /** The route name in Go (`transport.Ping`, …), also the metric/log label. */
  readonly name: string;
  readonly methods: readonly HttpMethod[];
  /** The path below the API base. */
  readonly path: string;
  /** Query keys Go's client sends (always all of them, even when empty). */
  readonly query: readonly string[];
  /** Query keys without which the route does not match (mux `Queries`): the request gets 404. */
  readonly requiredQuery: readonly string[];
  /** The request body's codec, or `null` for no body. */
  readonly body: JsonCodec<Req> | null;
  /** The success status. */
  readonly status: number;
  /** The success reply's codec (`application/json; charset=utf-8`), or `null` for an empty reply. */
  readonly reply: JsonCodec<Rep> | null;
  readonly clientRead: ClientRead;
  /** Kept only for older fluxctl versions; Go's client no longer calls them. */
  readonly legacy: boolean;
}

function codec<T>(goType: string, encode: (v: T) => string, decode: (json: unknown) => T): JsonCodec<T> {
  return { goType, encode, decode };
}

function model<T>(goType: keyof typeof MODEL_CODECS, c: ModelCodec<T>): JsonCodec<T> {
  return codec(goType, c.encode, c.decode);
}

export const STRING_CODEC: JsonCodec<string> = codec('string', goQuote, (json) => unmarshal(json, goString(), ''));

export const BOOL_CODEC: JsonCodec<boolean> = codec(
  'bool',
  (b) => (b ? 'true' : 'false'),
  (json) => unmarshal(json, goBool(), false),
);

const stringSliceValue = goSlice(goString(), () => '', '[]string');

export const STRING_SLICE_CODEC: JsonCodec<readonly string[] | null> = codec(
  '[]string',
  (items) => encodeSlice(items, goQuote),
  (json) => unmarshal(json, stringSliceValue, null),
);

/** `ssh.PublicKey` (the legacy `GET /v6/identity.pub` reply): the `publicSSHKey` of a GitConfig. */
export const PUBLIC_KEY_CODEC: JsonCodec<PublicSshKey> = codec(
  'ssh.PublicKey',
  (k) =>
    goObject([
      ['key', goQuote(k.key)],
      [
        'fingerprints',
        goMap(k.fingerprints, (f) =>
          goObject([
            ['hash', goQuote(f.hash)],
            ['randomart', goQuote(f.randomart)],
          ]),
        ),
      ],
    ]),
  // Decoded as the `publicSSHKey` of a GitConfig (type error texts then name GitConfig's path).
  (json) => MODEL_CODECS['v6.GitConfig'].decode(json === null ? null : { publicSSHKey: json }).publicSSHKey,
);

type RouteSpec<B, P> = Omit<ApiRoute, 'body' | 'reply' | 'query' | 'requiredQuery' | 'legacy'> &
  Partial<Pick<ApiRoute, 'query' | 'requiredQuery' | 'legacy'>> & { readonly body: B; readonly reply: P };

/** A route with its codecs' types kept. */
function route<B extends JsonCodec<any> | null, P extends JsonCodec<any> | null>(r: RouteSpec<B, P>): ApiRoute & { readonly body: B; readonly reply: P } {
  return { query: [], requiredQuery: [], legacy: false, ...r };
}

/** Every route of the daemon API, by Go's route name. */
export const ROUTES = {
  Ping: route({ name: 'Ping', methods: ['GET'], path: '/v11/ping', body: null, status: 204, reply: null, clientRead: 'none' }),
  Version: route({ name: 'Version', methods: ['GET'], path: '/v11/version', body: null, status: 200, reply: STRING_CODEC, clientRead: 'decode' }),
  Notify: route({ name: 'Notify', methods: ['POST'], path: '/v11/notify', body: model('v9.Change', MODEL_CODECS['v9.Change']), status: 202, reply: null, clientRead: 'unmarshal' }),
  ListServices: route({
    name: 'ListServices',
    methods: ['GET'],
    path: '/v6/services',
    query: ['namespace'],
    body: null,
    status: 200,
    reply: model('[]v6.ControllerStatus', MODEL_CODECS['[]v6.ControllerStatus']),
    clientRead: 'decode',
  }),
  ListServicesWithOptions: route({
    name: 'ListServicesWithOptions',
    methods: ['GET'],
    path: '/v11/services',
    query: ['namespace', 'services'],
    body: null,
    status: 200,
    reply: model('[]v6.ControllerStatus', MODEL_CODECS['[]v6.ControllerStatus']),
    clientRead: 'decode',
  }),
  ListImages: route({
    name: 'ListImages',
    methods: ['GET'],
    path: '/v6/images',
    query: ['service'],
    body: null,
    status: 200,
    reply: model('[]v6.ImageStatus', MODEL_CODECS['[]v6.ImageStatus']),
    clientRead: 'decode',
  }),
  ListImagesWithOptions: route({
    name: 'ListImagesWithOptions',
    methods: ['GET'],
    path: '/v10/images',
    query: ['containerFields', 'namespace', 'service'],
    body: null,
    status: 200,
    reply: model('[]v6.ImageStatus', MODEL_CODECS['[]v6.ImageStatus']),
    clientRead: 'decode',
  }),
  UpdateManifests: route({
    name: 'UpdateManifests',
    methods: ['POST'],
    path: '/v9/update-manifests',
    body: model('update.Spec', MODEL_CODECS['update.Spec']),
    status: 200,
    reply: model('job.ID', MODEL_CODECS['job.ID']),
    clientRead: 'unmarshal',
  }),
  JobStatus: route({
    name: 'JobStatus',
    methods: ['GET'],
    path: '/v6/jobs',
    query: ['id'],
    requiredQuery: ['id'],
    body: null,
    status: 200,
    reply: model('job.Status', MODEL_CODECS['job.Status']),
    clientRead: 'decode',
  }),
  SyncStatus: route({
    name: 'SyncStatus',
    methods: ['GET'],
    path: '/v6/sync',
    query: ['ref'],
    requiredQuery: ['ref'],
    body: null,
    status: 200,
    reply: STRING_SLICE_CODEC,
    clientRead: 'decode',
  }),
  Export: route({
    name: 'Export',
    methods: ['HEAD', 'GET'],
    path: '/v6/export',
    body: null,
    status: 200,
    reply: model('[]byte', MODEL_CODECS['[]byte']),
    clientRead: 'decode',
  }),
  GitRepoConfig: route({
    name: 'GitRepoConfig',
    methods: ['POST'],
    path: '/v9/git-repo-config',
    body: BOOL_CODEC,
    status: 200,
    reply: model('v6.GitConfig', MODEL_CODECS['v6.GitConfig']),
    clientRead: 'unmarshal',
  }),
  UpdateImages: route({
    name: 'UpdateImages',
    methods: ['POST'],
    path: '/v6/update-images',
    query: ['exclude', 'image', 'kind', 'message', 'service', 'user'],
    requiredQuery: ['service', 'image', 'kind'],
    body: null,
    status: 200,
    reply: model('job.ID', MODEL_CODECS['job.ID']),
    clientRead: 'unmarshal',
    legacy: true,
  }),
  UpdatePolicies: route({
    name: 'UpdatePolicies',
    methods: ['PATCH'],
    path: '/v6/policies',
    query: ['message', 'user'],
    body: model('resource.PolicyUpdates', MODEL_CODECS['resource.PolicyUpdates']),
    status: 200,
    reply: model('job.ID', MODEL_CODECS['job.ID']),
    clientRead: 'unmarshal',
    legacy: true,
  }),
  GetPublicSSHKey: route({
    name: 'GetPublicSSHKey',
    methods: ['GET'],
    path: '/v6/identity.pub',
    body: null,
    status: 200,
    reply: PUBLIC_KEY_CODEC,
    clientRead: 'decode',
    legacy: true,
  }),
  RegeneratePublicSSHKey: route({
    name: 'RegeneratePublicSSHKey',
    methods: ['POST'],
    path: '/v6/identity.pub',
    body: null,
    status: 204,
    reply: null,
    clientRead: 'unmarshal',
    legacy: true,
  }),
} as const;

export type RouteName = keyof typeof ROUTES;

/** The routes in Go's registration order (the order matching tries them). */
export const ROUTE_LIST: readonly ApiRoute[] = Object.values(ROUTES) as readonly ApiRoute[];

/** API versions the daemon answers with 410 `API endpoint deprecated` (any path below `/<v>/`). */
export const DEPRECATED_VERSIONS = ['v1', 'v2', 'v3', 'v4', 'v5'] as const;

/** The upstream's routes (`pkg/http/transport.go` `UpstreamRoutes`): served by the hub, not here. */
export const UPSTREAM_ROUTES = [
  { name: 'RegisterDaemonV6', method: 'GET', path: '/v6/daemon' },
  { name: 'RegisterDaemonV7', method: 'GET', path: '/v7/daemon' },
  { name: 'RegisterDaemonV8', method: 'GET', path: '/v8/daemon' },
  { name: 'RegisterDaemonV9', method: 'GET', path: '/v9/daemon' },
  { name: 'RegisterDaemonV10', method: 'GET', path: '/v10/daemon' },
  { name: 'RegisterDaemonV11', method: 'GET', path: '/v11/daemon' },
  { name: 'LogEvent', method: 'POST', path: '/v6/events' },
] as const;

export type RouteMatch =
  | { readonly kind: 'route'; readonly route: ApiRoute }
  | { readonly kind: 'upstream'; readonly name: (typeof UPSTREAM_ROUTES)[number]['name'] }
  | { readonly kind: 'deprecated'; readonly version: string }
  | { readonly kind: 'notFound' };

/**
 * Which route a request takes. `path` is the decoded path below the API base, `rawQuery` the
 * query as sent (mux looks at the raw query for required keys).
 */
export function matchRoute(method: string, path: string, rawQuery: string): RouteMatch {
  for (const r of ROUTE_LIST) {
    if (r.path !== path || !(r.methods as readonly string[]).includes(method)) continue;
    if (r.requiredQuery.every((k) => muxQueryVar(rawQuery, k) !== undefined)) return { kind: 'route', route: r };
  }
  for (const u of UPSTREAM_ROUTES) {
    if (u.path === path && u.method === method) return { kind: 'upstream', name: u.name };
  }
  for (const v of DEPRECATED_VERSIONS) {
    if (path.startsWith(`/${v}/`)) return { kind: 'deprecated', version: v };
  }
  return { kind: 'notFound' };
}
