/**
 * An RPC server with Go `net/rpc` + jsonrpc semantics (docs/wire.md §4).
 *
 * - Requests are read in order (through `JsonValueReader`: a large one is parsed in time slices,
 *   later ones waiting behind it) and each is dispatched at once; replies are written in
 *   completion order, one write (one websocket message) each; a reply of `STREAMED_REPLY_BYTES`
 *   or more as a source, encoded a chunk at a time as the transport sends it.
 * - Unknown service/method, missing or non-array params and params that do not decode get Go's
 *   error strings, and reading goes on. A method that throws or rejects sends its message as the
 *   error; it never takes the connection or the process down.
 * - A request envelope that cannot be decoded (including a value refused at its first byte, such as
 *   a top-level array: Go's `json: cannot unmarshal array into Go value of type
 *   jsonrpc.serverRequest`) stops reading without a reply; the calls already running finish and
 *   write their replies, then the connection is closed (as Go does). The same happens at end of
 *   stream.
 * - Backpressure: while the stream's send queue is above its high-water mark, reading pauses, so a
 *   client that does not read its replies cannot make the server buffer without bound.
 * - A method may have a timeout (`MethodDefinition.timeout`): its call's signal aborts then.
 *
 * ## The connection's lifecycle
 *
 * One field, `state`, moves only forward:
 *
 *     reading ──(end of stream, undecodable request, read error)──▶ draining ──(idle)──▶ closed
 *        └──────────────(close(), or the stream closed under us)─────────────────────────▲
 *
 * Invariants (each method below keeps them):
 * 1. Requests are dispatched only in `reading`; in `draining` and `closed` nothing more is read.
 * 2. `calls` (their number: `running`) holds exactly the calls whose method has been started and
 *    has not settled yet: a call is added when it is dispatched and removed where its method
 *    settles — never in the write path.
 * 3. A call that settles before `closed` has its reply queued in `finished`; the queue is written
 *    in completion order, a time slice per turn, until the stream closes.
 * 4. `draining` turns into `closed` as soon as `calls` and `finished` are both empty; the stream
 *    is then closed gracefully, so every reply written reaches the peer.
 * 5. Entering `closed` aborts every running call's signal (no reply can be written any more) and
 *    drops queued replies; `done` resolves once the stream is closed.
 * 6. No listener is added per call to a connection-wide signal: each call has its own controller,
 *    made only when its method asks for `signal` or has a timeout, and aborted through `calls`.
 */
import type { Buffer } from 'node:buffer';
import { CodecError, JsonParseError } from '../codec/errors.js';
import { jsonKind } from '../codec/go-json.js';
import type { TimeSlicer } from '../codec/time-slice.js';
import { JsonValueReader, type ValueReaderOptions } from '../codec/value-reader.js';
import { MAX_TIMER_MS } from '../runtime/time.js';
import { type ByteStream, type MessageSource, sourceToBuffer } from '../transport/byte-stream.js';
import { type Encodable, encodeFailure, encodeSuccessSource, parseRequest } from './envelope.js';
import { TransportError } from './errors.js';
import { GoText } from '../runtime/go-text.js';

export interface MethodContext {
  /**
   * Aborted when the connection is closed or broken, as no reply can be written then, or at the
   * method's timeout. A clean end of the peer's requests (EOF) does not abort: replies may still
   * be written, as in Go.
   */
  readonly signal: AbortSignal;
  /** The full "Service.Method" name. */
  readonly method: string;
  /** The peer, for logs. */
  readonly remote: string;
}

export interface MethodDefinition<P = unknown, R = unknown> {
  /**
   * Turns the request's argument (the first element of `params`; `undefined` for `[]` or `[null]`,
   * meaning Go's zero value) into the method's parameter. Throw an Error whose message is the text
   * Go would send (e.g. `json: cannot unmarshal number into Go value of type string`).
   */
  decodeParam?: (raw: unknown) => P;
  /** The method. Its result is encoded as Go would (or passed through if `RawJson`). */
  handle: (param: P, context: MethodContext) => R | Promise<R>;
  /**
   * A bound on each call: after `ms` its signal aborts with `reason()` (none when `ms` is beyond
   * Node's timer limit). As in Go, the reply still waits for `handle` to settle.
   */
  timeout?: { readonly ms: number; readonly reason: () => Error };
}

