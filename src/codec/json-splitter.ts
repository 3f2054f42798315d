/**
 * Splits a byte stream into complete top-level JSON values, as Go's streaming `json.Decoder` does,
 * however the bytes are chunked. An explicit state machine keeps its state between chunks, so every
 * byte is looked at once. String bodies are skipped with a native `indexOf` for the closing quote.
 *
 * What it accepts (docs/wire.md §1): values one after another, with or without JSON whitespace
 * between them; an object, array or string is complete at its closing byte; a top-level scalar only
 * once the next byte (or the end of the stream) shows where it ends. It checks framing, not each
 * value's text (whoever parses the value does that), plus three bounds on what a peer can make a
 * value cost:
 *
 * - **Bytes held.** A value that ends in the chunk it started in is handed on as a view of that
 *   chunk, without a copy. A value spread over chunks is copied into one buffer that grows by
 *   doubling, and what counts against `maxValueBytes` is that buffer's capacity: memory held for a
 *   partial value is at most twice its payload (at least 256 bytes), however it is fragmented (a
 *   view per chunk would pin a buffer object per byte for 1-byte chunks). When the transport told
 *   how many bytes are on their way (`expect`: a websocket frame's declared length), the buffer
 *   doubles only up to that length, and is made exactly that large once at least half of it has
 *   arrived (one copy fewer and no overshoot: a 32 MiB reply ends in a 32 MiB buffer, not 64).
 *   The 2× bound holds for a peer that declares much and sends little, and a frame beyond the
 *   transport's own message limit is refused before its length is told.
 * - **Elements.** `{`, `[` and `,` outside strings are counted; a value with more than
 *   `maxValueElements` is refused. The cost of parsing and decoding a value grows with its elements
 *   (`[{},{},…]`: 3 bytes each, each decoded into a full struct), not only with its bytes.
 * - **Depth.** Nesting deeper than Go's limit (`GO_MAX_NESTING_DEPTH`, 10,000) is Go's syntax error
 *   `invalid character '[' exceeded max depth`, at the byte that goes too deep.
 *
 * With `structType` set, every top-level value is known to be decoded into that Go struct (the
 * jsonrpc envelopes). A value that cannot be one — array, string, number, `true`/`false` — is
 * refused at its first byte with Go's `json: cannot unmarshal <kind> into Go value of type <type>`,
 * instead of being read whole first as Go's decoder does (the outcome is the same error; only a
 * value that is also malformed further on gets that error where Go would report the syntax error).
 * `null` is accepted (Go decodes it into a struct as a no-op, and the RPC layers answer it as Go
 * does), and is checked byte by byte (`invalid character 'x' in literal null (expecting 'u')`), so a
 * top-level scalar can never grow beyond 4 bytes.
 */
import { Buffer } from 'node:buffer';
import { CodecError } from './errors.js';
import { Byte, isJsonSpace, oddBackslashesBefore } from './json-scan.js';
import { GO_MAX_NESTING_DEPTH, GoText } from '../runtime/go-text.js';

export const DEFAULT_MAX_VALUE_BYTES = 64 * 1024 * 1024;
/**
 * 4 Mi elements. Realistic replies have far fewer per byte: the ListServices fixture (50 workloads
 * with images) has one element per 38 bytes, 1.75 M in 64 MiB; the limit leaves more than twice
 * that. `[{},{},…]` reaches it in 12 MB, and 4 M decoded workloads cost about 1 GB, so lower it
 * where daemons are known to be small.
 */
export const DEFAULT_MAX_VALUE_ELEMENTS = 4 * 1024 * 1024;

export interface SplitterOptions {
  /**
   * The most bytes held for one value (default 64 MiB), counting the capacity of the buffer a
   * fragmented value is gathered in. A larger value is a permanent `FLUXRPC_ERR_OVERSIZE` error.
   */
  maxValueBytes?: number;
  /**
   * The most structural elements (`{`, `[`, `,` outside strings) in one value (default 4 Mi). More
   * is a permanent `FLUXRPC_ERR_TOO_MANY_ELEMENTS` error.
   */
  maxValueElements?: number;
  /**
   * The Go struct type every top-level value is decoded into, as Go names it in errors (e.g.
   * `jsonrpc.clientResponse`): values that cannot be one are refused at their first byte.
   */
  structType?: string;
  /**
   * How many bytes the buffer of a fragmented value may grow by beyond what the bytes received
   * strictly need (default: no bound, the buffer doubles). Asked at each growth, e.g. the room
   * left in a shared budget: when doubling would take more, the buffer grows to what is needed
   * (plus that room), so a growth never adds more than the room or one chunk. A later growth
   * with room doubles again, so copies stay linear in the value's size.
   */
  growthRoom?: () => number;
}

