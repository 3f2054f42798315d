/**
 * `JSON.parse` for large values without one long turn of the event loop: the result is exactly what
 * `JSON.parse(bytes.toString('utf8'))` returns (same values, key order, `__proto__` kept as an own
 * key, duplicate keys last-wins), or an error where it throws.
 *
 * A structural walk over the bytes with an explicit stack (no recursion, so depth costs no stack):
 * - inside a container, consecutive  members that each fit in `smallMemberBytes` are parsed
 *   natively together, up to `runBytes` at a time (`JSON.parse('[' + run + ']')`, or `{…}` whose
 *   members are then copied over);
 * - a larger member is entered (its own frame) rather than parsed whole; finding that a member is
 *   large costs a look of at most `smallMemberBytes` at it, so the walk stays linear up to that
 *   bound per large container;
 * - a large string is checked in slices and decoded straight from the bytes (one copy, not the
 *   whole text plus the parsed string).
 * Between steps it yields whenever the time slice is used up. Syntax is checked by the native
 * parser for the members it parses and by the walk for the structure around them.
 *
 * Cost against one `JSON.parse` of the whole text: the walk looks at every byte outside strings
 * once more in JavaScript (strings are skipped with native `indexOf`) and each run's text is copied
 * once more; the figures are in docs/benchmarks.md §3.4.
 */
import type { Buffer } from 'node:buffer';
import { JsonParseError } from './errors.js';
import { Byte, scalarEnd, skipSpace, stringEnd } from './json-scan.js';
import type { TimeSlicer } from './time-slice.js';

export interface SlicedParseOptions {
  /** A member up to this size is parsed natively, with its neighbours (default 16 KiB). */
  smallMemberBytes?: number;
  /** Consecutive small members are parsed natively together, up to this many bytes at once (default 64 KiB). */
  runBytes?: number;
  /** Strings above this are checked in slices and decoded from the bytes (default 64 KiB). */
  bigStringBytes?: number;
}

const DEFAULTS: Required<SlicedParseOptions> = { smallMemberBytes: 16 * 1024, runBytes: 64 * 1024, bigStringBytes: 64 * 1024 };
/** Bytes of a large string checked between looks at the clock. */
const STRING_STEP_BYTES = 256 * 1024;

const enum Expect {
  /** Just opened: a member or the close. */
  FirstMember,
  /** After a comma: a member. */
  Member,
  /** After a member: a comma or the close. */
  CommaOrClose,
}

interface Frame {
  readonly array: boolean;
  readonly target: unknown[] | Record<string, unknown>;
  /** The key the frame's value goes under in its parent object. */
  readonly key: string | undefined;
  expect: Expect;
}

/** Parses one complete JSON text in time slices (see the module note). Throws `JsonParseError`. */
export async function parseJsonInSlices(bytes: Buffer, slicer: TimeSlicer, options: SlicedParseOptions = {}): Promise<unknown> {
  return new SlicedParse(bytes, slicer, { ...DEFAULTS, ...options }).run();
}

class SlicedParse {
  private pos = 0;
  private readonly stack: Frame[] = [];
  private root: unknown;

  constructor(
    private readonly bytes: Buffer,
    private readonly slicer: TimeSlicer,
    private readonly limits: Required<SlicedParseOptions>,
  ) {}

  async run(): Promise<unknown> {
    const bytes = this.bytes;
    this.pos = this.skipSpace(0);
    if (this.pos >= bytes.length) throw new JsonParseError('Unexpected end of JSON input');
    await this.member(undefined);
    while (this.stack.length > 0) {
      if (this.slicer.due) await this.slicer.next();
      await this.step(this.stack[this.stack.length - 1]!);
    }
    if (this.skipSpace(this.pos) < bytes.length) this.syntax('Unexpected non-whitespace character after JSON', this.skipSpace(this.pos));
    return this.root;
  }

