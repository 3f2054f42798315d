/**
 * An RPC server with Go `net/rpc` + jsonrpc semantics (docs/wire.md §4).
 *
 * - Requests are read in order and each is dispatched at once; replies are written whole, in
 *   completion order, one write (one websocket message) each.
 * - Unknown service/method, missing or non-array params and params that do not decode get Go's
 *   error strings, and reading goes on. A method that throws or rejects sends its message as the
 *   error; it never takes the connection or the process down.
 * - A request envelope that cannot be decoded stops reading without a reply; the calls already
 *   running finish and write their replies, then the connection is closed (as Go does). The same
 *   happens at end of stream.
 * - Backpressure: while the stream's send queue is above its high-water mark, reading pauses, so a
 *   client that does not read its replies cannot make the server buffer without bound.
 */
import type { Buffer } from 'node:buffer';
import { JsonStreamSplitter, type SplitterOptions } from '../codec/json-splitter.js';
import type { ByteStream } from '../transport/byte-stream.js';
import { type Encodable, encodeFailure, encodeSuccess, parseRequest } from './envelope.js';
import { GoText, jsonKind } from './go-text.js';

export interface MethodContext {
  /**
   * Aborted when the connection is closed or broken, as no reply can be written then. A clean end
   * of the peer's requests (EOF) does not abort: replies may still be written, as in Go.
   */
  signal: AbortSignal;
  /** The full "Service.Method" name. */
  method: string;
  /** The peer, for logs. */
  remote: string;
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
}

export type ServiceDefinition = Record<string, MethodDefinition<any, any>>;

export interface ServeOptions extends SplitterOptions {
  /** Called for errors that end a connection or a method that throws a non-Error. */
  onError?: (error: Error, where: 'connection' | 'method') => void;
}

