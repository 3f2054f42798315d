import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  alreadySorted,
  imagesToSort,
  InvalidContainerFieldError,
  newContainer,
  NO_IMAGE_DATA,
  NoImageSourceError,
  type ContainerFields,
} from './container.js';
import { sortImagesFor } from './filter.js';
import type { ImageFacts } from './image-facts.js';
import { newPattern, PATTERN_ALL } from './pattern.js';

const DAY = 86_400_000_000_000n;
const JAN_1_2019 = 1_546_300_800_000_000_000n;
function image(spec: string): ImageFacts {
  const [tag, day] = spec.split('@') as [string, string];
  return { tag, ref: `quay.io/weaveworks/helloworld:${tag}`, createdNs: day === '' ? undefined : JAN_1_2019 + BigInt(Number(day) - 1) * DAY };
}
const NINE = '1.0.0@1 1.10.0@3 1.2.0@2 latest@5 master-abc@ v1.10@3 1.10.0-rc1@4 zzz@ aaa@'.split(' ').map(image);
const BY_TIME = sortImagesFor(NINE, PATTERN_ALL);
const CURRENT = NINE[2]!; // 1.2.0@2

function summary(c: ContainerFields<ImageFacts>): unknown[] {
  return [c.latestFiltered?.tag, c.availableImagesCount, c.newAvailableImagesCount, c.filteredImagesCount, c.newFilteredImagesCount];
}

test('the verified table of docs/types.md §18 (source already sorted by time)', () => {
  const source = alreadySorted(BY_TIME);
  assert.deepEqual(summary(newContainer('app', source, CURRENT, PATTERN_ALL)), ['1.10.0-rc1', 9, 4, 8, 3]);
  assert.deepEqual(summary(newContainer('app', source, CURRENT, newPattern('semver:~1'), [])), ['1.10.0', 9, 0, 4, 2]);
  const fields = ['Name', 'LatestFiltered', 'NewFilteredImagesCount', 'FilteredImagesCount'];
  const c = newContainer('app', source, CURRENT, newPattern('semver:~1'), fields);
  assert.deepEqual(summary(c), ['v1.10', 0, 0, 4, 2]);
  assert.deepEqual([c.name, c.current, c.available, c.availableError], ['app', undefined, [], '']);
});

test('default fields fill everything; Available is the sorted list', () => {
  const c = newContainer('app', imagesToSort(NINE), CURRENT, PATTERN_ALL, null);
  assert.equal(c.name, 'app');
  assert.equal(c.current, CURRENT);
  assert.deepEqual(c.available, BY_TIME);
  assert.equal(c.availableError, '');
});

test('filtered images come from the sorted list only when sorted images were needed', () => {
  const unsorted = alreadySorted([image('1.0.0@1'), image('1.2.0@2')]);
  const zero: ImageFacts = { tag: '', ref: '' };
  assert.equal(newContainer('app', unsorted, zero, PATTERN_ALL, ['LatestFiltered']).latestFiltered?.tag, '1.2.0');
  assert.equal(newContainer('app', unsorted, zero, PATTERN_ALL, ['LatestFiltered', 'Available']).latestFiltered?.tag, '1.0.0');
  assert.equal(newContainer('app', unsorted, zero, PATTERN_ALL, ['NewAvailableImagesCount', 'LatestFiltered']).latestFiltered?.tag, '1.0.0');
});

test('an unknown field stops processing; fields set before it stay set, later ones are not computed', () => {
  assert.throws(
    () => newContainer('app', alreadySorted(BY_TIME), CURRENT, PATTERN_ALL, ['Name', 'LatestFiltered', 'Bogus', 'Current']),
    (err: unknown) =>
      err instanceof InvalidContainerFieldError &&
      err.message === 'Bogus is an invalid field' &&
      err.code === 'FLUXRPC_ERR_INVALID_FIELD' &&
      err.partial.name === 'app' &&
      err.partial.latestFiltered === undefined &&
      err.partial.current === undefined,
  );
  assert.throws(() => newContainer('app', alreadySorted(BY_TIME), CURRENT, PATTERN_ALL, ['name']), { message: 'name is an invalid field' });
});

test('without an image source: AvailableError is set, and fields needing images throw', () => {
  const c = newContainer('app', undefined, CURRENT, PATTERN_ALL, ['Name', 'Current', 'AvailableError']);
  assert.deepEqual([c.name, c.current, c.availableError], ['app', CURRENT, NO_IMAGE_DATA]);
  for (const field of ['Available', 'AvailableImagesCount', 'NewAvailableImagesCount', 'LatestFiltered', 'FilteredImagesCount', 'NewFilteredImagesCount']) {
    assert.throws(() => newContainer('app', undefined, CURRENT, PATTERN_ALL, [field]), (err: unknown) => err instanceof NoImageSourceError && err.field === field);
  }
  assert.throws(() => newContainer('app', undefined, CURRENT, PATTERN_ALL, ['LatestFiltered', 'Bogus']), InvalidContainerFieldError);
  assert.throws(() => newContainer('app', undefined, CURRENT, PATTERN_ALL), NoImageSourceError);
});

test('newer-than-current: ties count by ref text, counting stops at the first older image', () => {
  const same = { tag: 'b', ref: 'x:b', createdNs: JAN_1_2019 };
  const images = [{ tag: 'a', ref: 'x:a', createdNs: JAN_1_2019 }, { tag: 'c', ref: 'x:c', createdNs: JAN_1_2019 + 5n }];
  const c = newContainer('app', imagesToSort(images), same, PATTERN_ALL, ['NewAvailableImagesCount']);
  assert.equal(c.newAvailableImagesCount, 2);
  const stop = newContainer('app', alreadySorted([images[0]!, { tag: 'z', ref: 'x:z' }, images[1]!]), same, PATTERN_ALL, ['NewAvailableImagesCount']);
  assert.equal(stop.newAvailableImagesCount, 1);
});