  /** One step inside the innermost container. */
  private async step(frame: Frame): Promise<void> {
    const bytes = this.bytes;
    const close = frame.array ? Byte.CloseArray : Byte.CloseObject;
    let at = this.skipSpace(this.pos);
    if (at >= bytes.length) this.syntax('Unexpected end of JSON input', at);
    const b = bytes[at]!;
    if (frame.expect === Expect.CommaOrClose) {
      if (b === Byte.Comma) {
        frame.expect = Expect.Member;
        this.pos = at + 1;
      } else if (b === close) {
        this.pos = at + 1;
        this.closeFrame();
      } else {
        this.syntax(`Expected ',' or '${String.fromCharCode(close)}' after ${frame.array ? 'array element' : 'property value'}`, at);
      }
      return;
    }
    if (b === close && frame.expect === Expect.FirstMember) {
      this.pos = at + 1;
      this.closeFrame();
      return;
    }
    // Members: a run of small ones, natively.
    const run = this.scanRun(at, frame.array, close);
    if (run.end > at) {
      this.parseRun(frame, at, run.end);
      frame.expect = Expect.CommaOrClose;
    }
    switch (run.stop) {
      case 'close':
        if (run.end === at && frame.expect === Expect.Member) this.syntax('Unexpected trailing comma', at);
        this.pos = run.next + 1;
        this.closeFrame();
        return;
      case 'full':
        this.pos = run.next; // the comma after the run
        return;
      case 'large':
        if (run.end > at) frame.expect = Expect.Member; // the run ended at a comma
        at = this.skipSpace(run.next);
        this.pos = at;
        await this.member(frame);
        return;
    }
  }

  /**
   * Reads one member (at `this.pos`) of `frame` (the top-level value when `frame` is undefined):
   * for an object, its key and colon, then the value. A container is entered; anything else is
   * parsed and added.
   */
  private async member(frame: Frame | undefined): Promise<void> {
    const bytes = this.bytes;
    let at = this.pos;
    let key: string | undefined;
    if (frame !== undefined && !frame.array) {
      if (bytes[at] !== Byte.Quote) this.syntax('Expected double-quoted property name', at);
      const end = this.stringEnd(at);
      key = this.native(at, end) as string;
      at = this.skipSpace(end);
      if (bytes[at] !== Byte.Colon) this.syntax("Expected ':' after property name", at);
      at = this.skipSpace(at + 1);
    }
    if (at >= bytes.length) this.syntax('Unexpected end of JSON input', at);
    const b = bytes[at]!;
    if (b === Byte.OpenObject || b === Byte.OpenArray) {
      const array = b === Byte.OpenArray;
      this.stack.push({ array, target: array ? [] : {}, key, expect: Expect.FirstMember });
      this.pos = at + 1;
      return;
    }
    let value: unknown;
    let end: number;
    if (b === Byte.Quote) {
      end = this.stringEnd(at);
      value = end - at > this.limits.bigStringBytes ? await this.bigString(at, end) : this.native(at, end);
    } else {
      end = scalarEnd(bytes, at);
      value = this.native(at, end);
    }
    this.pos = end;
    this.add(frame, key, value);
  }

  private closeFrame(): void {
    const frame = this.stack.pop()!;
    this.add(this.stack[this.stack.length - 1], frame.key, frame.target);
  }

  /** Adds a finished value to `frame` (the root when undefined). */
  private add(frame: Frame | undefined, key: string | undefined, value: unknown): void {
    if (frame === undefined) {
      this.root = value;
      return;
    }
    if (frame.array) (frame.target as unknown[]).push(value);
    else setMember(frame.target as Record<string, unknown>, key!, value);
    frame.expect = Expect.CommaOrClose;
  }

  /**
   * Looks at the members from `from` on, at the container's own level, to find a run of small ones:
   * it ends at the container's close, after `runBytes` (at a comma), or before the first member
   * larger than `smallMemberBytes`. `end` is where the run's text ends (exclusive), `next` the
   * close, the comma, or the large member's start.
   */
  private scanRun(from: number, array: boolean, close: number): { stop: 'close' | 'full' | 'large'; end: number; next: number } {
    const bytes = this.bytes;
    const n = bytes.length;
    const { smallMemberBytes, runBytes } = this.limits;
    let depth = 0;
    let memberStart = from;
    let lastComma = -1;
    for (let j = from; j < n; j++) {
      const b = bytes[j]!;
      if (b === Byte.Quote) {
        j = this.stringEnd(j) - 1;
      } else if (b === Byte.OpenObject || b === Byte.OpenArray) {
        depth++;
      } else if (b === Byte.CloseObject || b === Byte.CloseArray) {
        if (depth === 0) {
          if (b !== close) this.syntax(`Expected ',' or '${String.fromCharCode(close)}' after ${array ? 'array element' : 'property value'}`, j);
          return { stop: 'close', end: j, next: j };
        }
        depth--;
      } else if (b === Byte.Comma && depth === 0) {
        if (j === memberStart) this.syntax('Unexpected token \',\'', j);
        if (j - from >= runBytes) return { stop: 'full', end: j, next: j };
        lastComma = j;
        memberStart = j + 1;
        continue;
      }
      if (j - memberStart >= smallMemberBytes) {
        return lastComma < 0 ? { stop: 'large', end: from, next: from } : { stop: 'large', end: lastComma, next: lastComma + 1 };
      }
    }
    return this.syntax('Unexpected end of JSON input', n);
  }

