/**
 * Flux's image tag policies: which tags a container may be updated to, and in which order images
 * count as newer. Reimplements flux v1.25.4 `pkg/policy` (patterns), `pkg/image` (orderings),
 * `pkg/update` (filtering) and `pkg/api/v6` (container fields), with Masterminds semver v3.1.1
 * and ryanuber/go-glob v1.0.0 semantics (docs/types.md §15–18).
 *
 * Exactness is pinned by vectors computed by the real Go packages
 * (`test/interop/vectors/policy/go-vectors.json`, from `test/interop/go/cmd/policyvectors`).
 *
 * Images are seen through {@link ImageFacts} (tag, ref text, creation instant in nanoseconds), so
 * this layer does not depend on the model's representation of `image.Info`; results are the
 * caller's own objects. Regular expressions run on re2js (RE2 semantics, linear time); the
 * semver grammar is also RE2 where the library's is, since its quirks are part of the behaviour.
 */
export { globMatch } from './glob.js';
export { compareGoStrings, equalFoldLatest, strconvQuote } from './go-strings.js';
export { compileGoRegexp, type GoRegexp } from './go-regexp.js';
export { createdNs, ZERO_TIME_NS, type ImageFacts } from './image-facts.js';
export { newer, newerByCreated, newerBySemver, sortImages, type ImageOrdering } from './ordering.js';
export {
  GlobPattern,
  isPatternLatest,
  newPattern,
  PATTERN_ALL,
  PATTERN_LATEST,
  RegexpPattern,
  SemverPattern,
  type Pattern,
  type PatternKind,
} from './pattern.js';
export {
  filterAndSortImages,
  filterAndSortRepositoryMetadata,
  filterImages,
  filterTags,
  latestImage,
  matchWithLatest,
  MissingImageMetadataError,
  sortImagesFor,
  type RepositoryMetadata,
} from './filter.js';
export { getTagPattern, tagPolicyName, type PolicyValues } from './tag-pattern.js';
export {
  alreadySorted,
  CONTAINER_FIELDS,
  imagesToSort,
  InvalidContainerFieldError,
  newContainer,
  NO_IMAGE_DATA,
  NoImageSourceError,
  type ContainerField,
  type ContainerFields,
  type ImageSource,
} from './container.js';
export { PolicyError, SemverConstraintError, SemverVersionError, type PolicyErrorCode } from './errors.js';
export { SemverConstraints } from './semver-constraints.js';
export {
  comparePrerelease,
  parseSemverVersion,
  SEMVER_INVALID,
  SEMVER_SEGMENT_STARTS_ZERO,
  SemverVersion,
  tryParseSemverVersion,
} from './semver-version.js';
