/**
 * The daemon-side server, driven with hand-written requests; replies are checked byte for byte.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { memoryPipe } from '../transport/memory.js';
import type { CallContext, DaemonImplementation } from './api.js';
import { controllerStatus } from './model/controller-status.js';
import { FluxError, UpgradeNeededError } from './model/flux-error.js';
import { ResourceId } from './model/resource-id.js';
import { applicationErrorOf, createFluxRpcServer, DeadlineExceededError, serveFlux, type FluxServeOptions } from './server.js';
import { MockDaemon } from '../../test/fakes/mock-daemon.js';

/** A client that writes request text and reads reply lines. */
function rawClient(impl: DaemonImplementation, options: FluxServeOptions = {}) {
  const [a, b] = memoryPipe();
  const connection = serveFlux(impl, b, options);
  const waiting = new Map<number, (line: string) => void>();
  let buffered = '';
  a.start({
    data: (chunk) => {
      buffered += chunk.toString('utf8');
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        const id = (JSON.parse(line) as { id: number }).id;
        waiting.get(id)?.(line);
        waiting.delete(id);
      }
    },
    end: () => undefined,
  });
  let seq = 0;
  return {
    stream: a,
    connection,
    /** Sends `{"method":"RPCServer.<method>","params":<params>,"id":N}` and resolves with the reply line. */
    call(method: string, params = '[{}]'): Promise<string> {
      const id = seq++;
      const reply = new Promise<string>((resolve) => waiting.set(id, resolve));
      a.write(Buffer.from(`{"method":"RPCServer.${method}","params":${params},"id":${id}}\n`));
      return reply;
    },
  };
}

const ok = (result: string) => new RegExp(`^\\{"id":\\d+,"result":${escape(result)},"error":null\\}$`);
const fail = (message: string) => new RegExp(`^\\{"id":\\d+,"result":null,"error":${escape(JSON.stringify(message))}\\}$`);
function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const STATUS =
  '{"ID":"default:deployment/helloworld","Containers":null,"ReadOnly":"","Status":"ready","Rollout":{"Desired":1,"Updated":1,"Ready":1,"Available":1,"Outdated":0,"Messages":null},"SyncError":"","Antecedent":"","Labels":null,"Automated":false,"Locked":false,"Ignore":false,"Policies":{"automated":"true"}}';
const GIT_ZERO = '{"remote":{"url":"","branch":"","path":""},"publicSSHKey":{"key":"","fingerprints":null},"status":"","errors":""}';
const JOB_ZERO = '{"Result":{},"Err":"","StatusString":""}';
const missingRepo = () => new FluxError('missing', 'No repo <here>', 'git repo not configured');

function daemon(): MockDaemon {
  const m = new MockDaemon();
  m.versionAnswer = '1.25.4';
  m.exportAnswer = Buffer.from('---\nkind: Deployment\n');
  m.listServicesAnswer = [controllerStatus({ id: ResourceId.parse('default:deployment/helloworld'), status: 'ready', rollout: { desired: 1, updated: 1, ready: 1, available: 1, outdated: 0, messages: null }, policies: new Map([['automated', 'true']]) })];
  m.updateManifestsAnswer = '7ea8e0b2-0d50-4b6d-8d6e-1d1a7f0c1a2b';
  m.syncStatusAnswer = ['a1b2c3'];
  m.jobStatusAnswer = { result: { revision: '', spec: null, result: null }, err: '', statusString: 'queued' };
  return m;
}

