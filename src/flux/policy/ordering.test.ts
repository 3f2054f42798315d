import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { ImageFacts } from './image-facts.js';
import { ZERO_TIME_NS } from './image-facts.js';
import { newerByCreated, newerBySemver, sortImages, type ImageOrdering } from './ordering.js';

const DAY = 86_400_000_000_000n;
const JAN_1_2019 = 1_546_300_800_000_000_000n;

/** `tag@day` with day 1–31 of January 2019, or `tag@` for no time. */
function image(spec: string): ImageFacts {
  const [tag, day] = spec.split('@') as [string, string];
  return { tag, ref: `quay.io/weaveworks/helloworld:${tag}`, createdNs: day === '' ? undefined : JAN_1_2019 + BigInt(Number(day) - 1) * DAY };
}

const NINE = '1.0.0@1 1.10.0@3 1.2.0@2 latest@5 master-abc@ v1.10@3 1.10.0-rc1@4 zzz@ aaa@'.split(' ').map(image);
const tags = (list: readonly ImageFacts[]) => list.map((i) => i.tag).join(' ');

test('the verified orders of docs/types.md §16', () => {
  assert.equal(tags(sortImages(NINE, 'created')), 'latest 1.10.0-rc1 1.10.0 v1.10 1.2.0 1.0.0 aaa master-abc zzz');
  assert.equal(tags(sortImages(NINE, 'semver')), 'v1.10 1.10.0 1.10.0-rc1 1.2.0 1.0.0 aaa latest master-abc zzz');
});

test('creation instants to the nanosecond; an explicit zero time equals an absent one', () => {
  const a = { tag: 'a', ref: 'x:a', createdNs: JAN_1_2019 + 1n };
  const b = { tag: 'b', ref: 'x:b', createdNs: JAN_1_2019 };
  assert.equal(newerByCreated(a, b), true);
  assert.equal(newerByCreated(b, a), false);
  const zeroA = { tag: 'a', ref: 'x:a', createdNs: ZERO_TIME_NS };
  const zeroB = { tag: 'b', ref: 'x:b' };
  assert.equal(newerByCreated(zeroA, zeroB), true); // tie: ref text ascending
  assert.equal(newerByCreated(zeroB, zeroA), false);
  assert.equal(newerByCreated({ ...b, createdNs: -1n }, zeroA), true); // 1969 is after year 1
});

test('semver ties: greater ref text first; ref order is UTF-8 byte order', () => {
  const v110 = { tag: 'v1.10', ref: 'r:v1.10' };
  const p110 = { tag: '1.10.0', ref: 'r:1.10.0' };
  assert.equal(newerBySemver(v110, p110), true);
  assert.equal(newerBySemver(p110, v110), false);
  const emoji = { tag: '😀', ref: 'r:😀' };
  const private_ = { tag: '\uE000', ref: 'r:\uE000' };
  assert.equal(newerBySemver(private_, emoji), true); // both not versions: ascending bytes, U+E000 first
  assert.equal(newerByCreated(private_, emoji), true);
});

const arbImage = fc.record({
  tag: fc.constantFrom('1.0.0', 'v1.0.0', '1.0', '1.2.3-rc1', '2', 'latest', 'x', '', '1.0.0+b'),
  name: fc.constantFrom('a', 'b', 'c/d'),
  createdNs: fc.option(fc.bigInt(JAN_1_2019, JAN_1_2019 + 3n), { nil: undefined }),
});

test('property: sorting is a permutation agreeing with the newer relation, which is a strict total order', () => {
  const set = fc.uniqueArray(arbImage, { maxLength: 12, selector: (i) => `${i.name}:${i.tag}` });
  fc.assert(
    fc.property(set, fc.constantFrom<ImageOrdering>('created', 'semver'), (raw, ordering) => {
      const images: ImageFacts[] = raw.map((i) => ({ tag: i.tag, ref: `${i.name}:${i.tag}`, createdNs: i.createdNs }));
      const newer = ordering === 'created' ? newerByCreated : newerBySemver;
      const sorted = sortImages(images, ordering);
      assert.deepEqual(sorted.map((i) => i.ref).sort(), images.map((i) => i.ref).sort());
      assert.ok(sorted.every((i) => images.includes(i)));
      for (let i = 0; i < sorted.length; i++) {
        for (let j = 0; j < sorted.length; j++) {
          assert.equal(newer(sorted[i]!, sorted[j]!), i < j, `${sorted[i]!.ref} vs ${sorted[j]!.ref}`);
        }
      }
    }),
    { numRuns: 1000 },
  );
});
