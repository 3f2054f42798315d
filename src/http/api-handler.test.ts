/**
 * The daemon API handler, in process (injectRequest): routes and the arguments they pass, statuses,
 * query and body parsing with Go's 400 texts, error mapping and negotiation, paths that are not
 * the API's, redirects, timeouts and hang-ups. Byte-equality with fluxd's own handler is proven by
 * test/interop/http.interop.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import type { CallContext, FluxApi } from '../flux/api.js';
import { CoverAllError, FluxError, UnavailableError } from '../flux/model/flux-error.js';
import { ResourceId } from '../flux/model/resource-id.js';
import { ZERO_GIT_CONFIG } from '../flux/model/git-config.js';
import { ZERO_JOB_STATUS } from '../flux/model/job.js';
import { encodeListImagesOptions, encodeListServicesOptions } from '../flux/model/options.js';
import { encodeUpdateSpec } from '../flux/model/update-spec.js';
import { encodeChange } from '../flux/model/change.js';
import { encodePolicyUpdates } from '../flux/model/policy.js';
import { createFluxHttpHandler, type FluxHttpHandlerOptions } from './api-handler.js';
import { parseEventBody } from './body.js';
import { HttpRequestError, UnauthorizedError, apiNotFoundHelp, deprecatedHelp } from './errors.js';
import { injectRequest, type InjectRequest } from '../../test/fakes/inject.js';

const JSON_CT = 'application/json; charset=utf-8';
const TEXT_CT = 'text/plain; charset=utf-8';
const ACCEPT_JSON = { Accept: 'application/json' };
const ACCEPT_TEXT = { Accept: 'text/plain' };

/** A FluxApi recording each call as `method args…` (arguments in their Go JSON form). */
function fakeApi(overrides: Partial<FluxApi> = {}): { api: FluxApi; calls: string[] } {
  const calls: string[] = [];
  const rec = (line: string) => calls.push(line);
  const api: FluxApi = {
    ping: async () => void rec('ping'),
    version: async () => (rec('version'), '1.25.4 <x>'),
    export: async () => (rec('export'), new TextEncoder().encode('---\nkind: x\n')),
    listServices: async (_c, ns) => (rec(`listServices ${ns}`), []),
    listServicesWithOptions: async (_c, o) => (rec(`listServicesWithOptions ${encodeListServicesOptions(o)}`), []),
    listImages: async (_c, s) => (rec(`listImages ${s}`), []),
    listImagesWithOptions: async (_c, o) => (rec(`listImagesWithOptions ${encodeListImagesOptions(o)}`), null),
    updateManifests: async (_c, s) => (rec(`updateManifests ${encodeUpdateSpec(s)}`), 'job-1'),
    notifyChange: async (_c, ch) => void rec(`notifyChange ${encodeChange(ch)}`),
    jobStatus: async (_c, id) => (rec(`jobStatus ${id}`), { ...ZERO_JOB_STATUS, statusString: 'queued' }),
    syncStatus: async (_c, ref) => (rec(`syncStatus ${ref}`), ['abc']),
    gitRepoConfig: async (_c, r) => (rec(`gitRepoConfig ${r}`), ZERO_GIT_CONFIG),
    syncNotify: async () => void rec('syncNotify'),
    ...overrides,
  };
  return { api, calls };
}

function handler(api: FluxApi, options: Partial<FluxHttpHandlerOptions> = {}) {
  return createFluxHttpHandler({ resolve: () => api, basePath: '/api/flux', ...options });
}

async function call(api: FluxApi, request: InjectRequest, options?: Partial<FluxHttpHandlerOptions>) {
  return injectRequest(handler(api, options), request);
}

test('paths outside the base, and the upstream routes, are left to other handlers', async () => {
  const { api, calls } = fakeApi();
  for (const [method, url] of [
    ['GET', '/'],
    ['GET', '/api/fluxx/v11/ping'],
    ['GET', '/api'],
    ['POST', '/api/flux/v6/events'],
    ['GET', '/api/flux/v11/daemon'],
    ['GET', '/api/flux/v6/daemon'],
  ] as const) {
    const res = await call(api, { method, url });
    assert.equal(res.handled, false, `${method} ${url}`);
    assert.equal(res.status, 0);
  }
  assert.deepEqual(calls, []);
});