test('union replies are byte for byte those of the captured Go session (docs/rpc.md §1.1)', async () => {
  const m = daemon();
  m.gitRepoConfigError = new Error('getting config: git repo not configured', { cause: missingRepo() });
  const c = rawClient(m);
  assert.match(await c.call('Ping'), ok('{}'));
  assert.match(await c.call('Version'), ok('"1.25.4"'));
  assert.match(await c.call('Export'), ok('{"Result":"LS0tCmtpbmQ6IERlcGxveW1lbnQK","ApplicationError":null}'));
  assert.match(await c.call('ListServices', '["default"]'), ok(`{"Result":[${STATUS}],"ApplicationError":null}`));
  assert.match(await c.call('ListServicesWithOptions', '[{"Namespace":"","Services":["default:deployment/helloworld"]}]'), ok(`{"Result":[${STATUS}],"ApplicationError":null}`));
  assert.match(await c.call('ListImages', '["\\u003call\\u003e"]'), ok('{"Result":null,"ApplicationError":null}'));
  assert.match(
    await c.call('ListImagesWithOptions', '[{"Spec":"default:deployment/helloworld","OverrideContainerFields":["Name","Current"],"Namespace":""}]'),
    ok('{"Result":null,"ApplicationError":null}'),
  );
  assert.match(
    await c.call(
      'UpdateManifests',
      '[{"type":"image","cause":{"Message":"release","User":"alice"},"spec":{"ServiceSpecs":["\\u003call\\u003e"],"ImageSpec":"\\u003call latest\\u003e","Kind":"execute","Excludes":null,"Force":false}}]',
    ),
    ok('{"Result":"7ea8e0b2-0d50-4b6d-8d6e-1d1a7f0c1a2b","ApplicationError":null}'),
  );
  assert.match(await c.call('NotifyChange', '[{"Kind":"git","Source":{"URL":"git@github.com:org/repo","Branch":"master"}}]'), ok('{"ApplicationError":null}'));
  assert.match(await c.call('JobStatus', '["7ea8e0b2-0d50-4b6d-8d6e-1d1a7f0c1a2b"]'), ok('{"Result":{"Result":{},"Err":"","StatusString":"queued"},"ApplicationError":null}'));
  assert.match(await c.call('SyncStatus', '["HEAD"]'), ok('{"Result":["a1b2c3"],"ApplicationError":null}'));
  assert.equal(
    await c.call('GitRepoConfig', '[false]'),
    `{"id":11,"result":{"Result":${GIT_ZERO},"ApplicationError":{"type":"missing","help":"No repo \\u003chere\\u003e","error":"git repo not configured"}},"error":null}`,
  );
  assert.match(await c.call('SyncNotify'), fail("rpc: can't find method RPCServer.SyncNotify"));
  // The arguments reached the implementation decoded.
  assert.deepEqual(m.argsOf('listServicesWithOptions'), [{ namespace: '', services: [ResourceId.parse('default:deployment/helloworld')] }]);
  assert.deepEqual(m.argsOf('notifyChange'), [{ kind: 'git', source: { url: 'git@github.com:org/repo', branch: 'master' } }]);
  assert.deepEqual(m.argsOf('gitRepoConfig'), [false]);
  assert.deepEqual(m.argsOf('listImagesWithOptions'), [{ spec: 'default:deployment/helloworld', overrideContainerFields: ['Name', 'Current'], namespace: '' }]);
  c.connection.close();
});

test('application errors: a Flux error, or one at the end of a cause chain, goes into ApplicationError with the zero Result', async () => {
  const m = daemon();
  const c = rawClient(m);
  const flux = missingRepo();
  const cases: [keyof MockDaemon, string, string, string][] = [
    ['exportError', 'Export', '[{}]', 'null'],
    ['listServicesError', 'ListServices', '[""]', 'null'],
    ['listImagesError', 'ListImages', '["\\u003call\\u003e"]', 'null'],
    ['updateManifestsError', 'UpdateManifests', '[{"type":"sync","cause":{},"spec":{}}]', '""'],
    ['jobStatusError', 'JobStatus', '["j"]', JOB_ZERO],
    ['syncStatusError', 'SyncStatus', '["HEAD"]', 'null'],
    ['gitRepoConfigError', 'GitRepoConfig', '[true]', GIT_ZERO],
  ];
  const app = '{"type":"missing","help":"No repo \\u003chere\\u003e","error":"git repo not configured"}';
  for (const [field, method, params, zero] of cases) {
    (m as unknown as Record<string, unknown>)[field] = new Error('outer', { cause: new Error('middle', { cause: flux }) });
    assert.match(await c.call(method, params), ok(`{"Result":${zero},"ApplicationError":${app}}`), method);
  }
  m.notifyChangeError = flux;
  assert.match(await c.call('NotifyChange', '[{"Kind":"git","Source":{}}]'), ok(`{"ApplicationError":${app}}`));
  m.notifyChangeError = new FluxError('user', 'no underlying error');
  assert.match(await c.call('NotifyChange', '[{"Kind":"git","Source":{}}]'), ok('{"ApplicationError":{"type":"user","help":"no underlying error"}}'));
  c.connection.close();
});

test('applicationErrorOf walks `cause` to the first Flux error only', () => {
  const inner = new UpgradeNeededError('too old');
  assert.equal(applicationErrorOf(inner), inner);
  assert.equal(applicationErrorOf(new Error('a', { cause: new Error('b', { cause: inner }) })), inner);
  // A Flux error's own underlying error is not looked into (pkg/errors' Cause stops there).
  const outer = new FluxError('server', 'h', new Error('x', { cause: inner }));
  assert.equal(applicationErrorOf(outer), outer);
  assert.equal(applicationErrorOf(new Error('a', { cause: new Error('b') })), undefined);
  assert.equal(applicationErrorOf(new Error('a', { cause: 'not an error' })), undefined);
  assert.equal(applicationErrorOf('text'), undefined);
  const loop = new Error('loop');
  (loop as { cause?: unknown }).cause = loop;
  assert.equal(applicationErrorOf(loop), undefined);
});

