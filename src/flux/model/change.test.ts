import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeChange, encodeChange } from './change.js';
import { UnknownChangeKindError, UnexpectedEndError } from './errors.js';

test('both kinds round-trip (docs/types.md §11)', () => {
  for (const text of ['{"Kind":"git","Source":{"URL":"git@example.com:foo/bar","Branch":"master"}}', '{"Kind":"image","Source":{"Name":{"Domain":"quay.io","Image":"foo/bar"}}}']) {
    assert.equal(encodeChange(decodeChange(JSON.parse(text))), text);
  }
  assert.deepEqual(decodeChange({ kind: 'image', source: { name: { domain: 'd', image: 'i' } } }), { kind: 'image', source: { name: { domain: 'd', image: 'i' } } });
});

test('unknown kinds, missing and null sources', () => {
  for (const json of [{}, { Kind: 'nope', Source: {} }, { Kind: 'Git', Source: {} }, { Kind: '' }]) {
    assert.throws(() => decodeChange(json), (e: unknown) => e instanceof UnknownChangeKindError && e.message === 'unknown kind of change');
  }
  assert.throws(() => decodeChange({ Kind: 'git' }), UnexpectedEndError);
  assert.equal(encodeChange(decodeChange({ Kind: 'git', Source: null })), '{"Kind":"git","Source":{"URL":"","Branch":""}}');
  assert.throws(() => decodeChange({ Kind: 5 }), { message: 'json: cannot unmarshal number into Go struct field raw.Kind of type v9.ChangeKind' });
  assert.throws(() => decodeChange({ Kind: 'git', Source: 5 }), { message: 'json: cannot unmarshal number into Go value of type v9.GitUpdate' });
});
