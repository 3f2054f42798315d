/**
 * Go's `fmt.Sscanf` for formats made of literal text, white space and `%d` verbs into integers of
 * a given bit size: the subset the rollout-status polyfill needs (`"%d out of %d updated"`,
 * docs/rpc.md §6.4.1), with Go's behaviour in full for that subset:
 *
 * - a value is stored only once its verb has scanned completely, so a partial scan has stored the
 *   values before the failure (`count` says how many; flux relies on this side effect);
 * - `%d` skips leading spaces (not newlines), takes an optional sign and decimal digits; a value
 *   beyond int64 fails as `strconv.ParseInt` does, one beyond the bit size as
 *   `integer overflow on token <tok>`; nothing is stored for a failing verb;
 * - a run of spaces in the format needs one or more spaces in the input (or its end); a newline in
 *   the format matches spaces then a newline or the end; literal text must match exactly;
 * - once the last verb has scanned, what follows may fail to match without undoing anything.
 *
 * "Space" is Go's `isSpace` (Unicode white space below U+10000). Errors carry Go's texts (`EOF`,
 * `unexpected EOF`, `expected integer`, `input does not match format`, …), pinned by vectors made
 * with Go's own `fmt.Sscanf`.
 */
import { GoText } from '../../runtime/go-text.js';

const EOF = -1;

/** Go's `fmt` white-space table (`isSpace`). */
const SPACE_RANGES: readonly (readonly [number, number])[] = [
  [0x0009, 0x000d],
  [0x0020, 0x0020],
  [0x0085, 0x0085],
  [0x00a0, 0x00a0],
  [0x1680, 0x1680],
  [0x2000, 0x200a],
  [0x2028, 0x2029],
  [0x202f, 0x202f],
  [0x205f, 0x205f],
  [0x3000, 0x3000],
];

function isSpace(r: number): boolean {
  if (r < 0 || r >= 0x10000) return false;
  for (const [lo, hi] of SPACE_RANGES) {
    if (r < lo) return false;
    if (r <= hi) return true;
  }
  return false;
}

const NEWLINE = 0x0a;
const CR = 0x0d;
const PERCENT = 0x25;
const PLUS = 0x2b;
const MINUS = 0x2d;
const isDigit = (r: number): boolean => r >= 0x30 && r <= 0x39;

export interface ScanResult {
  /** How many verbs scanned (Go's `n`). */
  readonly count: number;
  /** The values stored, one per verb that scanned (`values.length === count`). */
  readonly values: readonly number[];
  /** Go's error text, if the scan stopped with one. */
  readonly error: string | undefined;
}

/** A scan failure (Go panics with `scanError` and recovers in `errorHandler`). */
class ScanFailure {
  constructor(readonly message: string) {}
}

/** The input as code points, read one at a time with a one-rune undo. */
class Input {
  private readonly runes: number[];
  private pos = 0;
  constructor(text: string) {
    this.runes = Array.from(text, (c) => c.codePointAt(0)!);
  }

  get(): number {
    return this.pos < this.runes.length ? this.runes[this.pos++]! : EOF;
  }

  /** Only ever called right after `get` returned a rune (never after EOF), as in Go. */
  unget(): void {
    this.pos--;
  }

  /** `mustReadRune`: EOF here is `unexpected EOF`. */
  must(): number {
    const r = this.get();
    if (r === EOF) throw new ScanFailure(GoText.unexpectedEOF);
    return r;
  }

  /** `notEOF`: Go panics with io.EOF itself. */
  notEOF(): void {
    if (this.get() === EOF) throw new ScanFailure('EOF');
    this.unget();
  }

  /** `accept`: consumes the next rune if `ok` holds for it. */
  accept(ok: (r: number) => boolean): number | undefined {
    const r = this.get();
    if (r === EOF) return undefined;
    if (ok(r)) return r;
    this.unget();
    return undefined;
  }

  /** `SkipSpace` for Sscanf (newlines are not spaces; `\r\n` counts as a newline). */
  skipSpace(): void {
    for (;;) {
      const r = this.get();
      if (r === EOF) return;
      if (r === CR && this.peekNewline()) continue;
      if (r === NEWLINE) throw new ScanFailure('unexpected newline');
      if (!isSpace(r)) {
        this.unget();
        return;
      }
    }
  }

