/**
 * Large list replies of the API handler: encoded in time slices and written a batch at a time with
 * backpressure, byte for byte (headers included) what the whole-value encoding gives.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { createServer, type ServerResponse } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import type { FluxApi } from '../flux/api.js';
import type { ControllerStatus } from '../flux/model/controller-status.js';
import { createFluxHttpHandler } from './api-handler.js';
import { injectRequest } from '../../test/fakes/inject.js';
import { ROUTES } from './routes.js';
import { manyStatuses } from '../../test/fakes/statuses.js';

async function until(done: () => boolean, turns = 20_000): Promise<void> {
  for (let i = 0; i < turns && !done(); i++) await new Promise((r) => setImmediate(r));
  assert.ok(done(), 'condition not reached');
}

function api(statuses: readonly ControllerStatus[], commits: readonly string[]): FluxApi {
  const no = () => Promise.reject(new Error('not used'));
  return {
    ping: no,
    version: no,
    export: no,
    listServices: async () => statuses,
    listServicesWithOptions: async () => statuses,
    listImages: no,
    listImagesWithOptions: no,
    updateManifests: no,
    notifyChange: no,
    jobStatus: no,
    syncStatus: async () => commits,
    gitRepoConfig: no,
    syncNotify: no,
  };
}

test('a long list reply has the same bytes and headers as the whole encoding', async () => {
  const statuses = manyStatuses(300);
  const commits = Array.from({ length: 500 }, (_, i) => `<commit ${i}> é`);
  const handler = createFluxHttpHandler({ resolve: () => api(statuses, commits) });
  const services = await injectRequest(handler, { url: '/v11/services?namespace=' });
  const want = ROUTES.ListServicesWithOptions.reply.encode(statuses);
  assert.equal(services.status, 200);
  assert.equal(services.body, want);
  assert.equal(services.headers['content-length'], String(Buffer.byteLength(want)));
  assert.equal(services.headers['content-type'], 'application/json; charset=utf-8');
  assert.equal(services.headers['transfer-encoding'], undefined);
  const sync = await injectRequest(handler, { url: '/v6/sync?ref=main' });
  assert.equal(sync.body, ROUTES.SyncStatus.reply.encode(commits));
  assert.equal(sync.headers['content-length'], String(Buffer.byteLength(sync.body)));
});

test('a long list reply is written with backpressure: a client that does not read holds the writer back', async () => {
  const statuses = manyStatuses(2100); // ~10 MB
  const want = ROUTES.ListServicesWithOptions.reply.encode(statuses);
  const handler = createFluxHttpHandler({ resolve: () => api(statuses, []) });
  let written = 0;
  const count = (res: ServerResponse) => {
    const write = res.write.bind(res) as (chunk: unknown, ...rest: unknown[]) => boolean;
    const end = res.end.bind(res) as (chunk?: unknown, ...rest: unknown[]) => ServerResponse;
    res.write = ((chunk: unknown, ...rest: unknown[]) => ((written += Buffer.byteLength(chunk as string)), write(chunk, ...rest))) as typeof res.write;
    res.end = ((chunk?: unknown, ...rest: unknown[]) => {
      if (typeof chunk === 'string' || Buffer.isBuffer(chunk)) written += Buffer.byteLength(chunk);
      return end(chunk, ...rest);
    }) as typeof res.end;
  };
  const server = createServer((req, res) => {
    count(res);
    void handler(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  const socket = connect(port, '127.0.0.1');
  try {
    await new Promise<void>((r) => socket.once('connect', r));
    socket.pause(); // reads nothing for now
    socket.write('GET /v11/services?namespace= HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    // Wait until the writer has stopped moving (it waits for the socket to drain).
    let last = -1;
    let still = 0;
    await until(() => {
      still = written === last && written > 0 ? still + 1 : 0;
      last = written;
      return still >= 200;
    });
    assert.ok(written < want.length / 2, `written ${written} of ${want.length} bytes to a client that reads nothing`);
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    const closed = new Promise<void>((r) => socket.once('close', () => r()));
    socket.resume();
    await closed;
    const response = Buffer.concat(chunks).toString('utf8');
    const split = response.indexOf('\r\n\r\n');
    assert.match(response.slice(0, split), new RegExp(`Content-Length: ${Buffer.byteLength(want)}`));
    assert.equal(response.slice(split + 4), want);
  } finally {
    socket.destroy();
    await new Promise((r) => server.close(r));
  }
});
