import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import fc from 'fast-check';
import { chunkAt } from '../../test/fakes/chunks.js';
import v8 from 'node:v8';
import vm from 'node:vm';
import { JsonStreamSplitter, type SplitterOptions } from './json-splitter.js';
import { CodecError } from './errors.js';

function split(chunks: (string | Buffer)[], options?: SplitterOptions): string[] {
  const out: string[] = [];
  const s = new JsonStreamSplitter((t) => out.push(t.toString()), options);
  for (const c of chunks) s.push(typeof c === 'string' ? Buffer.from(c) : c);
  s.end();
  return out;
}

test('values back to back, with and without whitespace', () => {
  assert.deepEqual(split(['{"id":1}{"id":2}\n [3] \t\r\n"s" 4 true\nnull']), ['{"id":1}', '{"id":2}', '[3]', '"s"', '4', 'true', 'null']);
});

test('strings containing brackets, escaped quotes and escaped backslashes', () => {
  const v = '{"a":"}{][\\"\\\\","b":["\\\\\\"}"]}';
  assert.deepEqual(JSON.parse(v), { a: '}{]["\\', b: ['\\"}'] });
  assert.deepEqual(split([v + v]), [v, v]);
  // Byte at a time, so every escape straddles a chunk boundary.
  assert.deepEqual(split([...Buffer.from(v + '\n' + v)].map((b) => Buffer.from([b]))), [v, v]);
});

test('multi-byte UTF-8 split across chunks', () => {
  const v = JSON.stringify({ s: 'é€😀 \u2028' });
  const bytes = Buffer.from(v);
  for (let cut = 1; cut < bytes.length; cut++) {
    assert.deepEqual(split([bytes.subarray(0, cut), bytes.subarray(cut)]), [v], `cut at ${cut}`);
  }
});

test('a top-level scalar waits for a delimiter or the end of the stream', () => {
  const out: string[] = [];
  const s = new JsonStreamSplitter((t) => out.push(t.toString()));
  s.push(Buffer.from('12'));
  s.push(Buffer.from('34'));
  assert.deepEqual(out, []);
  assert.equal(s.idle, false);
  s.push(Buffer.from(' nu'));
  assert.deepEqual(out, ['1234']);
  s.push(Buffer.from('ll'));
  assert.deepEqual(out, ['1234']);
  s.end();
  assert.deepEqual(out, ['1234', 'null']);
});

test('a scalar ends at the start of the next value', () => {
  assert.deepEqual(split(['1{"a":2}"x"-3[]']), ['1', '{"a":2}', '"x"', '-3', '[]']);
});

test('invalid first byte is a malformed error, permanent', () => {
  const s = new JsonStreamSplitter(() => undefined);
  assert.throws(() => s.push(Buffer.from('{} x')), (e: unknown) => e instanceof CodecError && e.code === 'FLUXRPC_ERR_MALFORMED' && /invalid character 'x' looking for beginning of value/.test(e.message));
  assert.throws(() => s.push(Buffer.from('{}')), CodecError);
  assert.throws(() => s.end(), CodecError);
});

test('a byte-order mark is not accepted (Go does not; its quoteChar shows byte 0xEF as the rune U+00EF)', () => {
  assert.throws(() => split([Buffer.from([0xef, 0xbb, 0xbf, 0x7b, 0x7d])]), /invalid character 'ï'/);
});

test('end of stream inside a value is unexpected EOF; between values it is clean', () => {
  assert.throws(() => split(['{"a":']), (e: unknown) => e instanceof CodecError && e.code === 'FLUXRPC_ERR_UNEXPECTED_EOF' && e.message === 'unexpected EOF');
  assert.throws(() => split(['"abc']), /unexpected EOF/);
  assert.deepEqual(split(['{}  \n']), ['{}']);
});

test('oversize values are rejected, whether in one chunk or many', () => {
  const isOversize = (e: unknown) => e instanceof CodecError && e.code === 'FLUXRPC_ERR_OVERSIZE';
  assert.deepEqual(split(['"12345678"'], { maxValueBytes: 10 }), ['"12345678"']);
  assert.throws(() => split(['"123456789"'], { maxValueBytes: 10 }), isOversize);
  assert.throws(() => split(['"12345', '6789', '0"'], { maxValueBytes: 10 }), isOversize);
  // Detected while buffering, before the value ends.
  const s = new JsonStreamSplitter(() => undefined, { maxValueBytes: 10 });
  s.push(Buffer.from('[1,2,3,'));
  assert.throws(() => s.push(Buffer.from('4,5,6,7')), isOversize);
  assert.throws(() => new JsonStreamSplitter(() => undefined, { maxValueBytes: 0 }), RangeError);
});

