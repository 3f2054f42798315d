import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTokenHeader } from './token-header.js';

test("the token header is flux's Scope-Probe form, and absent for an empty token", () => {
  const headers: Record<string, string> = { 'User-Agent': 'x' };
  setTokenHeader(headers, '');
  setTokenHeader(headers, undefined);
  assert.deepEqual(headers, { 'User-Agent': 'x' });
  setTokenHeader(headers, 'tok-1');
  assert.deepEqual(headers, { 'User-Agent': 'x', Authorization: 'Scope-Probe token=tok-1' });
});