export interface ServerConnection {
  /** Resolves when reading has stopped, running calls have finished and the stream is closed. */
  readonly done: Promise<void>;
  /** Closes the connection now; running calls' replies are dropped. */
  close(): void;
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
  serve(stream: ByteStream, options: ServeOptions = {}): ServerConnection {
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

/** Read-ahead bound: reading pauses while this many requests wait to be dispatched. */
const MAX_QUEUED_REQUESTS = 1024;
/** Dispatch work done per turn of the event loop before yielding to I/O. */
const DISPATCH_SLICE_MS = 2;

interface Finished {
  rawId: string;
  method: string;
  outcome: { result: Encodable } | { error: unknown };
}

class Connection implements ServerConnection {
  private readonly splitter: JsonStreamSplitter;
  private running = 0;
  private reading = true;
  private pausedForDrain = false;
  private pausedForQueue = false;
  /** Requests read but not yet dispatched (dispatch is spread over event-loop turns). */
  private queue: string[] = [];
  private dispatchScheduled = false;
  /** Calls finished but whose replies are not yet encoded and written. */
  private finished: Finished[] = [];
  private writeScheduled = false;
  private readonly abort = new AbortController();
  private resolveDone!: () => void;
  readonly done: Promise<void>;

  constructor(
    private readonly services: Map<string, ServiceDefinition>,
    private readonly stream: ByteStream,
    private readonly options: ServeOptions,
  ) {
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
    this.splitter = new JsonStreamSplitter((text) => this.onRequest(text), options);
    stream.closed.then((error) => {
      // Fully closed: no reply can be written any more, so running calls are told to stop.
      this.abort.abort(error ?? new Error('connection closed'));
      this.reading = false;
      this.queue = [];
      this.resolveDone();
    });
    stream.start({ data: (chunk) => this.onData(chunk), end: (error) => this.onEnd(error) });
  }

  close(): void {
    this.reading = false;
    this.stream.close();
  }

  private onData(chunk: Buffer): void {
    if (!this.reading) return;
    try {
      this.splitter.push(chunk);
    } catch (error) {
      this.stopReading(error as Error);
    }
  }

  private onEnd(error: Error | undefined): void {
    if (!this.reading) return;
    if (error) {
      this.options.onError?.(error, 'connection');
      this.abort.abort(error);
      this.stopReading(undefined);
      return;
    }
    try {
      this.splitter.end();
    } catch {
      // EOF inside a value: stop quietly, as Go does.
    }
    this.stopReading(undefined);
  }

  /**
   * Stops reading; requests already read are still dispatched, and the stream is closed once every
   * running call has written its reply.
   */
  private stopReading(error: Error | undefined): void {
    if (!this.reading) return;
    this.reading = false;
    if (error) this.options.onError?.(error, 'connection');
    this.closeWhenIdle();
  }

  private closeWhenIdle(): void {
    if (!this.reading && this.running === 0 && this.queue.length === 0) this.stream.close();
  }

  /**
   * Queues a request read from the stream. Requests are dispatched in order, a few per turn of the
   * event loop (a time slice), so that a burst of requests arriving together does not run (and
   * encode) all its replies before any of them is written: writes and reads interleave with the
   * work, and the replies of fast calls go out while slow ones are still being encoded.
   */
  private onRequest(text: string): void {
    this.queue.push(text);
    if (this.queue.length >= MAX_QUEUED_REQUESTS && !this.pausedForQueue) {
      this.pausedForQueue = true;
      this.stream.pause();
    }
    if (!this.dispatchScheduled) {
      this.dispatchScheduled = true;
      setImmediate(() => this.dispatchSlice());
    }
  }

  private dispatchSlice(): void {
    this.dispatchScheduled = false;
    const start = performance.now();
    while (this.queue.length > 0) {
      this.dispatch(this.queue.shift()!);
      if (performance.now() - start >= DISPATCH_SLICE_MS) break;
    }
    if (this.queue.length > 0) {
      this.dispatchScheduled = true;
      setImmediate(() => this.dispatchSlice());
      return;
    }
    if (this.pausedForQueue) {
      this.pausedForQueue = false;
      if (!this.pausedForDrain) this.stream.resume();
    }
    this.closeWhenIdle();
  }

  private dispatch(text: string): void {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      this.stopAtBadRequest(`malformed request: ${(e as Error).message}`);
      return;
    }
    const request = parseRequest(text, value);
    if (request.kind === 'bad-envelope') {
      this.stopAtBadRequest(`malformed request: ${request.message}`);
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
    this.run(found, param, method, rawId);
  }

  /** Go stops reading at an undecodable envelope: nothing after it is served. */
  private stopAtBadRequest(message: string): void {
    this.queue = [];
    this.stopReading(new Error(message));
    this.closeWhenIdle();
  }

  private async run(def: MethodDefinition, param: unknown, method: string, rawId: string): Promise<void> {
    this.running++;
    let outcome: Finished['outcome'];
    try {
      const result = await def.handle(param, { signal: this.abort.signal, method, remote: this.stream.remote });
      outcome = { result: result === undefined ? {} : (result as Encodable) };
    } catch (error) {
      outcome = { error };
    }
    this.finished.push({ rawId, method, outcome });
    if (!this.writeScheduled) {
      this.writeScheduled = true;
      setImmediate(() => this.writeSlice());
    }
  }

  /**
   * Encodes and writes finished calls' replies in completion order, a time slice per turn of the
   * event loop (encoding a large reply is the costly part of a call; see `RawJson.lazy`).
   */
  private writeSlice(): void {
    this.writeScheduled = false;
    const start = performance.now();
    while (this.finished.length > 0) {
      const { rawId, method, outcome } = this.finished.shift()!;
      this.running--;
      this.reply(this.encodeOutcome(rawId, method, outcome));
      if (performance.now() - start >= DISPATCH_SLICE_MS) break;
    }
    if (this.finished.length > 0) {
      this.writeScheduled = true;
      setImmediate(() => this.writeSlice());
    }
    this.closeWhenIdle();
  }

  private encodeOutcome(rawId: string, method: string, outcome: Finished['outcome']): Buffer {
    if ('result' in outcome) {
      try {
        return encodeSuccess(rawId, outcome.result);
      } catch (error) {
        outcome = { error };
      }
    }
    const { error } = outcome;
    if (!(error instanceof Error)) this.options.onError?.(new Error(`method ${method} threw a non-Error: ${String(error)}`), 'method');
    return encodeFailure(rawId, errorText(error));
  }

  private reply(bytes: Buffer): void {
    if (!this.stream.write(bytes) && this.reading && !this.pausedForDrain) {
      // Stop reading requests until the replies drain (one wait at a time).
      this.pausedForDrain = true;
      this.stream.pause();
      this.stream.writable().then(
        () => {
          this.pausedForDrain = false;
          if (!this.pausedForQueue) this.stream.resume();
        },
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
