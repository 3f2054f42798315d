/**
 * Reading JSON bodies the way Flux's Go HTTP code does, with Go's error texts:
 *
 * - `decodeFirstValue` = `json.NewDecoder(body).Decode(&v)` (request bodies in the daemon's
 *   handlers, `Get` replies in the client): only the first value counts and whatever follows it is
 *   ignored; no value at all is `EOF`, a value cut short is `unexpected EOF`.
 * - `unmarshalWhole` = `json.Unmarshal(body, &v)` (POST replies and error bodies in the client): the
 *   whole input must be one value (`invalid character 'x' after top-level value`, `unexpected end of
 *   JSON input`).
 *
 * Syntax errors carry Go's message and `Offset` (`*json.SyntaxError`). The common case (a body that
 * is exactly one valid value) is handled by `JSON.parse`; the byte-level scanner, a transcription of
 * the state machine of Go's `encoding/json` scanner, runs only to find where the first value ends or
 * what Go would report.
 */
import { Buffer } from 'node:buffer';
import { UnexpectedEndError } from '../flux/model/errors.js';
import { GO_MAX_NESTING_DEPTH, GoText, goQuoteChar } from '../runtime/go-text.js';

/** Go's `*json.SyntaxError`. */
export class GoJsonSyntaxError extends Error {
  override name = 'GoJsonSyntaxError';
  readonly code = 'FLUXRPC_ERR_JSON_SYNTAX';
  constructor(
    message: string,
    /** Go's `Offset`: bytes read before the error (the bad byte's index + 1). */
    readonly offset: number,
  ) {
    super(message);
  }
}

/** `io.EOF` (`EOF`) or `io.ErrUnexpectedEOF` (`unexpected EOF`) from `json.Decoder.Decode`. */
export class GoJsonEofError extends Error {
  override name = 'GoJsonEofError';
  readonly code = 'FLUXRPC_ERR_JSON_EOF';
  constructor(readonly unexpected: boolean) {
    super(unexpected ? GoText.unexpectedEOF : GoText.eof);
  }
}

/** Go's `maxNestingDepth`. */
const MAX_DEPTH = GO_MAX_NESTING_DEPTH;

const enum Step {
  Continue,
  BeginLiteral,
  BeginObject,
  ObjectKey,
  ObjectValue,
  EndObject,
  BeginArray,
  ArrayValue,
  EndArray,
  SkipSpace,
  End,
  Error,
}

const enum Parse {
  ObjectKey,
  ObjectValue,
  ArrayValue,
}

const enum St {
  BeginValue,
  BeginValueOrEmpty,
  BeginStringOrEmpty,
  BeginString,
  EndValue,
  EndTop,
  InString,
  InStringEsc,
  InStringEscU,
  InStringEscU1,
  InStringEscU12,
  InStringEscU123,
  Neg,
  One,
  Zero,
  Dot,
  Dot0,
  E,
  ESign,
  E0,
  T,
  Tr,
  Tru,
  F,
  Fa,
  Fal,
  Fals,
  N,
  Nu,
  Nul,
  Error,
}

const LITERAL_EXPECT: Partial<Record<St, [expected: number, text: string, next: St]>> = {
  [St.T]: [0x72, GoText.scan.inLiteral('true', 'r'), St.Tr],
  [St.Tr]: [0x75, GoText.scan.inLiteral('true', 'u'), St.Tru],
  [St.Tru]: [0x65, GoText.scan.inLiteral('true', 'e'), St.EndValue],
  [St.F]: [0x61, GoText.scan.inLiteral('false', 'a'), St.Fa],
  [St.Fa]: [0x6c, GoText.scan.inLiteral('false', 'l'), St.Fal],
  [St.Fal]: [0x73, GoText.scan.inLiteral('false', 's'), St.Fals],
  [St.Fals]: [0x65, GoText.scan.inLiteral('false', 'e'), St.EndValue],
  [St.N]: [0x75, GoText.scan.inLiteral('null', 'u'), St.Nu],
  [St.Nu]: [0x6c, GoText.scan.inLiteral('null', 'l'), St.Nul],
  [St.Nul]: [0x6c, GoText.scan.inLiteral('null', 'l'), St.EndValue],
};

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isHexDigit(c: number): boolean {
  return isDigit(c) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);
}

export { goQuoteChar };

/** Go's `scanner`, one byte at a time. */
class Scanner {
  private state: St = St.BeginValue;
  private readonly parseState: Parse[] = [];
  /** Bytes stepped so far (Go's `bytes`, counted before each step). */
  bytes = 0;
  endTop = false;
  err: GoJsonSyntaxError | undefined;

  private error(c: number, context: string): Step {
    this.state = St.Error;
    this.err = new GoJsonSyntaxError(GoText.invalidCharacter(c, context), this.bytes);
    return Step.Error;
  }

  private push(c: number, p: Parse, success: Step): Step {
    this.parseState.push(p);
    return this.parseState.length <= MAX_DEPTH ? success : this.error(c, GoText.scan.exceededMaxDepth);
  }

