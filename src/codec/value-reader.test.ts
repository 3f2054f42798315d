import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import fc from 'fast-check';
import { chunkAt } from '../../test/fakes/chunks.js';
import { CodecError, JsonParseError } from './errors.js';
import type { TimeSlicer } from './time-slice.js';
import { JsonValueReader, type ValueReaderOptions } from './value-reader.js';

interface Run {
  values: unknown[];
  sliced: boolean[];
  ended: Promise<Error | undefined>;
  paused: () => boolean;
  reader: JsonValueReader;
}

/** A reader whose handler records values; `slow` makes it await a turn for sliced values (as a sliced decode does). */
function reader(options: ValueReaderOptions, slow = false): Run {
  const values: unknown[] = [];
  const sliced: boolean[] = [];
  let paused = false;
  let resolveEnd!: (e: Error | undefined) => void;
  const ended = new Promise<Error | undefined>((r) => (resolveEnd = r));
  const r = new JsonValueReader(
    {
      value: (v: unknown, _b: Buffer, slicer: TimeSlicer | undefined) => {
        values.push(v);
        sliced.push(slicer !== undefined);
        if (slow && slicer) return slicer.next();
      },
      end: (e) => resolveEnd(e),
    },
    { pause: () => (paused = true), resume: () => (paused = false) },
    options,
  );
  return { values, sliced, ended, paused: () => paused, reader: r };
}

test('property: chunking and the sliced-parse threshold never change the values or their order', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.jsonValue({ maxDepth: 3 }), { minLength: 1, maxLength: 8 }),
      fc.array(fc.nat(), { maxLength: 12 }),
      fc.integer({ min: 0, max: 300 }),
      fc.boolean(),
      async (values, cuts, slicedParseBytes, slow) => {
        // One value per line, as Go's encoder writes them (scalars need the delimiter).
        const bytes = Buffer.from(values.map((v) => JSON.stringify(v) + '\n').join(''));
        const run = reader({ slicedParseBytes, sliceMs: 0 }, slow);
        for (const chunk of chunkAt(bytes, cuts)) {
          run.reader.push(chunk);
          await new Promise((r) => setImmediate(r));
        }
        for (let i = 0; i < 1000 && !run.reader.idle; i++) await new Promise((r) => setImmediate(r));
        assert.equal(run.paused(), false, 'the stream is resumed once the reader is idle');
        run.reader.end();
        assert.equal(await run.ended, undefined);
        assert.deepStrictEqual(run.values, JSON.parse(JSON.stringify(values)));
        assert.deepEqual(run.sliced, values.map((v) => Buffer.byteLength(JSON.stringify(v)) >= slicedParseBytes));
      },
    ),
    { numRuns: 300 },
  );
});

test('an error is handed on after every value before it, even while a large one is still being parsed', async () => {
  const big = JSON.stringify(Array.from({ length: 20_000 }, (_, i) => ({ i, s: 'x'.repeat(20) })));
  const run = reader({ slicedParseBytes: 1024, sliceMs: 0 });
  run.reader.push(Buffer.from(`{"a":1}${big}{"b":2} x`));
  assert.equal(run.paused(), true, 'paused while the large value is parsed');
  const error = await run.ended;
  assert.ok(error instanceof CodecError && error.code === 'FLUXRPC_ERR_MALFORMED' && /invalid character 'x'/.test(error.message));
  assert.equal(run.values.length, 3);
  assert.deepEqual(run.values[2], { b: 2 });
  assert.equal((run.values[1] as unknown[]).length, 20_000);
});

test('a value that is not JSON ends reading: nothing after it is handed on', async () => {
  const run = reader({});
  run.reader.push(Buffer.from('{"a":1}{"a":tru}{"b":2}'));
  const error = await run.ended;
  assert.ok(error instanceof JsonParseError);
  assert.deepEqual(run.values, [{ a: 1 }]);
  run.reader.push(Buffer.from('{"c":3}'));
  assert.deepEqual(run.values, [{ a: 1 }]);
});

test('the end of the stream comes after the values before it; a value cut short is unexpected EOF', async () => {
  const big = JSON.stringify({ list: Array.from({ length: 5000 }, (_, i) => i) });
  const run = reader({ slicedParseBytes: 100, sliceMs: 0 }, true);
  run.reader.push(Buffer.from(big + '{"last":true}'));
  run.reader.end();
  assert.equal(await run.ended, undefined);
  assert.deepEqual(run.values, [JSON.parse(big), { last: true }]);
  const cut = reader({});
  cut.reader.push(Buffer.from('{"a":'));
  cut.reader.end();
  assert.equal((await cut.ended)?.message, 'unexpected EOF');
});

test('stop() drops everything: no more values, no end', async () => {
  const run = reader({ slicedParseBytes: 100, sliceMs: 0 });
  run.reader.push(Buffer.from(JSON.stringify(Array.from({ length: 5000 }, (_, i) => i)) + '{"after":1}'));
  run.reader.stop();
  run.reader.end();
  let ended = false;
  void run.ended.then(() => (ended = true));
  for (let i = 0; i < 50; i++) await new Promise((r) => setImmediate(r));
  assert.deepEqual(run.values, []);
  assert.equal(ended, false);
});

test('a huge chunk (a whole websocket message) is scanned in steps: the event loop turns while it is scanned', async () => {
  // One 6 MB value, parsed at once (slicedParseBytes is out of reach): only the scan can yield.
  const value = Array.from({ length: 800_000 }, (_, i) => i * 7);
  const bytes = Buffer.from(JSON.stringify(value) + '{"after":true}');
  assert.ok(bytes.length > 5 * 1024 * 1024);
  let turns = 0;
  let ticking = true;
  const tick = () => {
    turns++;
    if (ticking) setImmediate(tick);
  };
  setImmediate(tick);
  const got: unknown[] = [];
  const turnsAt: number[] = [];
  let resolveEnd!: (e: Error | undefined) => void;
  const ended = new Promise<Error | undefined>((r) => (resolveEnd = r));
  const flow: string[] = [];
  const r = new JsonValueReader(
    { value: (v) => void (got.push(v), turnsAt.push(turns)), end: (e) => resolveEnd(e) },
    { pause: () => flow.push('pause'), resume: () => flow.push('resume') },
    { sliceMs: 0, slicedParseBytes: 1e12 },
  );
  r.push(bytes);
  r.end();
  assert.equal(await ended, undefined);
  ticking = false;
  assert.deepEqual(got, [value, { after: true }]);
  // 1 MiB steps: at least one turn of the event loop per step before the value is complete.
  assert.ok(turnsAt[0]! >= Math.floor(bytes.length / (1024 * 1024)) - 1, `turns before the value: ${turnsAt[0]}`);
  assert.equal(flow[0], 'pause', 'the stream is paused while the chunk is scanned');
});
