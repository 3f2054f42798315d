import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PROTOCOL_VERSIONS } from '../api.js';
import { RemoteApplicationError, UnsupportedResourceKindError, UpgradeNeededError } from '../model/flux-error.js';
import { METHOD_NAMES, METHODS } from './methods.js';
import { versionSpec, VERSIONS } from './versions.js';

// docs/rpc.md §6.2, transcribed: how each client version provides each method.
const N = 'native';
const S = 'shim';
const U = 'upgrade-needed';
const PROVISION: Record<string, string[]> = {
  //                       V6 V7 V8 V9 V10 V11
  Ping: [N, N, N, N, N, N],
  Version: [N, N, N, N, N, N],
  Export: [N, N, N, N, N, N],
  ListServices: [N, N, N, N, N, N],
  ListServicesWithOptions: [S, S, S, S, S, N],
  ListImages: [N, N, N, N, N, N],
  ListImagesWithOptions: [S, S, S, S, N, N],
  UpdateManifests: [N, N, N, N, N, N],
  SyncNotify: [N, N, N, N, N, N],
  NotifyChange: [U, U, U, N, N, N],
  JobStatus: [N, N, N, N, N, N],
  SyncStatus: [N, N, N, N, N, N],
  GitRepoConfig: [N, N, N, N, N, N],
};

test('every version provides every method as docs/rpc.md §6.2 says', () => {
  assert.deepEqual([...METHOD_NAMES].sort(), Object.keys(PROVISION).sort());
  PROTOCOL_VERSIONS.forEach((v, i) => {
    for (const name of METHOD_NAMES) assert.equal(VERSIONS[v].methods[name], PROVISION[name]![i], `V${v} ${name}`);
  });
});

test('reply forms, V6 wrapping, kinds and the kind error per version (docs/rpc.md §2, §6.1, §6.5)', () => {
  const table = PROTOCOL_VERSIONS.map((v) => {
    const s = VERSIONS[v];
    return [v, s.replies, s.wrapServerError !== undefined, s.kinds.join(','), s.kindError('m').constructor.name];
  });
  const v8 = 'deployment,daemonset,statefulset,cronjob,helmrelease';
  assert.deepEqual(table, [
    [6, 'flat', true, 'service', UpgradeNeededError.name],
    [7, 'union', false, 'service', UpgradeNeededError.name],
    [8, 'union', false, v8, UnsupportedResourceKindError.name],
    [9, 'union', false, v8, UnsupportedResourceKindError.name],
    [10, 'union', false, v8, UnsupportedResourceKindError.name],
    [11, 'union', false, v8, UnsupportedResourceKindError.name],
  ]);
  const wrapped = VERSIONS[6].wrapServerError!(new Error('boom'));
  assert.ok(wrapped instanceof RemoteApplicationError);
  assert.equal(wrapped.message, 'boom');
  assert.equal(wrapped.type, 'user');
  assert.equal(VERSIONS[8].kindError('Unsupported resource kind: service').message, 'Unsupported resource kind: service');
});

test('the method table: wire names, introducing versions and union types (docs/rpc.md §1)', () => {
  const rows = METHOD_NAMES.map((n) => [METHODS[n].wire, METHODS[n].since, METHODS[n].reply, METHODS[n].unionType]);
  assert.deepEqual(rows, [
    ['RPCServer.Ping', 4, 'ignored', ''],
    ['RPCServer.Version', 4, 'bare', ''],
    ['RPCServer.Export', 5, 'versioned', 'rpc.ExportResponse'],
    ['RPCServer.ListServices', 6, 'versioned', 'rpc.ListServicesResponse'],
    ['RPCServer.ListServicesWithOptions', 11, 'versioned', 'rpc.ListServicesResponse'],
    ['RPCServer.ListImages', 6, 'versioned', 'rpc.ListImagesResponse'],
    ['RPCServer.ListImagesWithOptions', 10, 'versioned', 'rpc.ListImagesResponse'],
    ['RPCServer.UpdateManifests', 6, 'versioned', 'rpc.UpdateManifestsResponse'],
    ['RPCServer.SyncNotify', 6, 'versioned', 'rpc.SyncNotifyResponse'],
    ['RPCServer.NotifyChange', 9, 'versioned', 'rpc.NotifyChangeResponse'],
    ['RPCServer.JobStatus', 6, 'versioned', 'rpc.JobStatusResponse'],
    ['RPCServer.SyncStatus', 6, 'versioned', 'rpc.SyncStatusResponse'],
    ['RPCServer.GitRepoConfig', 6, 'versioned', 'rpc.GitRepoConfigResponse'],
  ]);
});

test('an unknown protocol version is refused', () => {
  assert.throws(() => versionSpec(5 as never), RangeError);
  assert.throws(() => versionSpec(12 as never), RangeError);
});
