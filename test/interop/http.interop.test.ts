/**
 * Interop with real Go for Flux's daemon HTTP API (src/http), against flux v1.25.4's own code in
 * test/interop/go/cmd/httppeer:
 *
 * - flux's Go client (`pkg/http/client`) → our handler, backed by a TypeScript fake that answers
 *   what the Go `remote.MockServer` answers: the Go client must see exactly what it sees from
 *   fluxd's real handler (`pkg/http/daemon.NewHandler`), and the API must be called with exactly
 *   the arguments fluxd's handler passes;
 * - our `FluxHttpClient` → fluxd's real handler: the same outcomes as flux's Go client gets from
 *   that handler, and byte-identical requests;
 * - raw requests (bad queries and bodies, negotiation, unknown and deprecated paths, legacy routes)
 *   to both handlers: identical status, content type, location and body.
 *
 * The answers and errors of each mode come from the Go peer (`httppeer fixture`), so both sides
 * serve the same data. Known, deliberate differences (src/http/api-handler.ts) are asserted as such.
 */
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CallContext, FluxApi } from '../../src/flux/api.js';
import { goQuote } from '../../src/codec/go-json.js';
import { encodeChange, type Change } from '../../src/flux/model/change.js';
import { decodeControllerStatusList, encodeControllerStatusList } from '../../src/flux/model/controller-status.js';
import { decodeBytes, encodeBytes } from '../../src/flux/model/export.js';
import { CoverAllError, FluxError } from '../../src/flux/model/flux-error.js';
import { decodeGitConfig, encodeGitConfig, ZERO_GIT_CONFIG } from '../../src/flux/model/git-config.js';
import { decodeImageStatusList, encodeImageStatusList } from '../../src/flux/model/image-status.js';
import { parseImageRef } from '../../src/flux/model/image.js';
import { decodeJobStatus, encodeJobStatus, ZERO_JOB_STATUS } from '../../src/flux/model/job.js';
import { encodeListImagesOptions, encodeListServicesOptions } from '../../src/flux/model/options.js';
import { ResourceId } from '../../src/flux/model/resource-id.js';
import { encodeUpdateSpec, type UpdateSpec } from '../../src/flux/model/update-spec.js';
import { MANUAL_SYNC } from '../../src/flux/model/release-spec.js';
import { createFluxHttpHandler } from '../../src/http/api-handler.js';
import { FluxHttpClient } from '../../src/http/client.js';
import { STRING_SLICE_CODEC } from '../../src/http/routes.js';
import { GoPeer, requirePeer } from './go-peer.js';

const peers: GoPeer[] = [];
const servers: http.Server[] = [];
after(() => {
  peers.forEach((p) => p.kill());
  servers.forEach((s) => s.close());
});

function startPeer(args: string[]): GoPeer {
  const p = GoPeer.start('httppeer', args);
  peers.push(p);
  return p;
}

// --- the fixture (answers and errors, from the Go peer) ---------------------------------------

type Mode = 'ok' | 'nil' | 'flux' | 'plain';
const MODES: readonly Mode[] = ['ok', 'nil', 'flux', 'plain'];

interface ErrorSpec {
  flux: boolean;
  type: string;
  help: string;
  error: string;
  wrap: string;
}

interface Fixture {
  answers: {
    Version: string;
    Export: unknown;
    Services: unknown;
    Images: unknown;
    UpdateManifests: string;
    SyncStatus: unknown;
    JobStatus: unknown;
    GitRepoConfig: unknown;
  };
  errors: Record<'flux' | 'plain', Record<string, ErrorSpec>>;
}

let fixturePromise: Promise<Fixture> | undefined;
function fixture(): Promise<Fixture> {
  fixturePromise ??= (async () => {
    const p = startPeer(['fixture']);
    return JSON.parse(await p.line('FIXTURE ')) as Fixture;
  })();
  return fixturePromise;
}

/** The Go error of a spec, as the mock returns it (`errors.Wrap` keeps the cause). */
function buildError(spec: ErrorSpec): Error {
  const inner = spec.flux ? new FluxError(spec.type, spec.help, spec.error === '' ? undefined : spec.error) : new Error(spec.error);
  return spec.wrap === '' ? inner : new Error(`${spec.wrap}: ${inner.message}`, { cause: inner });
}

/**
 * A FluxApi answering as the Go peer's `remote.MockServer` in `mode`, recording each call as the
 * Go peer prints it (`{"args":[…],"method":…}`).
 */
