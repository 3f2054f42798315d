/** `v6.Container`: one container of a workload, with its current and available images. */
import { goInt as encInt, goKey, goQuote, goSlice as encSlice } from './go-encode.js';
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

// Member keys, quoted once; those that never come first include their leading comma.
const K_NAME = '{' + goKey('Name');
const K_CURRENT = goKey('Current');
const K_LATEST_FILTERED = ',' + goKey('LatestFiltered');
const K_AVAILABLE = ',' + goKey('Available');
const K_AVAILABLE_ERROR = ',' + goKey('AvailableError');
const K_AVAILABLE_IMAGES_COUNT = ',' + goKey('AvailableImagesCount');
const K_NEW_AVAILABLE_IMAGES_COUNT = ',' + goKey('NewAvailableImagesCount');
const K_FILTERED_IMAGES_COUNT = ',' + goKey('FilteredImagesCount');
const K_NEW_FILTERED_IMAGES_COUNT = ',' + goKey('NewFilteredImagesCount');

export function encodeContainer(c: Container): string {
  // `Current` and `LatestFiltered` are always there (so every later member follows a comma); the
  // rest is omitted when empty or zero.
  let out = c.name === '' ? '{' + K_CURRENT : K_NAME + goQuote(c.name) + ',' + K_CURRENT;
  out += encodeImageInfo(c.current) + K_LATEST_FILTERED + encodeImageInfo(c.latestFiltered);
  if (c.available !== null && c.available.length !== 0) out += K_AVAILABLE + encSlice(c.available, encodeImageInfo);
  if (c.availableError !== '') out += K_AVAILABLE_ERROR + goQuote(c.availableError);
  if (c.availableImagesCount !== 0) out += K_AVAILABLE_IMAGES_COUNT + encInt(c.availableImagesCount);
  if (c.newAvailableImagesCount !== 0) out += K_NEW_AVAILABLE_IMAGES_COUNT + encInt(c.newAvailableImagesCount);
  if (c.filteredImagesCount !== 0) out += K_FILTERED_IMAGES_COUNT + encInt(c.filteredImagesCount);
  if (c.newFilteredImagesCount !== 0) out += K_NEW_FILTERED_IMAGES_COUNT + encInt(c.newFilteredImagesCount);
  return out + '}';
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
