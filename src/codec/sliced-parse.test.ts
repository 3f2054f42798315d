import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import fc from 'fast-check';
import { JsonParseError } from './errors.js';
import { controlOrBackslash, parseJsonInSlices, type SlicedParseOptions } from './sliced-parse.js';
import { TimeSlicer } from './time-slice.js';

// --- generators: JSON texts with what JSON.parse is particular about ------------------------------

type Tree = { t: 'raw'; text: string } | { t: 'array'; items: Tree[] } | { t: 'object'; members: [string, Tree][] };

const key = fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('__proto__', 'constructor', '0', '1', '10', '-1', 'a', 'a', 'b'), fc.string({ unit: 'grapheme', maxLength: 4 }));
const scalar = fc.oneof(
  fc.jsonValue({ maxDepth: 0 }).map((v) => JSON.stringify(v)),
  fc.string({ unit: 'binary', maxLength: 40 }).map((s) => JSON.stringify(s)),
  fc.constantFrom('-0', '0.0', '1e400', '-1E-400', '1.5e+3', '"\\u0000\\b\\f\\n\\r\\t\\"\\\\\\/"', '"\\ud800\\udc00\\ud800"', '"<&>\u2028"', 'true', 'false', 'null'),
);
const { tree } = fc.letrec<{ tree: Tree; array: Tree; object: Tree }>((tie) => ({
  tree: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar.map((text): Tree => ({ t: 'raw', text })), tie('array'), tie('object')),
  array: fc.array(tie('tree'), { maxLength: 6 }).map((items): Tree => ({ t: 'array', items })),
  object: fc.array(fc.tuple(key, tie('tree')), { maxLength: 6 }).map((members): Tree => ({ t: 'object', members })),
}));

/** Writes a tree as JSON text with whitespace chosen by `seed` (duplicate keys kept, as text). */
function render(node: Tree, seed: number): string {
  let state = seed >>> 0 || 1;
  const spaces = ['', '', ' ', '\n', '\t', '\r\n  '];
  const ws = () => {
    state = (state * 1103515245 + 12345) >>> 0;
    return spaces[state % spaces.length]!;
  };
  const out = (n: Tree): string => {
    if (n.t === 'raw') return n.text;
    if (n.t === 'array') return '[' + ws() + n.items.map((i) => out(i)).join(ws() + ',' + ws()) + ws() + ']';
    return '{' + ws() + n.members.map(([k, v]) => JSON.stringify(k) + ws() + ':' + ws() + out(v)).join(ws() + ',' + ws()) + ws() + '}';
  };
  return ws() + out(node) + ws();
}

const limits = fc.record({
  smallMemberBytes: fc.integer({ min: 1, max: 64 }),
  runBytes: fc.integer({ min: 1, max: 128 }),
  bigStringBytes: fc.integer({ min: 1, max: 32 }),
}) satisfies fc.Arbitrary<SlicedParseOptions>;
/** 0: yield at every check; large: never. */
const sliceMs = fc.constantFrom(0, 1_000_000);

async function outcome(text: string | Buffer, options: SlicedParseOptions, ms: number): Promise<{ ok: true; value: unknown } | { ok: false; error: unknown }> {
  try {
    return { ok: true, value: await parseJsonInSlices(Buffer.isBuffer(text) ? text : Buffer.from(text), new TimeSlicer(ms), options) };
  } catch (error) {
    return { ok: false, error };
  }
}

/** Same values (Object.is for numbers, so -0 counts), same key order, same own keys such as __proto__. */
function assertSameParse(got: unknown, want: unknown): void {
  assert.deepStrictEqual(got, want);
  assert.equal(JSON.stringify(got), JSON.stringify(want));
}

test('property: the sliced parser returns exactly what JSON.parse returns, for any value and any slice budget', async () => {
  await fc.assert(
    fc.asyncProperty(tree, fc.nat(), limits, sliceMs, async (t, seed, options, ms) => {
      const text = render(t, seed);
      const want = JSON.parse(text);
      const got = await outcome(text, options, ms);
      assert.ok(got.ok, `refused ${JSON.stringify(text)}: ${got.ok ? '' : String(got.error)}`);
      assertSameParse(got.value, want);
    }),
    { numRuns: 1500 },
  );
});