function fakeApi(fx: Fixture, mode: Mode, calls: string[]): FluxApi {
  const record = (method: string, ...args: string[]) => calls.push(`{"args":[${args.join(',')}],"method":${goQuote(method)}}`);
  const a = fx.answers;
  const answer = <T>(method: string, ok: () => T, zero: T): Promise<T> => {
    if (mode === 'flux' || mode === 'plain') return Promise.reject(buildError(fx.errors[mode][method]!));
    return Promise.resolve(mode === 'ok' ? ok() : zero);
  };
  return {
    ping: async () => {
      record('Ping');
      await answer('Ping', () => undefined, undefined);
    },
    version: async () => (record('Version'), answer('Version', () => a.Version, '')),
    export: async () => (record('Export'), answer('Export', () => decodeBytes(a.Export), null)),
    listServices: async (_ctx, ns) => (record('ListServices', goQuote(ns)), answer('ListServices', () => decodeControllerStatusList(a.Services), null)),
    listServicesWithOptions: async (_ctx, opts) => (
      record('ListServicesWithOptions', encodeListServicesOptions(opts)), answer('ListServices', () => decodeControllerStatusList(a.Services), null)
    ),
    listImages: async (_ctx, spec) => (record('ListImages', goQuote(spec)), answer('ListImages', () => decodeImageStatusList(a.Images), null)),
    listImagesWithOptions: async (_ctx, opts) => (
      record('ListImagesWithOptions', encodeListImagesOptions(opts)), answer('ListImages', () => decodeImageStatusList(a.Images), null)
    ),
    updateManifests: async (_ctx, spec) => (record('UpdateManifests', encodeUpdateSpec(spec)), answer('UpdateManifests', () => a.UpdateManifests, '')),
    notifyChange: async (_ctx, change) => {
      record('NotifyChange', encodeChange(change));
      await answer('NotifyChange', () => undefined, undefined);
    },
    jobStatus: async (_ctx, id) => (record('JobStatus', goQuote(id)), answer('JobStatus', () => decodeJobStatus(a.JobStatus), ZERO_JOB_STATUS)),
    syncStatus: async (_ctx, ref) => (record('SyncStatus', goQuote(ref)), answer('SyncStatus', () => STRING_SLICE_CODEC.decode(a.SyncStatus), null)),
    gitRepoConfig: async (_ctx, regenerate) => (
      record('GitRepoConfig', String(regenerate)), answer('GitRepoConfig', () => decodeGitConfig(a.GitRepoConfig), ZERO_GIT_CONFIG)
    ),
    syncNotify: async () => {
      throw new Error('SyncNotify is not served over HTTP');
    },
  };
}