/** The smallest buffer a fragmented value is gathered in. */
const MIN_HOLD_BYTES = 256;

const enum State {
  Between = 0, // between values, skipping whitespace
  Container = 1, // inside an object or array, outside strings
  String = 2, // inside a string (top-level or nested)
  Scalar = 3, // inside a top-level number or literal
  Null = 4, // inside a top-level `null` (struct mode), `literal` bytes read so far
}

/** Bytes a number or `true`/`false`/`null` literal can contain; anything else ends a scalar. */
function isScalarByte(b: number): boolean {
  return (b >= 0x30 && b <= 0x39) || (b >= 0x61 && b <= 0x7a) || (b >= 0x41 && b <= 0x5a) || b === 0x2d || b === 0x2b || b === 0x2e;
}

function startsScalar(b: number): boolean {
  return (b >= 0x30 && b <= 0x39) || b === 0x2d || b === 0x74 || b === 0x66 || b === 0x6e;
}

/** The JSON kind Go names for a value starting with `b` (`b` starts a value), for struct-mode refusals. */
function kindOfFirstByte(b: number): string | undefined {
  if (b === Byte.OpenArray) return 'array';
  if (b === Byte.Quote) return 'string';
  if (b === 0x74 || b === 0x66) return 'bool';
  if ((b >= 0x30 && b <= 0x39) || b === 0x2d) return 'number';
  return undefined;
}

const NULL_LITERAL = 'null';

export class JsonStreamSplitter {
  private readonly maxValueBytes: number;
  private readonly maxValueElements: number;
  private readonly structType: string | undefined;
  private readonly growthRoom: (() => number) | undefined;
  private state: State = State.Between;
  private depth = 0;
  private elements = 0;
  /** Bytes of `null` read so far (State.Null). */
  private literal = 0;
  /** The previous chunk ended inside a string after an odd number of backslashes. */
  private escapePending = false;
  /** Earlier chunks' bytes of the value being read, gathered in one growing buffer. */
  private held: Buffer | undefined;
  private heldLength = 0;
  /** A chunk pushed only up to `scanned` so far (`push(chunk, to)`), and where its partial value starts (-1: held). */
  private current: Buffer | undefined;
  private scanned = 0;
  private currentStart = -1;
  /** How much of the current chunk is already copied into `held`. */
  private appended = 0;
  /** Bytes the peer declared beyond the chunk being pushed (`expect`), not yet pushed. */
  private declared = 0;
  private failure: CodecError | undefined;

  /**
   * `onValue` gets each complete value's bytes, in order. They may be a view of the chunk being
   * pushed: copy them to keep them beyond the pushed chunk's life if that chunk is reused.
   */
  constructor(
    private readonly onValue: (bytes: Buffer) => void,
    options: SplitterOptions = {},
  ) {
    this.maxValueBytes = positiveInteger('maxValueBytes', options.maxValueBytes ?? DEFAULT_MAX_VALUE_BYTES);
    this.maxValueElements = positiveInteger('maxValueElements', options.maxValueElements ?? DEFAULT_MAX_VALUE_ELEMENTS);
    this.structType = options.structType;
    this.growthRoom = options.growthRoom;
  }

  /**
   * The peer declared `bytes` more bytes from the next chunk pushed on (a size hint: see the module
   * note). Hints add up; each chunk pushed uses up its length of them.
   */
  expect(bytes: number): void {
    if (bytes > 0) this.declared += bytes;
  }

  /** True when no value is partly read (the stream may end cleanly here). */
  get idle(): boolean {
    return this.state === State.Between;
  }

  /** Bytes held for the value being read: the capacity of its buffer (0 between values). */
  get heldBytes(): number {
    return this.held?.length ?? 0;
  }

