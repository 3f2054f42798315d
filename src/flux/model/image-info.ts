/**
 * `image.Labels` and `image.Info`: what Flux knows about an image. Times are written in UTC with
 * nanoseconds and omitted when zero.
 *
 * Decoding reproduces Go's leniency (docs/types.md §4): the object is read with type errors ignored,
 * but a failing `ID` or `Labels` silently stops the reading, so later keys (in text order) are lost;
 * only a bad `CreatedAt`/`LastFetched` string fails the decode.
 */
import { goKey, goQuote } from './go-encode.js';
import { Decoder, isJsonObject, keyMatcher, unmarshal, wellFormed, type ValueDecoder } from './go-decode.js';
import { GoTime } from './go-time.js';
import { encodeImageRef, parseImageRef, ZERO_IMAGE_REF, type ImageRef } from './image.js';
import { InvalidImageRefError, LabelTimestampFormatError, TimeParseError } from './errors.js';

export const BUILD_DATE_LABEL = 'org.label-schema.build-date';
export const CREATED_LABEL = 'org.opencontainers.image.created';

export interface ImageLabels {
  readonly buildDate: GoTime;
  readonly created: GoTime;
}

export interface ImageInfo {
  readonly id: ImageRef;
  readonly digest: string;
  readonly imageId: string;
  readonly labels: ImageLabels;
  readonly createdAt: GoTime;
  readonly lastFetched: GoTime;
}

export const ZERO_IMAGE_LABELS: ImageLabels = Object.freeze({ buildDate: GoTime.ZERO, created: GoTime.ZERO });
export const ZERO_IMAGE_INFO: ImageInfo = Object.freeze({
  id: ZERO_IMAGE_REF,
  digest: '',
  imageId: '',
  labels: ZERO_IMAGE_LABELS,
  createdAt: GoTime.ZERO,
  lastFetched: GoTime.ZERO,
});

/** Builds an Info from the fields given, the rest zero. */
export function imageInfo(fields: Partial<ImageInfo> = {}): ImageInfo {
  return { ...ZERO_IMAGE_INFO, ...fields };
}

/**
 * A time written in UTC as a JSON string. RFC 3339 text holds only digits, `-`, `+`, `:`, `.`, `T`
 * and `Z`, none of which JSON escapes, so the quotes are added directly.
 */
function utcText(t: GoTime): string {
  return '"' + t.utc().format() + '"';
}

// Member keys, quoted once; those that never come first include their leading comma.
const K_BUILD_DATE = '{' + goKey(BUILD_DATE_LABEL);
const K_CREATED_FIRST = '{' + goKey(CREATED_LABEL);
const K_CREATED = ',' + goKey(CREATED_LABEL);
const K_ID = '{' + goKey('ID');
const K_DIGEST = ',' + goKey('Digest');
const K_IMAGE_ID = ',' + goKey('ImageID');
const K_LABELS = ',' + goKey('Labels');
const K_CREATED_AT = ',' + goKey('CreatedAt');
const K_LAST_FETCHED = ',' + goKey('LastFetched');

export function encodeImageLabels(l: ImageLabels): string {
  // Both members are omitted when zero.
  if (l.buildDate.isZero()) return l.created.isZero() ? '{}' : K_CREATED_FIRST + utcText(l.created) + '}';
  const b = K_BUILD_DATE + utcText(l.buildDate);
  return l.created.isZero() ? b + '}' : b + K_CREATED + utcText(l.created) + '}';
}

export function encodeImageInfo(i: ImageInfo): string {
  // `ID` and `Labels` are always there; the rest is omitted when empty or zero.
  let out = K_ID + encodeImageRef(i.id);
  if (i.digest !== '') out += K_DIGEST + goQuote(i.digest);
  if (i.imageId !== '') out += K_IMAGE_ID + goQuote(i.imageId);
  out += K_LABELS + encodeImageLabels(i.labels);
  if (!i.createdAt.isZero()) out += K_CREATED_AT + utcText(i.createdAt);
  if (!i.lastFetched.isZero()) out += K_LAST_FETCHED + utcText(i.lastFetched);
  return out + '}';
}