test('internal errors travel as the RPC error string, full text, result null; onError is told (not of application errors)', async () => {
  const m = daemon();
  const told: [string, string][] = [];
  const c = rawClient(m, { onError: (e, method) => told.push([method, e.message]) });
  m.listServicesError = new Error('listing: connection refused', { cause: new Error('connection refused') });
  assert.match(await c.call('ListServices', '[""]'), fail('listing: connection refused'));
  m.syncStatusError = missingRepo();
  assert.match(await c.call('SyncStatus', '["HEAD"]'), ok(`{"Result":null,"ApplicationError":{"type":"missing","help":"No repo \\u003chere\\u003e","error":"git repo not configured"}}`));
  assert.deepEqual(told, [['RPCServer.ListServices', 'listing: connection refused']]);
  c.connection.close();
});

test('Ping and Version errors are always RPC error strings, Flux errors included (their text)', async () => {
  const m = daemon();
  m.pingError = missingRepo();
  m.versionError = new Error('wrapped', { cause: missingRepo() });
  const c = rawClient(m);
  assert.match(await c.call('Ping'), fail('git repo not configured'));
  assert.match(await c.call('Version'), fail('wrapped'));
  c.connection.close();
});

test('panics become errors: a synchronous throw, a non-Error rejection, a value that cannot be encoded', async () => {
  const told: string[] = [];
  const impl = Object.assign(Object.create(daemon()) as MockDaemon, {
    listImages: () => {
      throw new TypeError('sync boom');
    },
    syncStatus: () => Promise.reject('a string'),
    jobStatus: () => Promise.resolve(undefined),
  });
  const c = rawClient(impl, { onError: (e) => told.push(e.message) });
  assert.match(await c.call('ListImages', '["\\u003call\\u003e"]'), fail('sync boom'));
  assert.match(await c.call('SyncStatus', '["HEAD"]'), fail('a string'));
  const bad = await c.call('JobStatus', '["j"]');
  assert.match(bad, /^\{"id":2,"result":null,"error":".+"\}$/);
  assert.deepEqual(told.slice(0, 2), ['sync boom', 'a string']);
  assert.equal(told.length, 3);
  // The connection still serves.
  assert.match(await c.call('Ping'), ok('{}'));
  c.connection.close();
});

test("argument errors are Go's texts, before the implementation is called; a missing argument is Go's zero value", async () => {
  const m = daemon();
  const c = rawClient(m);
  assert.match(await c.call('ListServices', '[5]'), fail('json: cannot unmarshal number into Go value of type string'));
  assert.match(await c.call('GitRepoConfig', '["yes"]'), fail('json: cannot unmarshal string into Go value of type bool'));
  assert.match(await c.call('Ping', '[[]]'), fail('json: cannot unmarshal array into Go value of type struct {}'));
  assert.match(await c.call('UpdateManifests', '[{"type":"x","cause":{},"spec":{}}]'), fail('unknown spec type: x'));
  assert.match(await c.call('NotifyChange', '[{"Kind":"x","Source":{}}]'), fail('unknown kind of change'));
  assert.match(await c.call('ListServicesWithOptions', '[{"Services":["bad id"]}]'), fail('parsing bad id: invalid service ID'));
  assert.match(await c.call('Nope'), fail("rpc: can't find method RPCServer.Nope"));
  assert.deepEqual(m.calls, []);
  // Missing or null arguments: Go's zero value.
  assert.match(await c.call('ListServices', '[]'), ok(`{"Result":[${STATUS}],"ApplicationError":null}`));
  assert.match(await c.call('GitRepoConfig', '[null]'), ok(`{"Result":${GIT_ZERO},"ApplicationError":null}`));
  assert.deepEqual(m.argsOf('listServices'), ['']);
  assert.deepEqual(m.argsOf('gitRepoConfig'), [false]);
  // A zero update spec or change has no TS form: refused (deviation: Go would call the daemon with it).
  assert.match(await c.call('UpdateManifests', '[]'), fail('unknown spec type: '));
  assert.match(await c.call('NotifyChange', '[null]'), fail('unknown kind of change'));
  c.connection.close();
});