export type ServiceDefinition = Record<string, MethodDefinition<any, any>>;

export interface ServeOptions extends Omit<ValueReaderOptions, 'structType'> {
  /** Called for errors that end a connection or a method that throws a non-Error. */
  onError?: (error: Error, where: 'connection' | 'method') => void;
}

/** Where a connection is in its lifecycle (see the module note). */
export type ConnectionState = 'reading' | 'draining' | 'closed';

export interface ServerConnection {
  /** Resolves when reading has stopped, running calls have finished and the stream is closed. */
  readonly done: Promise<void>;
  /** Closes the connection now; running calls are aborted and their replies dropped. */
  close(): void;
}

/** Where a served connection is in its lifecycle (what `Server.serve` returns besides `ServerConnection`). */
export interface ConnectionLifecycle {
  /** `reading` → `draining` → `closed`, only forward. */
  readonly state: ConnectionState;
  /** Calls whose method has been started and has not settled. */
  readonly running: number;
}

export class Server {
  private readonly services = new Map<string, ServiceDefinition>();

  /** Registers `methods` under `name` (Flux: "RPCServer"). */
  register(name: string, methods: ServiceDefinition): this {
    if (!name || name.includes('.')) throw new TypeError(`invalid service name ${JSON.stringify(name)}`);
    if (this.services.has(name)) throw new Error(GoText.serviceAlreadyDefined(name));
    this.services.set(name, methods);
    return this;
  }

  /** Serves requests on `stream` until it ends. */
  serve(stream: ByteStream, options: ServeOptions = {}): ServerConnection & ConnectionLifecycle {
    return new Connection(this.services, stream, options);
  }

  /** Finds the method for "Service.Method", or the Go error text for why there is none. */
  lookup(method: string): MethodDefinition | string {
    return lookupMethod(this.services, method);
  }
}

function lookupMethod(services: Map<string, ServiceDefinition>, method: string): MethodDefinition | string {
  const dot = method.lastIndexOf('.');
  if (dot < 0) return GoText.illFormed(method);
  const service = services.get(method.slice(0, dot));
  if (!service) return GoText.canNotFindService(method);
  const name = method.slice(dot + 1);
  const def = Object.hasOwn(service, name) ? service[name] : undefined;
  return def ?? GoText.canNotFindMethod(method);
}

/** Reply encoding done per turn of the event loop before yielding to I/O. */
const WRITE_SLICE_MS = 2;
/**
 * Replies of at least this many bytes are written as a source (`ByteStream.writeSource`): encoded
 * a chunk at a time as the transport sends them, never whole in memory.
 */
export const STREAMED_REPLY_BYTES = 1024 * 1024;

/** One running call: its context, and its signal, made on first use. */
class RunningCall implements MethodContext {
  private controller: AbortController | undefined;
  private abortReason: Error | undefined;
  timer: NodeJS.Timeout | undefined;

  constructor(
    readonly method: string,
    readonly remote: string,
    readonly rawId: string,
  ) {}

  get signal(): AbortSignal {
    if (this.controller === undefined) {
      this.controller = new AbortController();
      if (this.abortReason !== undefined) this.controller.abort(this.abortReason);
    }
    return this.controller.signal;
  }

  abort(reason: Error): void {
    if (this.abortReason !== undefined) return;
    this.abortReason = reason;
    this.controller?.abort(reason);
  }

  static expire(call: RunningCall, reason: () => Error): void {
    call.timer = undefined;
    call.abort(reason());
  }
}

interface Finished {
  rawId: string;
  method: string;
  outcome: { result: Encodable } | { error: unknown };
}

