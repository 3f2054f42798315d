/**
 * Go's `encoding/json` decoding rules (Go 1.19), applied to an already parsed JSON value.
 *
 * A `ValueDecoder` turns a JSON value into a TS value the way `json.Unmarshal` fills a Go value:
 * - it gets the value it decodes *into* (`current`) and returns the result, so `null` can leave a
 *   string, number, bool or struct unchanged, as in Go, and a repeated (case-variant) key merges
 *   into a struct or map the way Go's does;
 * - a JSON value of the wrong kind is not fatal: the `Decoder` keeps the first mismatch, decoding
 *   goes on, and `unmarshal` reports it at the end (Go's `saveError`);
 * - an error thrown from a custom decoder (Go's `UnmarshalJSON`) aborts at once: later keys are not
 *   decoded, and `unmarshal` adds the struct/field context of the abort point (Go's
 *   `addErrorContext`).
 * Struct keys match case-insensitively (an exact match first), unknown keys are ignored.
 *
 * Limits of working on parsed values: a number's original text is gone, so `1.0` or `1e2` are
 * accepted into integer fields (Go refuses them) and error texts show the number as JavaScript
 * prints it; numbers beyond 2^53 lose precision; a repeated identical key keeps only its last value.
 */
import { GoUnmarshalTypeError, UnexpectedEndError } from './errors.js';

export type ValueDecoder<V> = (json: unknown, d: Decoder, current: V) => V;

/** The JSON kind names Go uses in `UnmarshalTypeError.Value`. */
import { goFoldKey, jsonKind } from '../../codec/go-json.js';

export { jsonKind };

export function isJsonObject(json: unknown): json is Record<string, unknown> {
  return typeof json === 'object' && json !== null && !Array.isArray(json);
}

/** One `json.Unmarshal` call's state: the error context and the first saved error. */
export class Decoder {
  private struct: string | undefined;
  private readonly stack: string[] = [];
  private saved: Error | undefined;

  /** Records a type mismatch (the first one wins), with the current struct/field context. */
  mismatch(json: unknown, goType: string, value: string = jsonKind(json)): void {
    this.save(new GoUnmarshalTypeError(value, goType));
  }

  save(err: Error): void {
    if (this.saved === undefined) this.saved = this.addContext(err);
  }

  /** Go 1.19's `addErrorContext`: only type errors get the struct name and the field path. */
  addContext<E>(err: E): E {
    if ((this.struct !== undefined || this.stack.length > 0) && err instanceof GoUnmarshalTypeError) {
      err.setContext(this.struct ?? '', this.stack.join('.'));
    }
    return err;
  }

  /** Enters a struct field; returns what `leave` needs to restore the context. */
  enter(struct: string, key: string): [string | undefined, number] {
    const mark: [string | undefined, number] = [this.struct, this.stack.length];
    this.struct = struct;
    this.stack.push(key);
    return mark;
  }

  leave(mark: [string | undefined, number]): void {
    this.struct = mark[0];
    this.stack.length = mark[1];
  }

  /**
   * `enter` without allocating a mark: returns the previous struct name, to give back to
   * `leaveField` together with the `depth` read just before this call.
   */
  enterField(struct: string, key: string): string | undefined {
    const prev = this.struct;
    this.struct = struct;
    this.stack.push(key);
    return prev;
  }

  /** `leave` for `enterField`: restores the struct name and the stack depth. */
  leaveField(prev: string | undefined, depth: number): void {
    this.struct = prev;
    if (this.stack.length === depth + 1) this.stack.pop();
    else this.stack.length = depth;
  }

  /** The current depth of the field path (for `leaveField`). */
  get depth(): number {
    return this.stack.length;
  }

  /** The first saved error, if any. */
  get savedError(): Error | undefined {
    return this.saved;
  }
}

/**
 * `json.Unmarshal(data, &v)` where `v` starts as `zero`. `undefined` stands for no bytes at all (a
 * missing `json.RawMessage`), which Go reports as `unexpected end of JSON input`.
 */
export function unmarshal<V>(json: unknown, decode: ValueDecoder<V>, zero: V): V {
  if (json === undefined) throw new UnexpectedEndError();
  const d = new Decoder();
  let out: V;
  try {
    out = decode(json, d, zero);
  } catch (err) {
    throw d.addContext(err);
  }
  if (d.savedError !== undefined) throw d.savedError;
  return out;
}

const HAS_SURROGATE = /[\ud800-\udfff]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Go decodes an invalid `\uXXXX` surrogate escape as U+FFFD; so do we. */
export function wellFormed(s: string): string {
  return HAS_SURROGATE.test(s) ? s.replace(LONE_SURROGATE, '\ufffd') : s;
}

// --- primitives ------------------------------------------------------------------------------

/** A Go string kind (`string` or a named string type such as `update.ReleaseKind`). */
export function goString(goType = 'string'): ValueDecoder<string> {
  return (json, d, current) => {
    if (typeof json === 'string') return wellFormed(json);
    if (json !== null) d.mismatch(json, goType);
    return current;
  };
}

export function goBool(goType = 'bool'): ValueDecoder<boolean> {
  return (json, d, current) => {
    if (typeof json === 'boolean') return json;
    if (json !== null) d.mismatch(json, goType);
    return current;
  };
}