test('Ping 204 empty; Version 200 Go JSON; Export GET and HEAD', async () => {
  const { api, calls } = fakeApi();
  const ping = await call(api, { url: '/api/flux/v11/ping', headers: ACCEPT_JSON });
  assert.equal(ping.status, 204);
  assert.equal(ping.body, '');
  assert.equal(ping.headers['content-type'], undefined);

  const version = await call(api, { url: '/api/flux/v11/version' });
  assert.equal(version.status, 200);
  assert.equal(version.headers['content-type'], JSON_CT);
  assert.equal(version.body, '"1.25.4 \\u003cx\\u003e"');
  assert.equal(version.headers['content-length'], String(version.body.length));

  const exp = await call(api, { url: '/api/flux/v6/export' });
  assert.equal(exp.body, '"LS0tCmtpbmQ6IHgK"');
  const head = await call(api, { method: 'HEAD', url: '/api/flux/v6/export' });
  assert.equal(head.status, 200);
  assert.equal(head.body, '');
  assert.equal(head.headers['content-length'], String(exp.body.length));
  assert.equal(head.headers['content-type'], JSON_CT);
  assert.deepEqual(calls, ['ping', 'version', 'export', 'export']);
});

test('services: both routes → ListServicesWithOptions; namespace; services comma-split and parsed', async () => {
  const { api, calls } = fakeApi();
  for (const url of ['/api/flux/v6/services?namespace=default', '/api/flux/v11/services?namespace=&services=default:Deployment/a,kube-system/b']) {
    const res = await call(api, { url });
    assert.equal(res.status, 200);
    assert.equal(res.body, '[]');
  }
  assert.deepEqual(calls, [
    'listServicesWithOptions {"Namespace":"default","Services":null}',
    'listServicesWithOptions {"Namespace":"","Services":["default:deployment/a","kube-system/b"]}',
  ]);
});

test('images: both routes → ListImagesWithOptions; empty service is <all>; fields split; null reply', async () => {
  const { api, calls } = fakeApi();
  const all = await call(api, { url: '/api/flux/v6/images?service=' });
  assert.equal(all.status, 200);
  assert.equal(all.body, 'null');
  await call(api, { url: '/api/flux/v10/images?containerFields=Name,Current&namespace=ns&service=default:Deployment/app' });
  await call(api, { url: '/api/flux/v10/images' });
  assert.deepEqual(calls, [
    'listImagesWithOptions {"Spec":"\\u003call\\u003e","OverrideContainerFields":null,"Namespace":""}',
    'listImagesWithOptions {"Spec":"default:deployment/app","OverrideContainerFields":["Name","Current"],"Namespace":"ns"}',
    'listImagesWithOptions {"Spec":"\\u003call\\u003e","OverrideContainerFields":null,"Namespace":""}',
  ]);
});

test('bad service specs: 400 with Go\'s text, negotiated; the API is not called', async () => {
  const { api, calls } = fakeApi();
  const text = await call(api, { url: '/api/flux/v11/services?services=default:deployment/a,bad%20one', headers: ACCEPT_TEXT });
  assert.equal(text.status, 400);
  assert.equal(text.headers['content-type'], TEXT_CT);
  assert.equal(text.body, 'parsing service spec "bad one": parsing bad one: invalid service ID');
  const json = await call(api, { url: '/api/flux/v6/services?services=x', headers: ACCEPT_JSON });
  assert.equal(json.status, 400);
  assert.equal(json.headers['content-type'], JSON_CT);
  assert.equal(json.body, '{}');
  const none = await call(api, { url: '/api/flux/v10/images?service=a:b/c/d' });
  assert.equal(none.status, 400);
  assert.equal(none.body, 'parsing service spec "a:b/c/d": invalid workload spec: parsing a:b/c/d: invalid service ID');
  const quoted = await call(api, { url: '/api/flux/v6/services?services=%22%0A%C3%A9' });
  assert.equal(quoted.body, 'parsing service spec "\\"\\né": parsing "\né: invalid service ID');
  assert.deepEqual(calls, []);
});