async function serveOurs(api: FluxApi): Promise<{ base: string; port: number }> {
  const handler = createFluxHttpHandler({ resolve: () => api, basePath: '/api/flux' });
  const server = http.createServer((req, res) => {
    handler(req, res).then((handled) => {
      if (!handled) res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not the API');
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { base: `http://127.0.0.1:${port}/api/flux`, port };
}

async function startGoDaemon(mode: Mode, token?: string): Promise<{ peer: GoPeer; base: string; port: number }> {
  const peer = startPeer(['daemon', '--listen', '127.0.0.1:0', '--mode', mode, ...(token ? ['--token', token] : [])]);
  const addr = await peer.line('LISTEN ');
  const port = Number(addr.slice(addr.lastIndexOf(':') + 1));
  return { peer, base: `http://127.0.0.1:${port}/api/flux`, port };
}

/** flux's Go client against `base`: the outcome of every call (httppeer client.go, runCalls). */
async function goClient(base: string, token?: string): Promise<Outcome[]> {
  const p = startPeer(['client', '--url', base, ...(token ? ['--token', token] : [])]);
  return p.result<Outcome[]>();
}

/** `n` lines with `prefix` from a Go peer, in order. */
async function lines(peer: GoPeer, prefix: string, n: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(await peer.line(prefix));
  return out;
}

// --- our client making the Go client's calls ----------------------------------------------------

interface Outcome {
  call: string;
  value: unknown;
  error: { flux: boolean; type: string; help: string; message: string } | null;
}

const id = (s: string) => ResourceId.parse(s);
const encodeNull = () => 'null';

/** The calls of httppeer's `runCalls`, in order: how to make each, encode its value, and its zero. */
const CLIENT_CALLS: { call: string; run(api: FluxApi, ctx: CallContext): Promise<any>; encode(v: any): string; zero: string }[] = [
  { call: 'Ping', run: (c, x) => c.ping(x), encode: encodeNull, zero: 'null' },
  { call: 'Version', run: (c, x) => c.version(x), encode: goQuote, zero: '""' },
  {
    call: 'NotifyChange(git)',
    run: (c, x) => c.notifyChange(x, { kind: 'git', source: { url: 'git@example.com:org/repo', branch: 'main' } }),
    encode: encodeNull,
    zero: 'null',
  },
  {
    call: 'NotifyChange(image)',
    run: (c, x) => {
      const ref = parseImageRef('quay.io/org/app');
      return c.notifyChange(x, { kind: 'image', source: { name: { domain: ref.domain, image: ref.image } } } as Change);
    },
    encode: encodeNull,
    zero: 'null',
  },
  { call: 'ListServices(default)', run: (c, x) => c.listServices(x, 'default'), encode: encodeControllerStatusList, zero: 'null' },
  { call: 'ListServices()', run: (c, x) => c.listServices(x, ''), encode: encodeControllerStatusList, zero: 'null' },
  {
    call: 'ListServicesWithOptions(services)',
    run: (c, x) => c.listServicesWithOptions(x, { namespace: '', services: [id('default:deployment/app'), id('kube-system/legacy')] }),
    encode: encodeControllerStatusList,
    zero: 'null',
  },
  {
    call: 'ListServicesWithOptions(namespace)',
    run: (c, x) => c.listServicesWithOptions(x, { namespace: 'ns with space&=é/?', services: null }),
    encode: encodeControllerStatusList,
    zero: 'null',
  },
  { call: 'ListImages(<all>)', run: (c, x) => c.listImages(x, '<all>'), encode: encodeImageStatusList, zero: 'null' },
  { call: 'ListImages(id)', run: (c, x) => c.listImages(x, 'default:Deployment/app'), encode: encodeImageStatusList, zero: 'null' },
  {
    call: 'ListImagesWithOptions(fields)',
    run: (c, x) => c.listImagesWithOptions(x, { spec: 'default:deployment/app', overrideContainerFields: ['Name', 'Current'], namespace: 'staging' }),
    encode: encodeImageStatusList,
    zero: 'null',
  },
  {
    call: 'ListImagesWithOptions()',
    run: (c, x) => c.listImagesWithOptions(x, { spec: '', overrideContainerFields: null, namespace: '' }),
    encode: encodeImageStatusList,
    zero: 'null',
  },
  {
    call: 'UpdateManifests(image)',
    run: (c, x) =>
      c.updateManifests(x, {
        type: 'image',
        cause: { message: 'release <it>', user: 'Jane' },
        spec: {
          serviceSpecs: ['default:deployment/app'],
          imageSpec: 'quay.io/org/app:v2.0.0',
          kind: 'plan',
          excludes: [id('default:deployment/other')],
          force: true,
        },
      }),
    encode: goQuote,
    zero: '""',
  },
  {
    call: 'UpdateManifests(policy)',
    run: (c, x) =>
      c.updateManifests(x, {
        type: 'policy',
        cause: { message: '', user: 'bot' },
        spec: new Map([['default:deployment/app', { add: new Map([['locked', 'true']]), remove: new Map([['automated', 'true']]) }]]),
      } as UpdateSpec),
    encode: goQuote,
    zero: '""',
  },
  {
    call: 'UpdateManifests(sync)',
    run: (c, x) => c.updateManifests(x, { type: 'sync', cause: { message: '', user: '' }, spec: MANUAL_SYNC }),
    encode: goQuote,
    zero: '""',
  },
  { call: 'JobStatus', run: (c, x) => c.jobStatus(x, 'job id/with ?&=+%; é'), encode: encodeJobStatus, zero: encodeJobStatus(ZERO_JOB_STATUS) },
  { call: 'SyncStatus', run: (c, x) => c.syncStatus(x, 'refs/heads/main~1'), encode: STRING_SLICE_CODEC.encode, zero: 'null' },
  { call: 'Export', run: (c, x) => c.export(x), encode: encodeBytes, zero: 'null' },
  { call: 'GitRepoConfig(false)', run: (c, x) => c.gitRepoConfig(x, false), encode: encodeGitConfig, zero: encodeGitConfig(ZERO_GIT_CONFIG) },
  { call: 'GitRepoConfig(true)', run: (c, x) => c.gitRepoConfig(x, true), encode: encodeGitConfig, zero: encodeGitConfig(ZERO_GIT_CONFIG) },
];

/** Our client making the same calls, described as the Go peer describes its outcomes. */
async function ourClient(base: string, token?: string): Promise<Outcome[]> {
  const client = new FluxHttpClient({ baseUrl: base, ...(token ? { token } : {}) });
  const ctx = { signal: new AbortController().signal };
  const out: Outcome[] = [];
  for (const c of CLIENT_CALLS) {
    try {
      const v = await c.run(client, ctx);
      out.push({ call: c.call, value: JSON.parse(c.encode(v)), error: null });
    } catch (err) {
      const error =
        err instanceof FluxError
          ? { flux: true, type: err.type, help: err.help, message: err.err?.message ?? '' }
          : { flux: false, type: '', help: '', message: (err as Error).message };
      out.push({ call: c.call, value: JSON.parse(c.zero), error });
    }
  }
  return out;
}

/** What a Go client sees for a Flux error `e` (type, help, message). */
function fluxOutcome(e: FluxError): Outcome['error'] {
  return { flux: true, type: e.type, help: e.help, message: e.err?.message ?? '' };
}

const GIT_CALLS = new Set(['GitRepoConfig(false)', 'GitRepoConfig(true)']);
/** What flux's Go client reports for fluxd's GitRepoConfig error reply (error body + zero config). */
const GO_GIT_ERROR = {
  flux: false,
  type: '',
  help: '',
  message: "executing HTTP request: decoding response body of error: invalid character '{' after top-level value",
};

// --- flux's Go client → our handler ---------------------------------------------------------

describe("flux's Go HTTP client → our handler sees what it sees from fluxd", { timeout: 120_000 }, () => {
  for (const mode of MODES) {
    test(`mode ${mode}: identical outcomes and identical API calls`, async (t) => {
      if (!requirePeer(t, 'httppeer')) return;
      const fx = await fixture();
      const go = await startGoDaemon(mode);
      const fromFluxd = await goClient(go.base);

      const calls: string[] = [];
      const ours = await serveOurs(fakeApi(fx, mode, calls));
      const fromOurs = await goClient(ours.base);

      assert.equal(fromOurs.length, CLIENT_CALLS.length);
      assert.deepEqual(
        fromOurs.map((o) => o.call),
        CLIENT_CALLS.map((c) => c.call),
      );
      for (let i = 0; i < fromOurs.length; i++) {
        const [o, g] = [fromOurs[i]!, fromFluxd[i]!];
        if (GIT_CALLS.has(o.call) && (mode === 'flux' || mode === 'plain')) {
          // Deliberate difference: fluxd appends the zero GitConfig to its error body, so Go's client
          // cannot read the error; ours answers the error alone and the Go client reports it.
          assert.deepEqual(g.error, GO_GIT_ERROR, o.call);
          const spec = fx.errors[mode].GitRepoConfig!;
          const expected = mode === 'flux' ? (buildError(spec) as FluxError) : new CoverAllError(buildError(spec));
          assert.deepEqual(o.error, fluxOutcome(expected), o.call);
          assert.deepEqual(o.value, g.value, o.call);
          continue;
        }
        assert.deepEqual(o, g, o.call);
      }
      // fluxd's handler called its server with exactly these arguments.
      assert.deepEqual(calls, await lines(go.peer, 'CALL ', calls.length));
    });
  }
});

// --- our client → fluxd's handler -------------------------------------------------------------

/** A REQUEST line without what legitimately differs (Go's transport adds `Accept-Encoding: gzip`). */
function requestShape(line: string): unknown {
  const r = JSON.parse(line) as { headers: Record<string, string[]> };
  delete r.headers['Accept-Encoding'];
  return r;
}

describe("our FluxHttpClient → fluxd's handler behaves as flux's Go client", { timeout: 120_000 }, () => {
  for (const mode of MODES) {
    test(`mode ${mode}: identical outcomes, byte-identical requests`, async (t) => {
      if (!requirePeer(t, 'httppeer')) return;
      const go = await startGoDaemon(mode);
      const goOutcomes = await goClient(go.base);
      const goRequests = await lines(go.peer, 'REQUEST ', CLIENT_CALLS.length);
      const ourOutcomes = await ourClient(go.base);
      const ourRequests = await lines(go.peer, 'REQUEST ', CLIENT_CALLS.length);

      assert.deepEqual(ourOutcomes, goOutcomes);
      assert.deepEqual(ourRequests.map(requestShape), goRequests.map(requestShape));
      if (mode === 'flux') {
        // The error cases this mode covers, seen through our client.
        const byCall = new Map(ourOutcomes.map((o) => [o.call, o.error]));
        assert.equal(byCall.get('Ping')?.type, 'missing');
        assert.equal(byCall.get('NotifyChange(git)')?.type, 'weird-type');
        assert.match(byCall.get('SyncStatus')!.message, /^executing HTTP request: 500 Internal Server Error \{"type":"server","help":"sync help without an error\\n"\}$/);
        assert.equal(byCall.get('GitRepoConfig(true)')?.message, GO_GIT_ERROR.message);
      }
    });
  }

  test('token: sent as Scope-Probe; a wrong one is "request failed authentication" for both clients', async (t) => {
    if (!requirePeer(t, 'httppeer')) return;
    const go = await startGoDaemon('ok', 's3cr3t');
    const goOk = await goClient(go.base, 's3cr3t');
    const goOkRequests = await lines(go.peer, 'REQUEST ', CLIENT_CALLS.length);
    const ourOk = await ourClient(go.base, 's3cr3t');
    const ourOkRequests = await lines(go.peer, 'REQUEST ', CLIENT_CALLS.length);
    assert.deepEqual(ourOk, goOk);
    assert.ok(ourOk.every((o) => o.error === null));
    assert.deepEqual(ourOkRequests.map(requestShape), goOkRequests.map(requestShape));
    assert.deepEqual((JSON.parse(ourOkRequests[0]!) as any).headers.Authorization, ['Scope-Probe token=s3cr3t']);

    const goBad = await goClient(go.base, 'wrong');
    const ourBad = await ourClient(go.base, 'wrong');
    assert.deepEqual(ourBad, goBad);
    for (const o of ourBad) assert.equal(o.error?.message, 'request failed authentication', o.call);
    assert.ok(ourBad[0]!.error!.help.startsWith('The request failed authentication\n'));
  });
});

// --- raw requests: our handler answers as fluxd's ----------------------------------------------

interface RawRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

interface RawReply {
  status: number;
  contentType: string | undefined;
  location: string | undefined;
  body: string;
}

function send(port: number, r: RawRequest): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...r.headers };
    if (r.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(r.body));
    const req = http.request({ host: '127.0.0.1', port, method: r.method, path: r.path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode!,
          contentType: res.headers['content-type'],
          location: res.headers.location,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
    });
    req.on('error', reject);
    req.end(r.body);
  });
}

