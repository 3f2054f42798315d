/**
 * The two orders flux puts images in, newest first (docs/types.md §16). Both are total on images with
 * distinct ref texts, so the stable sort used here gives the result of Go's unstable one.
 *
 * - **By creation time** (glob and regexp patterns): later first; equal instants (two zero times
 *   included) by ref text ascending. Zero times therefore come last.
 * - **By semver** (semver patterns): tags that are versions first, higher first, equal versions by
 *   ref text *descending* (`…:v1.10` before `…:1.10.0`); then the other tags by ref text ascending.
 */
import { compareGoStrings } from './go-strings.js';
import { createdNs, type ImageFacts } from './image-facts.js';
import { tryParseSemverVersion, type SemverVersion } from './semver-version.js';

export type ImageOrdering = 'created' | 'semver';

/** Negative when `a` sorts before (is newer than) `b`, positive when after, 0 for ties. */
type Comparator<K> = (a: K, b: K) => number;

interface CreatedKey {
  readonly ref: string;
  readonly created: bigint;
}

interface SemverKey {
  readonly ref: string;
  readonly version: SemverVersion | undefined;
}

const byCreated: Comparator<CreatedKey> = (a, b) => {
  if (a.created !== b.created) return a.created > b.created ? -1 : 1;
  return compareGoStrings(a.ref, b.ref);
};

const bySemver: Comparator<SemverKey> = (a, b) => {
  if (a.version === undefined || b.version === undefined) {
    if (a.version !== b.version) return a.version === undefined ? 1 : -1;
    return compareGoStrings(a.ref, b.ref);
  }
  return -a.version.compare(b.version) || compareGoStrings(b.ref, a.ref);
};

function createdKey(image: ImageFacts): CreatedKey {
  return { ref: image.ref, created: createdNs(image) };
}

function semverKey(image: ImageFacts): SemverKey {
  return { ref: image.ref, version: tryParseSemverVersion(image.tag) };
}

/** Go's `image.NewerByCreated(a, b)`: whether `a` sorts before `b` by creation time. */
export function newerByCreated(a: ImageFacts, b: ImageFacts): boolean {
  return byCreated(createdKey(a), createdKey(b)) < 0;
}

/** Go's `image.NewerBySemver(a, b)`: whether `a` sorts before `b` by semver. */
export function newerBySemver(a: ImageFacts, b: ImageFacts): boolean {
  return bySemver(semverKey(a), semverKey(b)) < 0;
}

/** Whether `a` sorts before `b` in the given order. */
export function newer(ordering: ImageOrdering, a: ImageFacts, b: ImageFacts): boolean {
  return ordering === 'created' ? newerByCreated(a, b) : newerBySemver(a, b);
}

function sortByKey<T, K>(images: readonly T[], key: (image: T) => K, compare: Comparator<K>): T[] {
  const keyed = images.map((image) => ({ image, key: key(image) }));
  keyed.sort((a, b) => compare(a.key, b.key));
  return keyed.map((k) => k.image);
}

/**
 * A new array of the images, newest first in the given order. Each image's key (instant, or parsed
 * version) is computed once, not once per comparison.
 */
export function sortImages<T extends ImageFacts>(images: readonly T[], ordering: ImageOrdering): T[] {
  return ordering === 'created' ? sortByKey(images, createdKey, byCreated) : sortByKey(images, semverKey, bySemver);
}
