import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJobStatus, encodeJobResult, encodeJobStatus, newJobId, ZERO_JOB_RESULT, ZERO_JOB_STATUS, decodeJobId } from './job.js';

test('zero and full status (docs/types.md §10)', () => {
  assert.equal(encodeJobStatus(ZERO_JOB_STATUS), '{"Result":{},"Err":"","StatusString":""}');
  const full =
    '{"Result":{"revision":"abc","spec":{"type":"image","cause":{"Message":"msg","User":"me"},"spec":{"ServiceSpecs":["\\u003call\\u003e"],"ImageSpec":"\\u003call latest\\u003e","Kind":"execute","Excludes":null,"Force":false}},"result":{"default:deployment/a":{"Status":"success","PerContainer":[{"Container":"c","Current":"quay.io/weaveworks/helloworld:master-a000001","Target":"quay.io/weaveworks/helloworld:v2"}]}}},"Err":"","StatusString":"succeeded"}';
  assert.equal(encodeJobStatus(decodeJobStatus(JSON.parse(full))), full);
});

test('result members are omitted when empty; an empty result map counts as empty', () => {
  assert.equal(encodeJobResult({ ...ZERO_JOB_RESULT, result: new Map() }), '{}');
  assert.equal(encodeJobStatus(decodeJobStatus({ result: { Revision: 'r', Spec: null, Result: {} }, err: 'e', statusstring: 'queued' })), '{"Result":{"revision":"r"},"Err":"e","StatusString":"queued"}');
});

test('errors inside the spec surface unchanged', () => {
  assert.throws(() => decodeJobStatus({ Result: { spec: { type: 'x' } } }), { message: 'unknown spec type: x' });
  assert.throws(() => decodeJobStatus({ StatusString: 5 }), { message: 'json: cannot unmarshal number into Go struct field Status.StatusString of type job.StatusString' });
  // Go 1.19: a type error inside the spec's own decoder gets the outer context only (newer Go appends ".cause.User").
  assert.throws(() => decodeJobStatus({ Result: { spec: { type: 'image', cause: { User: 5 }, spec: {} } } }), {
    message: 'json: cannot unmarshal number into Go struct field Result.Result.spec of type string',
  });
});

test('job IDs', () => {
  assert.match(newJobId(), /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  assert.notEqual(newJobId(), newJobId());
  assert.throws(() => decodeJobId(5), { message: 'json: cannot unmarshal number into Go value of type job.ID' });
});