class Connection implements ServerConnection, ConnectionLifecycle {
  private current: ConnectionState = 'reading';
  private readonly reader: JsonValueReader;
  /** Calls whose method has not settled (invariant 2). */
  private readonly calls = new Set<RunningCall>();
  /** Calls settled whose replies are not yet encoded and written (invariant 3). */
  private finished: Finished[] = [];
  private writeScheduled = false;
  /** Why reading is paused: the reader works on a large value, or replies wait to drain. */
  private pausedByReader = false;
  private pausedForDrain = false;
  private resolveDone!: () => void;
  readonly done: Promise<void>;

  constructor(
    private readonly services: Map<string, ServiceDefinition>,
    private readonly stream: ByteStream,
    private readonly options: ServeOptions,
  ) {
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
    this.reader = new JsonValueReader(
      { value: (value, bytes, slicer) => this.dispatch(value, bytes, slicer), end: (error) => this.onReaderEnd(error) },
      { pause: () => this.setPaused('reader', true), resume: () => this.setPaused('reader', false) },
      { ...options, structType: 'jsonrpc.serverRequest' },
    );
    stream.closed.then((error) => {
      this.enterClosed(error ?? new Error('connection closed'));
      this.resolveDone();
    });
    stream.start({
      data: (chunk) => this.reader.push(chunk),
      expect: (bytes) => this.reader.expect(bytes),
      end: (error) => this.reader.end(error === undefined ? undefined : new TransportError('FLUXRPC_ERR_TRANSPORT', error.message, { cause: error })),
    });
  }

  get state(): ConnectionState {
    return this.current;
  }

  get running(): number {
    return this.calls.size;
  }

  close(): void {
    this.enterClosed(new Error('connection closed'));
  }

  // ---- lifecycle ------------------------------------------------------------------------------

  /** reading → draining: nothing more is read; the connection closes once idle (invariant 4). */
  private enterDraining(): void {
    if (this.state !== 'reading') return;
    this.current = 'draining';
    this.reader.stop();
    this.closeIfIdle();
  }

  private closeIfIdle(): void {
    if (this.state === 'draining' && this.calls.size === 0 && this.finished.length === 0) this.enterClosed(undefined);
  }

  /**
   * → closed: the stream is closed (gracefully: written replies still go out); running calls are
   * aborted with `reason` and queued replies dropped (invariant 5). `reason` is undefined when the
   * connection closes because it has drained, with nothing running.
   */
  private enterClosed(reason: Error | undefined): void {
    if (this.state === 'closed') return;
    this.current = 'closed';
    this.reader.stop();
    this.finished = [];
    const running = [...this.calls];
    this.calls.clear();
    for (const call of running) {
      clearTimeout(call.timer);
      call.abort(reason ?? new Error('connection closed'));
    }
    this.stream.close();
  }

  /** The reader is done: end of stream, a request that is not JSON, a framing error or a read error. */
  private onReaderEnd(error: Error | undefined): void {
    if (error instanceof TransportError) {
      // The stream broke: no reply can be written, so running calls are told at once.
      this.options.onError?.(error.cause instanceof Error ? error.cause : error, 'connection');
      for (const call of this.calls) call.abort(error.cause instanceof Error ? error.cause : error);
    } else if (error instanceof CodecError && error.code !== 'FLUXRPC_ERR_UNEXPECTED_EOF') {
      // Go: "rpc: server cannot decode request"; stop reading. (EOF inside a value stops quietly, as Go does.)
      this.options.onError?.(new Error(`malformed request: ${error instanceof JsonParseError ? error.detail : error.message}`, { cause: error }), 'connection');
    }
    this.enterDraining();
  }

  // ---- reading and dispatch -------------------------------------------------------------------

  private setPaused(reason: 'reader' | 'drain', paused: boolean): void {
    const before = this.pausedByReader || this.pausedForDrain;
    if (reason === 'reader') this.pausedByReader = paused;
    else this.pausedForDrain = paused;
    const after = this.pausedByReader || this.pausedForDrain;
    if (after === before || this.state === 'closed') return;
    if (after) this.stream.pause();
    else this.stream.resume();
  }