test('property: on corrupted text it fails exactly where JSON.parse fails (and agrees where it does not)', async () => {
  const mutation = fc.record({ at: fc.nat(), how: fc.constantFrom('delete', 'insert', 'replace'), byte: fc.constantFrom(...Buffer.from(',:[]{}" \\a1-.e\u0001'), 0xc3, 0x80) });
  await fc.assert(
    fc.asyncProperty(tree, fc.nat(), fc.array(mutation, { minLength: 1, maxLength: 3 }), limits, sliceMs, async (t, seed, mutations, options, ms) => {
      let bytes = Buffer.from(render(t, seed));
      for (const m of mutations) {
        const at = m.at % (bytes.length + 1);
        if (m.how === 'delete') bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + 1)]);
        else if (m.how === 'insert') bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from([m.byte]), bytes.subarray(at)]);
        else if (at < bytes.length) bytes[at] = m.byte;
      }
      let want: { ok: true; value: unknown } | { ok: false };
      try {
        want = { ok: true, value: JSON.parse(bytes.toString('utf8')) };
      } catch {
        want = { ok: false };
      }
      const got = await outcome(bytes, options, ms);
      assert.equal(got.ok, want.ok, `${JSON.stringify(bytes.toString('utf8'))}: JSON.parse ${want.ok ? 'accepts' : 'refuses'}, sliced ${got.ok ? 'accepts' : `refuses (${String((got as { error: unknown }).error)})`}`);
      if (got.ok && want.ok) assertSameParse(got.value, want.value);
      if (!got.ok) assert.ok(got.error instanceof JsonParseError, String(got.error));
    }),
    { numRuns: 1500 },
  );
});

test('a large value: nested containers, a run boundary in every list, a large string decoded from the bytes', async () => {
  const statuses = Array.from({ length: 3000 }, (_, i) => ({ ID: `default:deployment/app-${i}`, Labels: { a: '1', '<&>': 'é😀' }, Containers: [{ Name: 'c', Available: [1, 2.5, -0, null, true] }] }));
  const value = { id: 7, result: { Result: statuses, Blob: 'x'.repeat(3 * 1024 * 1024), Escaped: '\\"'.repeat(50_000) }, error: null };
  const text = JSON.stringify(value, null, 1);
  let yields = 0;
  const slicer = new TimeSlicer(0);
  const next = slicer.next.bind(slicer);
  slicer.next = () => (yields++, next());
  const got = await parseJsonInSlices(Buffer.from(text), slicer);
  assertSameParse(got, JSON.parse(text));
  assert.ok(yields > 10, `yielded ${yields} times`);
});

test('a stopped slicer stops the parse', async () => {
  const slicer = new TimeSlicer(0);
  const parse = parseJsonInSlices(Buffer.from(JSON.stringify(Array.from({ length: 10_000 }, (_, i) => ({ i })))), slicer, { runBytes: 64 });
  slicer.stop();
  await assert.rejects(parse, { name: 'SliceStoppedError' });
});

test('structure around members is checked as JSON.parse checks it, whatever the thresholds', async () => {
  const invalid = ['[1,2}', '{"a":1]', '[}', '{]', '[1,,2]', '[,1]', '[ ,[1,2,3]]', '[1,]', '[[1,2],]', '{"a":1,}', '{,"a":1}', '{"a" 1}', '{"a":}', '{1:2}', '[1 2]', '[[1] [2]]', '[1,2', '"ab', '[] x', '', ' ', '[tru]', '{"a":1 "b":2}', '["\u0001"]', '["a\\x"]', '[-]', '[01]', '{"a":[1,2}}'];
  const valid = ['[]', '{}', ' [ ] ', '[[],{}]', '{"a":[{"b":[]}],"a":2,"__proto__":{"x":1}}', '[1,[2,[3,[4]]],"5"]', '"x"', '-0', '{"10":1,"b":2,"1":3}'];
  const optionSets: SlicedParseOptions[] = [{}, { smallMemberBytes: 1, runBytes: 1, bigStringBytes: 1 }, { smallMemberBytes: 3, runBytes: 5, bigStringBytes: 2 }];
  for (const options of optionSets) {
    for (const text of invalid) {
      assert.throws(() => JSON.parse(text), SyntaxError, `JSON.parse accepts ${text}`);
      const got = await outcome(text, options, 0);
      assert.ok(!got.ok && got.error instanceof JsonParseError, `${JSON.stringify(text)} with ${JSON.stringify(options)}: ${got.ok ? 'accepted' : String(got.error)}`);
    }
    for (const text of valid) {
      const got = await outcome(text, options, 0);
      assert.ok(got.ok, `${text}: ${got.ok ? '' : String(got.error)}`);
      assertSameParse(got.value, JSON.parse(text));
    }
  }
});

test('property: the word-at-a-time search finds the first control byte or backslash, at any alignment', () => {
  const naive = (b: Buffer, from: number, to: number) => {
    for (let k = from; k < to; k++) if (b[k]! < 0x20 || b[k] === 0x5c) return k;
    return -1;
  };
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat(7), fc.nat(), fc.nat(), fc.boolean(), (raw, offset, a, b, plain) => {
      const backing = Buffer.alloc(raw.length + 8);
      const bytes = backing.subarray(offset, offset + raw.length);
      // Mostly printable bytes (each byte is then rarely a hit), or anything.
      for (let i = 0; i < raw.length; i++) bytes[i] = plain ? 0x20 + (raw[i]! % 0x60) + (raw[i]! > 250 ? -0x20 : 0) : raw[i]!;
      const from = a % (bytes.length + 1);
      const to = from + (b % (bytes.length - from + 1));
      assert.equal(controlOrBackslash(bytes, from, to), naive(bytes, from, to));
    }),
    { numRuns: 3000 },
  );
});
