import { test } from 'node:test';
import assert from 'node:assert/strict';
import { instanceNameProblem, MAX_INSTANCE_NAME_BYTES } from './instance-name.js';

test('any name is accepted but an empty one, one with a control character, a lone surrogate, or over 253 UTF-8 bytes', () => {
  for (const name of ['a', 'a.b', 'a b', 'ünï 😀', '<script>x</script>', '"quoted"', 'a/b', '..', '.', '%2F', '*', '>', ' lead', 'tab\u00a0nbsp', 'x'.repeat(253), 'é'.repeat(126)]) {
    assert.equal(instanceNameProblem(name), undefined, JSON.stringify(name));
  }
  assert.equal(instanceNameProblem(''), 'it is empty');
  for (const [name, code] of [['a\u0000', '0000'], ['a\nb', '000A'], ['\u001f', '001F'], ['del\u007f', '007F'], ['c1\u0080', '0080'], ['c1\u009f', '009F']] as const) {
    assert.equal(instanceNameProblem(name), `it holds a control character (U+${code})`, JSON.stringify(name));
  }
  assert.equal(instanceNameProblem('a\ud800'), 'it is not valid Unicode (a lone surrogate)');
  assert.equal(instanceNameProblem('\udc00b'), 'it is not valid Unicode (a lone surrogate)');
  assert.equal(instanceNameProblem('x'.repeat(MAX_INSTANCE_NAME_BYTES + 1)), 'it is 254 bytes of UTF-8; at most 253');
  assert.equal(instanceNameProblem('😀'.repeat(64)), 'it is 256 bytes of UTF-8; at most 253');
});