test('jobs and sync take the first id/ref (mux); without one the route is not found', async () => {
  const { api, calls } = fakeApi();
  const job = await call(api, { url: '/api/flux/v6/jobs?id=a+b%26c;id=second' });
  assert.equal(job.status, 200);
  assert.equal(job.body, '{"Result":{},"Err":"","StatusString":"queued"}');
  const sync = await call(api, { url: '/api/flux/v6/sync?ref=refs%2Fheads%2Fmain' });
  assert.equal(sync.body, '["abc"]');
  const missing = await call(api, { url: '/api/flux/v6/jobs', headers: ACCEPT_JSON });
  assert.equal(missing.status, 404);
  assert.deepEqual(calls, ['jobStatus a b&c', 'syncStatus refs/heads/main']);
});

test('POST bodies: notify (202), update-manifests, git-repo-config; trailing bytes ignored as by json.Decoder', async () => {
  const { api, calls } = fakeApi();
  const notify = await call(api, { method: 'POST', url: '/api/flux/v11/notify', body: '{"Kind":"git","Source":{"URL":"u","Branch":"b"}} and more' });
  assert.equal(notify.status, 202);
  assert.equal(notify.body, '');
  assert.equal(notify.headers['content-length'], '0');
  const update = await call(api, { method: 'POST', url: '/api/flux/v9/update-manifests', body: '{"type":"sync","cause":{"User":"me"},"spec":{}}' });
  assert.equal(update.status, 200);
  assert.equal(update.body, '"job-1"');
  const git = await call(api, { method: 'POST', url: '/api/flux/v9/git-repo-config', body: ' true' });
  assert.equal(git.status, 200);
  assert.equal(git.body, '{"remote":{"url":"","branch":"","path":""},"publicSSHKey":{"key":"","fingerprints":null},"status":"","errors":""}');
  assert.deepEqual(calls, [
    'notifyChange {"Kind":"git","Source":{"URL":"u","Branch":"b"}}',
    'updateManifests {"type":"sync","cause":{"Message":"","User":"me"},"spec":{}}',
    'gitRepoConfig true',
  ]);
});

test('bodies that do not decode: 400 with the decode error; JSON form as json.Marshal(err)', async () => {
  const { api, calls } = fakeApi();
  const cases: [path: string, body: string, text: string, json: string][] = [
    ['/api/flux/v11/notify', '', 'EOF', '{}'],
    ['/api/flux/v11/notify', '{"Kind"', 'unexpected EOF', '{}'],
    ['/api/flux/v11/notify', 'nope', "invalid character 'o' in literal null (expecting 'u')", '{"Offset":2}'],
    ['/api/flux/v11/notify', '{"Kind":"x"}', 'unknown kind of change', '{}'],
    ['/api/flux/v11/notify', '{"Kind":"git"}', 'unexpected end of JSON input', '{"Offset":0}'],
    ['/api/flux/v9/update-manifests', '{"type":"nope","cause":{},"spec":{}}', 'unknown spec type: nope', '{}'],
    ['/api/flux/v9/git-repo-config', '"yes"', 'json: cannot unmarshal string into Go value of type bool', '{}'],
    ['/api/flux/v9/git-repo-config', '', 'EOF', '{}'],
  ];
  for (const [url, body, text, json] of cases) {
    const t = await call(api, { method: 'POST', url, body, headers: ACCEPT_TEXT });
    assert.deepEqual([t.status, t.headers['content-type'], t.body], [400, TEXT_CT, text], `${url} ${body}`);
    const j = await call(api, { method: 'POST', url, body, headers: ACCEPT_JSON });
    assert.deepEqual([j.status, j.headers['content-type'], j.body], [400, JSON_CT, json], `${url} ${body}`);
  }
  assert.deepEqual(calls, []);
});

test('a body larger than maxBodyBytes is refused with 413', async () => {
  const { api, calls } = fakeApi();
  const res = await call(api, { method: 'POST', url: '/api/flux/v11/notify', body: '"' + 'x'.repeat(100) + '"' }, { maxBodyBytes: 50 });
  assert.equal(res.status, 413);
  assert.equal(res.body, 'http: request body too large');
  assert.deepEqual(calls, []);
});