  private pop(): void {
    this.parseState.pop();
    if (this.parseState.length === 0) {
      this.state = St.EndTop;
      this.endTop = true;
    } else {
      this.state = St.EndValue;
    }
  }

  step(c: number): Step {
    switch (this.state) {
      case St.BeginValueOrEmpty:
        if (isSpace(c)) return Step.SkipSpace;
        if (c === 0x5d) return this.endValue(c);
        return this.beginValue(c);
      case St.BeginValue:
        return this.beginValue(c);
      case St.BeginStringOrEmpty:
        if (isSpace(c)) return Step.SkipSpace;
        if (c === 0x7d) {
          this.parseState[this.parseState.length - 1] = Parse.ObjectValue;
          return this.endValue(c);
        }
        return this.beginString(c);
      case St.BeginString:
        return this.beginString(c);
      case St.EndValue:
        return this.endValue(c);
      case St.EndTop:
        return this.endTopStep(c);
      case St.InString:
        if (c === 0x22) {
          this.state = St.EndValue;
          return Step.Continue;
        }
        if (c === 0x5c) {
          this.state = St.InStringEsc;
          return Step.Continue;
        }
        if (c < 0x20) return this.error(c, GoText.scan.inStringLiteral);
        return Step.Continue;
      case St.InStringEsc:
        if ('bfnrt\\/"'.includes(String.fromCharCode(c))) {
          this.state = St.InString;
          return Step.Continue;
        }
        if (c === 0x75) {
          this.state = St.InStringEscU;
          return Step.Continue;
        }
        return this.error(c, GoText.scan.inStringEscape);
      case St.InStringEscU:
      case St.InStringEscU1:
      case St.InStringEscU12:
      case St.InStringEscU123:
        if (isHexDigit(c)) {
          this.state = this.state === St.InStringEscU123 ? St.InString : this.state + 1;
          return Step.Continue;
        }
        return this.error(c, GoText.scan.inUnicodeEscape);
      case St.Neg:
        if (c === 0x30) {
          this.state = St.Zero;
          return Step.Continue;
        }
        if (c >= 0x31 && c <= 0x39) {
          this.state = St.One;
          return Step.Continue;
        }
        return this.error(c, GoText.scan.inNumericLiteral);
      case St.One:
        if (isDigit(c)) return Step.Continue;
        return this.zero(c);
      case St.Zero:
        return this.zero(c);
      case St.Dot:
        if (isDigit(c)) {
          this.state = St.Dot0;
          return Step.Continue;
        }
        return this.error(c, GoText.scan.afterDecimalPoint);
      case St.Dot0:
        if (isDigit(c)) return Step.Continue;
        if (c === 0x65 || c === 0x45) {
          this.state = St.E;
          return Step.Continue;
        }
        return this.endValue(c);
      case St.E:
        if (c === 0x2b || c === 0x2d) {
          this.state = St.ESign;
          return Step.Continue;
        }
        return this.eSign(c);
      case St.ESign:
        return this.eSign(c);
      case St.E0:
        if (isDigit(c)) return Step.Continue;
        return this.endValue(c);
      case St.Error:
        return Step.Error;
      default: {
        const [expected, text, next] = LITERAL_EXPECT[this.state]!;
        if (c === expected) {
          this.state = next;
          return Step.Continue;
        }
        return this.error(c, text);
      }
    }
  }

  private beginValue(c: number): Step {
    if (isSpace(c)) return Step.SkipSpace;
    switch (c) {
      case 0x7b:
        this.state = St.BeginStringOrEmpty;
        return this.push(c, Parse.ObjectKey, Step.BeginObject);
      case 0x5b:
        this.state = St.BeginValueOrEmpty;
        return this.push(c, Parse.ArrayValue, Step.BeginArray);
      case 0x22:
        this.state = St.InString;
        return Step.BeginLiteral;
      case 0x2d:
        this.state = St.Neg;
        return Step.BeginLiteral;
      case 0x30:
        this.state = St.Zero;
        return Step.BeginLiteral;
      case 0x74:
        this.state = St.T;
        return Step.BeginLiteral;
      case 0x66:
        this.state = St.F;
        return Step.BeginLiteral;
      case 0x6e:
        this.state = St.N;
        return Step.BeginLiteral;
    }
    if (c >= 0x31 && c <= 0x39) {
      this.state = St.One;
      return Step.BeginLiteral;
    }
    return this.error(c, GoText.scan.beginningOfValue);
  }

  private beginString(c: number): Step {
    if (isSpace(c)) return Step.SkipSpace;
    if (c === 0x22) {
      this.state = St.InString;
      return Step.BeginLiteral;
    }
    return this.error(c, GoText.scan.beginningOfObjectKey);
  }

  private zero(c: number): Step {
    if (c === 0x2e) {
      this.state = St.Dot;
      return Step.Continue;
    }
    if (c === 0x65 || c === 0x45) {
      this.state = St.E;
      return Step.Continue;
    }
    return this.endValue(c);
  }

  private eSign(c: number): Step {
    if (isDigit(c)) {
      this.state = St.E0;
      return Step.Continue;
    }
    return this.error(c, GoText.scan.inExponent);
  }

