import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getTagPattern, tagPolicyName } from './tag-pattern.js';

test('GetTagPattern (docs/types.md §17)', () => {
  assert.equal(getTagPattern(undefined, 'app').toString(), 'glob:*');
  assert.equal(getTagPattern(null, 'app').toString(), 'glob:*');
  assert.equal(getTagPattern({}, 'app').toString(), 'glob:*');
  assert.equal(getTagPattern({ 'tag.app': 'semver:~1' }, 'app').toString(), 'semver:~1');
  assert.equal(getTagPattern({ 'tag.app': 'semver:~1' }, 'other').toString(), 'glob:*');
  assert.equal(getTagPattern({ tag_all: 'semver:*' }, 'app').toString(), 'glob:*');
  assert.equal(getTagPattern(new Map([['tag.app', 'regex:^v']]), 'app').toString(), 'regexp:^v');
  const empty = getTagPattern({ 'tag.app': '' }, 'app');
  assert.deepEqual([empty.toString(), empty.matches(''), empty.matches('x')], ['glob:', true, false]);
  assert.equal(tagPolicyName('app'), 'tag.app');
});

test('only own properties of a plain object count', () => {
  assert.equal(getTagPattern({}, 'constructor').toString(), 'glob:*');
  const policies = JSON.parse('{"tag.__proto__":"regexp:p"}') as Record<string, string>;
  assert.equal(getTagPattern(policies, '__proto__').toString(), 'regexp:p');
  assert.equal(getTagPattern(Object.create({ 'tag.app': 'semver:1' }) as Record<string, string>, 'app').toString(), 'glob:*');
});
