import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateToken, loadTokenFile, parseTokens, TokenAuth, TokenFileError } from './auth.js';

test('Scope-Probe tokens name their instance; anything else names none', () => {
  const auth = new TokenAuth(new Map([['abc', 'prod'], ['abcd', 'staging'], ['x-old', 'prod']]));
  assert.equal(auth.authenticate('Scope-Probe token=abc'), 'prod');
  assert.equal(auth.authenticate('scope-probe  token=abcd'), 'staging');
  assert.equal(auth.authenticate('Scope-Probe token=x-old'), 'prod');
  for (const bad of [undefined, '', 'Scope-Probe token=', 'Scope-Probe token=ab', 'Scope-Probe token=abcde', 'Bearer abc', 'abc', 'Scope-Probe abc']) {
    assert.equal(auth.authenticate(bad), undefined, String(bad));
  }
  assert.deepEqual(auth.instances, ['prod', 'staging']);
});

test('instance names are checked; empty tokens refused', () => {
  assert.throws(() => new TokenAuth(new Map([['t', 'bad name']])), TokenFileError);
  assert.throws(() => new TokenAuth(new Map([['t', '']])), TokenFileError);
  assert.throws(() => new TokenAuth(new Map([['', 'ok']])), TokenFileError);
});

test('token files: a JSON object token → instance, with clear errors', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fluxrpc-tokens-'));
  const good = join(dir, 'good.json');
  writeFileSync(good, '{"t1":"prod","t2":"dev"}');
  assert.deepEqual([...loadTokenFile(good)], [['t1', 'prod'], ['t2', 'dev']]);
  assert.throws(() => loadTokenFile(join(dir, 'missing.json')), /cannot read token file .*ENOENT/);
  assert.throws(() => parseTokens('[1]'), /expected a JSON object/);
  assert.throws(() => parseTokens('{'), /not valid JSON/);
  assert.throws(() => parseTokens('{}'), /no tokens/);
  assert.throws(() => parseTokens('{"t":1}'), /must be a string/);
  // Errors found by the token check name the file too.
  const empty = join(dir, 'empty.json');
  writeFileSync(empty, '{"":"prod"}');
  assert.throws(() => loadTokenFile(empty), { name: 'TokenFileError', message: `${empty}: an empty token (for instance "prod"): tokens must not be empty` });
  assert.throws(() => parseTokens('{"t":"bad name"}', 'f.json'), /^TokenFileError: f\.json: bad instance name/);
});

test('tokens with whitespace at either end are refused (the header is trimmed: they could never match)', () => {
  for (const token of [' t', 't ', 't\n', '\tt']) {
    assert.throws(() => parseTokens(JSON.stringify({ [token]: 'prod' }), 'f.json'), { name: 'TokenFileError', message: 'f.json: the token for instance "prod" starts or ends with whitespace, so it could never match: remove it' }, JSON.stringify(token));
  }
  assert.deepEqual([...parseTokens('{"a b":"prod"}')], [['a b', 'prod']], 'inner whitespace is fine');
});

test('generated tokens are long, URL-safe and different', () => {
  const a = generateToken();
  assert.match(a, /^[A-Za-z0-9_-]{32}$/);
  assert.notEqual(a, generateToken());
});
