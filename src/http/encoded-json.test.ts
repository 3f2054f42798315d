import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FluxApi } from '../flux/api.js';
import { createFluxHttpHandler } from './api-handler.js';
import { EncodedJson } from './encoded-json.js';
import { injectRequest } from '../../test/fakes/inject.js';

test('a value that is already JSON text is written as it is, with the route\u2019s status and content type', async () => {
  const text = '[{"ID":"default:deployment/x","Containers":null}]';
  const api = { listServicesWithOptions: async () => new EncodedJson(text), version: async () => new EncodedJson('"v<1>"') } as unknown as FluxApi;
  const handler = createFluxHttpHandler({ resolve: () => api, basePath: '/api/flux' });
  const services = await injectRequest(handler, { url: '/api/flux/v6/services?namespace=' });
  assert.equal(services.status, 200);
  assert.equal(services.headers['content-type'], 'application/json; charset=utf-8');
  assert.equal(services.body, text);
  assert.equal((await injectRequest(handler, { url: '/api/flux/v11/version' })).body, '"v<1>"');
});