test('the cost is linear: a value in many small chunks is not rescanned', () => {
  // 4 MiB string value delivered in 16-byte chunks: quadratic behaviour would take minutes.
  const body = 'x'.repeat(4 * 1024 * 1024);
  const bytes = Buffer.from(`["${body}"]`);
  const out: string[] = [];
  const s = new JsonStreamSplitter((t) => out.push(t.toString()));
  for (let i = 0; i < bytes.length; i += 16) s.push(bytes.subarray(i, i + 16));
  assert.equal(out.length, 1);
  assert.equal(out[0]!.length, bytes.length);
});

// --- properties ---------------------------------------------------------------------------------

const jsonValue = fc.jsonValue({ maxDepth: 4 });
const whitespace = fc.array(fc.constantFrom(' ', '\n', '\t', '\r'), { maxLength: 3 }).map((a) => a.join(''));

/** Encodes values with random separators; a scalar always gets at least one whitespace after it. */
const stream = fc.array(fc.tuple(jsonValue, whitespace, whitespace), { minLength: 1, maxLength: 8 }).map((items) =>
  items.map(([v, before, after]) => {
    const text = JSON.stringify(v);
    const needsDelimiter = !/^[[{"]/.test(text);
    return { text, encoded: before + text + (needsDelimiter && after === '' ? ' ' : after) };
  }),
);

test('property: any chunking of any stream of values decodes to the same values', () => {
  fc.assert(
    fc.property(stream, fc.array(fc.nat(), { maxLength: 20 }), (items, cuts) => {
      const bytes = Buffer.from(items.map((i) => i.encoded).join(''));
      const out = split(chunkAt(bytes, cuts));
      assert.deepEqual(out, items.map((i) => i.text));
      assert.deepEqual(out.map((t) => JSON.parse(t)), items.map((i) => JSON.parse(i.text)));
    }),
    { numRuns: 500 },
  );
});

test('property: corrupt input gives a clear CodecError or undecodable text, never a hang or crash', () => {
  fc.assert(
    fc.property(stream, fc.nat(), fc.integer({ min: 0, max: 255 }), (items, at, byte) => {
      const bytes = Buffer.from(items.map((i) => i.encoded).join(''));
      bytes[at % bytes.length] = byte;
      try {
        for (const t of split([bytes])) {
          try {
            JSON.parse(t);
          } catch {
            // The RPC layers reject such a value with a malformed error.
          }
        }
      } catch (e) {
        assert.ok(e instanceof CodecError, `unexpected ${String(e)}`);
      }
    }),
    { numRuns: 500 },
  );
});

// --- bounds on what a peer can make a value cost (issue 7) ----------------------------------------

/** A real GC for memory assertions (the test runner does not expose one). */
function collectGarbage(): void {
  v8.setFlagsFromString('--expose-gc');
  (vm.runInNewContext('gc') as () => void)();
}

function retainedBytes(): number {
  collectGarbage();
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

test('1-byte chunks: what is held stays within 2x the payload, and the heap does not grow per chunk', () => {
  // Millions of 1-byte chunks of one string value: a view kept per chunk cost ~125 bytes per byte.
  const payload = 2_000_000;
  const bytes = Buffer.alloc(payload + 8, 0x78);
  bytes.write('{"a":"', 0);
  bytes.write('"}', payload + 6);
  const out: Buffer[] = [];
  const s = new JsonStreamSplitter((b) => out.push(b));
  const before = retainedBytes();
  let maxRatio = 0;
  for (let i = 0; i < payload; i++) {
    s.push(bytes.subarray(i, i + 1));
    if ((i & 0xffff) === 0xffff) maxRatio = Math.max(maxRatio, s.heldBytes / (i + 1));
  }
  const grown = retainedBytes() - before;
  assert.ok(grown < 3 * payload + 4 * 1024 * 1024, `retained memory grew by ${grown} bytes for ${payload} payload bytes`);
  assert.ok(s.heldBytes >= payload && s.heldBytes <= 2 * payload, `held ${s.heldBytes} for ${payload}`);
  assert.ok(maxRatio <= 2, `held/payload reached ${maxRatio}`);
  s.push(bytes.subarray(payload));
  assert.equal(out.length, 1);
  assert.equal(out[0]!.length, bytes.length);
  assert.deepEqual(JSON.parse(out[0]!.toString()), JSON.parse(bytes.toString()));
  assert.equal(s.heldBytes, 0, 'nothing held between values');
});

test('the limit counts the held capacity: it never exceeds maxValueBytes, and a value over it is refused while fragmented', () => {
  const isOversize = (e: unknown) => e instanceof CodecError && e.code === 'FLUXRPC_ERR_OVERSIZE';
  const max = 1000;
  // 999 bytes in 1-byte chunks: capacity would double to 1024, it is kept at the limit.
  const ok = Buffer.from(`"${'y'.repeat(997)}"`);
  const s = new JsonStreamSplitter(() => undefined, { maxValueBytes: max });
  for (let i = 0; i < ok.length - 1; i++) {
    s.push(ok.subarray(i, i + 1));
    assert.ok(s.heldBytes <= max && s.heldBytes >= i + 1, `held ${s.heldBytes} after ${i + 1} bytes`);
  }
  s.push(ok.subarray(ok.length - 1));
  const over = Buffer.from(`"${'y'.repeat(1000)}"`);
  const t = new JsonStreamSplitter(() => undefined, { maxValueBytes: max });
  assert.throws(() => {
    for (let i = 0; i < over.length; i++) t.push(over.subarray(i, i + 1));
  }, isOversize);
  assert.equal(t.heldBytes, 0, 'a refused value is let go');
  assert.throws(() => new JsonStreamSplitter(() => undefined, { maxValueElements: 0 }), RangeError);
});

test('elements ({, [ and , outside strings) are counted; a value above maxValueElements is refused, however chunked', () => {
  const isTooMany = (e: unknown) => e instanceof CodecError && e.code === 'FLUXRPC_ERR_TOO_MANY_ELEMENTS' && /limit of 10 elements/.test(e.message);
  const ten = '[1,2,3,{"a":[5]},"6,[{",7,8,9]'; // [ , , , { [ , , , , = 10; the string's ,[{ do not count
  assert.deepEqual(split([ten], { maxValueElements: 10 }), [ten]);
  assert.throws(() => split([ten.replace('9]', '9,10]')], { maxValueElements: 10 }), isTooMany);
  const chunks = [...Buffer.from('[' + '{},'.repeat(20) + '{}]')].map((b) => Buffer.from([b]));
  assert.throws(() => split(chunks, { maxValueElements: 10 }), isTooMany);
});

test("nesting: 10,000 deep is accepted, 10,001 is Go's syntax error; brackets in strings and keys do not count", () => {
  const deep = (n: number, open = '[', close = ']') => open.repeat(n) + close.repeat(n);
  assert.equal(split([deep(10_000)])[0]!.length, 20_000);
  const tooDeep = (e: unknown, c: string) => e instanceof CodecError && e.code === 'FLUXRPC_ERR_MALFORMED' && e.message === `invalid character '${c}' exceeded max depth`;
  assert.throws(() => split([deep(10_001)]), (e) => tooDeep(e, '['));
  // Found at the byte that goes too deep, before the value ends, whatever the chunking.
  const s = new JsonStreamSplitter(() => undefined);
  for (let i = 0; i < 100; i++) s.push(Buffer.from('{"k":'.repeat(100)));
  assert.throws(() => s.push(Buffer.from('{"k":')), (e) => tooDeep(e, '{'));
  // 9,999 levels plus brackets inside a key and a string value: still 9,999 deep.
  const quoted = '"[[[{{{' + '['.repeat(5000) + '"';
  const v = '['.repeat(9_998) + `{${quoted}:${quoted}}` + ']'.repeat(9_998);
  assert.equal(split([v]).length, 1);
});

test('structType: a value that cannot be the struct is refused at its first byte with Go\'s text', () => {
  const refusals: [string, string][] = [
    ['[', 'array'],
    ['"', 'string'],
    ['1', 'number'],
    ['-', 'number'],
    ['t', 'bool'],
    ['f', 'bool'],
  ];
  for (const [first, kind] of refusals) {
    const s = new JsonStreamSplitter(() => assert.fail('no value'), { structType: 'jsonrpc.clientResponse' });
    assert.throws(
      () => s.push(Buffer.from(first)),
      (e: unknown) => e instanceof CodecError && e.code === 'FLUXRPC_ERR_WRONG_TYPE' && e.message === `json: cannot unmarshal ${kind} into Go value of type jsonrpc.clientResponse`,
      first,
    );
  }
  // Objects and null pass (Go decodes null into a struct as a no-op); null is checked byte by byte.
  const out: string[] = [];
  const s = new JsonStreamSplitter((b) => out.push(b.toString()), { structType: 'jsonrpc.serverRequest' });
  s.push(Buffer.from(' {"id":1}nu'));
  s.push(Buffer.from('ll'));
  s.push(Buffer.from('null\n{}'));
  assert.deepEqual(out, ['{"id":1}', 'null', 'null', '{}']);
  const bad = new JsonStreamSplitter(() => undefined, { structType: 'x.T' });
  assert.throws(() => bad.push(Buffer.from('nulx')), { message: "invalid character 'x' in literal null (expecting 'l')" });
  const cut = new JsonStreamSplitter(() => undefined, { structType: 'x.T' });
  cut.push(Buffer.from('nul'));
  assert.throws(() => cut.end(), { message: 'unexpected EOF' });
  const atEnd: string[] = [];
  const last = new JsonStreamSplitter((b) => atEnd.push(b.toString()), { structType: 'x.T' });
  last.push(Buffer.from('null'));
  last.end();
  assert.deepEqual(atEnd, ['null']);
});

test('property: a chunk pushed in ranges gives the same values, and values inside it are views, not copies', () => {
  fc.assert(
    fc.property(stream, fc.array(fc.nat(), { maxLength: 10 }), fc.array(fc.nat(), { maxLength: 10 }), (items, cuts, ranges) => {
      const bytes = Buffer.from(items.map((i) => i.encoded).join(''));
      const out: Buffer[] = [];
      const s = new JsonStreamSplitter((b) => out.push(b));
      for (const chunk of chunkAt(bytes, cuts)) {
        const stops = [...new Set(ranges.map((r) => r % (chunk.length + 1)))].sort((a, b) => a - b);
        for (const to of stops) if (to > 0 && to < chunk.length) s.push(chunk, to);
        s.push(chunk, chunk.length);
      }
      s.end();
      assert.deepEqual(out.map((b) => b.toString()), items.map((i) => i.text));
    }),
    { numRuns: 500 },
  );
  // One chunk in 1-byte ranges: the value is handed on as a view of the chunk.
  const chunk = Buffer.from('  {"a":["x,y",{"b":null}]}  ');
  const views: Buffer[] = [];
  const s = new JsonStreamSplitter((b) => views.push(b));
  for (let to = 1; to <= chunk.length; to++) s.push(chunk, to);
  assert.equal(views.length, 1);
  assert.equal(views[0]!.buffer, chunk.buffer);
  assert.equal(s.heldBytes, 0);
});

test('expect: a declared length ends the doubling of a fragmented value\'s buffer at that length', () => {
  const value = JSON.stringify({ id: 1, result: 'x'.repeat(1_000_000), error: null }) + '\n';
  const bytes = Buffer.from(value);
  const out: Buffer[] = [];
  const s = new JsonStreamSplitter((b) => out.push(Buffer.from(b)));
  s.expect(bytes.length);
  const capacities = new Set<number>();
  for (let i = 0; i < bytes.length; i += 65_536) {
    s.push(bytes.subarray(i, Math.min(bytes.length, i + 65_536)));
    if (!s.idle) capacities.add(s.heldBytes);
  }
  const sizes = [...capacities];
  assert.equal(sizes.at(-1), bytes.length, 'the last buffer is the declared length exactly (no doubling past it)');
  assert.ok(sizes.length >= 2 && sizes.at(-2)! >= bytes.length / 2 - 65_536, `the declared length is reserved once half has arrived: ${sizes.join(', ')}`);
  for (const c of sizes) assert.ok(c <= bytes.length, `never beyond the declared length: ${c}`);
  assert.equal(out.length, 1);
  assert.equal(out[0]!.toString(), value.slice(0, -1));
});

test('expect: a lying hint holds no more than without a hint (2x what arrived); the value is still read right', () => {
  // A peer declaring far more than it sends (a frame claiming 1 GiB): nothing is reserved for it.
  const liar = new JsonStreamSplitter(() => undefined, { maxValueBytes: 1 << 20 });
  liar.expect(1 << 30);
  liar.push(Buffer.from('"abc'));
  assert.equal(liar.heldBytes, 256);
  for (let i = 0; i < 100; i++) liar.push(Buffer.alloc(1000, 0x61));
  assert.ok(liar.heldBytes <= 2 * 100_004, `held ${liar.heldBytes} for 100,004 bytes received`);
  // With a budget's room left, no more than that room beyond what is received.
  const budgeted = new JsonStreamSplitter(() => undefined, { growthRoom: () => 1000 });
  budgeted.expect(3000);
  budgeted.push(Buffer.from('"' + 'a'.repeat(1999)));
  assert.equal(budgeted.heldBytes, 2000, 'the declared 3,000 fits the 2x bound, but the room (1,000 beyond what was held) allows only what arrived');
  // A hint smaller than the value (the value goes on in later messages): doubling takes over.
  const out: string[] = [];
  const short = new JsonStreamSplitter((b) => out.push(b.toString()));
  short.expect(10);
  short.push(Buffer.from('"0123456789'));
  const first = short.heldBytes;
  short.push(Buffer.from('a'.repeat(5000)));
  assert.ok(short.heldBytes >= 5011 && short.heldBytes <= 2 * 5011, `held ${short.heldBytes} (first ${first})`);
  short.push(Buffer.from('"'));
  assert.equal(out[0], '"0123456789' + 'a'.repeat(5000) + '"');
  // Hints are used up by the bytes pushed: a stale one does not size a later value.
  const stale = new JsonStreamSplitter(() => undefined);
  stale.expect(4);
  stale.push(Buffer.from('1 2 '));
  stale.push(Buffer.from('"ab'));
  assert.equal(stale.heldBytes, 256);
});