test('SyncNotify is served only when the implementation has it', async () => {
  const m = daemon();
  let synced = 0;
  const withSync = Object.assign(Object.create(m) as MockDaemon, { syncNotify: async () => void synced++ });
  const c = rawClient(withSync);
  assert.match(await c.call('SyncNotify'), ok('{"ApplicationError":null}'));
  assert.equal(synced, 1);
  c.connection.close();
  assert.equal(createFluxRpcServer(m).lookup('RPCServer.SyncNotify'), "rpc: can't find method RPCServer.SyncNotify");
  assert.notEqual(typeof createFluxRpcServer(withSync).lookup('RPCServer.SyncNotify'), 'string');
  assert.notEqual(typeof createFluxRpcServer(m).lookup('RPCServer.ListServicesWithOptions'), 'string');
});

test('flat mode (V6): bare values, nil as [] or "", every error as the RPC error string', async () => {
  const m = daemon();
  m.exportAnswer = null;
  m.listServicesAnswer = null;
  let synced = 0;
  const impl = Object.assign(Object.create(m) as MockDaemon, { syncNotify: async () => void synced++ });
  const c = rawClient(impl, { flat: true });
  assert.match(await c.call('Ping'), ok('{}'));
  assert.match(await c.call('Version'), ok('"1.25.4"'));
  assert.match(await c.call('Export'), ok('""'));
  assert.match(await c.call('ListServices', '[""]'), ok('[]'));
  assert.match(await c.call('ListServicesWithOptions', '[{}]'), ok('[]'));
  assert.match(await c.call('ListImages', '["\\u003call\\u003e"]'), ok('[]'));
  assert.match(await c.call('UpdateManifests', '[{"type":"sync","cause":{},"spec":{}}]'), ok('"7ea8e0b2-0d50-4b6d-8d6e-1d1a7f0c1a2b"'));
  assert.match(await c.call('SyncNotify'), ok('{}'));
  assert.match(await c.call('NotifyChange', '[{"Kind":"git","Source":{}}]'), ok('{}'));
  assert.match(await c.call('JobStatus', '["j"]'), ok('{"Result":{},"Err":"","StatusString":"queued"}'));
  assert.match(await c.call('SyncStatus', '["HEAD"]'), ok('["a1b2c3"]'));
  assert.match(await c.call('GitRepoConfig', '[false]'), ok(GIT_ZERO));
  m.exportAnswer = Buffer.from('abc');
  assert.match(await c.call('Export'), ok('"YWJj"'));
  m.syncStatusError = missingRepo();
  assert.match(await c.call('SyncStatus', '["HEAD"]'), fail('git repo not configured'));
  m.gitRepoConfigError = new Error('getting config: git repo not configured', { cause: missingRepo() });
  assert.match(await c.call('GitRepoConfig', '[false]'), fail('getting config: git repo not configured'));
  assert.equal(synced, 1);
  c.connection.close();
});

test('the RPC timeout aborts the implementation\'s signal with "context deadline exceeded"; the reply waits for the implementation', async () => {
  let seen: AbortSignal | undefined;
  let release!: (v: readonly string[]) => void;
  const impl = Object.assign(Object.create(daemon()) as MockDaemon, {
    // Honours the signal: fails with its reason.
    listServices: ({ signal }: CallContext) =>
      new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true })),
    // Ignores the signal: resolved by the test once the signal has been aborted.
    syncStatus: ({ signal }: CallContext) => {
      seen = signal;
      return new Promise<readonly string[]>((resolve) => (release = resolve));
    },
  });
  const c = rawClient(impl, { rpcTimeoutMs: 1 });
  assert.match(await c.call('ListServices', '[""]'), fail('context deadline exceeded'));
  const late = c.call('SyncStatus', '["HEAD"]');
  while (!seen?.aborted) await new Promise((r) => setImmediate(r));
  assert.ok(seen.reason instanceof DeadlineExceededError);
  release(['done anyway']);
  assert.match(await late, ok('{"Result":["done anyway"],"ApplicationError":null}'));
  c.connection.close();
});

test("closing the connection aborts running implementations' signals", async () => {
  let seen: AbortSignal | undefined;
  const impl = Object.assign(Object.create(daemon()) as MockDaemon, {
    syncStatus: ({ signal }: CallContext) => {
      seen = signal;
      return new Promise<readonly string[]>(() => undefined);
    },
  });
  const c = rawClient(impl, { rpcTimeoutMs: Infinity });
  void c.call('SyncStatus', '["HEAD"]');
  while (seen === undefined) await new Promise((r) => setImmediate(r));
  assert.equal(seen.aborted, false);
  c.stream.destroy();
  await c.connection.done;
  assert.equal(seen.aborted, true);
  assert.ok(!(seen.reason instanceof DeadlineExceededError));
});

test('options are checked', () => {
  assert.throws(() => createFluxRpcServer(daemon(), { rpcTimeoutMs: -1 }), RangeError);
  assert.throws(() => createFluxRpcServer(daemon(), { rpcTimeoutMs: Number.NaN }), RangeError);
});