  /**
   * Feeds the next chunk, or its bytes up to `to` (then feed the rest of the same chunk with later
   * calls, in order, ending at its length: a huge chunk can be scanned in steps, and a value inside
   * it is still handed on as a view, not copied). Calls `onValue` for each value it completes, in
   * order. Throws a `CodecError` on malformed framing or a value over a limit; after that every
   * call throws it again.
   */
  push(chunk: Buffer, to: number = chunk.length): void {
    if (this.failure) throw this.failure;
    let i: number;
    /** Where the value being read starts in this chunk; -1 when it started in an earlier one (held). */
    let start: number;
    if (chunk === this.current) {
      i = this.scanned;
      start = this.state === State.Between ? -1 : this.currentStart;
    } else {
      if (this.current !== undefined) throw new Error('JsonStreamSplitter: the previous chunk was not pushed to its end');
      i = 0;
      start = -1;
      this.appended = 0;
      this.declared = Math.max(0, this.declared - chunk.length);
    }
    const n = to;
    // String bodies are searched for their closing quote only up to `to`.
    const bounded = n < chunk.length ? chunk.subarray(0, n) : chunk;
    while (i < n) {
      switch (this.state) {
        case State.Between: {
          const b = chunk[i]!;
          if (isJsonSpace(b)) {
            i++;
            continue;
          }
          start = i;
          i++;
          if (this.structType !== undefined && b !== Byte.OpenObject && b !== 0x6e) {
            const kind = kindOfFirstByte(b);
            if (kind !== undefined) this.fail('FLUXRPC_ERR_WRONG_TYPE', GoText.cannotUnmarshal(kind, this.structType));
          }
          if (b === Byte.OpenObject || b === Byte.OpenArray) {
            this.state = State.Container;
            this.depth = 1;
            this.elements = 1;
          } else if (b === Byte.Quote) {
            this.state = State.String;
            this.depth = 0;
          } else if (b === 0x6e && this.structType !== undefined) {
            this.state = State.Null;
            this.literal = 1;
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
        case State.Null: {
          if (this.literal === NULL_LITERAL.length) {
            // Complete at the next byte, whatever it is (Go's decoder ends a top-level literal there).
            this.complete(chunk, start, i);
            continue;
          }
          const b = chunk[i]!;
          const want = NULL_LITERAL.charCodeAt(this.literal);
          if (b !== want) this.fail('FLUXRPC_ERR_MALFORMED', GoText.invalidCharacter(b, GoText.scan.inLiteral(NULL_LITERAL, String.fromCharCode(want))));
          this.literal++;
          i++;
          continue;
        }
        case State.String: {
          if (this.escapePending) {
            this.escapePending = false;
            i++;
            continue;
          }
          const from = i;
          let q = bounded.indexOf(Byte.Quote, i);
          while (q !== -1 && oddBackslashesBefore(chunk, q, from)) q = bounded.indexOf(Byte.Quote, q + 1);
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
          let elements = this.elements;
          for (; i < n; i++) {
            const b = chunk[i]!;
            if (b === Byte.Quote) break;
            if (b === Byte.Comma) elements++;
            else if (b === Byte.OpenObject || b === Byte.OpenArray) {
              elements++;
              if (++depth > GO_MAX_NESTING_DEPTH) this.fail('FLUXRPC_ERR_MALFORMED', GoText.invalidCharacter(b, GoText.scan.exceededMaxDepth));
            } else if (b === Byte.CloseObject || b === Byte.CloseArray) {
              if (--depth === 0) break;
            }
          }
          this.depth = depth;
          this.elements = elements;
          if (elements > this.maxValueElements) this.tooManyElements();
          if (i === n) continue;
          i++;
          if (depth === 0) this.complete(chunk, start, i);
          else this.state = State.String;
          continue;
        }
      }
    }
    if (n < chunk.length) {
      // More of this chunk to come: a value that started in it stays where it is.
      this.current = chunk;
      this.scanned = n;
      this.currentStart = start;
      if (this.state !== State.Between && start < 0) {
        this.keep(chunk, this.appended, n);
        this.appended = n;
      }
      return;
    }
    this.current = undefined;
    if (this.state !== State.Between) this.keep(chunk, start < 0 ? this.appended : start, n);
  }

  /** Drops what is held for a partial value; every later call throws (the reader is done with the stream). */
  discard(): void {
    if (!this.failure) {
      this.held = undefined;
      this.heldLength = 0;
      this.current = undefined;
      this.failure = new CodecError('FLUXRPC_ERR_UNEXPECTED_EOF', 'the splitter was discarded');
    }
  }

  /**
   * Marks the end of the stream. A top-level scalar that was waiting for a delimiter is complete;
   * a value cut short is an `unexpected EOF` error.
   */
  end(): void {
    if (this.failure) throw this.failure;
    if (this.state === State.Scalar || (this.state === State.Null && this.literal === NULL_LITERAL.length)) {
      const bytes = this.held!.subarray(0, this.heldLength);
      this.reset();
      this.onValue(bytes);
      return;
    }
    if (this.state !== State.Between) this.fail('FLUXRPC_ERR_UNEXPECTED_EOF', GoText.unexpectedEOF);
  }

  /** The value ends at `end` of `chunk`; it started at `start` there, or in an earlier chunk (`start` < 0). */
  private complete(chunk: Buffer, start: number, end: number): void {
    let bytes: Buffer;
    if (start >= 0) {
      if (end - start > this.maxValueBytes) this.oversize(end - start);
      bytes = chunk.subarray(start, end);
    } else {
      this.keep(chunk, this.appended, end);
      bytes = this.held!.subarray(0, this.heldLength);
    }
    this.reset();
    this.onValue(bytes);
  }

  /** Appends `chunk[from, to)` to the held bytes of the value being read. */
  private keep(chunk: Buffer, from: number, to: number): void {
    const add = to - from;
    const need = this.heldLength + add;
    if (need > this.maxValueBytes) this.oversize(need);
    let held = this.held;
    if (held === undefined || need > held.length) {
      const old = held?.length ?? 0;
      // With a declared length (the rest of this chunk, then the hint), the message's end bounds
      // what this value can still need. It is believed only as far as the 2× bound allows: reserved
      // at once when it is at most twice what has arrived; until then the buffer doubles, never past
      // it (a peer that declares much and sends little holds no more than without a hint).
      let target = 2 * old;
      if (this.declared > 0) {
        const arrived = need + (chunk.length - to);
        const declared = arrived + this.declared;
        target = declared <= 2 * arrived ? declared : Math.min(target, declared);
      }
      let capacity = Math.min(this.maxValueBytes, Math.max(need, MIN_HOLD_BYTES, target));
      if (this.growthRoom !== undefined) capacity = Math.max(need, Math.min(capacity, old + Math.max(0, this.growthRoom())));
      const grown = Buffer.allocUnsafe(capacity);
      if (held !== undefined) held.copy(grown, 0, 0, this.heldLength);
      this.held = held = grown;
    }
    if (add <= 8) {
      for (let k = from, at = this.heldLength; k < to; k++) held[at++] = chunk[k]!;
    } else {
      chunk.copy(held, this.heldLength, from, to);
    }
    this.heldLength = need;
  }

  private reset(): void {
    this.state = State.Between;
    this.depth = 0;
    this.elements = 0;
    this.literal = 0;
    this.escapePending = false;
    this.held = undefined;
    this.heldLength = 0;
  }

  private oversize(size: number): never {
    this.fail('FLUXRPC_ERR_OVERSIZE', `JSON value exceeds the limit of ${this.maxValueBytes} bytes (at least ${size} bytes)`);
  }

  private tooManyElements(): never {
    this.fail('FLUXRPC_ERR_TOO_MANY_ELEMENTS', `JSON value exceeds the limit of ${this.maxValueElements} elements (objects, arrays and members)`);
  }

  private fail(code: CodecError['code'], message: string): never {
    this.held = undefined;
    this.heldLength = 0;
    this.current = undefined;
    this.failure = new CodecError(code, message);
    throw this.failure;
  }
}

function positiveInteger(name: string, n: number): number {
  if (!Number.isInteger(n) || n <= 0) throw new RangeError(`${name} must be a positive integer, got ${n}`);
  return n;
}
