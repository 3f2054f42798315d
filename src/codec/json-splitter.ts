/**
 * Splits a byte stream into complete top-level JSON values, as Go's streaming `json.Decoder` does,
 * however the bytes are chunked. An explicit state machine keeps its state between chunks, so every
 * byte is looked at once and the bytes of a value split across chunks are concatenated once, when
 * the value is complete. String bodies are skipped with a native `indexOf` for the closing quote.
 *
 * What it accepts (docs/wire.md §1): values one after another, with or without JSON whitespace between
 * them; an object, array or string is complete at its closing byte; a top-level scalar only once the
 * next byte (or the end of the stream) shows where it ends. It checks framing only: each value's
 * text is validated by whoever parses it.
 */
import { Buffer } from 'node:buffer';
import { CodecError } from './errors.js';
import { GoText } from '../runtime/go-text.js';

export const DEFAULT_MAX_VALUE_BYTES = 64 * 1024 * 1024;

export interface SplitterOptions {
  /** The largest value accepted, in bytes (default 64 MiB). A larger one is a permanent error. */
  maxValueBytes?: number;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

const enum State {
  Between = 0, // between values, skipping whitespace
  Container = 1, // inside an object or array, outside strings
  String = 2, // inside a string (top-level or nested)
  Scalar = 3, // inside a top-level number or literal
}

function isWhitespace(b: number): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
}

/** Bytes a number or `true`/`false`/`null` literal can contain; anything else ends a scalar. */
function isScalarByte(b: number): boolean {
  return (b >= 0x30 && b <= 0x39) || (b >= 0x61 && b <= 0x7a) || (b >= 0x41 && b <= 0x5a) || b === 0x2d || b === 0x2b || b === 0x2e;
}

function startsScalar(b: number): boolean {
  return (b >= 0x30 && b <= 0x39) || b === 0x2d || b === 0x74 || b === 0x66 || b === 0x6e;
}

export class JsonStreamSplitter {
  private readonly maxValueBytes: number;
  private state: State = State.Between;
  private depth = 0;
  /** The previous chunk ended inside a string after an odd number of backslashes. */
  private escapePending = false;
  /** Earlier chunks' bytes of the value being read. */
  private pieces: Buffer[] = [];
  private pendingBytes = 0;
  private failure: CodecError | undefined;

  constructor(
    private readonly onValue: (text: string) => void,
    options: SplitterOptions = {},
  ) {
    const max = options.maxValueBytes ?? DEFAULT_MAX_VALUE_BYTES;
    if (!Number.isInteger(max) || max <= 0) throw new RangeError(`maxValueBytes must be a positive integer, got ${max}`);
    this.maxValueBytes = max;
  }

  /** True when no value is partly read (the stream may end cleanly here). */
  get idle(): boolean {
    return this.state === State.Between;
  }

  /**
   * Feeds the next chunk. Calls `onValue` for each value it completes, in order. Throws a
   * `CodecError` on malformed framing or an oversize value; after that every call throws it again.
   */
  push(chunk: Buffer): void {
    if (this.failure) throw this.failure;
    const n = chunk.length;
    let i = 0;
    let start = this.state === State.Between ? -1 : 0;
    while (i < n) {
      switch (this.state) {
        case State.Between: {
          const b = chunk[i]!;
          if (isWhitespace(b)) {
            i++;
            continue;
          }
          start = i;
          i++;
          if (b === 0x7b || b === 0x5b) {
            this.state = State.Container;
            this.depth = 1;
          } else if (b === QUOTE) {
            this.state = State.String;
            this.depth = 0;
          } else if (startsScalar(b)) {
            this.state = State.Scalar;
          } else {
            this.fail('FLUXRPC_ERR_MALFORMED', GoText.invalidCharacter(b, GoText.scan.beginningOfValue));
          }
          continue;
        }
        case State.Scalar: {
          while (i < n && isScalarByte(chunk[i]!)) i++;
          if (i < n) this.complete(chunk, start, i);
          continue;
        }
        case State.String: {
          if (this.escapePending) {
            this.escapePending = false;
            i++;
            continue;
          }
          const from = i;
          let q = chunk.indexOf(QUOTE, i);
          while (q !== -1 && oddBackslashesBefore(chunk, q, from)) q = chunk.indexOf(QUOTE, q + 1);
          if (q === -1) {
            this.escapePending = oddBackslashesBefore(chunk, n, from);
            i = n;
            continue;
          }
          i = q + 1;
          if (this.depth === 0) this.complete(chunk, start, i);
          else this.state = State.Container;
          continue;
        }
        case State.Container: {
          // Hot loop: stay here until a string starts or the value ends.
          let depth = this.depth;
          for (; i < n; i++) {
            const b = chunk[i]!;
            if (b === QUOTE) break;
            if (b === 0x7b || b === 0x5b) depth++;
            else if (b === 0x7d || b === 0x5d) {
              if (--depth === 0) break;
            }
          }
          this.depth = depth;
          if (i === n) continue;
          i++;
          if (depth === 0) this.complete(chunk, start, i);
          else this.state = State.String;
          continue;
        }
      }
    }
    if (this.state !== State.Between) this.keep(chunk, start);
  }

  /**
   * Marks the end of the stream. A top-level scalar that was waiting for a delimiter is complete;
   * a value cut short is an `unexpected EOF` error.
   */
  end(): void {
    if (this.failure) throw this.failure;
    if (this.state === State.Scalar) {
      const text = Buffer.concat(this.pieces, this.pendingBytes).toString('utf8');
      this.reset();
      this.onValue(text);
      return;
    }
    if (this.state !== State.Between) this.fail('FLUXRPC_ERR_UNEXPECTED_EOF', GoText.unexpectedEOF);
  }

  private complete(chunk: Buffer, start: number, end: number): void {
    const size = this.pendingBytes + (end - start);
    if (size > this.maxValueBytes) this.oversize(size);
    let text: string;
    if (this.pieces.length === 0) {
      text = chunk.toString('utf8', start, end);
    } else {
      this.pieces.push(chunk.subarray(0, end));
      text = Buffer.concat(this.pieces, size).toString('utf8');
    }
    this.reset();
    this.onValue(text);
  }

  private keep(chunk: Buffer, start: number): void {
    const piece = start === 0 ? chunk : chunk.subarray(start);
    this.pendingBytes += piece.length;
    if (this.pendingBytes > this.maxValueBytes) this.oversize(this.pendingBytes);
    this.pieces.push(piece);
  }

  private reset(): void {
    this.state = State.Between;
    this.depth = 0;
    this.escapePending = false;
    this.pieces = [];
    this.pendingBytes = 0;
  }

  private oversize(size: number): never {
    this.fail('FLUXRPC_ERR_OVERSIZE', `JSON value exceeds the limit of ${this.maxValueBytes} bytes (at least ${size} bytes)`);
  }

  private fail(code: CodecError['code'], message: string): never {
    this.pieces = [];
    this.pendingBytes = 0;
    this.failure = new CodecError(code, message);
    throw this.failure;
  }
}

/** Whether the run of backslashes ending just before `pos` (not looking before `from`) is odd. */
function oddBackslashesBefore(chunk: Buffer, pos: number, from: number): boolean {
  let k = pos - 1;
  while (k >= from && chunk[k] === BACKSLASH) k--;
  return ((pos - 1 - k) & 1) === 1;
}
