/** requestPath against what `URL` gives. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { requestPath } from './request-path.js';

test('requestPath gives what new URL(url, base).pathname gives, for plain and other request targets', () => {
  const viaUrl = (url: string) => {
    try {
      return new URL(url, 'http://hub').pathname;
    } catch {
      return '/';
    }
  };
  const alphabet = fc.constantFrom('/', 'a', 'Z', '0', '_', '~', '-', '.', '%', '2', 'e', '?', '#', '\\', ' ', '\t', 'é', '//', '..', '@', ':');
  fc.assert(
    fc.property(fc.array(alphabet, { maxLength: 24 }).map((parts) => parts.join('')), (tail) => {
      for (const url of ['/' + tail, tail]) assert.equal(requestPath(url), viaUrl(url), JSON.stringify(url));
    }),
    { numRuns: 3000 },
  );
  for (const url of ['/', '/api/flux/v11/version', '/v6/events/', '/api/flux/v11/services?namespace=a', '//evil/x', '/a/../b', '/a/./b', '/%7e', '*']) {
    assert.equal(requestPath(url), viaUrl(url), url);
  }
});
