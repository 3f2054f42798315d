/**
 * The three facts about an image (`image.Info` in Go) that tag policies read. The model layer's
 * image info can provide them directly or through a small adapter; this module does not depend on
 * how images are represented elsewhere.
 */

/**
 * Go's zero `time.Time` (0001-01-01T00:00:00Z) in nanoseconds since the Unix epoch. It sorts
 * before every other instant. An absent `createdNs` means the same.
 */
export const ZERO_TIME_NS = -62_135_596_800_000_000_000n;

export interface ImageFacts {
  /** The tag of the image ref (Go `Info.ID.Tag`); `""` when the ref has none. */
  readonly tag: string;
  /** The ref's text (Go `Info.ID.String()`): `name:tag`, or `name@sha256:…` when it has a digest. */
  readonly ref: string;
  /**
   * Creation instant (Go `Info.CreatedAt`) in integer nanoseconds since the Unix epoch, so that
   * instants differing by a nanosecond order as in Go. Absent or {@link ZERO_TIME_NS}: Go's zero time.
   */
  readonly createdNs?: bigint | undefined;
}

/** The creation instant, with Go's zero time for an absent one. */
export function createdNs(image: ImageFacts): bigint {
  return image.createdNs ?? ZERO_TIME_NS;
}
