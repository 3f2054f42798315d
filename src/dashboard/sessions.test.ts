import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomSessionKey, SessionCodec } from './sessions.js';

test('a session cookie reads back until it expires; a changed byte or another key reads as nothing', () => {
  let now = 1_000_000;
  const key = randomSessionKey();
  const codec = new SessionCodec({ key, ttlMs: 60_000, now: () => now });
  const { session, value } = codec.issue('alice', 'fp1');
  assert.deepEqual(codec.read(value), session);
  assert.equal(new SessionCodec({ key: randomSessionKey() }).read(value), undefined, 'other key');
  const [payload, mac] = value.split('.');
  const forged = Buffer.from(JSON.stringify({ sid: session.sid, user: 'admin', fp: 'fp1', exp: session.exp })).toString('base64url');
  assert.equal(codec.read(`${forged}.${mac}`), undefined, 'payload changed');
  assert.equal(codec.read(`${payload}.${mac!.slice(0, -2)}AA`), undefined, 'signature changed');
  for (const junk of [undefined, '', '.', 'abc', 'x'.repeat(5000)]) assert.equal(codec.read(junk), undefined);
  now += 60_000;
  assert.equal(codec.read(value), undefined, 'expired');
});

test('a revoked session no longer reads; others do', () => {
  const codec = new SessionCodec({ key: randomSessionKey() });
  const a = codec.issue('alice', 'fp');
  const b = codec.issue('alice', 'fp');
  codec.revoke(a.session);
  assert.equal(codec.read(a.value), undefined);
  assert.ok(codec.read(b.value));
});

test('CSRF tokens are bound to the session and the key', () => {
  const codec = new SessionCodec({ key: randomSessionKey() });
  const t = codec.csrfToken('sid1');
  assert.ok(codec.checkCsrf('sid1', t));
  assert.ok(!codec.checkCsrf('sid2', t));
  assert.ok(!codec.checkCsrf('sid1', undefined));
  assert.ok(!codec.checkCsrf('sid1', t + 'x'));
  assert.ok(!new SessionCodec({ key: randomSessionKey() }).checkCsrf('sid1', t));
  assert.throws(() => new SessionCodec({ key: Buffer.alloc(16) }), RangeError);
});