  endValue(c: number): Step {
    const n = this.parseState.length;
    if (n === 0) {
      this.state = St.EndTop;
      this.endTop = true;
      return this.endTopStep(c);
    }
    if (isSpace(c)) {
      this.state = St.EndValue;
      return Step.SkipSpace;
    }
    switch (this.parseState[n - 1]!) {
      case Parse.ObjectKey:
        if (c === 0x3a) {
          this.parseState[n - 1] = Parse.ObjectValue;
          this.state = St.BeginValue;
          return Step.ObjectKey;
        }
        return this.error(c, GoText.scan.afterObjectKey);
      case Parse.ObjectValue:
        if (c === 0x2c) {
          this.parseState[n - 1] = Parse.ObjectKey;
          this.state = St.BeginString;
          return Step.ObjectValue;
        }
        if (c === 0x7d) {
          this.pop();
          return Step.EndObject;
        }
        return this.error(c, GoText.scan.afterObjectKeyValue);
      case Parse.ArrayValue:
        if (c === 0x2c) {
          this.state = St.BeginValue;
          return Step.ArrayValue;
        }
        if (c === 0x5d) {
          this.pop();
          return Step.EndArray;
        }
        return this.error(c, GoText.scan.afterArrayElement);
    }
  }

  private endTopStep(c: number): Step {
    // Go records the complaint for the next call but still reports the end of the value.
    if (!isSpace(c)) this.error(c, GoText.scan.afterTopLevelValue);
    return Step.End;
  }

  /** Go's `eof()`: can the input end here? */
  eof(): Step {
    if (this.err !== undefined) return Step.Error;
    if (this.endTop) return Step.End;
    this.step(0x20);
    if (this.endTop) return Step.End;
    this.err ??= new GoJsonSyntaxError(GoText.unexpectedEndOfInput, this.bytes);
    return Step.Error;
  }
}

const utf8 = (bytes: Uint8Array, start = 0, end = bytes.length) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8', start, end);

/** Whether `JSON.parse` can be trusted with this text to agree with Go (nesting under Go's limit). */
function shallowEnough(text: string): boolean {
  if (text.length <= MAX_DEPTH) return true;
  let opens = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c === 0x5b || c === 0x7b) && ++opens > MAX_DEPTH) return false;
  }
  return true;
}

function tryParse(text: string): { ok: true; value: unknown } | { ok: false } {
  if (!shallowEnough(text)) return { ok: false };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/**
 * `json.NewDecoder(bytes).Decode(&v)`: the first JSON value of `bytes`, parsed. Throws
 * `GoJsonEofError` (no value / a cut-short value) or `GoJsonSyntaxError`.
 */
export function decodeFirstValue(bytes: Uint8Array): unknown {
  const whole = tryParse(utf8(bytes));
  if (whole.ok) return whole.value;
  const s = new Scanner();
  let i = 0;
  let end = -1;
  for (; i < bytes.length; i++) {
    s.bytes++;
    const step = s.step(bytes[i]!);
    if (step === Step.End) {
      // The byte after a scalar ends it; that byte is not part of the value.
      end = i;
      break;
    }
    if (step === Step.EndObject || step === Step.EndArray) {
      if (s.endTop) {
        end = i + 1;
        break;
      }
    } else if (step === Step.Error) {
      throw s.err!;
    }
  }
  if (end < 0) {
    // End of input: a scalar may be complete; otherwise Go reports EOF or unexpected EOF.
    if (s.step(0x20) === Step.End) end = bytes.length;
    else throw new GoJsonEofError(bytes.some((c) => !isSpace(c)));
  }
  return JSON.parse(utf8(bytes, 0, end));
}

/**
 * `json.Unmarshal(bytes, &v)`'s validity check, then the value. Throws `GoJsonSyntaxError` with
 * Go's message (`unexpected end of JSON input` for empty or cut-short input).
 */
export function unmarshalWhole(bytes: Uint8Array): unknown {
  const text = utf8(bytes);
  const whole = tryParse(text);
  if (whole.ok) return whole.value;
  const s = new Scanner();
  for (let i = 0; i < bytes.length; i++) {
    s.bytes++;
    if (s.step(bytes[i]!) === Step.Error) throw s.err!;
    if (s.err !== undefined) throw s.err; // "after top-level value" (recorded with a scanEnd)
  }
  if (s.eof() === Step.Error) throw s.err!;
  return JSON.parse(text);
}

/**
 * What `json.Marshal(err)` writes for an error value, as Flux's `WriteError` sends it under JSON
 * negotiation: a `*json.SyntaxError` has one exported field (`{"Offset":N}`; the model's
 * `unexpected end of JSON input`, Go's `json.Unmarshal` of no bytes, is one with offset 0); a plain
 * Go error has none (`{}`).
 */
export function goErrorValueJson(err: Error): string {
  if (err instanceof GoJsonSyntaxError) return `{"Offset":${err.offset}}`;
  if (err instanceof UnexpectedEndError) return '{"Offset":0}';
  return '{}';
}
