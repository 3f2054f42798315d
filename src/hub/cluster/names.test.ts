import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { callSubject, decodeInstance, encodeInstance, eventsSubject, instanceOfEventsSubject, InstanceNameError, MAX_INSTANCE_BYTES } from './names.js';

// NATS subject tokens and KV keys: no '.', '*', '>', whitespace; KV keys only [-/_=.a-zA-Z0-9].
const SAFE_TOKEN = /^[A-Za-z0-9_-]+$/;
const wellFormed = fc.string({ unit: 'grapheme', maxLength: 40 });

test('any name becomes one safe token, and decodes back to itself', () => {
  fc.assert(
    fc.property(wellFormed, (name) => {
      const token = encodeInstance(name);
      assert.match(token, SAFE_TOKEN);
      assert.equal(decodeInstance(token), name);
      assert.equal(callSubject(name).split('.').length, 3, 'exactly one token after fluxrpc.call');
      assert.equal(instanceOfEventsSubject(eventsSubject(name)), name);
    }),
    { numRuns: 2000 },
  );
});

test('two different names never share a token (dots, wildcards, spaces, other scripts)', () => {
  fc.assert(
    fc.property(wellFormed, wellFormed, (a, b) => {
      fc.pre(a !== b);
      assert.notEqual(encodeInstance(a), encodeInstance(b));
    }),
    { numRuns: 2000 },
  );
  const names = ['a', 'a.b', 'a.*', 'a.>', '*', '>', 'a b', ' a', 'a ', '', 'é', 'e\u0301', 'Ω.Ω', 'prod', 'Prod', 'a\u0000b'];
  const tokens = new Set(names.map(encodeInstance));
  assert.equal(tokens.size, names.length);
  for (const t of tokens) assert.match(t, SAFE_TOKEN);
});

test('names that are not valid Unicode or too long are refused with a clear error', () => {
  assert.throws(() => encodeInstance('a\uD800'), (e: unknown) => e instanceof InstanceNameError && /lone surrogate/.test(e.message));
  assert.throws(() => encodeInstance('\uDC00'), InstanceNameError);
  assert.equal(decodeInstance(encodeInstance('😀')), '😀', 'a surrogate pair is fine');
  assert.throws(() => encodeInstance('x'.repeat(MAX_INSTANCE_BYTES + 1)), /at most 1024/);
  encodeInstance('x'.repeat(MAX_INSTANCE_BYTES));
});

test('decoding accepts only canonical tokens: nothing else maps onto an instance', () => {
  for (const bad of ['', 'a', 'iAB', 'i====', 'iYQ==', 'iYQ.x', 'i*', 'jYQ', 'iYR']) assert.throws(() => decodeInstance(bad), InstanceNameError, bad);
  assert.equal(instanceOfEventsSubject('fluxrpc.events.iYQ.x'), undefined);
  assert.equal(instanceOfEventsSubject('other.events.iYQ'), undefined);
  assert.equal(instanceOfEventsSubject('fluxrpc.events.iYQ'), 'a');
});
