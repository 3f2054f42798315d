/**
 * `resource.ID`: a workload identifier, on the wire a JSON string in one of three forms:
 * qualified `<namespace>:<kind>/<name>` (kind lower-cased), legacy `<namespace>/<name>` (kind
 * `service`, kept legacy), and the zero ID `""`. Equality is equality of the text form.
 */
import { goMap, goQuote } from './go-encode.js';
import { goString, goSlice, unmarshal, type ValueDecoder } from './go-decode.js';
import { InvalidResourceIdError, ModelEncodeError } from './errors.js';

const QUALIFIED = /^(<cluster>|[a-zA-Z0-9_-]+):([a-zA-Z0-9_-]+)\/([a-zA-Z0-9_.:-]+)$/;
const LEGACY = /^([a-zA-Z0-9_-]+)\/([a-zA-Z0-9_-]+)$/;
const UNQUALIFIED = /^([a-zA-Z0-9_-]+)\/([a-zA-Z0-9_.:-]+)$/;

/** The namespace that marks cluster-scoped resources. */
export const CLUSTER_SCOPE = '<cluster>';

export type ResourceIdForm = 'qualified' | 'legacy' | 'zero';

export class ResourceId {
  /** The zero ID (Go's `resource.ID{}`), written as `""`. */
  static readonly ZERO = new ResourceId('zero', '', '', '');

  private constructor(
    readonly form: ResourceIdForm,
    private readonly ns: string,
    private readonly k: string,
    private readonly n: string,
  ) {}

  /** `resource.ParseID`: qualified form first, then legacy. */
  static parse(s: string): ResourceId {
    let m = QUALIFIED.exec(s);
    if (m) return new ResourceId('qualified', m[1]!, m[2]!.toLowerCase(), m[3]!);
    m = LEGACY.exec(s);
    if (m) return new ResourceId('legacy', m[1]!, 'service', m[2]!);
    throw new InvalidResourceIdError(s);
  }

  /**
   * `resource.ParseIDOptionalNamespace`: a qualified ID, or `<kind>/<name>` in the given namespace
   * (used when reading manifests; never on the wire).
   */
  static parseOptionalNamespace(namespace: string, s: string): ResourceId {
    let m = QUALIFIED.exec(s);
    if (m) return new ResourceId('qualified', m[1]!, m[2]!.toLowerCase(), m[3]!);
    m = UNQUALIFIED.exec(s);
    if (m) return new ResourceId('qualified', namespace, m[1]!.toLowerCase(), m[2]!);
    throw new InvalidResourceIdError(s);
  }

  /** `resource.MakeID`: a qualified ID (the kind is lower-cased; nothing is validated). */
  static make(namespace: string, kind: string, name: string): ResourceId {
    return new ResourceId('qualified', namespace, kind.toLowerCase(), name);
  }

  isZero(): boolean {
    return this.form === 'zero';
  }

  /** `Components()`: namespace, kind, name. Go panics for the zero ID; this throws. */
  components(): [namespace: string, kind: string, name: string] {
    if (this.form === 'zero') throw new TypeError('components of the zero resource ID');
    return [this.ns, this.k, this.n];
  }

  get namespace(): string {
    return this.components()[0];
  }

  get kind(): string {
    return this.components()[1];
  }

  get name(): string {
    return this.components()[2];
  }

  toString(): string {
    switch (this.form) {
      case 'qualified':
        return `${this.ns}:${this.k}/${this.n}`;
      case 'legacy':
        return `${this.ns}/${this.n}`;
      default:
        return '';
    }
  }

  equals(other: ResourceId): boolean {
    return this.toString() === other.toString();
  }
}

export function encodeResourceId(id: ResourceId): string {
  return goQuote(id.toString());
}

/**
 * `(*ID).UnmarshalJSON`: a string (or `null`) is required; `""`/`null` give the zero ID; anything
 * else must parse. Errors abort the enclosing decode, as in Go.
 */
export const resourceIdValue: ValueDecoder<ResourceId> = (json) => {
  const s = unmarshal(json, goString(), '');
  return s === '' ? ResourceId.ZERO : ResourceId.parse(s);
};

export function decodeResourceId(json: unknown): ResourceId {
  return unmarshal(json, resourceIdValue, ResourceId.ZERO);
}

/**
 * A map key of type `resource.ID`: Go decodes it through `UnmarshalJSON` too (it wins over
 * `UnmarshalText`), so `""` is accepted as the zero ID; any other text must parse. Keys are kept
 * as ID text (`id.toString()`), so equal IDs collapse to one entry, as in Go.
 */
export function resourceIdKey(key: string): string {
  return key === '' ? '' : ResourceId.parse(key).toString();
}

export const resourceIdListValue: ValueDecoder<readonly ResourceId[] | null> = goSlice(resourceIdValue, () => ResourceId.ZERO, '[]resource.ID');

export function encodeResourceIdList(ids: readonly ResourceId[] | null | undefined): string {
  if (ids === null || ids === undefined) return 'null';
  return '[' + ids.map(encodeResourceId).join(',') + ']';
}

export function decodeResourceIdList(json: unknown): readonly ResourceId[] | null {
  return unmarshal(json, resourceIdListValue, null);
}

/**
 * A Go map keyed by `resource.ID` (keys are ID text, sorted as Go sorts them). Go panics encoding
 * the zero ID as a key (its `MarshalText` dereferences nil); this throws `ModelEncodeError`.
 */
export function encodeResourceIdMap<V>(map: ReadonlyMap<string, V> | null | undefined, encode: (v: V) => string): string {
  if (map !== null && map !== undefined && map.has('')) {
    throw new ModelEncodeError('the zero resource.ID cannot be encoded as a map key (Go panics)');
  }
  return goMap(map, encode);
}