/** Go's `decodeTime`: `""` is the zero time, anything else must be RFC 3339. */
function decodeTime(s: string): GoTime {
  return s === '' ? GoTime.ZERO : GoTime.parse(s);
}

/** Reads a string member the way a lenient Go decode does: a string, else unchanged. */
function lenientString(json: unknown, current: string): string {
  return typeof json === 'string' ? wellFormed(json) : current;
}

const labelKey = keyMatcher([BUILD_DATE_LABEL, CREATED_LABEL]);

/**
 * `(*Labels).UnmarshalJSON`: shape errors are ignored; each non-empty label must be RFC 3339, and
 * all failures are reported together (the error carries the labels that did parse in `partial`).
 */
export const imageLabelsValue: ValueDecoder<ImageLabels> = (json) => {
  const raw = { [BUILD_DATE_LABEL]: '', [CREATED_LABEL]: '' };
  if (isJsonObject(json)) {
    for (const k of Object.keys(json)) {
      const key = labelKey(k);
      if (key !== undefined) raw[key as keyof typeof raw] = lenientString(json[k], raw[key as keyof typeof raw]);
    }
  }
  const failed: string[] = [];
  const parse = (label: string): GoTime => {
    try {
      return decodeTime(raw[label as keyof typeof raw]);
    } catch (err) {
      if (!(err instanceof TimeParseError)) throw err;
      failed.push(label);
      return GoTime.ZERO;
    }
  };
  const labels: ImageLabels = { buildDate: parse(BUILD_DATE_LABEL), created: parse(CREATED_LABEL) };
  if (failed.length > 0) throw new LabelTimestampFormatError(failed, labels);
  return labels;
};

export function decodeImageLabels(json: unknown): ImageLabels {
  return unmarshal(json, imageLabelsValue, ZERO_IMAGE_LABELS);
}

const infoKey = keyMatcher(['ID', 'Digest', 'ImageID', 'Labels', 'CreatedAt', 'LastFetched']);

/** `(*Info).UnmarshalJSON`; see the module comment. */
export const imageInfoValue: ValueDecoder<ImageInfo> = (json) => {
  let id = ZERO_IMAGE_REF;
  let digest = '';
  let imageId = '';
  let labels = ZERO_IMAGE_LABELS;
  let createdAt = '';
  let lastFetched = '';
  if (isJsonObject(json)) {
    read: for (const k of Object.keys(json)) {
      const v = json[k];
      switch (infoKey(k)) {
        case 'ID':
          if (v !== null && typeof v !== 'string') break read;
          try {
            id = parseImageRef(v ?? '');
          } catch (err) {
            if (!(err instanceof InvalidImageRefError)) throw err;
            id = err.partial;
            break read;
          }
          break;
        case 'Labels':
          try {
            labels = imageLabelsValue(v, new Decoder(), labels);
          } catch (err) {
            if (!(err instanceof LabelTimestampFormatError)) throw err;
            labels = err.partial as ImageLabels;
            break read;
          }
          break;
        case 'Digest':
          digest = lenientString(v, digest);
          break;
        case 'ImageID':
          imageId = lenientString(v, imageId);
          break;
        case 'CreatedAt':
          createdAt = lenientString(v, createdAt);
          break;
        case 'LastFetched':
          lastFetched = lenientString(v, lastFetched);
          break;
      }
    }
  }
  const created = decodeTime(createdAt);
  return { id, digest, imageId, labels, createdAt: created, lastFetched: decodeTime(lastFetched) };
};

export function decodeImageInfo(json: unknown): ImageInfo {
  return unmarshal(json, imageInfoValue, ZERO_IMAGE_INFO);
}
