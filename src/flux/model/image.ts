/**
 * `image.Name` and `image.Ref`: image repositories and references, their text form, Flux's parser
 * and Docker Hub canonicalisation. A `Ref` is a JSON string (its text); a `Name` on its own (only in
 * `v9.ImageUpdate`) is the plain object `{"Domain":…,"Image":…}`.
 */
import { strconvQuote } from '../../codec/go-strconv.js';
import { goObject, goQuote } from './go-encode.js';
import { field, goString, goStruct, unmarshal, type ValueDecoder } from './go-decode.js';
import { InvalidImageRefError } from './errors.js';

export interface ImageName {
  readonly domain: string;
  readonly image: string;
}

export interface ImageRef extends ImageName {
  readonly tag: string;
  /** The sha256 digest in hex, without `sha256:`. */
  readonly sha: string;
}

const DOCKER_HUB = 'index.docker.io';
const OLD_DOCKER_HUB = 'docker.io';

export const ZERO_IMAGE_NAME: ImageName = Object.freeze({ domain: '', image: '' });
export const ZERO_IMAGE_REF: ImageRef = Object.freeze({ domain: '', image: '', tag: '', sha: '' });

const MALFORMED = 'expected image name as either <image>:<tag> or just <image>: invalid image ID';
const BLANK = 'blank image name: invalid image ID';

const COMPONENT = '([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
/** Unanchored, as Go's `MatchString` searches: any substring that looks like a domain counts. */
const DOMAIN = new RegExp(`localhost|(${COMPONENT}([.]${COMPONENT})+)(:[0-9]+)?`);

/** `Name.String()`: `""` without an image, else `[domain/]image`. */
export function imageNameString(n: ImageName): string {
  if (n.image === '') return '';
  return n.domain === '' ? n.image : `${n.domain}/${n.image}`;
}

/** `Ref.String()`: the name, then `@sha256:<sha>` or else `:<tag>`. */
export function imageRefString(r: ImageRef): string {
  const suffix = r.sha !== '' ? `@sha256:${r.sha}` : r.tag !== '' ? `:${r.tag}` : '';
  return imageNameString(r) + suffix;
}

function refError(s: string, msg: string, partial: ImageRef = ZERO_IMAGE_REF): InvalidImageRefError {
  return new InvalidImageRefError(`parsing ${strconvQuote(s)}: ${msg}`, partial);
}

const SHA_MARK = '@sha256:';

/**
 * `image.ParseRef`, with Go's error texts. Go splits on `/` and `:`; here the same decisions are
 * made with `indexOf`, without building the pieces: one element is the image; two are
 * `domain/image` only if the first looks like a domain; three or more always start with the
 * domain; then `@sha256:` splits off the digest and a single `:` the tag (more than one is refused).
 */
export function parseImageRef(s: string): ImageRef {
  if (s === '') throw refError(s, BLANK);
  const last = s.length - 1;
  if (s.charCodeAt(0) === 0x2f /* / */ || s.charCodeAt(last) === 0x2f) throw refError(s, MALFORMED);
  let domain = '';
  let image = s;
  const slash = s.indexOf('/');
  if (slash >= 0) {
    const first = s.slice(0, slash);
    if (s.indexOf('/', slash + 1) >= 0 || DOMAIN.test(first)) {
      domain = first;
      image = s.slice(slash + 1);
    }
  }
  let sha = '';
  const at = image.indexOf(SHA_MARK);
  if (at >= 0) {
    const left = image.slice(0, at);
    const right = image.slice(at + SHA_MARK.length);
    if (left === '' || right === '') throw refError(s, MALFORMED, { domain, image, tag: '', sha: '' });
    image = left;
    sha = right;
  }
  let tag = '';
  const colon = image.indexOf(':');
  if (colon >= 0) {
    if (image.indexOf(':', colon + 1) >= 0) throw new InvalidImageRefError(MALFORMED, { domain, image, tag: '', sha });
    if (colon === 0 || colon === image.length - 1) throw refError(s, MALFORMED, { domain, image, tag: '', sha });
    tag = image.slice(colon + 1);
    image = image.slice(0, colon);
  }
  return { domain, image, tag, sha };
}

/** `Name.Registry()`: Docker Hub's two spellings become `index.docker.io`. */
export function imageRegistry(n: ImageName): string {
  return n.domain === '' || n.domain === OLD_DOCKER_HUB ? DOCKER_HUB : n.domain;
}

/** `Name.Repository()`: Docker Hub images without a `/` get `library/`. */
export function imageRepository(n: ImageName): string {
  if ((n.domain === '' || n.domain === OLD_DOCKER_HUB || n.domain === DOCKER_HUB) && !n.image.includes('/')) {
    return 'library/' + n.image;
  }
  return n.image;
}

export function canonicalImageName(n: ImageName): ImageName {
  return { domain: imageRegistry(n), image: imageRepository(n) };
}

/** `Ref.CanonicalRef()`: the canonical name with the same tag; the digest is dropped. */
export function canonicalImageRef(r: ImageRef): ImageRef {
  return { ...canonicalImageName(r), tag: r.tag, sha: '' };
}

export function encodeImageRef(r: ImageRef): string {
  return goQuote(imageRefString(r));
}

/** `(*Ref).UnmarshalJSON`: the string (`null` counts as `""`) must parse; errors abort. */
export const imageRefValue: ValueDecoder<ImageRef> = (json) => parseImageRef(unmarshal(json, goString(), ''));

export function decodeImageRef(json: unknown): ImageRef {
  return unmarshal(json, imageRefValue, ZERO_IMAGE_REF);
}

export function encodeImageName(n: ImageName): string {
  return goObject([
    ['Domain', goQuote(n.domain)],
    ['Image', goQuote(n.image)],
  ]);
}

type MutableName = { -readonly [K in keyof ImageName]: ImageName[K] };

export const imageNameValue: ValueDecoder<ImageName> = goStruct<MutableName>('image.Name', 'Name', [
  field('Domain', 'domain', goString()),
  field('Image', 'image', goString()),
]);

export function decodeImageName(json: unknown): ImageName {
  return unmarshal(json, imageNameValue, ZERO_IMAGE_NAME);
}
