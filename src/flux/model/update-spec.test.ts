import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeUpdateSpec, encodeUpdateSpec, type UpdateSpec } from './update-spec.js';
import { UnknownSpecTypeError, UnexpectedEndError } from './errors.js';
import { parseImageSpec, parseResourceSpec } from './resource-spec.js';
import { decodeUpdateResult, encodeUpdateResult } from './update-result.js';

// docs/types.md §9.1, as sent on the wire.
const examples = [
  '{"type":"image","cause":{"Message":"msg","User":"me"},"spec":{"ServiceSpecs":["\\u003call\\u003e"],"ImageSpec":"\\u003call latest\\u003e","Kind":"execute","Excludes":null,"Force":false}}',
  '{"type":"policy","cause":{"Message":"","User":""},"spec":{"default:deployment/a":{"add":null,"remove":{"locked":"true"}},"default:deployment/b":{"add":{"automated":"true"},"remove":null}}}',
  '{"type":"auto","cause":{"Message":"","User":""},"spec":{"Changes":[{"WorkloadID":"default:deployment/a","Container":{"Name":"c","Image":"quay.io/weaveworks/helloworld:master-a000001"},"ImageID":"quay.io/weaveworks/helloworld:master-a000001"}]}}',
  '{"type":"sync","cause":{"Message":"","User":""},"spec":{}}',
  '{"type":"containers","cause":{"Message":"","User":""},"spec":{"Kind":"plan","ContainerSpecs":{"default:deployment/a":[{"Container":"c","Current":"quay.io/weaveworks/helloworld:master-a000001","Target":"quay.io/weaveworks/helloworld:v2"}]},"SkipMismatches":true,"Force":false}}',
];

test('every spec type round-trips (docs/types.md §9.1 examples)', () => {
  for (const text of examples) {
    const spec = decodeUpdateSpec(JSON.parse(text));
    assert.equal(encodeUpdateSpec(spec), text);
  }
  const spec = decodeUpdateSpec(JSON.parse(examples[0]!));
  assert.equal(spec.type, 'image');
  if (spec.type === 'image') assert.deepEqual(spec.spec.serviceSpecs, ['<all>']);
});

test('unknown types and missing specs fail as in Go', () => {
  assert.throws(() => decodeUpdateSpec({ type: 'nope', spec: {} }), (e: unknown) => e instanceof UnknownSpecTypeError && e.message === 'unknown spec type: nope');
  assert.throws(() => decodeUpdateSpec({}), { message: 'unknown spec type: ' });
  assert.throws(() => decodeUpdateSpec({ type: 'Image', spec: {} }), UnknownSpecTypeError);
  assert.throws(() => decodeUpdateSpec({ type: 'sync' }), UnexpectedEndError);
  assert.throws(() => decodeUpdateSpec({ type: 'policy', spec: { bad: {} } }), { message: 'parsing bad: invalid service ID' });
  assert.throws(() => decodeUpdateSpec({ type: 5 }), { message: 'json: cannot unmarshal number into Go struct field .type of type string' });
  assert.throws(() => decodeUpdateSpec({ type: 'image', cause: { User: 5 }, spec: {} }), { message: 'json: cannot unmarshal number into Go struct field Cause.cause.User of type string' });
});

test('"spec": null gives the zero value of the type', () => {
  const zero = (type: string): string => encodeUpdateSpec(decodeUpdateSpec({ type, spec: null }));
  assert.equal(zero('sync'), '{"type":"sync","cause":{"Message":"","User":""},"spec":{}}');
  assert.equal(zero('policy'), '{"type":"policy","cause":{"Message":"","User":""},"spec":null}');
  assert.equal(zero('auto'), '{"type":"auto","cause":{"Message":"","User":""},"spec":{"Changes":null}}');
  assert.equal(zero('image'), '{"type":"image","cause":{"Message":"","User":""},"spec":{"ServiceSpecs":null,"ImageSpec":"","Kind":"","Excludes":null,"Force":false}}');
});

test('built specs encode with Go\u2019s key order', () => {
  const spec: UpdateSpec = { type: 'policy', cause: { message: 'm', user: '<automated>' }, spec: new Map([['ns/b', { add: null, remove: null }], ['ns/a', { add: new Map([['locked', 'true']]), remove: null }]]) };
  assert.equal(encodeUpdateSpec(spec), '{"type":"policy","cause":{"Message":"m","User":"\\u003cautomated\\u003e"},"spec":{"ns/a":{"add":{"locked":"true"},"remove":null},"ns/b":{"add":null,"remove":null}}}');
});

test('results omit an empty Error and keep a nil PerContainer', () => {
  const text = '{"default:deployment/a":{"Status":"success","PerContainer":[{"Container":"c","Current":"quay.io/weaveworks/helloworld:master-a000001","Target":"quay.io/weaveworks/helloworld:v2"}]},"default:deployment/b":{"Status":"skipped","Error":"image(s) up to date","PerContainer":null}}';
  assert.equal(encodeUpdateResult(decodeUpdateResult(JSON.parse(text))), text);
  assert.equal(encodeUpdateResult(null), 'null');
  assert.throws(() => decodeUpdateResult({ 'ns/a': { PerContainer: [{ Target: 'a:b:c' }] } }), { message: 'expected image name as either <image>:<tag> or just <image>: invalid image ID' });
});

test('workload and image spec parsers normalise or refuse', () => {
  assert.equal(parseResourceSpec('<all>'), '<all>');
  assert.equal(parseResourceSpec('ns:Deployment/a'), 'ns:deployment/a');
  assert.throws(() => parseResourceSpec('x'), { message: 'invalid workload spec: parsing x: invalid service ID' });
  assert.equal(parseImageSpec('<all latest>'), '<all latest>');
  assert.equal(parseImageSpec('foo:1@sha256:abc'), 'foo@sha256:abc');
  assert.throws(() => parseImageSpec('alpine'), { message: 'blank tag (if you want latest, explicitly state the tag :latest): invalid image ID' });
  assert.throws(() => parseImageSpec(''), { message: 'parsing "": blank image name: invalid image ID' });
});
