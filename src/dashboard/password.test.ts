import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hashPassword, parsePasswordHash, PasswordHashError, verifyPassword } from './password.js';

test('a hash verifies its password only; each hash has its own salt', async () => {
  const a = await hashPassword('correct horse', 10);
  const b = await hashPassword('correct horse', 10);
  assert.match(a, /^\$scrypt\$ln=10,r=8,p=1\$[A-Za-z0-9+/]+=*\$[A-Za-z0-9+/]+=*$/);
  assert.notEqual(a, b);
  assert.equal(await verifyPassword('correct horse', a), true);
  assert.equal(await verifyPassword('correct horsE', a), false);
  assert.equal(await verifyPassword('', a), false);
  assert.equal(await verifyPassword('correct horse', undefined), false, 'no account: false, after the same work');
});

test('the default cost is N = 2^15', async () => {
  assert.equal(parsePasswordHash(await hashPassword('x')).ln, 15);
});

test('bad stored hashes and empty passwords are refused with a reason', async () => {
  await assert.rejects(hashPassword(''), PasswordHashError);
  for (const bad of ['', 'plaintext', '$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA', '$scrypt$ln=30,r=8,p=1$c2FsdHNhbHQ=$aGFzaGhhc2hoYXNoaGFzaA==', '$scrypt$ln=15,r=8,p=1$eA==$aGFzaGhhc2hoYXNoaGFzaA=='])
    assert.throws(() => parsePasswordHash(bad), PasswordHashError, bad);
  await assert.rejects(verifyPassword('x', 'plaintext'), PasswordHashError);
});
