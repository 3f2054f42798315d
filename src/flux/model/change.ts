/**
 * `v9.Change`, the argument of `NotifyChange`: `{"Kind":…,"Source":…}` where the source is a
 * `v9.GitUpdate` (`git`) or a `v9.ImageUpdate` (`image`, holding an `image.Name` object). Any other
 * kind fails with `unknown kind of change`; a missing `Source` with `unexpected end of JSON input`.
 */
import { goObject, goQuote } from './go-encode.js';
import { field, goRaw, goString, goStruct, unmarshal, type Mutable, type ValueDecoder } from './go-decode.js';
import { UnknownChangeKindError } from './errors.js';
import { encodeImageName, imageNameValue, ZERO_IMAGE_NAME, type ImageName } from './image.js';

export const ChangeKind = { Git: 'git', Image: 'image' } as const;

export interface GitUpdate {
  readonly url: string;
  readonly branch: string;
}

export interface ImageUpdate {
  readonly name: ImageName;
}

export type Change = { readonly kind: 'git'; readonly source: GitUpdate } | { readonly kind: 'image'; readonly source: ImageUpdate };

const ZERO_GIT_UPDATE: GitUpdate = Object.freeze({ url: '', branch: '' });
const ZERO_IMAGE_UPDATE: ImageUpdate = Object.freeze({ name: ZERO_IMAGE_NAME });

export function encodeChange(c: Change): string {
  const source =
    c.kind === 'git'
      ? goObject([
          ['URL', goQuote(c.source.url)],
          ['Branch', goQuote(c.source.branch)],
        ])
      : goObject([['Name', encodeImageName(c.source.name)]]);
  return goObject([
    ['Kind', goQuote(c.kind)],
    ['Source', source],
  ]);
}

const gitUpdateValue = goStruct<Mutable<GitUpdate>>('v9.GitUpdate', 'GitUpdate', [field('URL', 'url', goString()), field('Branch', 'branch', goString())]);
const imageUpdateValue = goStruct<Mutable<ImageUpdate>>('v9.ImageUpdate', 'ImageUpdate', [field('Name', 'name', imageNameValue)]);

interface ChangeWire {
  kind: string;
  source: unknown;
}

const changeWireValue = goStruct<ChangeWire>('v9.raw', 'raw', [field('Kind', 'kind', goString('v9.ChangeKind')), field('Source', 'source', goRaw)]);

/** `(*v9.Change).UnmarshalJSON`; see the module comment. */
export const changeValue: ValueDecoder<Change> = (json) => {
  const wire = unmarshal<ChangeWire>(json, changeWireValue, { kind: '', source: undefined });
  switch (wire.kind) {
    case 'git':
      return { kind: 'git', source: unmarshal(wire.source, gitUpdateValue, ZERO_GIT_UPDATE) };
    case 'image':
      return { kind: 'image', source: unmarshal(wire.source, imageUpdateValue, ZERO_IMAGE_UPDATE) };
    default:
      throw new UnknownChangeKindError(wire.kind);
  }
};

export function decodeChange(json: unknown): Change {
  return unmarshal(json, changeValue, { kind: 'git', source: ZERO_GIT_UPDATE });
}
