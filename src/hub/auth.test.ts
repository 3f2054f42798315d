import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash, createHmac } from 'node:crypto';
import { constantTimeEqual, generateToken, KeyedDigest, loadTokenFile, parseTokens, TokenAuth, TokenFileError, watchTokenFile } from './auth.js';

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
  assert.throws(() => new TokenAuth(new Map([['t', 'bad\nname']])), TokenFileError);
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
  assert.throws(() => parseTokens('{"t":"bad\\u0000name"}', 'f.json'), { name: 'TokenFileError', message: 'f.json: bad instance name "bad\\u0000name": it holds a control character (U+0000)' });
  const names = ['a.b', 'a b', 'ünï 😀', '<script>x</script>', '"quoted"', 'a/b', '..', '%2F'];
  assert.deepEqual([...parseTokens(JSON.stringify(Object.fromEntries(names.map((n, i) => [`t${i}`, n]))))].map(([, n]) => n), names, 'any other name is taken');
});

test('tokens with whitespace at either end are refused (the header is trimmed: they could never match)', () => {
  for (const token of [' t', 't ', 't\n', '\tt']) {
    assert.throws(() => parseTokens(JSON.stringify({ [token]: 'prod' }), 'f.json'), { name: 'TokenFileError', message: 'f.json: the token for instance "prod" starts or ends with whitespace, so it could never match: remove it' }, JSON.stringify(token));
  }
  assert.deepEqual([...parseTokens('{"a b":"prod"}')], [['a b', 'prod']], 'inner whitespace is fine');
});

test('generated tokens are long, URL-safe and different, and never start with "-" (a command line would read a flag)', () => {
  const a = generateToken();
  assert.match(a, /^[A-Za-z0-9_-]{32}$/);
  assert.notEqual(a, generateToken());
  // Of 4,000 plain base64url tokens about 62 start with "-"; the chance that none does is 1e-27.
  const tokens = Array.from({ length: 4000 }, generateToken);
  assert.deepEqual(tokens.filter((t) => !/^[A-Za-z0-9_][A-Za-z0-9_-]{31}$/.test(t)), []);
});

test('lookup costs one keyed hash, one Map lookup and one constant-time compare, with 1 token or 10,000', () => {
  let compares = 0;
  const counting = (a: string, b: string) => (compares++, constantTimeEqual(a, b));
  for (const n of [1, 10_000]) {
    const tokens = new Map<string, string>();
    for (let i = 0; i < n; i++) tokens.set(`token-${i}`, `i${i}`);
    const auth = new TokenAuth(tokens, { compare: counting });
    for (const [header, expected] of [
      [`Scope-Probe token=token-${n - 1}`, `i${n - 1}`],
      ['Scope-Probe token=token-0', 'i0'],
      ['Scope-Probe token=nope', undefined],
      [undefined, undefined],
      ['Bearer token-0', undefined],
    ] as const) {
      compares = 0;
      assert.equal(auth.authenticate(header), expected, `${n} tokens: ${header}`);
      assert.equal(compares, 1, `${n} tokens: one compare for ${header}`);
    }
  }
});

test('credentials: an opaque id per token (a keyed digest, not a plain hash), stable within the process', () => {
  const auth = new TokenAuth(new Map([['abc', 'prod'], ['def', 'prod']]));
  const a = auth.credential('Scope-Probe token=abc')!;
  assert.equal(a.instance, 'prod');
  assert.match(a.id, /^[0-9a-f]{64}$/);
  assert.notEqual(a.id, createHash('sha256').update('abc').digest('hex'), 'keyed: not SHA-256 of the token');
  assert.notEqual(a.id, auth.credential('Scope-Probe token=def')!.id);
  assert.equal(new TokenAuth(new Map([['abc', 'dev']])).credential('Scope-Probe token=abc')!.id, a.id, 'same key in the process');
  assert.equal(auth.instanceOf(a.id), 'prod');
  assert.equal(new TokenAuth(new Map([['def', 'prod']])).instanceOf(a.id), undefined, 'gone with its token');
  assert.equal(auth.size, 2);
});

test('the tokens file watcher: debounced, only changed contents, invalid files reported, stops', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fluxrpc-watch-'));
  const file = join(dir, 'tokens.json');
  writeFileSync(file, '{"a":"prod"}');
  const seen: string[] = [];
  let wake: () => void = () => undefined;
  const next = () => new Promise<void>((r) => (wake = r));
  const keepAlive = setInterval(() => undefined, 1000); // the watcher itself does not keep the process up
  const stop = watchTokenFile(file, {
    debounceMs: 30,
    onTokens: (t) => (seen.push(JSON.stringify([...t])), wake()),
    onError: (e) => (seen.push(`error: ${e.message}`), wake()),
  });
  try {
    let change = next();
    for (let i = 0; i < 5; i++) writeFileSync(file, `{"a":"prod","b${i}":"dev"}`); // one burst: one reload
    await change;
    change = next();
    writeFileSync(file, '{"a":"prod",');
    await change;
    change = next();
    writeFileSync(file, '{"c":"staging"}');
    await change;
    assert.deepEqual(seen, [
      '[["a","prod"],["b4","dev"]]',
      `error: ${file}: not valid JSON (${errorOf(() => JSON.parse('{"a":"prod",'))}); keeping the tokens loaded before`,
      '[["c","staging"]]',
    ]);
  } finally {
    stop();
  }
  writeFileSync(file, '{"d":"x"}');
  await new Promise((r) => setTimeout(r, 100));
  clearInterval(keepAlive);
  assert.equal(seen.length, 3, 'nothing after stop');
});

function errorOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  return '';
}

test('constantTimeEqual: equal strings only, of any content', () => {
  assert.equal(constantTimeEqual('', ''), true);
  assert.equal(constantTimeEqual('ab', 'ab'), true);
  for (const [a, b] of [['a', ''], ['ab', 'ac'], ['ab', 'ba'], ['ab', 'abc'], ['é', 'e']]) {
    assert.equal(constantTimeEqual(a!, b!), false, `${a} ${b}`);
    assert.equal(constantTimeEqual(b!, a!), false, `${b} ${a}`);
  }
});

test('KeyedDigest is HMAC-SHA256: the same hex digest as createHmac, short, long and non-ASCII texts', () => {
  const texts = ['', 'a', 'é'.repeat(10), '😀'.repeat(5), 'x'.repeat(149), 'x'.repeat(150), 'é'.repeat(149), 'y'.repeat(2000), 'Scope-Probe token=abc'];
  for (const key of [Buffer.alloc(32, 7), Buffer.from('k'), Buffer.alloc(64, 0xff)]) {
    const digest = new KeyedDigest(key);
    for (const t of [...texts, ...texts]) assert.equal(digest.hex(t), createHmac('sha256', key).update(t, 'utf8').digest('hex'), `${key.length}: ${t.slice(0, 10)}`);
  }
  assert.throws(() => new KeyedDigest(Buffer.alloc(65)), RangeError);
});