test('legacy UpdateImages: form from a urlencoded body then the query; image/kind from the query; 400s', async () => {
  const { api, calls } = fakeApi();
  const ok = await call(api, {
    method: 'POST',
    url: '/api/flux/v6/update-images?service=default:Deployment/a&image=quay.io/org/app:v2&kind=execute&exclude=default/x&user=query-user',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8' },
    body: 'service=%3Call%3E&user=body+user&message=m',
  });
  assert.equal(ok.status, 200);
  assert.equal(ok.body, '"job-1"');
  assert.deepEqual(calls, [
    'updateManifests {"type":"image","cause":{"Message":"m","User":"body user"},"spec":{"ServiceSpecs":["\\u003call\\u003e","default:deployment/a"],"ImageSpec":"quay.io/org/app:v2","Kind":"execute","Excludes":["default/x"],"Force":false}}',
  ]);
  const base = '/api/flux/v6/update-images?service=default:deployment/a';
  for (const [query, text] of [
    ['&image=a:b&kind=bad', 'parsing release kind "bad": invalid release kind'],
    ['&image=quay.io/org/app&kind=plan', 'parsing image spec "quay.io/org/app": blank tag (if you want latest, explicitly state the tag :latest): invalid image ID'],
    ['&image=a:b&kind=plan&exclude=nope', 'parsing excluded service "nope": parsing nope: invalid service ID'],
    ['&image=a:b&kind=plan;x', 'parsing form: invalid semicolon separator in query'],
  ]) {
    const res = await call(api, { method: 'POST', url: base + query, headers: ACCEPT_TEXT });
    assert.deepEqual([res.status, res.body], [400, text], query);
  }
  assert.equal((await call(api, { method: 'POST', url: base + '&image=a:b' })).status, 404);
  assert.equal(calls.length, 1);
});

test('legacy UpdatePolicies and identity.pub', async () => {
  const { api, calls } = fakeApi();
  const patch = await call(api, { method: 'PATCH', url: '/api/flux/v6/policies?user=u&message=m', body: '{"default:deployment/a":{"add":{"locked":"true"}}}' });
  assert.equal(patch.status, 200);
  const get = await call(api, { url: '/api/flux/v6/identity.pub' });
  assert.equal(get.body, '{"key":"","fingerprints":null}');
  const regen = await call(api, { method: 'POST', url: '/api/flux/v6/identity.pub' });
  assert.equal(regen.status, 204);
  const bad = await call(api, { method: 'PATCH', url: '/api/flux/v6/policies', body: '{"bad id":{}}', headers: ACCEPT_TEXT });
  assert.deepEqual([bad.status, bad.body], [400, 'parsing bad id: invalid service ID']);
  const updates = new Map([['default:deployment/a', { add: new Map([['locked', 'true']]), remove: null }]]);
  assert.deepEqual(calls, [
    `updateManifests {"type":"policy","cause":{"Message":"m","User":"u"},"spec":${encodePolicyUpdates(updates)}}`,
    'gitRepoConfig false',
    'gitRepoConfig true',
  ]);
});

test('API errors: status by Flux error type, cause chains followed, other errors cover-all', async () => {
  const cases: [Error, number, FluxError][] = [];
  const missing = new FluxError('missing', 'm help', 'gone');
  cases.push([missing, 404, missing]);
  const user = new FluxError('user', 'u help', 'yours');
  cases.push([user, 422, user]);
  const server = new FluxError('server', 's help', 'ours');
  cases.push([server, 500, server]);
  const odd = new FluxError('odd', 'o help', 'what');
  cases.push([odd, 500, odd]);
  const wrapped = new Error('context: gone', { cause: new Error('middle', { cause: missing }) });
  cases.push([wrapped, 404, missing]);
  const plain = new Error('boom <&>');
  cases.push([plain, 422, new CoverAllError(plain)]);
  const unavailable = new UnavailableError('no daemon');
  cases.push([unavailable, 422, unavailable]);
  for (const [err, status, flux] of cases) {
    const { api } = fakeApi({ version: async () => Promise.reject(err) });
    const json = await call(api, { url: '/api/flux/v11/version', headers: ACCEPT_JSON });
    assert.equal(json.status, status, err.message);
    assert.equal(json.headers['content-type'], JSON_CT);
    assert.deepEqual(JSON.parse(json.body), { type: flux.type, help: flux.help, error: flux.message });
    const text = await call(api, { url: '/api/flux/v11/version', headers: ACCEPT_TEXT });
    assert.deepEqual([text.status, text.headers['content-type'], text.body], [status, TEXT_CT, flux.help]);
    const none = await call(api, { url: '/api/flux/v11/version' });
    assert.deepEqual([none.status, none.headers['content-type'], none.body], [status, TEXT_CT, flux.message]);
  }
  const coverAll = await call(fakeApi({ ping: () => Promise.reject(new Error('x')) }).api, { url: '/api/flux/v11/ping', headers: ACCEPT_TEXT });
  assert.ok(coverAll.body.startsWith("Error: x\n\nWe don't have a specific help message"), coverAll.body);
  const noErr = await call(fakeApi({ ping: () => Promise.reject(new FluxError('server', 'h')) }).api, { url: '/api/flux/v11/ping', headers: ACCEPT_JSON });
  assert.deepEqual([noErr.status, noErr.body], [500, '{"type":"server","help":"h"}']);
});

