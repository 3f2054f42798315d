/** `v6.Container`: one container of a workload, with its current and available images. */
import { goInt as encInt, goObject, goSlice as encSlice, omitEmptyString } from './go-encode.js';
import { field, goInt, goSlice, goString, goStruct, unmarshal, type Mutable, type ValueDecoder } from './go-decode.js';
import { encodeImageInfo, imageInfoValue, ZERO_IMAGE_INFO, type ImageInfo } from './image-info.js';

export interface Container {
  readonly name: string;
  readonly current: ImageInfo;
  readonly latestFiltered: ImageInfo;
  /** All available images, sorted; `null` (nil) and `[]` are both omitted on the wire. */
  readonly available: readonly ImageInfo[] | null;
  readonly availableError: string;
  readonly availableImagesCount: number;
  readonly newAvailableImagesCount: number;
  readonly filteredImagesCount: number;
  readonly newFilteredImagesCount: number;
}

export const ZERO_CONTAINER: Container = Object.freeze({
  name: '',
  current: ZERO_IMAGE_INFO,
  latestFiltered: ZERO_IMAGE_INFO,
  available: null,
  availableError: '',
  availableImagesCount: 0,
  newAvailableImagesCount: 0,
  filteredImagesCount: 0,
  newFilteredImagesCount: 0,
});

export function container(fields: Partial<Container> = {}): Container {
  return { ...ZERO_CONTAINER, ...fields };
}

const omitZero = (key: string, n: number): readonly [string, string] | undefined => (n === 0 ? undefined : [key, encInt(n)]);

export function encodeContainer(c: Container): string {
  return goObject([
    omitEmptyString('Name', c.name),
    ['Current', encodeImageInfo(c.current)],
    ['LatestFiltered', encodeImageInfo(c.latestFiltered)],
    c.available === null || c.available.length === 0 ? undefined : ['Available', encSlice(c.available, encodeImageInfo)],
    omitEmptyString('AvailableError', c.availableError),
    omitZero('AvailableImagesCount', c.availableImagesCount),
    omitZero('NewAvailableImagesCount', c.newAvailableImagesCount),
    omitZero('FilteredImagesCount', c.filteredImagesCount),
    omitZero('NewFilteredImagesCount', c.newFilteredImagesCount),
  ]);
}

export const containerValue: ValueDecoder<Container> = goStruct<Mutable<Container>>('v6.Container', 'Container', [
  field('Name', 'name', goString()),
  field('Current', 'current', imageInfoValue),
  field('LatestFiltered', 'latestFiltered', imageInfoValue),
  field('Available', 'available', goSlice(imageInfoValue, () => ZERO_IMAGE_INFO, 'update.SortedImageInfos')),
  field('AvailableError', 'availableError', goString()),
  field('AvailableImagesCount', 'availableImagesCount', goInt('int')),
  field('NewAvailableImagesCount', 'newAvailableImagesCount', goInt('int')),
  field('FilteredImagesCount', 'filteredImagesCount', goInt('int')),
  field('NewFilteredImagesCount', 'newFilteredImagesCount', goInt('int')),
]);

export function decodeContainer(json: unknown): Container {
  return unmarshal(json, containerValue, ZERO_CONTAINER);
}
