import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import fc from 'fast-check';
import { JsonStreamSplitter } from './json-splitter.js';
import { CodecError } from './errors.js';

function split(chunks: (string | Buffer)[], options?: { maxValueBytes?: number }): string[] {
  const out: string[] = [];
  const s = new JsonStreamSplitter((t) => out.push(t), options);
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
  const s = new JsonStreamSplitter((t) => out.push(t));
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
  const s = new JsonStreamSplitter((t) => out.push(t));
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

function chunkAt(bytes: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let prev = 0;
  for (const p of points) {
    chunks.push(bytes.subarray(prev, p));
    prev = p;
  }
  chunks.push(bytes.subarray(prev));
  return chunks;
}

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
