/**
 * A container's image fields as flux computes them for `ListImages` (Go's `v6.NewContainer`,
 * docs/types.md §18): which images are available, which pass the tag pattern, which are newer than the
 * running one. Only the requested fields are computed, sharing one sort between them when it can.
 */
import { PolicyError } from './errors.js';
import { filterImages, latestImage, sortImagesFor } from './filter.js';
import type { ImageFacts } from './image-facts.js';
import type { Pattern } from './pattern.js';

/** Field names in the default order, used when no fields are requested. */
export const CONTAINER_FIELDS = [
  'Name',
  'Current',
  'LatestFiltered',
  'Available',
  'AvailableError',
  'AvailableImagesCount',
  'NewAvailableImagesCount',
  'FilteredImagesCount',
  'NewFilteredImagesCount',
] as const;

export type ContainerField = (typeof CONTAINER_FIELDS)[number];

/** flux's `registry.ErrNoImageData` text, the `AvailableError` of a container without image data. */
export const NO_IMAGE_DATA = 'image data not available';

/** Where a container's candidate images come from (Go's `imageSorter`). */
export interface ImageSource<T> {
  /** The images, in no particular order. */
  images(): readonly T[];
  /** The images sorted as the pattern orders them, newest first. */
  sortedImages(pattern: Pattern): readonly T[];
}

/** A source that sorts its images on demand, as the daemon's image repository does. */
export function imagesToSort<T extends ImageFacts>(images: readonly T[]): ImageSource<T> {
  return { images: () => images, sortedImages: (pattern) => sortImagesFor(images, pattern) };
}

/**
 * A source whose list is taken as sorted whatever the pattern: the RPC compatibility shim feeds a
 * daemon's `Available` list back in this way.
 */
export function alreadySorted<T>(images: readonly T[]): ImageSource<T> {
  return { images: () => images, sortedImages: () => images };
}

/**
 * The computed fields. Fields not requested keep Go's zero values: `""`, `undefined` (the zero
 * image Info), `[]` and 0, which the JSON encoding of a container omits (except the two Infos).
 */
export interface ContainerFields<T> {
  name: string;
  current: T | undefined;
  latestFiltered: T | undefined;
  available: readonly T[];
  availableError: string;
  availableImagesCount: number;
  newAvailableImagesCount: number;
  filteredImagesCount: number;
  newFilteredImagesCount: number;
}

function emptyContainer<T>(): ContainerFields<T> {
  return {
    name: '',
    current: undefined,
    latestFiltered: undefined,
    available: [],
    availableError: '',
    availableImagesCount: 0,
    newAvailableImagesCount: 0,
    filteredImagesCount: 0,
    newFilteredImagesCount: 0,
  };
}

/** A requested field name that does not exist; `partial` holds the fields set before it. */
export class InvalidContainerFieldError<T = unknown> extends PolicyError {
  override name = 'InvalidContainerFieldError';
  constructor(
    readonly field: string,
    readonly partial: ContainerFields<T>,
  ) {
    super('FLUXRPC_ERR_INVALID_FIELD', `${field} is an invalid field`);
  }
}

/**
 * A field needs images but there is no image source. Go dereferences the missing source and
 * panics; only `Name`, `Current` and `AvailableError` can be computed without one.
 */
export class NoImageSourceError extends PolicyError {
  override name = 'NoImageSourceError';
  constructor(readonly field: string) {
    super('FLUXRPC_ERR_NO_IMAGE_SOURCE', `${field} needs images, but there is no image source`);
  }
}

/** How many leading images are newer than `current`; counting stops at the first that is not. */
function countNewer<T extends ImageFacts>(sorted: readonly T[], current: T, pattern: Pattern): number {
  let n = 0;
  while (n < sorted.length && pattern.newer(sorted[n]!, current)) n++;
  return n;
}

/**
 * Go's `v6.NewContainer`. `fields` empty or absent means {@link CONTAINER_FIELDS}. Fields are
 * processed in order; `LatestFiltered`, `FilteredImagesCount` and `NewFilteredImagesCount` are
 * computed after all others. The filtered images are taken from the sorted images when `Available`
 * or `NewAvailableImagesCount` was requested (keeping that order), and otherwise filtered from
 * `images()` and sorted. An unknown field throws {@link InvalidContainerFieldError}.
 */
export function newContainer<T extends ImageFacts>(
  name: string,
  source: ImageSource<T> | undefined,
  current: T,
  pattern: Pattern,
  fields?: readonly string[] | null,
): ContainerFields<T> {
  const c = emptyContainer<T>();
  const need = (field: string): ImageSource<T> => {
    if (source === undefined) throw new NoImageSourceError(field);
    return source;
  };
  let sorted: readonly T[] | undefined;
  let sortedFiltered: readonly T[] | undefined;
  const getSorted = (field: string): readonly T[] => (sorted ??= need(field).sortedImages(pattern));
  const getSortedFiltered = (field: string): readonly T[] =>
    (sortedFiltered ??= sorted !== undefined ? filterImages(sorted, pattern) : sortImagesFor(filterImages(need(field).images(), pattern), pattern));
  const getFilteredCount = (field: string): number =>
    sorted !== undefined ? getSortedFiltered(field).length : filterImages(need(field).images(), pattern).length;

  const later: (() => void)[] = [];
  for (const field of fields !== undefined && fields !== null && fields.length > 0 ? fields : CONTAINER_FIELDS) {
    switch (field) {
      case 'Name':
        c.name = name;
        break;
      case 'Current':
        c.current = current;
        break;
      case 'AvailableError':
        if (source === undefined) c.availableError = NO_IMAGE_DATA;
        break;
      case 'AvailableImagesCount':
        c.availableImagesCount = need(field).images().length;
        break;
      case 'Available':
        c.available = getSorted(field);
        break;
      case 'NewAvailableImagesCount':
        c.newAvailableImagesCount = countNewer(getSorted(field), current, pattern);
        break;
      case 'LatestFiltered':
        later.push(() => (c.latestFiltered = latestImage(getSortedFiltered(field))));
        break;
      case 'FilteredImagesCount':
        later.push(() => (c.filteredImagesCount = getFilteredCount(field)));
        break;
      case 'NewFilteredImagesCount':
        later.push(() => (c.newFilteredImagesCount = countNewer(getSortedFiltered(field), current, pattern)));
        break;
      default:
        throw new InvalidContainerFieldError<T>(field, c);
    }
  }
  for (const assign of later) assign();
  return c;
}
