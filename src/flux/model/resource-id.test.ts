import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ResourceId, decodeResourceId, encodeResourceId, decodeResourceIdList, encodeResourceIdList, resourceIdKey, encodeResourceIdMap } from './resource-id.js';
import { InvalidResourceIdError, GoUnmarshalTypeError, ModelEncodeError } from './errors.js';

test('qualified IDs lower-case the kind and keep namespace and name', () => {
  const id = ResourceId.parse('default:Deployment/Foo');
  assert.equal(id.form, 'qualified');
  assert.deepEqual(id.components(), ['default', 'deployment', 'Foo']);
  assert.equal(id.toString(), 'default:deployment/Foo');
  assert.equal(ResourceId.parse('<cluster>:namespace/flux-system').namespace, '<cluster>');
  assert.equal(ResourceId.parse('a_b-c:kind/name.with:colons').name, 'name.with:colons');
});

test('legacy IDs stay legacy, with kind service', () => {
  const id = ResourceId.parse('default/helloworld');
  assert.equal(id.form, 'legacy');
  assert.equal(id.kind, 'service');
  assert.equal(id.toString(), 'default/helloworld');
  assert.equal(id.equals(ResourceId.parse('default:service/helloworld')), false);
});

test('parse errors use Go\u2019s text', () => {
  for (const bad of ['ns/svc.x', '', 'bad', 'default:deployment/', 'a:b:c/d', ' ns/a', 'ns/a\n', 'é/a']) {
    assert.throws(() => ResourceId.parse(bad), (err: unknown) => err instanceof InvalidResourceIdError && err.message === `parsing ${bad}: invalid service ID` && err.code === 'FLUXRPC_ERR_INVALID_RESOURCE_ID');
  }
});

test('the unqualified form needs a namespace and is not accepted by parse', () => {
  assert.equal(ResourceId.parseOptionalNamespace('ns', 'Deployment/x.y').toString(), 'ns:deployment/x.y');
  assert.equal(ResourceId.parseOptionalNamespace('ns', 'other:kind/x').toString(), 'other:kind/x');
  assert.throws(() => ResourceId.parse('deployment/x.y'), InvalidResourceIdError);
  assert.equal(ResourceId.make('ns', 'HelmRelease', 'x').toString(), 'ns:helmrelease/x');
});

test('the zero ID is "" and has no components', () => {
  assert.equal(encodeResourceId(ResourceId.ZERO), '""');
  assert.throws(() => ResourceId.ZERO.components(), TypeError);
  assert.equal(decodeResourceId(''), ResourceId.ZERO);
  assert.equal(decodeResourceId(null), ResourceId.ZERO);
});

test('JSON: HTML characters escaped, non-strings refused as Go does', () => {
  assert.equal(encodeResourceId(ResourceId.parse('<cluster>:namespace/x')), '"\\u003ccluster\\u003e:namespace/x"');
  assert.throws(() => decodeResourceId(5), { message: 'json: cannot unmarshal number into Go value of type string' });
  assert.throws(() => decodeResourceId([]), GoUnmarshalTypeError);
  assert.equal(encodeResourceIdList(decodeResourceIdList(['ns/a', '', 'x:Y/z'])), '["ns/a","","x:y/z"]');
  assert.equal(encodeResourceIdList(null), 'null');
});

test('map keys: "" is the zero ID (Go decodes it, then panics encoding it)', () => {
  assert.equal(resourceIdKey(''), '');
  assert.equal(resourceIdKey('ns:Deployment/a'), 'ns:deployment/a');
  assert.throws(() => resourceIdKey('bad'), { message: 'parsing bad: invalid service ID' });
  assert.throws(() => encodeResourceIdMap(new Map([['', 1]]), String), ModelEncodeError);
  assert.equal(encodeResourceIdMap(new Map([['ns/b', 1], ['ns/a', 2]]), String), '{"ns/a":2,"ns/b":1}');
});