const JSON_ACCEPT = { Accept: 'application/json' };
/** Accept headers covering every branch of fluxd's negotiation. */
const ACCEPTS: Record<string, string>[] = [
  {},
  JSON_ACCEPT,
  { Accept: 'text/plain' },
  { Accept: '*/*' },
  { Accept: 'text/plain;q=0.5, application/json;q=0.4' },
  { Accept: 'application/json; charset=utf-8' },
  { Accept: 'text/html, text/plain' },
  { Accept: 'application/json;q=0, text/plain;q=0' },
];

function withAccepts(r: RawRequest): RawRequest[] {
  return ACCEPTS.map((h) => ({ ...r, headers: { ...r.headers, ...h } }));
}

const UI = '/api/flux/v6/update-images';

/** Requests answered the same by both handlers (bodies included), in mode `ok`. */
const RAW_OK: RawRequest[] = [
  ...withAccepts({ method: 'GET', path: '/api/flux/v11/ping' }),
  { method: 'GET', path: '/api/flux/v11/version', headers: JSON_ACCEPT },
  { method: 'GET', path: '/api/flux/v11/p%69ng' },
  ...withAccepts({ method: 'POST', path: '/api/flux/v11/ping' }),
  { method: 'HEAD', path: '/api/flux/v11/ping', headers: JSON_ACCEPT },
  { method: 'GET', path: '/api/flux/v11/ping/', headers: JSON_ACCEPT },
  ...withAccepts({ method: 'GET', path: '/api/flux/v1/services' }),
  { method: 'DELETE', path: '/api/flux/v5/', headers: JSON_ACCEPT },
  { method: 'GET', path: '/api/flux/v5', headers: JSON_ACCEPT },
  { method: 'GET', path: '/api/flux/v99/nothing?x=1', headers: { Accept: 'text/plain' } },
  { method: 'GET', path: '/api/flux/', headers: JSON_ACCEPT },
  { method: 'GET', path: '/api/flux' },
  { method: 'GET', path: '/api/flux?x=1' },
  { method: 'GET', path: '/api/flux//v11/version?a=b' },
  { method: 'HEAD', path: '/api/flux/v6/../v11/version' },
  { method: 'POST', path: '/api/flux/./v11/notify' },
  { method: 'GET', path: '/api/flux/v11/version%2F', headers: JSON_ACCEPT },
  { method: 'GET', path: '/api/flux/v6/%zz' },
  { method: 'GET', path: '/api/flux/v11/vers%C3%A9ion', headers: { Accept: 'text/plain' } },
  // services
  ...withAccepts({ method: 'GET', path: '/api/flux/v6/services?services=bad' }),
  { method: 'GET', path: '/api/flux/v11/services?services=default:deployment/a,bad%20one', headers: JSON_ACCEPT },
  { method: 'GET', path: '/api/flux/v11/services?services=default:deployment/a,', headers: { Accept: 'text/plain' } },
  { method: 'GET', path: '/api/flux/v11/services?namespace=a;b&services=%22q%22%0A' },
  { method: 'GET', path: '/api/flux/v11/services?services=&namespace=x', headers: JSON_ACCEPT },
  { method: 'GET', path: '/api/flux/v6/services?namespace=%zz&namespace=second', headers: JSON_ACCEPT },
  // images
  { method: 'GET', path: '/api/flux/v10/images?service=not%20valid', headers: JSON_ACCEPT },
  { method: 'GET', path: '/api/flux/v10/images?service=not%20valid' },
  { method: 'GET', path: '/api/flux/v6/images?service=default%2FLegacy_Name', headers: JSON_ACCEPT },
  { method: 'GET', path: '/api/flux/v6/images?service=a:b/c/d', headers: { Accept: 'text/plain' } },
  { method: 'GET', path: '/api/flux/v6/images?service=', headers: JSON_ACCEPT },
  { method: 'GET', path: '/api/flux/v6/images?service=%zz', headers: JSON_ACCEPT },
  { method: 'GET', path: '/api/flux/v10/images?containerFields=Name,,Current&namespace=n&service=%3Call%3E', headers: JSON_ACCEPT },
  // jobs and sync: the query key is required by the route
  { method: 'GET', path: '/api/flux/v6/jobs', headers: JSON_ACCEPT },
  { method: 'GET', path: '/api/flux/v6/jobs?id=', headers: JSON_ACCEPT },
  { method: 'GET', path: '/api/flux/v6/jobs?id=%0A', headers: JSON_ACCEPT },
  { method: 'GET', path: '/api/flux/v6/jobs?id=a;id=b', headers: JSON_ACCEPT },
  { method: 'GET', path: '/api/flux/v6/jobs?x=1&id=%zz&id=ok+ok', headers: JSON_ACCEPT },
  { method: 'POST', path: '/api/flux/v6/jobs?id=1', headers: JSON_ACCEPT },
  { method: 'GET', path: '/api/flux/v6/sync?ref=HEAD', headers: JSON_ACCEPT },
  { method: 'GET', path: '/api/flux/v6/sync?reff=HEAD', headers: JSON_ACCEPT },
  { method: 'GET', path: '/api/flux/v6/export', headers: JSON_ACCEPT },
  { method: 'HEAD', path: '/api/flux/v6/export', headers: JSON_ACCEPT },
  // notify bodies
  ...['', '{', 'x', '{"Kind":"x"}', '{"Kind":"git"}', ' [1,2', 'tru', '"\\q"', '{"Kind":"git","Source":null}', '{"Kind":"git","Source":{"URL":"u","Branch":"b"}} trailing', '{"Kind":"image","Source":{"Name":{"Domain":"quay.io","Image":"a/b"}}}']
    .flatMap((body) => [
      { method: 'POST', path: '/api/flux/v11/notify', headers: JSON_ACCEPT, body },
      { method: 'POST', path: '/api/flux/v11/notify', headers: { Accept: 'text/plain' }, body },
      { method: 'POST', path: '/api/flux/v11/notify', body },
    ]),
  // JSON type errors: the same text (their JSON form differs, see the deliberate differences)
  ...['123abc', '{"Kind":7}', '{"Kind":"image","Source":{"Name":[]}}'].flatMap((body) => [
    { method: 'POST', path: '/api/flux/v11/notify', headers: { Accept: 'text/plain' }, body },
    { method: 'POST', path: '/api/flux/v11/notify', body },
  ]),
  // update-manifests bodies
  ...['{}', '{"type":"nope","cause":{},"spec":{}}', '{"type":"image","cause":{}}', '{"type":"sync","cause":{"User":"u"},"spec":null}', '[', '\u00ef\u00bb\u00bf{}'].map((body) => ({
    method: 'POST',
    path: '/api/flux/v9/update-manifests',
    headers: { Accept: 'text/plain' },
    body,
  })),
  { method: 'POST', path: '/api/flux/v9/update-manifests', headers: JSON_ACCEPT, body: '{"type":"image","cause":{},"spec":{"ServiceSpecs":["<all>"],"ImageSpec":"<all latest>","Kind":"execute"}}' },
  { method: 'POST', path: '/api/flux/v9/git-repo-config', headers: JSON_ACCEPT, body: 'true' },
  { method: 'POST', path: '/api/flux/v9/git-repo-config', headers: JSON_ACCEPT, body: ' false garbage' },
  // legacy routes
  { method: 'POST', path: `${UI}?service=default:deployment/app&image=quay.io/org/app:v2&kind=execute&user=u&message=m`, headers: JSON_ACCEPT },
  { method: 'POST', path: `${UI}?service=%3Call%3E&service=default/x&image=%3Call+latest%3E&kind=plan&exclude=default:deployment/a&exclude=b/c`, headers: JSON_ACCEPT },
  { method: 'POST', path: `${UI}?service=default:deployment/app&image=quay.io/org/app:v2`, headers: JSON_ACCEPT },
  { method: 'POST', path: `${UI}?service=default:deployment/app&image=quay.io/org/app:v2&kind=bad`, headers: { Accept: 'text/plain' } },
  { method: 'POST', path: `${UI}?service=default:deployment/app&image=quay.io/org/app&kind=plan`, headers: { Accept: 'text/plain' } },
  { method: 'POST', path: `${UI}?service=default:deployment/app&image=a::b&kind=plan`, headers: { Accept: 'text/plain' } },
  { method: 'POST', path: `${UI}?service=default:deployment/app&image=a:b&kind=plan&exclude=bad`, headers: { Accept: 'text/plain' } },
  { method: 'POST', path: `${UI}?service=bad&image=a:b&kind=plan`, headers: { Accept: 'text/plain' } },
  { method: 'POST', path: `${UI}?service=default:deployment/app&image=a:b&kind=plan;x=y`, headers: { Accept: 'text/plain' } },
  {
    method: 'POST',
    path: `${UI}?service=default:deployment/app&image=a:b&kind=plan&user=query-user`,
    headers: { ...JSON_ACCEPT, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: 'service=default:deployment/from-body&user=body-user&message=body+msg',
  },
  { method: 'PATCH', path: '/api/flux/v6/policies?user=u&message=m', headers: JSON_ACCEPT, body: '{"default:deployment/app":{"add":{"locked":"true"}}}' },
  { method: 'PATCH', path: '/api/flux/v6/policies', headers: { Accept: 'text/plain' }, body: '{"bad id":{}}' },
  { method: 'PATCH', path: '/api/flux/v6/policies', headers: { Accept: 'text/plain' }, body: '' },
  { method: 'GET', path: '/api/flux/v6/identity.pub', headers: JSON_ACCEPT },
  { method: 'POST', path: '/api/flux/v6/identity.pub', headers: JSON_ACCEPT },
  { method: 'DELETE', path: '/api/flux/v6/identity.pub', headers: JSON_ACCEPT },
];

/** Error replies of the API's errors (modes flux and plain), under every negotiation outcome. */
const RAW_ERRORS: RawRequest[] = [
  ...withAccepts({ method: 'GET', path: '/api/flux/v11/version' }),
  ...withAccepts({ method: 'GET', path: '/api/flux/v11/ping' }),
  ...withAccepts({ method: 'GET', path: '/api/flux/v6/export' }),
  { method: 'GET', path: '/api/flux/v6/services', headers: { Accept: 'text/plain' } },
  { method: 'GET', path: '/api/flux/v10/images?service=%3Call%3E', headers: JSON_ACCEPT },
  { method: 'POST', path: '/api/flux/v11/notify', headers: JSON_ACCEPT, body: '{"Kind":"git","Source":null}' },
  { method: 'POST', path: '/api/flux/v9/update-manifests', headers: { Accept: 'text/plain' }, body: '{"type":"sync","cause":{},"spec":{}}' },
  { method: 'GET', path: '/api/flux/v6/jobs?id=x', headers: JSON_ACCEPT },
  { method: 'GET', path: '/api/flux/v6/sync?ref=x', headers: JSON_ACCEPT },
  { method: 'GET', path: '/api/flux/v6/identity.pub', headers: { Accept: 'text/plain' } },
  { method: 'POST', path: '/api/flux/v6/identity.pub' },
];

/** Sends every request to fluxd's handler and ours; returns the statuses seen. */
async function compareRaw(mode: Mode, requests: RawRequest[]): Promise<Set<number>> {
  const statuses = new Set<number>();
  const fx = await fixture();
  const go = await startGoDaemon(mode);
  const calls: string[] = [];
  const ours = await serveOurs(fakeApi(fx, mode, calls));
  for (const r of requests) {
    const what = `${r.method} ${r.path} ${JSON.stringify(r.headers ?? {})} ${JSON.stringify(r.body ?? null)}`;
    const fromGo = await send(go.port, r).catch((err: Error) => assert.fail(`fluxd: ${what}: ${err.message}`));
    const fromOurs = await send(ours.port, r).catch((err: Error) => assert.fail(`ours: ${what}: ${err.message}`));
    assert.deepEqual(fromOurs, fromGo, what);
    statuses.add(fromOurs.status);
  }
  // Both handlers made the same API calls; then a sentinel shows fluxd made no others.
  const sentinel = { method: 'GET', path: '/api/flux/v6/sync?ref=sentinel', headers: JSON_ACCEPT };
  await send(go.port, sentinel);
  await send(ours.port, sentinel);
  assert.deepEqual(await lines(go.peer, 'CALL ', calls.length), calls);
  assert.equal(calls.at(-1), '{"args":["sentinel"],"method":"SyncStatus"}');
  return statuses;
}

describe("raw requests: our handler answers as fluxd's handler", { timeout: 120_000 }, () => {
  test(`mode ok: ${RAW_OK.length} requests (queries, bodies, negotiation, paths, legacy routes)`, async (t) => {
    if (!requirePeer(t, 'httppeer')) return;
    const statuses = await compareRaw('ok', RAW_OK);
    assert.deepEqual([...statuses].sort(), [200, 202, 204, 301, 400, 404, 410]);
  });

  for (const mode of ['flux', 'plain'] as const) {
    test(`mode ${mode}: error replies under every negotiation`, async (t) => {
      if (!requirePeer(t, 'httppeer')) return;
      const statuses = await compareRaw(mode, RAW_ERRORS);
      assert.deepEqual([...statuses].sort(), mode === 'flux' ? [404, 422, 500] : [422]);
    });
  }

  test('deliberate differences: JSON type errors in bodies, GitRepoConfig with a bad body', async (t) => {
    if (!requirePeer(t, 'httppeer')) return;
    const fx = await fixture();
    const go = await startGoDaemon('ok');
    const ours = await serveOurs(fakeApi(fx, 'ok', []));

    // A JSON type error: same status and text, but Go marshals its *json.UnmarshalTypeError.
    const typeError = { method: 'POST', path: '/api/flux/v11/notify', body: '{"Kind":"git","Source":{"URL":1}}' };
    const [goText, ourText] = [await send(go.port, typeError), await send(ours.port, typeError)];
    assert.deepEqual(ourText, goText);
    assert.equal(ourText.body, 'json: cannot unmarshal number into Go struct field GitUpdate.URL of type string');
    const jsonTypeError = { ...typeError, headers: JSON_ACCEPT };
    const [goJson, ourJson] = [await send(go.port, jsonTypeError), await send(ours.port, jsonTypeError)];
    assert.equal(ourJson.status, 400);
    assert.equal(goJson.status, 400);
    assert.equal(ourJson.body, '{}');
    assert.match(goJson.body, /^\{"Value":"number","Type":\{\},"Offset":\d+,"Struct":"GitUpdate","Field":"URL"\}$/);

    // GitRepoConfig with an undecodable body: fluxd answers 400, calls the API anyway and appends
    // its reply; we answer the 400 alone.
    const bad = { method: 'POST', path: '/api/flux/v9/git-repo-config', headers: { Accept: 'text/plain' }, body: 'yes' };
    const [goBad, ourBad] = [await send(go.port, bad), await send(ours.port, bad)];
    assert.equal(goBad.status, 400);
    assert.ok(goBad.body.startsWith("invalid character 'y' looking for beginning of value{"), goBad.body);
    assert.deepEqual(ourBad, { status: 400, contentType: 'text/plain; charset=utf-8', location: undefined, body: "invalid character 'y' looking for beginning of value" });
  });
});