test('a reply Go could not encode either is a cover-all error', async () => {
  const badResult = new Map([['', { status: 'success', error: '', perContainer: null }]]);
  const { api } = fakeApi({ jobStatus: async () => ({ ...ZERO_JOB_STATUS, result: { revision: '', spec: null, result: badResult } }) });
  const res = await call(api, { url: '/api/flux/v6/jobs?id=1', headers: ACCEPT_JSON });
  assert.equal(res.status, 422);
  assert.match(JSON.parse(res.body).error, /zero resource.ID/);
});

test('resolve: UnauthorizedError → 401; a Flux error by its type; anything else cover-all', async () => {
  const { api, calls } = fakeApi();
  const unauthorized = await injectRequest(createFluxHttpHandler({ resolve: () => Promise.reject(new UnauthorizedError()) }), { url: '/v11/ping', headers: ACCEPT_JSON });
  assert.equal(unauthorized.status, 401);
  assert.deepEqual(JSON.parse(unauthorized.body), { type: 'user', help: new UnauthorizedError().help, error: 'request failed authentication' });
  const unavailable = await injectRequest(createFluxHttpHandler({ resolve: () => { throw new UnavailableError('no daemon connected'); } }), { url: '/v11/version' });
  assert.deepEqual([unavailable.status, unavailable.body], [422, 'no daemon connected']);
  const broken = await injectRequest(createFluxHttpHandler({ resolve: () => { throw new TypeError('bug'); } }), { url: '/v11/version', headers: ACCEPT_TEXT });
  assert.equal(broken.status, 422);
  assert.ok(broken.body.startsWith('Error: bug\n'));
  // resolve gets the request (e.g. to read the token)
  let seen: IncomingMessage | undefined;
  await injectRequest(createFluxHttpHandler({ resolve: (req) => ((seen = req), api) }), { url: '/v11/ping', headers: { Authorization: 'Scope-Probe token=t' } });
  assert.equal(seen?.headers.authorization, 'Scope-Probe token=t');
  assert.deepEqual(calls, ['ping']);
});

test('unknown paths and methods 404, /v1/…/v5/ 410, as Flux errors', async () => {
  const { api, calls } = fakeApi();
  const nf = await call(api, { method: 'POST', url: '/api/flux/v11/version', headers: ACCEPT_JSON });
  assert.equal(nf.status, 404);
  assert.deepEqual(JSON.parse(nf.body), { type: 'missing', help: apiNotFoundHelp('/v11/version'), error: 'API endpoint not found' });
  const nfText = await call(api, { url: '/api/flux/v12/x%20y', headers: ACCEPT_TEXT });
  assert.equal(nfText.body, apiNotFoundHelp('/v12/x y'));
  const gone = await call(api, { method: 'PUT', url: '/api/flux/v3/whatever', headers: ACCEPT_JSON });
  assert.equal(gone.status, 410);
  assert.deepEqual(JSON.parse(gone.body), { type: 'missing', help: deprecatedHelp(), error: 'API endpoint deprecated' });
  assert.equal((await call(api, { url: '/api/flux/v5/' })).body, 'API endpoint deprecated');
  assert.deepEqual(calls, []);
});

