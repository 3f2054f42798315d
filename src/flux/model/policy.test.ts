import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodePolicySet, decodePolicyUpdates, encodePolicySet, encodePolicyUpdates, isBooleanPolicy, isTagPolicy, tagPolicy } from './policy.js';
import { ModelEncodeError } from './errors.js';

test('a set is a sorted map; nil is null', () => {
  assert.equal(encodePolicySet(null), 'null');
  assert.equal(encodePolicySet(new Map([['tag.c', 'glob:*'], ['automated', 'true'], ['1', 'x']])), '{"1":"x","automated":"true","tag.c":"glob:*"}');
});

test('the legacy list form decodes to "true" values', () => {
  assert.deepEqual([...decodePolicySet(['automated', 'locked'])!], [['automated', 'true'], ['locked', 'true']]);
  assert.equal(decodePolicySet([])!.size, 0);
  assert.equal(decodePolicySet(null), null);
  assert.deepEqual([...decodePolicySet({ a: null })!], [['a', '']]);
});

test('when neither form fits, the list form\u2019s error is reported', () => {
  assert.throws(() => decodePolicySet({ a: 1 }), { message: 'json: cannot unmarshal object into Go value of type []policy.Policy' });
  assert.throws(() => decodePolicySet([1]), { message: 'json: cannot unmarshal number into Go value of type policy.Policy' });
  assert.throws(() => decodePolicyUpdates({ 'ns/a': { add: 'x' } }), { message: 'json: cannot unmarshal string into Go struct field PolicyUpdate.add of type []policy.Policy' });
});

test('updates are keyed by normalised workload IDs; later equal keys win', () => {
  const u = decodePolicyUpdates({ 'ns:Deployment/b': { add: { a: '1' } }, 'ns:deployment/b': { add: { b: '2' } }, 'ns/a': null });
  assert.equal(encodePolicyUpdates(u), '{"ns/a":{"add":null,"remove":null},"ns:deployment/b":{"add":{"b":"2"},"remove":null}}');
  assert.throws(() => decodePolicyUpdates({ bad: {} }), { message: 'parsing bad: invalid service ID' });
  assert.throws(() => encodePolicyUpdates(decodePolicyUpdates({ '': {} })), ModelEncodeError);
});

test('policy names', () => {
  assert.ok(isBooleanPolicy('locked') && isBooleanPolicy('automated') && isBooleanPolicy('ignore'));
  assert.ok(!isBooleanPolicy('locked_user') && !isBooleanPolicy('tag_all'));
  assert.equal(tagPolicy('app'), 'tag.app');
  assert.ok(isTagPolicy('tag.app') && !isTagPolicy('tag_all'));
});