  /** Parses the members in `[from, end)` natively and adds them to `frame`. */
  private parseRun(frame: Frame, from: number, end: number): void {
    const text = this.bytes.toString('utf8', from, end);
    if (frame.array) {
      const values = this.parseText('[' + text + ']', from) as unknown[];
      const target = frame.target as unknown[];
      for (let i = 0; i < values.length; i++) target.push(values[i]);
      return;
    }
    const members = this.parseText('{' + text + '}', from) as Record<string, unknown>;
    const target = frame.target as Record<string, unknown>;
    for (const key of Object.keys(members)) setMember(target, key, members[key]);
  }

  /** A large string (`[start, end)` with its quotes): decoded straight from the bytes unless it has escapes. */
  private async bigString(start: number, end: number): Promise<unknown> {
    const bytes = this.bytes;
    const last = end - 1;
    for (let k = start + 1; k < last; ) {
      const stop = Math.min(last, k + STRING_STEP_BYTES);
      const found = controlOrBackslash(bytes, k, stop);
      if (found >= 0) {
        if (bytes[found]! < 0x20) this.syntax('Bad control character in string literal', found);
        // Escapes: the native parser decodes them (one more copy, rare for large strings).
        return this.native(start, end);
      }
      k = stop;
      if (this.slicer.due) await this.slicer.next();
    }
    return bytes.toString('utf8', start + 1, last);
  }

  /** The position after the closing quote of the string opening at `start`. */
  private stringEnd(start: number): number {
    const end = stringEnd(this.bytes, start);
    return end < 0 ? this.syntax('Unterminated string in JSON', this.bytes.length) : end;
  }

  private skipSpace(at: number): number {
    return skipSpace(this.bytes, at);
  }

  private native(from: number, end: number): unknown {
    return this.parseText(this.bytes.toString('utf8', from, end), from);
  }

  private parseText(text: string, offset: number): unknown {
    try {
      return JSON.parse(text);
    } catch (e) {
      throw new JsonParseError(`${(e as Error).message} (in the member at byte ${offset})`, { cause: e });
    }
  }

  private syntax(message: string, at: number): never {
    throw new JsonParseError(`${message} at byte ${at}`);
  }
}

/**
 * The first position in `[from, to)` holding a control byte (< 0x20) or a backslash, or -1. Looks at
 * four bytes at a time (the "has a byte less than n" and "has a zero byte" word tests).
 */
export function controlOrBackslash(bytes: Buffer, from: number, to: number): number {
  let k = from;
  while (k < to && ((bytes.byteOffset + k) & 3) !== 0) {
    if (bytes[k]! < 0x20 || bytes[k] === Byte.Backslash) return k;
    k++;
  }
  const count = k < to ? (to - k) >>> 2 : 0; // k is aligned when below `to`
  const words = new Uint32Array(bytes.buffer, count > 0 ? bytes.byteOffset + k : 0, count);
  for (let w = 0; w < words.length; w++) {
    const x = words[w]!;
    const y = x ^ 0x5c5c5c5c;
    if ((((x - 0x20202020) & ~x) | ((y - 0x01010101) & ~y)) & 0x80808080) {
      for (let b = k + 4 * w; b < k + 4 * w + 4; b++) if (bytes[b]! < 0x20 || bytes[b] === Byte.Backslash) return b;
    }
  }
  for (k += 4 * words.length; k < to; k++) if (bytes[k]! < 0x20 || bytes[k] === Byte.Backslash) return k;
  return -1;
}

/** Sets a member as `JSON.parse` does: `__proto__` is an own data property, not the prototype. */
function setMember(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  else target[key] = value;
}
