/**
 * Selecting images by pattern (docs/types.md §15.4) and the filter-then-sort combinations of flux's
 * `pkg/update`.
 */
import { PolicyError } from './errors.js';
import { equalFoldLatest, strconvQuote } from './go-strings.js';
import type { ImageFacts } from './image-facts.js';
import { sortImages } from './ordering.js';
import { isPatternLatest, type Pattern } from './pattern.js';

/**
 * Whether a tag passes the pattern: `latest` (in any case, by Unicode folding) is refused unless
 * the pattern is exactly the glob `latest`; otherwise the pattern decides.
 */
export function matchWithLatest(pattern: Pattern, tag: string): boolean {
  if (equalFoldLatest(tag) && !isPatternLatest(pattern)) return false;
  return pattern.matches(tag);
}

/** The tags that pass, in their order. */
export function filterTags(tags: readonly string[], pattern: Pattern): string[] {
  return tags.filter((tag) => matchWithLatest(pattern, tag));
}

/** The images whose tag passes, in their order (Go's `update.FilterImages`). */
export function filterImages<T extends ImageFacts>(images: readonly T[], pattern: Pattern): T[] {
  return images.filter((image) => matchWithLatest(pattern, image.tag));
}

/** A new array of the images sorted by the pattern's order, newest first (Go's `update.SortImages`). */
export function sortImagesFor<T extends ImageFacts>(images: readonly T[], pattern: Pattern): T[] {
  return sortImages(images, pattern.ordering);
}

/** The images that pass, newest first. */
export function filterAndSortImages<T extends ImageFacts>(images: readonly T[], pattern: Pattern): T[] {
  return sortImagesFor(filterImages(images, pattern), pattern);
}

/** The first of a sorted list (Go's `SortedImageInfos.Latest`); `undefined` stands for Go's zero Info. */
export function latestImage<T>(sorted: readonly T[]): T | undefined {
  return sorted[0];
}

/** A repository's tags and the metadata found for them (Go's `image.RepositoryMetadata`). */
export interface RepositoryMetadata<T> {
  /** Every tag found in the repository. */
  readonly tags: readonly string[];
  /** Metadata by tag; may lack some tags, whose manifests were missing or corrupt. */
  readonly images: ReadonlyMap<string, T>;
}

/** A selected tag had no metadata; the message is flux's. */
export class MissingImageMetadataError extends PolicyError {
  override name = 'MissingImageMetadataError';
  constructor(readonly tag: string) {
    super('FLUXRPC_ERR_MISSING_IMAGE_METADATA', `missing metadata for image tag ${strconvQuote(tag)}`);
  }
}

/**
 * Go's `update.FilterAndSortRepositoryMetadata`: filters the tags, looks up each selected tag's
 * metadata (throwing {@link MissingImageMetadataError} for the first one missing), and sorts.
 * Tags that are filtered out may lack metadata.
 */
export function filterAndSortRepositoryMetadata<T extends ImageFacts>(repository: RepositoryMetadata<T>, pattern: Pattern): T[] {
  const selected = filterTags(repository.tags, pattern).map((tag) => {
    const info = repository.images.get(tag);
    if (info === undefined) throw new MissingImageMetadataError(tag);
    return info;
  });
  return sortImagesFor(selected, pattern);
}
