import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  ClusterError,
  CoverAllError,
  decodeFluxError,
  encodeFluxError,
  FluxError,
  RemoteApplicationError,
  UnavailableError,
  UnsupportedResourceKindError,
  UpgradeNeededError,
} from './flux-error.js';
import { FatalError } from './fatal-error.js';

const vectors = JSON.parse(readFileSync(new URL('../../../../test/interop/vectors/model/go-vectors.json', import.meta.url), 'utf8')) as Array<{ type: string; json: string }>;
const goErrors = vectors.filter((v) => v.type === 'fluxerr.Error').map((v) => v.json);

test('the helpers\u2019 help texts are byte-identical to the Go helpers\u2019 (golden)', () => {
  const ours = [
    new UnavailableError('no daemon'),
    new UpgradeNeededError(new Error('method not supported')),
    new UnsupportedResourceKindError('Unsupported resource kind: service'),
    new ClusterError('namespace <x> not found'),
    new CoverAllError('boom & bust'),
  ].map(encodeFluxError);
  for (const text of ours) assert.ok(goErrors.includes(text), `not a Go vector: ${text}`);
});

test('classes can be told apart and all are user errors', () => {
  const all = [new UnavailableError('a'), new UpgradeNeededError('a'), new UnsupportedResourceKindError('a'), new ClusterError('a'), new CoverAllError('a'), new RemoteApplicationError('a')];
  assert.deepEqual(
    all.map((e) => e.code),
    ['FLUXRPC_ERR_UNAVAILABLE', 'FLUXRPC_ERR_UPGRADE_NEEDED', 'FLUXRPC_ERR_UNSUPPORTED_KIND', 'FLUXRPC_ERR_CLUSTER', 'FLUXRPC_ERR_COVER_ALL', 'FLUXRPC_ERR_REMOTE_APPLICATION'],
  );
  for (const e of all) {
    assert.ok(e instanceof FluxError);
    assert.equal(e.type, 'user');
    assert.equal(e.message, 'a');
  }
  assert.ok(!(new UnavailableError('a') instanceof UpgradeNeededError));
  assert.equal(new RemoteApplicationError('boom').help, 'Error from daemon\n\nThe daemon (fluxd, running in your cluster) reported this error when\nattempting to fulfil your request:\n\n    boom\n');
});

test('wire form: error omitted when empty; decoded underlying error only when non-empty', () => {
  assert.equal(encodeFluxError(new FluxError('missing', 'No repo <here>', 'git repo not configured')), '{"type":"missing","help":"No repo \\u003chere\\u003e","error":"git repo not configured"}');
  assert.equal(encodeFluxError(new FluxError('server', 'h', '')), '{"type":"server","help":"h"}');
  const e = decodeFluxError({ TYPE: 'server', Help: 'h', Error: '' })!;
  assert.equal(e.err, undefined);
  assert.equal(e.message, '');
  const m = decodeFluxError({ type: 'missing', help: 'h', error: 'gone' })!;
  assert.equal(m.message, 'gone');
  assert.ok(m.isMissing());
  assert.equal(decodeFluxError(null), null);
  assert.equal(encodeFluxError(decodeFluxError({})!), '{"type":"","help":""}');
  assert.throws(() => decodeFluxError({ type: 5 }), { message: 'json: cannot unmarshal number into Go struct field .type of type string' });
});

test('FatalError wraps and keeps the inner text', () => {
  const inner = new Error('connection is shut down');
  const f = new FatalError(inner);
  assert.equal(f.message, 'connection is shut down');
  assert.equal(f.cause, inner);
  assert.equal(f.code, 'FLUXRPC_ERR_FATAL');
  assert.ok(!(f instanceof FluxError));
});
