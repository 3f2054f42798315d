/**
 * The generic client against hand-written daemon replies: the requests on the wire, and the error
 * classification of docs/rpc.md §6.1 for every version.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '../../rpc/client.js';
import { ServerError } from '../../rpc/errors.js';
import { PROTOCOL_VERSIONS, type CallContext, type ProtocolVersion } from '../api.js';
import { FatalError } from '../model/fatal-error.js';
import { FluxError, RemoteApplicationError, UnsupportedResourceKindError, UpgradeNeededError } from '../model/flux-error.js';
import { ResourceId } from '../model/resource-id.js';
import { ZERO_RELEASE_IMAGE_SPEC } from '../model/release-spec.js';
import { ZERO_CAUSE, type UpdateSpec } from '../model/update-spec.js';
import { createFluxClient } from './client.js';
import { FilterConflictError } from './shims.js';
import { errorReply, okReply, rawDaemon, type RawRequest } from '../../../test/fakes/raw-daemon.js';

const ctx: CallContext = { signal: new AbortController().signal };
const id = (s: string) => ResourceId.parse(s);
const caught = (p: Promise<unknown>): Promise<unknown> => p.then(() => assert.fail('expected an error'), (e: unknown) => e);
const isUnion = (v: ProtocolVersion) => v >= 7;

function client(version: ProtocolVersion, answer?: (r: RawRequest) => string | undefined) {
  const daemon = rawDaemon(answer);
  return { daemon, flux: createFluxClient(version, daemon.stream) };
}

// --- requests --------------------------------------------------------------------------------

const STATUS = '{"ID":"default:deployment/helloworld","Containers":null,"ReadOnly":"","Status":"ready","Rollout":{"Desired":1,"Updated":1,"Ready":1,"Available":1,"Outdated":0,"Messages":null},"SyncError":"","Antecedent":"","Labels":null,"Automated":false,"Locked":false,"Ignore":false,"Policies":{"automated":"true"}}';

test('V11 requests are byte for byte those of the captured Go session (docs/rpc.md §1.1), and its replies decode', async () => {
  const replies: Record<string, string> = {
    'RPCServer.Ping': '{}',
    'RPCServer.Version': '"1.25.4"',
    'RPCServer.Export': '{"Result":"LS0tCmtpbmQ6IERlcGxveW1lbnQK","ApplicationError":null}',
    'RPCServer.ListServices': `{"Result":[${STATUS}],"ApplicationError":null}`,
    'RPCServer.ListImages': '{"Result":[{"ID":"default:deployment/helloworld","Containers":[{"Name":"helloworld","Current":{"ID":"quay.io/weaveworks/helloworld:master-a000001","Labels":{}},"LatestFiltered":{"ID":"","Labels":{}},"AvailableImagesCount":1}]}],"ApplicationError":null}',
    'RPCServer.ListImagesWithOptions': '{"Result":null,"ApplicationError":null}',
    'RPCServer.UpdateManifests': '{"Result":"7ea8e0b2-0d50-4b6d-8d6e-1d1a7f0c1a2b","ApplicationError":null}',
    'RPCServer.JobStatus': '{"Result":{"Result":{},"Err":"","StatusString":"queued"},"ApplicationError":null}',
    'RPCServer.SyncStatus': '{"Result":["a1b2c3"],"ApplicationError":null}',
    'RPCServer.GitRepoConfig':
      '{"Result":{"remote":{"url":"","branch":"","path":""},"publicSSHKey":{"key":"","fingerprints":null},"status":"","errors":""},"ApplicationError":{"type":"missing","help":"No repo \\u003chere\\u003e","error":"git repo not configured"}}',
  };
  const errors: Record<string, string> = {
    'RPCServer.ListServicesWithOptions': "rpc: can't find method RPCServer.ListServicesWithOptions",
    'RPCServer.NotifyChange': 'context deadline exceeded',
    'RPCServer.SyncNotify': "rpc: can't find method RPCServer.SyncNotify",
  };
  const { daemon, flux } = client(11, (r) => (r.method in errors ? errorReply(errors[r.method]!)(r) : okReply(replies[r.method]!)(r)));
  const release: UpdateSpec = {
    type: 'image',
    cause: { message: 'release', user: 'alice' },
    spec: { serviceSpecs: ['<all>'], imageSpec: '<all latest>', kind: 'execute', excludes: null, force: false },
  };
  await flux.ping(ctx);
  assert.equal(await flux.version(ctx), '1.25.4');
  assert.equal(Buffer.from((await flux.export(ctx))!).toString(), '---\nkind: Deployment\n');
  const services = await flux.listServices(ctx, 'default');
  assert.equal(services![0]!.policies!.get('automated'), 'true');
  const lswo = await caught(flux.listServicesWithOptions(ctx, { namespace: '', services: [id('default:deployment/helloworld')] }));
  assert.ok(lswo instanceof ServerError && lswo.message === "rpc: can't find method RPCServer.ListServicesWithOptions");
  assert.equal((await flux.listImages(ctx, '<all>'))![0]!.containers![0]!.availableImagesCount, 1);
  assert.equal(await flux.listImagesWithOptions(ctx, { spec: 'default:deployment/helloworld', overrideContainerFields: ['Name', 'Current'], namespace: '' }), null);
  assert.equal(await flux.updateManifests(ctx, release), '7ea8e0b2-0d50-4b6d-8d6e-1d1a7f0c1a2b');
  const notify = await caught(flux.notifyChange(ctx, { kind: 'git', source: { url: 'git@github.com:org/repo', branch: 'master' } }));
  assert.ok(notify instanceof ServerError && notify.message === 'context deadline exceeded');
  assert.equal((await flux.jobStatus(ctx, '7ea8e0b2-0d50-4b6d-8d6e-1d1a7f0c1a2b')).statusString, 'queued');
  assert.deepEqual(await flux.syncStatus(ctx, 'HEAD'), ['a1b2c3']);
  const git = await caught(flux.gitRepoConfig(ctx, false));
  assert.ok(git instanceof FluxError && !(git instanceof FatalError));
  assert.deepEqual([git.type, git.help, git.message], ['missing', 'No repo <here>', 'git repo not configured']);
  const sync = await caught(flux.syncNotify(ctx));
  assert.ok(sync instanceof ServerError);

  assert.deepEqual(
    daemon.requests.map((r) => r.text),
    [
      '{"method":"RPCServer.Ping","params":[{}],"id":0}',
      '{"method":"RPCServer.Version","params":[{}],"id":1}',
      '{"method":"RPCServer.Export","params":[{}],"id":2}',
      '{"method":"RPCServer.ListServices","params":["default"],"id":3}',
      '{"method":"RPCServer.ListServicesWithOptions","params":[{"Namespace":"","Services":["default:deployment/helloworld"]}],"id":4}',
      '{"method":"RPCServer.ListImages","params":["\\u003call\\u003e"],"id":5}',
      '{"method":"RPCServer.ListImagesWithOptions","params":[{"Spec":"default:deployment/helloworld","OverrideContainerFields":["Name","Current"],"Namespace":""}],"id":6}',
      '{"method":"RPCServer.UpdateManifests","params":[{"type":"image","cause":{"Message":"release","User":"alice"},"spec":{"ServiceSpecs":["\\u003call\\u003e"],"ImageSpec":"\\u003call latest\\u003e","Kind":"execute","Excludes":null,"Force":false}}],"id":7}',
      '{"method":"RPCServer.NotifyChange","params":[{"Kind":"git","Source":{"URL":"git@github.com:org/repo","Branch":"master"}}],"id":8}',
      '{"method":"RPCServer.JobStatus","params":["7ea8e0b2-0d50-4b6d-8d6e-1d1a7f0c1a2b"],"id":9}',
      '{"method":"RPCServer.SyncStatus","params":["HEAD"],"id":10}',
      '{"method":"RPCServer.GitRepoConfig","params":[false],"id":11}',
      '{"method":"RPCServer.SyncNotify","params":[{}],"id":12}',
    ],
  );
  await flux.close();
});

// --- classification per version ----------------------------------------------------------------

for (const v of PROTOCOL_VERSIONS) {
  test(`V${v}: an RPC error string is ${v === 6 ? 'wrapped in RemoteApplicationError' : 'returned raw'} (not fatal); Ping's is always raw`, async () => {
    const { flux } = client(v, errorReply('daemon broke <here>'));
    const e = await caught(flux.listServices(ctx, ''));
    if (v === 6) {
      assert.ok(e instanceof RemoteApplicationError);
      assert.equal(e.type, 'user');
      assert.equal(e.message, 'daemon broke <here>');
      assert.ok(e.help.startsWith('Error from daemon\n') && e.help.includes('\n    daemon broke <here>\n'));
      assert.ok(e.err instanceof ServerError);
    } else {
      assert.ok(e instanceof ServerError);
      assert.equal(e.message, 'daemon broke <here>');
    }
    for (const call of [() => flux.syncStatus(ctx, 'HEAD'), () => flux.gitRepoConfig(ctx, true), () => flux.export(ctx), () => flux.syncNotify(ctx)]) {
      const again = await caught(call());
      assert.ok(v === 6 ? again instanceof RemoteApplicationError : again instanceof ServerError);
    }
    const ping = await caught(flux.ping(ctx));
    assert.ok(ping instanceof ServerError, 'Ping returns the raw ServerError in every version');
    const version = await caught(flux.version(ctx));
    assert.ok(version instanceof ServerError, 'so does Version');
    assert.equal(flux.rpc.isShutdown, false, 'RPC errors are not fatal');
    await flux.close();
  });

  test(`V${v}: Version answers "unknown" without error when the daemon lacks it`, async () => {
    const { flux } = client(v, errorReply("rpc: can't find method RPCServer.Version"));
    assert.equal(await flux.version(ctx), 'unknown');
    await flux.close();
  });

  test(`V${v}: a reply of the other form is fatal (reading body …) and closes the connection`, async () => {
    const { flux } = client(v, okReply(isUnion(v) ? '[]' : '{"Result":[],"ApplicationError":null}'));
    const e = await caught(flux.listServices(ctx, ''));
    assert.ok(e instanceof FatalError);
    assert.equal(
      e.message,
      isUnion(v)
        ? 'reading body json: cannot unmarshal array into Go value of type rpc.ListServicesResponse'
        : 'reading body json: cannot unmarshal object into Go value of type []v6.ControllerStatus',
    );
    assert.equal((await flux.closed).message, e.message.replace(/^reading body /, ''));
    const after = await caught(flux.syncStatus(ctx, 'HEAD'));
    assert.ok(after instanceof FatalError);
    assert.equal(after.message, 'connection is shut down');
  });

  test(`V${v}: result and error both null is fatal (invalid error <nil>), as is a broken connection (TestBadRPC)`, async () => {
    const { flux } = client(v, (r) => `{"id":${r.id},"result":null,"error":null}`);
    const e = await caught(flux.jobStatus(ctx, 'x'));
    assert.ok(e instanceof FatalError && e.message === 'invalid error <nil>');

    const broken = client(v);
    const pending = caught(broken.flux.ping(ctx));
    broken.daemon.peer.destroy(new Error('failure to read'));
    const p = await pending;
    assert.ok(p instanceof FatalError, 'Ping gets a FatalError from the RPC mechanism');
    const ended = client(v);
    const call = caught(ended.flux.listImages(ctx, '<all>'));
    ended.daemon.peer.close();
    const u = await call;
    assert.ok(u instanceof FatalError && u.message === 'unexpected EOF');
  });

  test(`V${v}: an aborted call rejects with the abort reason; not fatal, the late reply is dropped`, async () => {
    const held: RawRequest[] = [];
    const { daemon, flux } = client(v, (r) => (r.method === 'RPCServer.SyncStatus' ? (held.push(r), undefined) : okReply('"1.0"')(r)));
    const abort = new AbortController();
    const call = caught(flux.syncStatus({ signal: abort.signal }, 'HEAD'));
    await new Promise((r) => setImmediate(r));
    const reason = new Error('caller gave up');
    abort.abort(reason);
    assert.equal(await call, reason);
    daemon.peer.write(Buffer.from(`{"id":${held[0]!.id},"result":["late"],"error":null}\n`));
    assert.equal(await flux.version(ctx), '1.0');
    assert.equal(flux.rpc.isShutdown, false);
    await flux.close();
  });
}

for (const v of PROTOCOL_VERSIONS.filter(isUnion)) {
  test(`V${v}: a union ApplicationError is thrown as the decoded Flux error; an error without "error" has text ""`, async () => {
    const { daemon, flux } = client(v, okReply('{"Result":["ignored"],"ApplicationError":{"type":"user","help":"do this"}}'));
    const e = await caught(flux.syncStatus(ctx, 'HEAD'));
    assert.ok(e instanceof FluxError && !(e instanceof FatalError));
    assert.deepEqual([e.type, e.help, e.message, e.err], ['user', 'do this', '', undefined]);
    daemon.answer = okReply('{"Result":"","ApplicationError":{}}');
    const empty = await caught(flux.updateManifests(ctx, { type: 'sync', cause: ZERO_CAUSE, spec: {} }));
    assert.ok(empty instanceof FluxError, 'an empty object is a (strange) application error');
    assert.deepEqual([empty.type, empty.help, empty.message], ['', '', '']);
    assert.equal(flux.rpc.isShutdown, false);
    await flux.close();
  });

  test(`V${v}: Export succeeds without an error (Go returns its nil ApplicationError as an error: deliberate deviation)`, async () => {
    const { flux } = client(v, okReply('{"Result":"LS0tCg==","ApplicationError":null}'));
    assert.equal(Buffer.from((await flux.export(ctx))!).toString(), '---\n');
    await flux.close();
  });

  test(`V${v}: SyncNotify and NotifyChange replies carry only ApplicationError`, async () => {
    const { flux } = client(v, okReply('{"ApplicationError":null}'));
    await flux.syncNotify(ctx);
    if (v >= 9) await flux.notifyChange(ctx, { kind: 'git', source: { url: 'u', branch: '' } });
    await flux.close();
  });
}

test('V6: flat replies decode (SyncNotify {}, Export base64); a null value (the historic V6 server\'s nil) is fatal', async () => {
  const replies: Record<string, string> = {
    'RPCServer.SyncNotify': '{}',
    'RPCServer.Export': '"LS0tCg=="',
    'RPCServer.ListServices': 'null',
    'RPCServer.UpdateManifests': '"job"',
  };
  const { flux } = client(6, (r) => okReply(replies[r.method] ?? '{}')(r));
  await flux.syncNotify(ctx);
  assert.equal(Buffer.from((await flux.export(ctx))!).toString(), '---\n');
  assert.equal(await flux.updateManifests(ctx, { type: 'sync', cause: ZERO_CAUSE, spec: {} }), 'job');
  const e = await caught(flux.listServices(ctx, ''));
  assert.ok(e instanceof FatalError && e.message === 'invalid error <nil>');
});

// --- rollout polyfill on the way in -------------------------------------------------------------

for (const v of [6, 7, 11] as const) {
  test(`V${v}: ListServices values go through the rollout polyfill`, async () => {
    const list = '[{"ID":"a:deployment/b","Status":"2 out of 3 updated","Rollout":{"Outdated":1}}]';
    const { flux } = client(v, okReply(isUnion(v) ? `{"Result":${list},"ApplicationError":null}` : list));
    const [s] = (await flux.listServices(ctx, ''))!;
    assert.equal(s!.status, 'updating');
    assert.deepEqual(s!.rollout, { desired: 3, updated: 2, ready: 2, available: 2, outdated: 1, messages: null });
    if (v === 11) {
      const [t] = (await flux.listServicesWithOptions(ctx, { namespace: '', services: null }))!;
      assert.equal(t!.status, 'updating', 'native ListServicesWithOptions too');
    }
    await flux.close();
  });
}

// --- checks before any I/O ----------------------------------------------------------------------

const releaseOf = (serviceSpecs: string[]): UpdateSpec => ({ type: 'image', cause: ZERO_CAUSE, spec: { ...ZERO_RELEASE_IMAGE_SPEC, serviceSpecs, imageSpec: '<all latest>' } });

for (const v of PROTOCOL_VERSIONS) {
  test(`V${v}: kind checks before any I/O (${v <= 7 ? 'UpgradeNeeded' : 'UnsupportedResourceKind'}), NotifyChange ${v <= 8 ? 'not implemented' : 'native'}`, async () => {
    const { daemon, flux } = client(v, (r) => okReply(isUnion(v) ? '{"Result":null,"ApplicationError":null}' : '[]')(r));
    const refused = v <= 7 ? 'default:deployment/x' : 'default/x';
    const kindError = v <= 7 ? UpgradeNeededError : UnsupportedResourceKindError;
    const kind = v <= 7 ? 'deployment' : 'service';
    for (const call of [() => flux.listImages(ctx, refused), () => flux.updateManifests(ctx, releaseOf([refused])), () => flux.listImagesWithOptions(ctx, { spec: refused, overrideContainerFields: null, namespace: '' })]) {
      const e = await caught(call());
      assert.ok(e instanceof kindError, `${(e as Error).name}`);
      assert.equal(e.message, `Unsupported resource kind: ${kind}`);
    }
    const lswo = await caught(flux.listServicesWithOptions(ctx, { namespace: '', services: [id(refused)] }));
    assert.ok(lswo instanceof UnsupportedResourceKindError, 'ListServicesWithOptions: UnsupportedResourceKind in every version');
    if (v <= 8) {
      const e = await caught(flux.notifyChange(ctx, { kind: 'git', source: { url: 'u', branch: '' } }));
      assert.ok(e instanceof UpgradeNeededError && e.message === 'NotifyChange method not implemented');
    }
    assert.deepEqual(daemon.requests, [], 'nothing was sent');

    // Accepted kinds and <all> go out.
    await flux.listImages(ctx, '<all>');
    await flux.listImages(ctx, v <= 7 ? 'default/x' : 'default:deployment/x');
    assert.equal(daemon.requests.length, 2);
    await flux.close();
  });
}

test("V11's native ListServicesWithOptions has no namespace-and-services check; V6–V10's shim refuses before any I/O", async () => {
  const both = { namespace: 'default', services: [id('default:deployment/a')] };
  for (const v of PROTOCOL_VERSIONS) {
    const { daemon, flux } = client(v, okReply('{"Result":null,"ApplicationError":null}'));
    if (v === 11) {
      assert.equal(await flux.listServicesWithOptions(ctx, both), null);
      assert.equal(daemon.requests[0]!.text, '{"method":"RPCServer.ListServicesWithOptions","params":[{"Namespace":"default","Services":["default:deployment/a"]}],"id":0}');
    } else {
      assert.ok((await caught(flux.listServicesWithOptions(ctx, both))) instanceof FilterConflictError);
      assert.deepEqual(daemon.requests, []);
    }
    await flux.close();
  }
});

test('createFluxClient over an existing rpc Client shares it; close() closes it', async () => {
  const daemon = rawDaemon(okReply('"2.0"'));
  const rpc = new Client(daemon.stream);
  const flux = createFluxClient(9, rpc);
  assert.equal(flux.rpc, rpc);
  assert.equal(flux.protocolVersion, 9);
  assert.equal(await flux.version(ctx), '2.0');
  await flux.close();
  assert.equal(rpc.isShutdown, true);
  const e = await caught(flux.version(ctx));
  assert.ok(e instanceof FatalError && e.message === 'connection is shut down');
});
