/**
 * Golden vectors made by flux's real Go types (test/interop/go/cmd/modelvectors):
 * - go-vectors.json: `json.Marshal` output for values of every wire type; decoding and re-encoding
 *   must give the same bytes (or Go's own re-encoding where that differs, `reencoded`);
 * - go-decode-cases.json: inputs a peer could send; where Go fails we must fail with Go's text,
 *   where Go accepts (leniently) we must re-encode as Go does.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ModelEncodeError } from './errors.js';
import { MODEL_CODECS, modelCodec } from './codecs.js';

interface Entry {
  type: string;
  json: string;
  reencoded?: string;
  error?: string;
}

const root = new URL('../../../../', import.meta.url);
const load = (name: string): Entry[] => JSON.parse(readFileSync(new URL(`test/interop/vectors/model/${name}`, root), 'utf8')) as Entry[];

const vectors = load('go-vectors.json');
const cases = load('go-decode-cases.json');
const PANIC = 're-encoding panicked: ';

function codecFor(type: string) {
  const c = modelCodec(type);
  assert.ok(c, `no codec for ${type}`);
  return c;
}

test('the golden vectors cover every wire type', () => {
  assert.ok(vectors.length >= 100, `only ${vectors.length} vectors`);
  const covered = new Set(vectors.map((v) => v.type));
  for (const name of Object.keys(MODEL_CODECS)) assert.ok(covered.has(name), `no golden vector of ${name}`);
});

test('every Go-encoded vector decodes and re-encodes to the same bytes', () => {
  const failures: string[] = [];
  for (const [i, v] of vectors.entries()) {
    const want = v.reencoded ?? v.json;
    try {
      const c = codecFor(v.type);
      const got = c.encode(c.decode(JSON.parse(v.json)));
      if (got !== want) failures.push(`#${i} ${v.type}\n  want ${want}\n  got  ${got}`);
    } catch (err) {
      failures.push(`#${i} ${v.type}: ${(err as Error).message}\n  in ${v.json}`);
    }
  }
  assert.deepEqual(failures, []);
});

test('peer inputs fail with Go\u2019s error text or re-encode as Go does', () => {
  assert.ok(cases.length >= 100, `only ${cases.length} cases`);
  const failures: string[] = [];
  for (const [i, c] of cases.entries()) {
    const codec = codecFor(c.type);
    let value: unknown;
    try {
      value = codec.decode(JSON.parse(c.json));
    } catch (err) {
      if (c.error === undefined || c.error.startsWith(PANIC)) failures.push(`#${i} ${c.type} ${c.json}: unexpected error ${(err as Error).message}`);
      else if ((err as Error).message !== c.error) failures.push(`#${i} ${c.type} ${c.json}\n  want error ${c.error}\n  got  error ${(err as Error).message}`);
      continue;
    }
    if (c.error !== undefined && c.error.startsWith(PANIC)) {
      // Go decodes it but panics re-encoding it; we refuse to encode it.
      assert.throws(() => codec.encode(value), ModelEncodeError, `#${i} ${c.type} ${c.json}`);
      continue;
    }
    if (c.error !== undefined) {
      failures.push(`#${i} ${c.type} ${c.json}: decoded, but Go fails with ${c.error}`);
      continue;
    }
    const got = codec.encode(value);
    if (got !== c.reencoded) failures.push(`#${i} ${c.type} ${c.json}\n  want ${c.reencoded}\n  got  ${got}`);
  }
  assert.deepEqual(failures, []);
});
