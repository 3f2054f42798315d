import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  filterAndSortImages,
  filterAndSortRepositoryMetadata,
  filterImages,
  filterTags,
  latestImage,
  matchWithLatest,
  MissingImageMetadataError,
} from './filter.js';
import type { ImageFacts } from './image-facts.js';
import { newPattern } from './pattern.js';

const DAY = 86_400_000_000_000n;
const JAN_1_2019 = 1_546_300_800_000_000_000n;
function image(spec: string): ImageFacts {
  const [tag, day] = spec.split('@') as [string, string];
  return { tag, ref: `quay.io/weaveworks/helloworld:${tag}`, createdNs: day === '' ? undefined : JAN_1_2019 + BigInt(Number(day) - 1) * DAY };
}
const NINE = '1.0.0@1 1.10.0@3 1.2.0@2 latest@5 master-abc@ v1.10@3 1.10.0-rc1@4 zzz@ aaa@'.split(' ').map(image);
const tags = (list: readonly ImageFacts[]) => list.map((i) => i.tag).join(' ');

test('the verified filters of docs/types.md §16', () => {
  const cases: [string, string][] = [
    ['glob:1.*', '1.0.0 1.10.0 1.2.0 1.10.0-rc1'],
    ['semver:~1', '1.0.0 1.10.0 1.2.0 v1.10'],
    ['semver:!!!', '1.0.0 1.10.0 1.2.0 v1.10 1.10.0-rc1'],
    ['regexp:^v', 'v1.10'],
    ['regex:(?<x>a)', '1.0.0 1.10.0 1.2.0 master-abc v1.10 1.10.0-rc1 zzz aaa'],
    ['latest', 'latest'],
  ];
  for (const [pattern, expected] of cases) assert.equal(tags(filterImages(NINE, newPattern(pattern))), expected, pattern);
});

test('latest, in any case, only for the glob latest', () => {
  const all = newPattern('*');
  assert.deepEqual(['latest', 'LATEST', 'lateſt', 'latest1'].map((t) => matchWithLatest(all, t)), [false, false, false, true]);
  assert.deepEqual(['latest', 'LATEST'].map((t) => matchWithLatest(newPattern('glob:latest'), t)), [true, false]);
  assert.equal(matchWithLatest(newPattern('regexp:(?i)latest'), 'latest'), false);
  assert.equal(matchWithLatest(newPattern('glob:lates*'), 'latest'), false);
  assert.deepEqual(filterTags(['a', 'latest', 'b'], all), ['a', 'b']);
});

test('filter then sort; latest of an empty list is the zero Info', () => {
  assert.equal(tags(filterAndSortImages(NINE, newPattern('semver:~1'))), 'v1.10 1.10.0 1.2.0 1.0.0');
  assert.equal(tags(filterAndSortImages(NINE, newPattern('*'))), '1.10.0-rc1 1.10.0 v1.10 1.2.0 1.0.0 aaa master-abc zzz');
  assert.equal(latestImage(filterAndSortImages(NINE, newPattern('semver:>5'))), undefined);
});

test('repository metadata: selected tags need metadata; the error quotes the tag as Go does', () => {
  const images = new Map(NINE.map((i) => [i.tag, i]));
  const repository = { tags: [...NINE.map((i) => i.tag), 'tab\there'], images };
  assert.throws(
    () => filterAndSortRepositoryMetadata(repository, newPattern('*')),
    (err: unknown) => err instanceof MissingImageMetadataError && err.message === 'missing metadata for image tag "tab\\there"' && err.tag === 'tab\there',
  );
  assert.equal(tags(filterAndSortRepositoryMetadata(repository, newPattern('semver:*'))), 'v1.10 1.10.0 1.2.0 1.0.0');
});
