import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BusConfigError, checkReplicaId, parseNatsUrls } from './config.js';

test('NATS URLs: schemes, default port, several servers', () => {
  assert.deepEqual(parseNatsUrls(['nats://127.0.0.1:4333', 'localhost', '10.0.0.2:5000']), {
    servers: ['127.0.0.1:4333', 'localhost:4222', '10.0.0.2:5000'],
    auth: undefined,
    tls: false,
    shown: ['nats://127.0.0.1:4333', 'nats://localhost:4222', 'nats://10.0.0.2:5000'],
  });
  const tls = parseNatsUrls(['tls://nats-0.example:4222', 'tls://nats-1.example']);
  assert.equal(tls.tls, true);
  assert.deepEqual(tls.shown, ['tls://nats-0.example:4222', 'tls://nats-1.example:4222']);
  assert.deepEqual(parseNatsUrls(['nats://[::1]:4222']).servers, ['[::1]:4222']);
});

test('NATS URLs: user and password, or a token, the same in every URL, never shown', () => {
  const up = parseNatsUrls(['nats://alice:s%40cret@a:1', 'nats://alice:s%40cret@b:2']);
  assert.deepEqual(up.auth, { user: 'alice', pass: 's@cret' });
  assert.deepEqual(up.shown, ['nats://a:1', 'nats://b:2']);
  assert.deepEqual(parseNatsUrls(['nats://T0KEN@a']).auth, { token: 'T0KEN' });
  assert.throws(() => parseNatsUrls(['nats://alice:x@a', 'nats://bob:y@b']), /different credentials/);
  assert.throws(() => parseNatsUrls(['nats://alice:x@a', 'nats://b']), /different credentials/);
});

test('NATS URLs: bad ones get one clear line, without the credentials', () => {
  const cases: [string[], RegExp][] = [
    [[], /no NATS URL/],
    [[' '], /an empty NATS URL/],
    [['http://a:1'], /scheme must be nats:\/\/ or tls:\/\//],
    [['ws://a'], /scheme must be/],
    [['nats://a:1/path'], /only scheme, credentials, host and port/],
    [['nats://a', 'tls://b'], /mixed nats:\/\/ and tls:\/\//],
    [['nats://u:p@a:99999'], /invalid NATS URL "nats:\/\/\*\*\*@a:99999"/],
  ];
  for (const [urls, re] of cases) {
    assert.throws(() => parseNatsUrls(urls), (e: unknown) => e instanceof BusConfigError && re.test(e.message) && !/\bp@/.test(e.message), urls.join(','));
  }
});

test('replica IDs: letters, digits, dot, dash, underscore', () => {
  assert.equal(checkReplicaId('hub-0.eu_1'), 'hub-0.eu_1');
  for (const bad of ['', '-a', 'a b', 'a/b', 'a\nb', 'x'.repeat(65)]) assert.throws(() => checkReplicaId(bad), BusConfigError, bad);
});