  private peekNewline(): boolean {
    const r = this.get();
    if (r !== EOF) this.unget();
    return r === NEWLINE;
  }
}

/** `%d` into an integer of `bitSize` bits (`scanInt`). */
function scanInt(input: Input, bitSize: number): number {
  input.skipSpace();
  input.notEOF();
  let token = '';
  const sign = input.accept((r) => r === PLUS || r === MINUS);
  if (sign !== undefined) token += String.fromCodePoint(sign);
  input.notEOF();
  let digit = input.accept(isDigit);
  if (digit === undefined) throw new ScanFailure('expected integer');
  while (digit !== undefined) {
    token += String.fromCodePoint(digit);
    digit = input.accept(isDigit);
  }
  const value = BigInt(token);
  if (value < -(2n ** 63n) || value >= 2n ** 63n) {
    throw new ScanFailure(`strconv.ParseInt: parsing "${token}": value out of range`);
  }
  const limit = 2n ** BigInt(bitSize - 1);
  if (value < -limit || value >= limit) throw new ScanFailure(`integer overflow on token ${token}`);
  return Number(value);
}

/**
 * Go's `advance`: matches format text from `i` up to the next verb. Returns the number of format
 * runes consumed (0 at a verb), or -1 when a literal did not match.
 */
function advance(input: Input, format: readonly number[], start: number): number {
  let i = start;
  while (i < format.length) {
    let f = format[i]!;
    if (isSpace(f)) {
      let newlines = 0;
      let trailingSpace = false;
      while (i < format.length && isSpace(f)) {
        if (f === NEWLINE) {
          newlines++;
          trailingSpace = false;
        } else {
          trailingSpace = true;
        }
        i++;
        f = format[i] ?? EOF;
      }
      for (let j = 0; j < newlines; j++) {
        let r = input.get();
        while (isSpace(r) && r !== NEWLINE) r = input.get();
        if (r !== NEWLINE && r !== EOF) throw new ScanFailure('newline in format does not match input');
      }
      if (trailingSpace) {
        let r = input.get();
        if (newlines === 0) {
          if (!isSpace(r) && r !== EOF) throw new ScanFailure('expected space in input to match format');
          if (r === NEWLINE) throw new ScanFailure('newline in input does not match format');
        }
        while (isSpace(r) && r !== NEWLINE) r = input.get();
        if (r !== EOF) input.unget();
      }
      continue;
    }
    if (f === PERCENT) {
      if (i + 1 === format.length) throw new ScanFailure('missing verb: % at end of format string');
      if (format[i + 1] !== PERCENT) return i - start;
      i++;
    }
    const r = input.must();
    if (r !== f) {
      input.unget();
      return -1;
    }
    i++;
  }
  return i - start;
}

/**
 * `fmt.Sscanf(input, format, &v1, &v2, …)` with one `intN` target per `%d` in `format` (`bitSize`
 * 32 for flux's `int32` fields). Formats may hold literal text, white space, `%%` and `%d` only.
 */
export function sscanfInts(input: string, format: string, bitSize = 32): ScanResult {
  const fmt = Array.from(format, (c) => c.codePointAt(0)!);
  const verbs = countVerbs(fmt);
  const reader = new Input(input);
  const values: number[] = [];
  let error: string | undefined;
  try {
    for (let i = 0; i < fmt.length; ) {
      const w = advance(reader, fmt, i);
      if (w > 0) {
        i += w;
        continue;
      }
      if (fmt[i] !== PERCENT) {
        if (w < 0) throw new ScanFailure('input does not match format');
        break;
      }
      i += 2; // '%' and 'd' (checked by countVerbs)
      reader.skipSpace();
      values.push(scanInt(reader, bitSize));
    }
    if (values.length < verbs) throw new ScanFailure('too many operands');
  } catch (e) {
    if (!(e instanceof ScanFailure)) throw e;
    error = e.message;
  }
  return { count: values.length, values, error };
}

function countVerbs(fmt: readonly number[]): number {
  let n = 0;
  for (let i = 0; i < fmt.length; i++) {
    if (fmt[i] !== PERCENT) continue;
    const next = fmt[i + 1];
    if (next === PERCENT) i++;
    else if (next === 0x64) n++;
    else throw new TypeError(`sscanfInts supports %d and %% only, not in ${JSON.stringify(String.fromCodePoint(...fmt))}`);
  }
  return n;
}
