import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeGitConfig, encodeGitConfig, ZERO_GIT_CONFIG } from './git-config.js';

test('zero and full config (docs/types.md §8)', () => {
  assert.equal(encodeGitConfig(ZERO_GIT_CONFIG), '{"remote":{"url":"","branch":"","path":""},"publicSSHKey":{"key":"","fingerprints":null},"status":"","errors":""}');
  const text =
    '{"remote":{"url":"git@github.com:org/repo","branch":"master","path":"k8s"},"publicSSHKey":{"key":"ssh-rsa AAA","fingerprints":{"md5":{"hash":"MD5:y","randomart":"r"},"sha256":{"hash":"SHA256:x","randomart":"+---+"}}},"status":"ready","errors":""}';
  assert.equal(encodeGitConfig(decodeGitConfig(JSON.parse(text))), text);
});

test('keys are case-insensitive; the underlying key is the plural "errors"', () => {
  const c = decodeGitConfig({ Remote: { URL: 'u' }, Errors: 'e', error: 'ignored' });
  assert.equal(c.remote.url, 'u');
  assert.equal(c.error, 'e');
  // Go 1.19 does not put the embedded git.Remote in the path (newer Go writes remote.Remote.url).
  assert.throws(() => decodeGitConfig({ remote: { url: 5 } }), { message: 'json: cannot unmarshal number into Go struct field GitRemoteConfig.remote.url of type string' });
  assert.throws(() => decodeGitConfig({ status: 1 }), { message: 'json: cannot unmarshal number into Go struct field GitConfig.status of type git.GitRepoStatus' });
});
