/**
 * The route table: what fluxd's router matches (transport.NewAPIRouter + the daemon's deprecated
 * versions and catch-all), and the codecs of the non-model types.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BOOL_CODEC, matchRoute, PUBLIC_KEY_CODEC, ROUTE_LIST, ROUTES, STRING_CODEC, STRING_SLICE_CODEC } from './routes.js';

const name = (m: ReturnType<typeof matchRoute>) => (m.kind === 'route' ? m.route.name : m.kind === 'upstream' ? `upstream:${m.name}` : m.kind);

test('every route matches its own method and path; with another method it is not found', () => {
  for (const r of ROUTE_LIST) {
    const query = r.requiredQuery.map((k) => `${k}=x`).join('&');
    for (const method of r.methods) {
      const m = matchRoute(method, r.path, query);
      // GET and POST /v6/identity.pub are two routes
      assert.equal(name(m), r.name, `${method} ${r.path}`);
    }
    assert.equal(name(matchRoute('PUT', r.path, query)), 'notFound');
  }
});

test('docs/wire.md Appendix A: methods, paths, statuses', () => {
  const table = ROUTE_LIST.map((r) => `${r.name} ${r.methods.join('|')} ${r.path} ${r.status}${r.legacy ? ' legacy' : ''}`);
  assert.deepEqual(table, [
    'Ping GET /v11/ping 204',
    'Version GET /v11/version 200',
    'Notify POST /v11/notify 202',
    'ListServices GET /v6/services 200',
    'ListServicesWithOptions GET /v11/services 200',
    'ListImages GET /v6/images 200',
    'ListImagesWithOptions GET /v10/images 200',
    'UpdateManifests POST /v9/update-manifests 200',
    'JobStatus GET /v6/jobs 200',
    'SyncStatus GET /v6/sync 200',
    'Export HEAD|GET /v6/export 200',
    'GitRepoConfig POST /v9/git-repo-config 200',
    'UpdateImages POST /v6/update-images 200 legacy',
    'UpdatePolicies PATCH /v6/policies 200 legacy',
    'GetPublicSSHKey GET /v6/identity.pub 200 legacy',
    'RegeneratePublicSSHKey POST /v6/identity.pub 204 legacy',
  ]);
});

test('required query keys (mux Queries): missing or holding a newline → not found', () => {
  assert.equal(name(matchRoute('GET', '/v6/jobs', '')), 'notFound');
  assert.equal(name(matchRoute('GET', '/v6/jobs', 'id=')), 'JobStatus');
  assert.equal(name(matchRoute('GET', '/v6/jobs', 'id=%0A')), 'notFound');
  assert.equal(name(matchRoute('GET', '/v6/sync', 'ref=HEAD')), 'SyncStatus');
  assert.equal(name(matchRoute('POST', '/v6/update-images', 'service=a&image=b')), 'notFound');
  assert.equal(name(matchRoute('POST', '/v6/update-images', 'service=a&image=b&kind=c')), 'UpdateImages');
  assert.equal(name(matchRoute('GET', '/v6/services', '')), 'ListServices');
});

test('deprecated versions, upstream routes, everything else', () => {
  assert.equal(name(matchRoute('GET', '/v1/anything', '')), 'deprecated');
  assert.equal(name(matchRoute('DELETE', '/v5/', '')), 'deprecated');
  assert.equal(name(matchRoute('GET', '/v5', '')), 'notFound');
  assert.equal(name(matchRoute('GET', '/v6/nothing', '')), 'notFound');
  assert.equal(name(matchRoute('GET', '/v11/ping/', '')), 'notFound');
  assert.equal(name(matchRoute('HEAD', '/v11/ping', '')), 'notFound');
  assert.equal(name(matchRoute('POST', '/v6/events', '')), 'upstream:LogEvent');
  assert.equal(name(matchRoute('GET', '/v6/events', '')), 'notFound');
  assert.equal(name(matchRoute('GET', '/v11/daemon', '')), 'upstream:RegisterDaemonV11');
  assert.equal(name(matchRoute('GET', '/v6/daemon', '')), 'upstream:RegisterDaemonV6');
});

test('the query keys Go\'s client sends, sorted as url.Values.Encode sends them', () => {
  for (const r of ROUTE_LIST) assert.deepEqual([...r.query], [...r.query].sort(), r.name);
  assert.deepEqual(ROUTES.ListImagesWithOptions.query, ['containerFields', 'namespace', 'service']);
  assert.deepEqual(ROUTES.ListServicesWithOptions.query, ['namespace', 'services']);
});

test('codecs of the plain Go types', () => {
  assert.equal(STRING_CODEC.encode('<a & b>'), '"\\u003ca \\u0026 b\\u003e"');
  assert.equal(STRING_CODEC.decode(null), '');
  assert.throws(() => STRING_CODEC.decode(1), { message: 'json: cannot unmarshal number into Go value of type string' });
  assert.equal(BOOL_CODEC.encode(true), 'true');
  assert.equal(BOOL_CODEC.decode(false), false);
  assert.throws(() => BOOL_CODEC.decode('yes'), { message: 'json: cannot unmarshal string into Go value of type bool' });
  assert.equal(STRING_SLICE_CODEC.encode(null), 'null');
  assert.equal(STRING_SLICE_CODEC.encode(['a', '<']), '["a","\\u003c"]');
  assert.deepEqual(STRING_SLICE_CODEC.decode(['x']), ['x']);
  const key = { key: 'ssh-rsa AAA', fingerprints: new Map([['sha256', { hash: 'SHA256:x', randomart: 'r' }], ['md5', { hash: 'MD5:y', randomart: '' }]]) };
  const text = PUBLIC_KEY_CODEC.encode(key);
  assert.equal(text, '{"key":"ssh-rsa AAA","fingerprints":{"md5":{"hash":"MD5:y","randomart":""},"sha256":{"hash":"SHA256:x","randomart":"r"}}}');
  assert.deepEqual(PUBLIC_KEY_CODEC.decode(JSON.parse(text)), key);
  assert.equal(PUBLIC_KEY_CODEC.encode({ key: '', fingerprints: null }), '{"key":"","fingerprints":null}');
});