const INT_RANGES: Record<string, [number, number]> = {
  int: [-(2 ** 63), 2 ** 63 - 1],
  int64: [-(2 ** 63), 2 ** 63 - 1],
  int32: [-(2 ** 31), 2 ** 31 - 1],
  uint8: [0, 255],
};

/** A Go integer kind: the number must be integral and in range (else `number <text>`). */
export function goInt(kind: 'int' | 'int64' | 'int32' | 'uint8', goType: string = kind): ValueDecoder<number> {
  const [min, max] = INT_RANGES[kind]!;
  return (json, d, current) => {
    if (typeof json === 'number') {
      if (Number.isInteger(json) && json >= min && json <= max) return json === 0 ? 0 : json;
      d.mismatch(json, goType, `number ${JSON.stringify(json)}`);
      return current;
    }
    if (json !== null) d.mismatch(json, goType);
    return current;
  };
}

/** `json.RawMessage`: the value itself, `null` included; a missing key leaves `undefined`. */
export const goRaw: ValueDecoder<unknown> = (json) => json;

// --- composites ------------------------------------------------------------------------------

/**
 * A Go slice: `null` → nil (`null`), an array → a new slice whose elements are decoded into the
 * elements already there (Go reuses them) or into `zero()`.
 */
export function goSlice<E>(elem: ValueDecoder<E>, zero: () => E, goType: string): ValueDecoder<readonly E[] | null> {
  return (json, d, current) => {
    if (json === null) return null;
    if (!Array.isArray(json)) {
      d.mismatch(json, goType);
      return current;
    }
    const out: E[] = new Array(json.length);
    for (let i = 0; i < json.length; i++) {
      out[i] = elem(json[i], d, current !== null && i < current.length ? current[i]! : zero());
    }
    return out;
  };
}

/**
 * A Go map with string-like keys, as a `Map` (never a plain object: keys like `__proto__` or `10`
 * must stay data). Each value is decoded from `zero()`, then the key is converted with `key`
 * (which may throw, aborting, like a Go key type's `UnmarshalJSON`); entries merge into the map
 * already there, as Go's do.
 */
export function goMap<V>(
  elem: ValueDecoder<V>,
  zero: () => V,
  goType: string,
  key: (k: string) => string = wellFormed,
): ValueDecoder<ReadonlyMap<string, V> | null> {
  return (json, d, current) => {
    if (json === null) return null;
    if (!isJsonObject(json)) {
      d.mismatch(json, goType);
      return current;
    }
    const out = new Map(current ?? []);
    for (const k of Object.keys(json)) {
      const v = elem(json[k], d, zero());
      out.set(key(k), v);
    }
    return out;
  };
}

/** A Go pointer: `null` → nil (`null`); otherwise decode into the pointee (a fresh zero if nil). */
export function goPointer<V>(elem: ValueDecoder<V>, zero: () => V): ValueDecoder<V | null> {
  return (json, d, current) => (json === null ? null : elem(json, d, current ?? zero()));
}

// --- structs ---------------------------------------------------------------------------------

export interface StructField<T> {
  /** The JSON key (Go's field name or its tag). */
  readonly key: string;
  decode(json: unknown, d: Decoder, target: T): void;
}

/** A struct field stored in property `prop`, decoded by `dec`. */
export function field<T, K extends keyof T>(key: string, prop: K, dec: ValueDecoder<T[K]>): StructField<T> {
  return {
    key,
    decode(json, d, target) {
      target[prop] = dec(json, d, target[prop]);
    },
  };
}

/** Go's case folding for struct keys (ASCII case, plus `ſ`≡`s` and `K` (Kelvin)≡`k`). */
const fold = goFoldKey;

/**
 * Go's choice of struct field for a JSON key: the field whose name matches exactly, else the first
 * one matching case-insensitively. Returns the field's own key, or `undefined` for an unknown key.
 */
export function keyMatcher(keys: readonly string[]): (key: string) => string | undefined {
  const exact = new Set(keys);
  const folded = new Map<string, string>();
  for (const k of keys) if (!folded.has(fold(k))) folded.set(fold(k), k);
  return (key) => (exact.has(key) ? key : folded.get(fold(key)));
}

/**
 * A Go struct: `goType` is its type as Go prints it in "Go value of type" errors, `name` its
 * `reflect.Type.Name()` used in "Go struct field <name>.<path>" errors (`""` when anonymous).
 */
export function goStruct<T extends object>(goType: string, name: string, fields: readonly StructField<T>[]): ValueDecoder<T> {
  // `keyMatcher`'s choice, resolved to the field once: the exact key's field, else the field of
  // the first key with the same folding (for repeated keys, the last field with that key).
  const byKey = new Map(fields.map((f) => [f.key, f] as const));
  const byFolded = new Map<string, StructField<T>>();
  for (const f of fields) if (!byFolded.has(fold(f.key))) byFolded.set(fold(f.key), byKey.get(f.key)!);
  return (json, d, current) => {
    if (json === null) return current;
    if (!isJsonObject(json)) {
      d.mismatch(json, goType);
      return current;
    }
    const target = { ...current };
    for (const k of Object.keys(json)) {
      const f = byKey.get(k) ?? byFolded.get(fold(k));
      if (f === undefined) continue;
      const depth = d.depth;
      const prev = d.enterField(name, f.key);
      f.decode(json[k], d, target);
      d.leaveField(prev, depth);
    }
    return target;
  };
}

/** The decoders fill structs in place; public model types are read-only. */
export type Mutable<T> = { -readonly [K in keyof T]: T[K] };