test('unclean paths and the bare base are redirected (ServeMux); bad escapes are 400', async () => {
  const { api } = fakeApi();
  const r1 = await call(api, { url: '/api/flux//v11/version?a=b' });
  assert.deepEqual([r1.status, r1.headers.location, r1.headers['content-type']], [301, '/api/flux/v11/version?a=b', 'text/html; charset=utf-8']);
  assert.equal(r1.body, '<a href="/api/flux/v11/version?a=b">Moved Permanently</a>.\n\n');
  const r2 = await call(api, { method: 'POST', url: '/api/flux/v6/../v11/notify' });
  assert.deepEqual([r2.status, r2.headers.location, r2.body], [301, '/api/flux/v11/notify', '']);
  const r3 = await call(api, { url: '/api/flux' });
  assert.deepEqual([r3.status, r3.headers.location], [301, '/api/flux/']);
  const bad = await call(api, { url: '/api/flux/v6/%zz' });
  assert.deepEqual([bad.status, bad.body], [400, '400 Bad Request']);
  const other = await call(api, { url: '/elsewhere/%zz' });
  assert.equal(other.handled, false);
});

test('basePath "" serves at the root; percent-encoded route paths match decoded', async () => {
  const { api, calls } = fakeApi();
  const h = createFluxHttpHandler({ resolve: () => api });
  assert.equal((await injectRequest(h, { url: '/v11/p%69ng' })).status, 204);
  assert.equal((await injectRequest(h, { url: '/' })).status, 404);
  assert.deepEqual(calls, ['ping']);
});

test('callTimeoutMs: the call is aborted and answered with UnavailableError', async () => {
  let signal: AbortSignal | undefined;
  const { api } = fakeApi({
    version: (ctx: CallContext) => {
      signal = ctx.signal;
      return new Promise<string>(() => {});
    },
  });
  const res = await call(api, { url: '/api/flux/v11/version', headers: ACCEPT_JSON }, { callTimeoutMs: 5 });
  assert.equal(res.status, 422);
  assert.equal(JSON.parse(res.body).error, 'no reply from the Flux daemon within 5 ms');
  assert.equal(signal?.aborted, true);
  assert.ok(signal?.reason instanceof UnavailableError);
  assert.throws(() => createFluxHttpHandler({ resolve: () => api, callTimeoutMs: 0 }), RangeError);
  assert.throws(() => createFluxHttpHandler({ resolve: () => api, callTimeoutMs: 2 ** 31 }), RangeError);
});

test('the call is aborted when the HTTP client goes away; nothing is written', async () => {
  let request: IncomingMessage | undefined;
  let abortReason: unknown;
  const api = fakeApi({
    version: (ctx: CallContext) =>
      new Promise<string>((resolve) => {
        ctx.signal.addEventListener('abort', () => {
          abortReason = ctx.signal.reason;
          resolve('too late');
        });
        request!.socket.destroy();
      }),
  }).api;
  const h = createFluxHttpHandler({ resolve: (req) => ((request = req), api) });
  const res = await injectRequest(h, { url: '/v11/version' });
  assert.equal(res.handled, true);
  assert.equal(res.status, 0);
  assert.equal((abortReason as Error).message, 'the HTTP client went away');
});

test('parseEventBody: an event.Event, or a 400 HttpRequestError with Go\'s text', () => {
  const ev = parseEventBody(Buffer.from('{"id":0,"serviceIDs":["default:deployment/a"],"type":"sync","startedAt":"2020-05-01T12:00:00Z","endedAt":"2020-05-01T12:00:00Z","logLevel":"info","metadata":{"revisions":["abc"]}} '));
  assert.equal(ev.type, 'sync');
  assert.deepEqual(ev.serviceIds, [ResourceId.parse('default:deployment/a')]);
  for (const [body, message] of [
    ['', 'EOF'],
    ['{"type":""}', 'Event type is empty'],
    ['{"type":"sync"}', 'unexpected end of JSON input'],
    ['{"type":', 'unexpected EOF'],
  ]) {
    assert.throws(() => parseEventBody(Buffer.from(body)), (e: unknown) => e instanceof HttpRequestError && e.status === 400 && e.message === message, body);
  }
});
