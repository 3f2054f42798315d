/**
 * `update.ResourceSpec` (`<all>` or a workload ID) and `update.ImageSpec` (`<all latest>` or an
 * image ref). Both are plain JSON strings that decode without checks; the normalising parsers are
 * what fluxctl and the daemon apply to user input.
 */
import { InvalidSpecError, ModelError } from './errors.js';
import { imageRefString, parseImageRef } from './image.js';
import { ResourceId } from './resource-id.js';
import { GoText } from '../../runtime/go-text.js';

export const RESOURCE_SPEC_ALL = '<all>';
export const IMAGE_SPEC_LATEST = '<all latest>';

/** `update.ParseResourceSpec`: `<all>`, or an ID re-emitted in its normal text (kind lower-cased). */
export function parseResourceSpec(s: string): string {
  if (s === RESOURCE_SPEC_ALL) return s;
  try {
    return ResourceId.parse(s).toString();
  } catch (err) {
    if (err instanceof ModelError) throw new InvalidSpecError(`invalid workload spec: ${err.message}`, { cause: err });
    throw err;
  }
}

/** `update.ParseImageSpec`: `<all latest>`, or an image ref that has a tag (re-emitted as text). */
export function parseImageSpec(s: string): string {
  if (s === IMAGE_SPEC_LATEST) return s;
  const ref = parseImageRef(s);
  if (ref.tag === '') throw new InvalidSpecError(GoText.blankTag);
  return imageRefString(ref);
}
