/**
 * FluxHttpClient over a real loopback node:http server: every method round-trips through our
 * handler (values and arguments), every error type comes back as what Go's client returns, and the
 * requests are what Go's client sends. Sameness with flux's Go client against fluxd is proven by
 * test/interop/http.interop.test.ts.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FluxApi } from '../flux/api.js';
import { controllerStatus } from '../flux/model/controller-status.js';
import { encodeChange, type Change } from '../flux/model/change.js';
import { CoverAllError, FluxError, UnavailableError, UpgradeNeededError } from '../flux/model/flux-error.js';
import { ZERO_GIT_CONFIG, type GitConfig } from '../flux/model/git-config.js';
import { GoTime } from '../flux/model/go-time.js';
import type { ImageStatus } from '../flux/model/image-status.js';
import { parseImageRef } from '../flux/model/image.js';
import type { JobStatus } from '../flux/model/job.js';
import { encodeListImagesOptions, encodeListServicesOptions } from '../flux/model/options.js';
import { ResourceId } from '../flux/model/resource-id.js';
import { encodeUpdateSpec, type UpdateSpec } from '../flux/model/update-spec.js';
import { createFluxHttpHandler } from './api-handler.js';
import { FluxHttpClient } from './client.js';
import {
  describeHttpError,
  FluxHttpError,
  HttpDecodeError,
  HttpStatusError,
  HttpTimeoutError,
  HttpTransportError,
  UnauthorizedError,
} from './errors.js';

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

const servers: http.Server[] = [];
after(() => servers.forEach((s) => (s.closeAllConnections(), s.close())));

/** A loopback server; every request is recorded before `handle` answers it. */
async function serve(handle: (req: http.IncomingMessage, res: http.ServerResponse, seen: Seen) => void | Promise<void>) {
  const seen: Seen[] = [];
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const s = { method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
    seen.push(s);
    // the body is consumed; hand the handler a fresh stream with the same bytes
    const again = async function* () {
      yield Buffer.from(s.body);
    };
    await handle(Object.assign(Object.create(req), { [Symbol.asyncIterator]: again, iterator: again }), res, s);
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { port, seen, base: `http://127.0.0.1:${port}/api/flux` };
}

/** A raw reply. */
function reply(status: number, body: string, headers: Record<string, string> = {}, reason?: string) {
  return (_req: http.IncomingMessage, res: http.ServerResponse) => {
    if (reason !== undefined) res.statusMessage = reason;
    res.writeHead(status, { ...headers, 'Content-Length': String(Buffer.byteLength(body)) });
    res.end(body);
  };
}

const ctx = () => ({ signal: new AbortController().signal });

const t0 = GoTime.ZERO;
const services = [
  controllerStatus({ id: ResourceId.parse('default:deployment/app'), status: 'ready', automated: true, labels: new Map([['a', '<b>']]) }),
  controllerStatus({ id: ResourceId.parse('kube-system/legacy') }),
];
const images: ImageStatus[] = [{ id: ResourceId.parse('default:deployment/app'), containers: null }];
const jobStatus: JobStatus = {
  result: { revision: 'abc', spec: { type: 'sync', cause: { message: 'm', user: 'u' }, spec: {} }, result: null },
  err: 'e',
  statusString: 'failed',
};
const gitConfig: GitConfig = {
  remote: { url: 'git@x:y', branch: 'main', path: 'a,b' },
  publicSSHKey: { key: 'ssh-rsa AAA', fingerprints: new Map([['md5', { hash: 'MD5:aa', randomart: '+--+' }]]) },
  status: 'ready',
  error: '',
};

/** A FluxApi with fixed answers that records its arguments in their Go JSON form. */
function recordingApi(calls: string[]): FluxApi {
  return {
    ping: async () => void calls.push('ping'),
    version: async () => (calls.push('version'), 'v1 <&>'),
    export: async () => (calls.push('export'), new Uint8Array([0, 1, 2, 255])),
    listServices: async () => assert.fail('the handler serves ListServices with options'),
    listServicesWithOptions: async (_c, o) => (calls.push(`services ${encodeListServicesOptions(o)}`), services),
    listImages: async () => assert.fail('the handler serves ListImages with options'),
    listImagesWithOptions: async (_c, o) => (calls.push(`images ${encodeListImagesOptions(o)}`), images),
    updateManifests: async (_c, s) => (calls.push(`update ${encodeUpdateSpec(s)}`), 'job-42'),
    notifyChange: async (_c, ch) => void calls.push(`notify ${encodeChange(ch)}`),
    jobStatus: async (_c, id) => (calls.push(`job ${id}`), jobStatus),
    syncStatus: async (_c, ref) => (calls.push(`sync ${ref}`), null),
    gitRepoConfig: async (_c, r) => (calls.push(`git ${r}`), gitConfig),
    syncNotify: async () => assert.fail('not over HTTP'),
  };
}

async function serveApi(api: FluxApi | (() => FluxApi), token?: string) {
  const h = createFluxHttpHandler({
    basePath: '/api/flux',
    resolve: (req) => {
      if (token !== undefined && req.headers.authorization !== `Scope-Probe token=${token}`) throw new UnauthorizedError();
      return typeof api === 'function' ? api() : api;
    },
  });
  return serve(async (req, res) => {
    if (!(await h(req, res))) res.writeHead(404).end();
  });
}

test('every method round-trips through our handler: values back, arguments through', async () => {
  const calls: string[] = [];
  const { base, seen } = await serveApi(recordingApi(calls));
  const c = new FluxHttpClient({ baseUrl: base });
  const x = ctx();
  await c.ping(x);
  assert.equal(await c.version(x), 'v1 <&>');
  assert.deepEqual(await c.export(x), new Uint8Array([0, 1, 2, 255]));
  assert.deepEqual(await c.listServices(x, 'default'), services);
  assert.deepEqual(await c.listServicesWithOptions(x, { namespace: 'n s', services: [ResourceId.parse('a:deployment/b'), ResourceId.parse('c/d')] }), services);
  assert.deepEqual(await c.listImages(x, '<all>'), images);
  assert.deepEqual(await c.listImagesWithOptions(x, { spec: 'default:deployment/app', overrideContainerFields: ['Name', 'Current'], namespace: 'x' }), images);
  const spec: UpdateSpec = {
    type: 'image',
    cause: { message: 'go', user: 'me' },
    spec: { serviceSpecs: ['<all>'], imageSpec: '<all latest>', kind: 'execute', excludes: null, force: false },
  };
  assert.equal(await c.updateManifests(x, spec), 'job-42');
  const change: Change = { kind: 'image', source: { name: { domain: 'quay.io', image: parseImageRef('quay.io/a/b').image } } };
  await c.notifyChange(x, change);
  assert.deepEqual(await c.jobStatus(x, 'id with spaces&='), jobStatus);
  assert.equal(await c.syncStatus(x, 'HEAD~1'), null);
  assert.deepEqual(await c.gitRepoConfig(x, true), gitConfig);
  assert.deepEqual(calls, [
    'ping',
    'version',
    'export',
    'services {"Namespace":"default","Services":null}',
    'services {"Namespace":"n s","Services":["a:deployment/b","c/d"]}',
    'images {"Spec":"\\u003call\\u003e","OverrideContainerFields":null,"Namespace":""}',
    'images {"Spec":"default:deployment/app","OverrideContainerFields":["Name","Current"],"Namespace":"x"}',
    `update ${encodeUpdateSpec(spec)}`,
    `notify ${encodeChange(change)}`,
    'job id with spaces&=',
    'sync HEAD~1',
    'git true',
  ]);
  assert.deepEqual(
    seen.map((s) => `${s.method} ${s.url}`),
    [
      'GET /api/flux/v11/ping',
      'GET /api/flux/v11/version',
      'GET /api/flux/v6/export',
      'GET /api/flux/v6/services?namespace=default',
      'GET /api/flux/v11/services?namespace=n+s&services=a%3Adeployment%2Fb%2Cc%2Fd',
      'GET /api/flux/v6/images?service=%3Call%3E',
      'GET /api/flux/v10/images?containerFields=Name%2CCurrent&namespace=x&service=default%3Adeployment%2Fapp',
      'POST /api/flux/v9/update-manifests',
      'POST /api/flux/v11/notify',
      'GET /api/flux/v6/jobs?id=id+with+spaces%26%3D',
      'GET /api/flux/v6/sync?ref=HEAD~1',
      'POST /api/flux/v9/git-repo-config',
    ],
  );
  assert.ok(t0.isZero());
});

test("requests are Go's: headers, empty query keys sent, bodies without Content-Type", async () => {
  const { base, seen } = await serveApi(recordingApi([]));
  await new FluxHttpClient({ baseUrl: base + '/?dropped=1#frag', token: 'tok' }).listImagesWithOptions(ctx(), { spec: '', overrideContainerFields: null, namespace: '' });
  await new FluxHttpClient({ baseUrl: base, userAgent: 'fluxrpc-test' }).gitRepoConfig(ctx(), false);
  await new FluxHttpClient({ baseUrl: base, token: '' }).listServicesWithOptions(ctx(), { namespace: '', services: null });
  const [get, post, empty] = seen;
  assert.equal(get!.url, '/api/flux/v10/images?containerFields=&namespace=&service=');
  assert.equal(get!.headers.accept, 'application/json');
  assert.equal(get!.headers.authorization, 'Scope-Probe token=tok');
  assert.equal(get!.headers['user-agent'], 'Go-http-client/1.1');
  assert.equal(get!.headers['content-length'], undefined);
  assert.equal(get!.headers['content-type'], undefined);
  assert.equal(get!.body, '');
  assert.equal(post!.headers['content-length'], '5');
  assert.equal(post!.headers['content-type'], undefined);
  assert.equal(post!.headers.authorization, undefined);
  assert.equal(post!.headers['user-agent'], 'fluxrpc-test');
  assert.equal(post!.body, 'false');
  assert.equal(empty!.url, '/api/flux/v11/services?namespace=&services=');
  assert.equal(empty!.headers.authorization, undefined);
});

test('Flux errors come back as FluxHttpError with type, help, message and status', async () => {
  const cases: [Error, number, FluxError][] = [
    [new FluxError('missing', 'mh', 'gone'), 404, new FluxError('missing', 'mh', 'gone')],
    [new FluxError('user', 'uh', 'yours'), 422, new FluxError('user', 'uh', 'yours')],
    [new FluxError('server', 'sh', 'ours'), 500, new FluxError('server', 'sh', 'ours')],
    [new UnavailableError('no daemon'), 422, new UnavailableError('no daemon')],
    [new Error('plain <&>'), 422, new CoverAllError('plain <&>')],
  ];
  for (const [err, status, expected] of cases) {
    const { base } = await serveApi({ ...recordingApi([]), jobStatus: () => Promise.reject(err) });
    const got = await new FluxHttpClient({ baseUrl: base }).jobStatus(ctx(), 'x').then(
      () => assert.fail('no error'),
      (e: unknown) => e,
    );
    assert.ok(got instanceof FluxHttpError && got instanceof FluxError, String(got));
    assert.deepEqual([got.type, got.help, got.message, got.err?.message, got.status], [expected.type, expected.help, expected.message, expected.message, status]);
  }
});

test('401 is UnauthorizedError whatever the body; other replies as Go reads them', async () => {
  const { base } = await serveApi(recordingApi([]), 'right');
  await assert.rejects(new FluxHttpClient({ baseUrl: base, token: 'wrong' }).ping(ctx()), (e: unknown) => e instanceof UnauthorizedError && e.message === 'request failed authentication');
  assert.equal(await new FluxHttpClient({ baseUrl: base, token: 'right' }).version(ctx()), 'v1 <&>');
  const plain401 = await serve(reply(401, 'nope', { 'Content-Type': 'text/plain' }));
  await assert.rejects(new FluxHttpClient({ baseUrl: plain401.base }).version(ctx()), UnauthorizedError);

  const cases: [ReturnType<typeof reply>, (c: FluxHttpClient) => Promise<unknown>, (e: unknown) => boolean][] = [
    [reply(500, 'boom', { 'Content-Type': 'text/plain' }), (c) => c.version(ctx()), (e) => e instanceof HttpStatusError && e.message === 'executing HTTP request: 500 Internal Server Error boom' && e.status === 500 && e.body === 'boom'],
    [reply(503, '{"type":"server","help":"h"}', { 'Content-Type': 'application/json' }), (c) => c.ping(ctx()), (e) => e instanceof HttpStatusError && e.message === 'executing HTTP request: 503 Service Unavailable {"type":"server","help":"h"}'],
    [reply(418, 'tea', {}, 'Short And Stout'), (c) => c.ping(ctx()), (e) => e instanceof HttpStatusError && e.statusLine === '418 Short And Stout'],
    [reply(302, '', { Location: '/elsewhere' }), (c) => c.ping(ctx()), (e) => e instanceof HttpStatusError && e.status === 302],
    [reply(502, 'not json', { 'Content-Type': 'application/json; charset=utf-8' }), (c) => c.ping(ctx()), (e) => e instanceof HttpDecodeError && e.message === "executing HTTP request: decoding response body of error: invalid character 'o' in literal null (expecting 'u')"],
    [reply(500, '"str"', { 'Content-Type': 'application/json' }), (c) => c.ping(ctx()), (e) => e instanceof HttpDecodeError && /cannot unmarshal string into Go value of type struct/.test(e.message)],
    [reply(404, '{"type":"missing","help":"h","error":"e"}', { 'Content-Type': 'application/jsonx' }), (c) => c.ping(ctx()), (e) => e instanceof FluxHttpError && e.type === 'missing' && e.status === 404],
    [reply(404, '{"type":"missing","help":"h","error":"e"}', { 'Content-Type': 'text/plain' }), (c) => c.ping(ctx()), (e) => e instanceof HttpStatusError],
    [reply(200, '', {}), (c) => c.version(ctx()), (e) => e instanceof HttpDecodeError && e.message === 'decoding response from server: EOF'],
    [reply(200, '1', {}), (c) => c.version(ctx()), (e) => e instanceof HttpDecodeError && e.message === 'decoding response from server: json: cannot unmarshal number into Go value of type string'],
    [reply(200, '"id" x', {}), (c) => c.updateManifests(ctx(), { type: 'sync', cause: { message: '', user: '' }, spec: {} }), (e) => e instanceof HttpDecodeError && e.message === "decoding response from server: invalid character 'x' after top-level value"],
    [reply(202, 'garbage', {}), (c) => c.notifyChange(ctx(), { kind: 'git', source: { url: '', branch: '' } }), (e) => e instanceof HttpDecodeError && e.message === "decoding response from server: invalid character 'g' looking for beginning of value"],
  ];
  for (const [handler, run, check] of cases) {
    const { base } = await serve(handler);
    const err = await run(new FluxHttpClient({ baseUrl: base })).then(() => assert.fail('no error'), (e: unknown) => e);
    assert.ok(check(err), `${(err as Error).name}: ${(err as Error).message}`);
  }
});

test('success statuses 200/201/202/204; bodies read as Go reads them', async () => {
  const checks: [ReturnType<typeof reply>, (c: FluxHttpClient) => Promise<unknown>, unknown][] = [
    [reply(201, '"v" trailing ignored', {}), (c) => c.version(ctx()), 'v'],
    [reply(200, 'null', {}), (c) => c.version(ctx()), ''],
    [reply(204, '', {}), (c) => c.ping(ctx()), undefined],
    [reply(200, 'not read', {}), (c) => c.ping(ctx()), undefined],
    [reply(200, '', {}), (c) => c.updateManifests(ctx(), { type: 'sync', cause: { message: '', user: '' }, spec: {} }), ''],
    [reply(200, '', {}), (c) => c.gitRepoConfig(ctx(), false), ZERO_GIT_CONFIG],
    [reply(202, '{"any":[1]}', {}), (c) => c.notifyChange(ctx(), { kind: 'git', source: { url: '', branch: '' } }), undefined],
    [reply(200, 'null', {}), (c) => c.export(ctx()), null],
    [reply(200, '"AAE="', {}), (c) => c.export(ctx()), new Uint8Array([0, 1])],
  ];
  for (const [handler, run, expected] of checks) {
    const { base } = await serve(handler);
    assert.deepEqual(await run(new FluxHttpClient({ baseUrl: base })), expected);
  }
});

test('transport failures, timeouts and aborts are clear errors', async () => {
  // a port nobody listens on
  const probe = http.createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((r) => probe.close(() => r()));
  const refused = await new FluxHttpClient({ baseUrl: `http://127.0.0.1:${port}/api/flux` }).ping(ctx()).then(
    () => assert.fail('no error'),
    (e: unknown) => e,
  );
  assert.ok(refused instanceof HttpTransportError);
  assert.equal(refused.code, 'FLUXRPC_ERR_HTTP_TRANSPORT');
  assert.match(refused.message, new RegExp(`^executing HTTP request: GET http://127\\.0\\.0\\.1:${port}/api/flux/v11/ping: .*ECONNREFUSED`));

  // a server that never answers
  const silent = await serve(() => new Promise<void>(() => {}));
  await assert.rejects(new FluxHttpClient({ baseUrl: silent.base, timeoutMs: 20 }).version(ctx()), (e: unknown) => e instanceof HttpTimeoutError && e.message.endsWith('/api/flux/v11/version: no complete reply within 20 ms'));

  // the caller's signal
  const reason = new Error('caller gave up');
  const aborted = new AbortController();
  aborted.abort(reason);
  await assert.rejects(new FluxHttpClient({ baseUrl: silent.base }).version({ signal: aborted.signal }), (e: unknown) => e === reason);
  const before = silent.seen.length;
  const later = new AbortController();
  const pending = new FluxHttpClient({ baseUrl: silent.base }).version({ signal: later.signal });
  while (silent.seen.length === before) await new Promise((r) => setImmediate(r));
  later.abort(reason);
  await assert.rejects(pending, (e: unknown) => e === reason);
});

test('syncNotify is not in the HTTP API: UpgradeNeededError without I/O', async () => {
  const { base, seen } = await serve(reply(204, ''));
  await assert.rejects(new FluxHttpClient({ baseUrl: base }).syncNotify(ctx()), (e: unknown) => e instanceof UpgradeNeededError && e.message === 'SyncNotify method not implemented');
  assert.equal(seen.length, 0);
});

test('constructor checks; URLs as Go\'s MakeURL builds them', () => {
  assert.throws(() => new FluxHttpClient({ baseUrl: 'not a url' }), TypeError);
  assert.throws(() => new FluxHttpClient({ baseUrl: 'ftp://x/' }), TypeError);
  assert.throws(() => new FluxHttpClient({ baseUrl: 'http://x/', timeoutMs: 0 }), RangeError);
  // Longer than a Node timer: it would fire after 1 ms.
  assert.throws(() => new FluxHttpClient({ baseUrl: 'http://x/', timeoutMs: 2 ** 31 }), RangeError);
  assert.throws(() => new FluxHttpClient({ baseUrl: 'http://x/', timeoutMs: 600 * 3_600_000 }), /at most 2147483647/);
  new FluxHttpClient({ baseUrl: 'http://x/', timeoutMs: 2 ** 31 - 1 });
  const c = new FluxHttpClient({ baseUrl: 'http://fluxd:3030/api/flux/?q=1' });
  assert.equal(c.url({ path: '/v11/ping' } as never), 'http://fluxd:3030/api/flux/v11/ping');
  assert.equal(new FluxHttpClient({ baseUrl: 'https://hub.example' }).url({ path: '/v6/jobs' } as never, [['id', 'a b']]), 'https://hub.example/v6/jobs?id=a+b');
});

test('describeHttpError: one line for every error the client throws', () => {
  assert.equal(describeHttpError(new FluxHttpError('missing', 'help\nmore', 'git repo not configured', 404, '404 Not Found')), 'git repo not configured (flux missing error, HTTP 404)');
  assert.equal(describeHttpError(new UnauthorizedError()), 'request failed authentication (HTTP 401: missing or wrong token)');
  assert.equal(describeHttpError(new HttpStatusError(500, '500 Internal Server Error', '\nboom\nsecond line')), 'HTTP 500 Internal Server Error: boom');
  assert.equal(describeHttpError(new HttpStatusError(502, '502 Bad Gateway', '')), 'HTTP 502 Bad Gateway');
  assert.equal(describeHttpError(new UpgradeNeededError('SyncNotify method not implemented')), 'SyncNotify method not implemented (flux user error)');
  assert.equal(describeHttpError(new HttpTimeoutError('GET', 'http://x/v11/ping', 5)), 'executing HTTP request: GET http://x/v11/ping: no complete reply within 5 ms');
  assert.equal(describeHttpError('str'), 'str');
});

test("an error body with a second JSON value (fluxd's GitRepoConfig): Go's decode failure by default, the Flux error with firstErrorValueOnly", async () => {
  const { base } = await serve((_req, res) => {
    res.writeHead(404, { 'Content-Type': 'application/json; charset=utf-8' });
    res.end('{"type":"missing","help":"No repo","error":"git repo not configured"}\n{"remote":{"url":"","branch":"","path":""}}');
  });
  const signal = AbortSignal.timeout(10_000);
  const goLike = new FluxHttpClient({ baseUrl: base });
  await assert.rejects(goLike.gitRepoConfig({ signal }, false), (e: unknown) => e instanceof HttpDecodeError && /decoding response body of error: invalid character '\{' after top-level value/.test((e as Error).message));
  const relaying = new FluxHttpClient({ baseUrl: base, firstErrorValueOnly: true });
  await assert.rejects(relaying.gitRepoConfig({ signal }, false), (e: unknown) => e instanceof FluxError && e.type === 'missing' && (e as Error).message === 'git repo not configured');
});

test('a reply body over maxResponseBytes fails the call and drops the connection, however long the server goes on', async () => {
  let written = 0;
  const { base: url } = await serve((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8' });
    // An endless body: the server keeps writing until the client hangs up.
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const more = () => {
      while (!res.destroyed && res.write(chunk)) written += chunk.length;
      if (!res.destroyed) res.once('drain', more);
    };
    more();
  });
  const c = new FluxHttpClient({ baseUrl: url, maxResponseBytes: 256 * 1024 });
  await assert.rejects(c.version({ signal: AbortSignal.timeout(30_000) }), (e: Error) => e instanceof HttpTransportError && /the reply is larger than 262144 bytes/.test(e.message));
  assert.ok(written < 64 * 1024 * 1024, `the server wrote ${written} bytes before the client hung up`);
  assert.throws(() => new FluxHttpClient({ baseUrl: url, maxResponseBytes: 0 }), /maxResponseBytes must be positive/);
});