  private dispatch(value: unknown, bytes: Buffer, _slicer: TimeSlicer | undefined): void {
    if (this.state !== 'reading') return;
    const request = parseRequest(bytes, value);
    if (request.kind === 'bad-envelope') {
      // Go stops reading at an undecodable envelope: nothing after it is served.
      this.options.onError?.(new Error(`malformed request: ${request.message}`), 'connection');
      this.enterDraining();
      return;
    }
    const { rawId, method } = request;
    const found = lookupMethod(this.services, method);
    if (typeof found === 'string') {
      this.reply(encodeFailure(rawId, found));
      return;
    }
    if (request.params === undefined) {
      this.reply(encodeFailure(rawId, GoText.missingParams));
      return;
    }
    if (!Array.isArray(request.params)) {
      this.reply(encodeFailure(rawId, GoText.paramsNotArray(jsonKind(request.params))));
      return;
    }
    const raw = request.params[0] ?? undefined;
    let param: unknown;
    try {
      param = found.decodeParam ? found.decodeParam(raw) : raw;
    } catch (e) {
      this.reply(encodeFailure(rawId, errorText(e)));
      return;
    }
    const call = new RunningCall(method, this.stream.remote, rawId);
    const timeout = found.timeout;
    if (timeout !== undefined && timeout.ms <= MAX_TIMER_MS) call.timer = setTimeout(RunningCall.expire, timeout.ms, call, timeout.reason);
    this.calls.add(call);
    void this.run(found, param, call);
  }

  private async run(def: MethodDefinition, param: unknown, call: RunningCall): Promise<void> {
    let outcome: Finished['outcome'];
    try {
      const result = await def.handle(param, call);
      outcome = { result: result === undefined ? {} : (result as Encodable) };
    } catch (error) {
      outcome = { error };
    }
    // The call has settled (invariant 2); a closed connection already dropped it.
    if (!this.calls.delete(call)) return;
    clearTimeout(call.timer);
    this.finished.push({ rawId: call.rawId, method: call.method, outcome });
    if (!this.writeScheduled) {
      this.writeScheduled = true;
      setImmediate(() => this.writeSlice());
    }
  }

  // ---- writing --------------------------------------------------------------------------------

  /**
   * Encodes and writes finished calls' replies in completion order, a time slice per turn of the
   * event loop (encoding a large reply is the costly part of a call; see `RawJson.lazy`).
   */
  private writeSlice(): void {
    this.writeScheduled = false;
    const start = performance.now();
    while (this.finished.length > 0 && this.state !== 'closed') {
      const { rawId, method, outcome } = this.finished.shift()!;
      this.reply(this.encodeOutcome(rawId, method, outcome));
      if (performance.now() - start >= WRITE_SLICE_MS) break;
    }
    if (this.finished.length > 0 && this.state !== 'closed') {
      this.writeScheduled = true;
      setImmediate(() => this.writeSlice());
    }
    this.closeIfIdle();
  }

  private encodeOutcome(rawId: string, method: string, outcome: Finished['outcome']): Buffer | MessageSource {
    if ('result' in outcome) {
      try {
        const source = encodeSuccessSource(rawId, outcome.result);
        return source.byteLength >= STREAMED_REPLY_BYTES ? source : sourceToBuffer(source);
      } catch (error) {
        outcome = { error };
      }
    }
    const { error } = outcome;
    if (!(error instanceof Error)) this.options.onError?.(new Error(`method ${method} threw a non-Error: ${String(error)}`), 'method');
    return encodeFailure(rawId, errorText(error));
  }

  private reply(bytes: Buffer | MessageSource): void {
    if (this.state === 'closed') return;
    const below = bytes instanceof Uint8Array ? this.stream.write(bytes) : this.stream.writeSource(bytes);
    if (!below && this.state === 'reading' && !this.pausedForDrain) {
      // Stop reading requests until the replies drain (one wait at a time).
      this.setPaused('drain', true);
      this.stream.writable().then(
        () => this.setPaused('drain', false),
        () => undefined,
      );
    }
  }
}

/**
 * The error string sent for a failed call. Go sends an error with empty text as a success; since a
 * thrown error has no reply value to send, an empty message is sent as Go's client would show it.
 */
function errorText(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return text === '' ? GoText.unspecifiedError : text;
}
