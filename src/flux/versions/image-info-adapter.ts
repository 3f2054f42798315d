/**
 * The adapter between the model's `ImageInfo` and the policy layer's `ImageFacts` (tag, ref text,
 * creation instant in nanoseconds), so that `newContainer` can run on images a daemon sent. The
 * original info rides along and comes back out unchanged.
 */
import { imageRefString } from '../model/image.js';
import { ZERO_IMAGE_INFO, type ImageInfo } from '../model/image-info.js';
import type { ImageFacts } from '../policy/image-facts.js';

export interface InfoFacts extends ImageFacts {
  readonly info: ImageInfo;
}

export function infoFacts(info: ImageInfo): InfoFacts {
  const t = info.createdAt;
  return {
    tag: info.id.tag,
    ref: imageRefString(info.id),
    createdNs: BigInt(t.unixSeconds) * 1_000_000_000n + BigInt(t.nanos),
    info,
  };
}

/** The info back; the policy layer's `undefined` is Go's zero `image.Info`. */
export function infoOf(facts: InfoFacts | undefined): ImageInfo {
  return facts === undefined ? ZERO_IMAGE_INFO : facts.info;
}
