/**
 * An RPC client with Go `net/rpc` semantics over the jsonrpc codec (docs/wire.md §5).
 *
 * - Ids count up from 0, one per call; each call is registered before its request is written, so a
 *   reply may arrive in any order, even before the write completes.
 * - A reply with an id no call is waiting for is dropped, as Go does.
 * - Replies are read in arrival order through `JsonValueReader`: a small one is parsed and settled
 *   at once; a large one is parsed (and, through `decode`, decoded) in time slices, later replies
 *   waiting behind it, so one connection's 60 MB reply does not stall the others. A value that
 *   cannot be a response (an array, a string, a number, a bool) is refused at its first byte with
 *   Go's text; one nested deeper than Go's limit gets Go's `exceeded max depth` error.
 * - The first failure of the stream — end of stream, read error, malformed bytes, a value over a
 *   limit, a response Go would reject, a result the caller's `decode` rejects — fails *every* pending
 *   call with one `ConnectionError`, closes the stream and shuts the client down: later calls fail at
 *   once with `ShutdownError`. It takes effect after the replies fully received before it, so a reply
 *   that arrived before the end of the stream still settles its call. No call ever hangs.
 * - Cancellation is local: an aborted call rejects with `signal.reason`, a call past its `deadline`
 *   with `DeadlineExceededError`, and is forgotten. The wire has no cancel message, so the server
 *   still runs the call; its late reply is dropped as an unknown id.
 *
 * Per call: one promise, one pending entry, one timer only when a deadline is given, and no
 * listener of its own on a signal: calls sharing a signal share one listener.
 */
import type { Buffer } from 'node:buffer';
import { CodecError, JsonParseError } from '../codec/errors.js';
import { SliceStoppedError, type TimeSlicer } from '../codec/time-slice.js';
import { JsonValueReader, type ReadFlow, type ValueHandler, type ValueReaderOptions } from '../codec/value-reader.js';
import type { ByteBudget } from '../runtime/budget.js';
import { GoText } from '../runtime/go-text.js';
import { MAX_TIMER_MS } from '../runtime/time.js';
import type { ByteStream, StreamSink } from '../transport/byte-stream.js';
import { type Encodable, classifyResponse, encodeRequest } from './envelope.js';
import { ConnectionError, DeadlineExceededError, ProtocolError, ServerError, ShutdownError, TransportError } from './errors.js';

export interface CallOptions<R> {
  /** Aborts waiting for the reply (the call is not cancelled on the server: the wire cannot say so). */
  signal?: AbortSignal;
  /**
   * When to stop waiting: an absolute time in ms since the epoch (`Date.now()`'s clock, so it can be
   * passed between processes). The call then rejects with `DeadlineExceededError`; its late reply is
   * dropped. A deadline already past fails the call before anything is sent. One timer per call; a
   * deadline more than Node's timer limit (about 24.8 days) away is not armed.
   */
  deadline?: number;
  /**
   * Turns the decoded `result` into the caller's type. If it throws (or rejects), the call fails
   * with `reading body <message>` and, as in Go, the whole client fails with that error.
   * `slicer` is given when the reply was large (parsed in time slices): decode in slices too
   * (`if (slicer.due) await slicer.next()`), returning a promise; later replies wait for it.
   */
  decode?: (result: unknown, slicer: TimeSlicer | undefined) => R | Promise<R>;
}

/** Reader options: limits (`maxValueBytes`, `maxValueElements`), when and how to slice large replies; a budget. */
export interface ClientOptions extends Omit<ValueReaderOptions, 'structType' | 'growthRoom'> {
  /**
   * A budget shared with other holders (a hub's, for all its daemons and request bodies): what the
   * client holds of a reply not yet complete (`heldBytes`) is charged to it as it changes and
   * released when the reply completes or the connection ends. While the budget is exceeded, a
   * client holding more than `SMALL_PARTIAL_BYTES` stops reading (the stream is paused) until there
   * is room again, so several peers sending large values together take the budget beyond its limit
   * by at most about one socket read each; the held buffer grows only into the room left (or by
   * what one read needs). A reply that spans only a read or two still completes meanwhile. A
   * reply that alone outgrows the whole budget fails the connection (`FLUXRPC_ERR_OVERSIZE`): it
   * could never complete.
   */
  budget?: ByteBudget;
}

/**
 * What a connection may hold of a reply without being paused for the budget (one socket read):
 * ordinary replies that arrive in two reads are not held back by peers that fill the budget.
 */
export const SMALL_PARTIAL_BYTES = 64 * 1024;

/**
 * What the stream and the reader call into (one object per connection, not a closure each): the
 * stream's sink, and the reader's read flow, which pauses the stream while the reader is busy or
 * the budget is exceeded, and resumes it when neither is.
 */
class ClientInput implements StreamSink, ReadFlow {
  private readerPaused = false;
  private budgetPaused = false;

  constructor(
    private readonly client: Client,
    private readonly stream: ByteStream,
  ) {}

  data(chunk: Buffer): void {
    this.client.received(chunk);
  }

  expect(bytes: number): void {
    this.client.expected(bytes);
  }

  end(error: Error | undefined): void {
    this.client.streamEnded(error);
  }

  pause(): void {
    this.set(true, this.budgetPaused);
  }

  resume(): void {
    this.set(false, this.budgetPaused);
  }

  pauseForBudget(paused: boolean): void {
    this.set(this.readerPaused, paused);
  }

  private set(reader: boolean, budget: boolean): void {
    const before = this.readerPaused || this.budgetPaused;
    this.readerPaused = reader;
    this.budgetPaused = budget;
    const after = reader || budget;
    if (after && !before) this.stream.pause();
    else if (before && !after) this.stream.resume();
  }
}

/** The room left in a budget, as a splitter's `growthRoom` (one function per budget, shared by its clients). */
const rooms = new WeakMap<ByteBudget, () => number>();
function roomIn(budget: ByteBudget): () => number {
  let room = rooms.get(budget);
  if (room === undefined) rooms.set(budget, (room = () => budget.limit - budget.used));
  return room;
}

/** The reader's handler: replies and the end, to the client. */
class ReplyHandler implements ValueHandler {
  constructor(private readonly client: Client) {}

  value(value: unknown, _bytes: Buffer, slicer: TimeSlicer | undefined): void | Promise<void> {
    return this.client.onResponse(value, slicer);
  }

  end(error: Error | undefined): void {
    this.client.onReaderEnd(error);
  }
}

class PendingCall {
  timer: NodeJS.Timeout | undefined = undefined;
  watch: SignalWatch | undefined = undefined;
  /** Neighbours among the calls waiting on the same signal (`watch`). */
  prevOnSignal: PendingCall | undefined = undefined;
  nextOnSignal: PendingCall | undefined = undefined;
  constructor(
    readonly id: number,
    readonly resolve: (value: unknown) => void,
    readonly reject: (error: unknown) => void,
    readonly decode: CallOptions<unknown>['decode'],
  ) {}
}

/**
 * The pending calls waiting on one signal (a list through the calls themselves), and the one
 * listener for them all: the watch is itself the listener (`handleEvent`), so a signal costs one
 * object, however many calls share it.
 */
class SignalWatch {
  first: PendingCall | undefined = undefined;
  constructor(
    readonly signal: AbortSignal,
    private readonly client: Client,
  ) {}

  add(call: PendingCall): void {
    call.watch = this;
    call.nextOnSignal = this.first;
    if (this.first !== undefined) this.first.prevOnSignal = call;
    this.first = call;
  }

  /** Takes `call` out; true if no call is left. */
  remove(call: PendingCall): boolean {
    if (call.prevOnSignal !== undefined) call.prevOnSignal.nextOnSignal = call.nextOnSignal;
    else this.first = call.nextOnSignal;
    if (call.nextOnSignal !== undefined) call.nextOnSignal.prevOnSignal = call.prevOnSignal;
    call.watch = call.prevOnSignal = call.nextOnSignal = undefined;
    return this.first === undefined;
  }

  handleEvent(): void {
    this.client.signalAborted(this);
  }
}

/**
 * A Map for the few entries of one connection: the first entry takes a slot of its own and only
 * entries added while it is there go to a Map. A connection with one call (on one signal) at a
 * time, as the hub's daemons mostly have, then adds and removes no Map entry per call: V8
 * reallocates a Map's table as it empties, and a fresh table held by a long-lived client is what
 * survives into the old generation, with whatever it points to.
 */
class SlotMap<K, V> {
  private slotKey: K | undefined = undefined;
  private slotValue: V | undefined = undefined;
  private rest: Map<K, V> | undefined = undefined;
  size = 0;

  get(key: K): V | undefined {
    return this.slotValue !== undefined && this.slotKey === key ? this.slotValue : this.rest?.get(key);
  }

  /** Adds an entry whose key is not there yet (`value` not undefined). */
  add(key: K, value: V): void {
    if (this.slotValue === undefined) {
      this.slotKey = key;
      this.slotValue = value;
    } else (this.rest ??= new Map()).set(key, value);
    this.size++;
  }

  delete(key: K): void {
    if (this.slotValue !== undefined && this.slotKey === key) {
      this.slotKey = this.slotValue = undefined;
    } else if (this.rest === undefined || !this.rest.delete(key)) return;
    this.size--;
  }

  values(): V[] {
    const values = this.rest === undefined ? [] : [...this.rest.values()];
    if (this.slotValue !== undefined) values.push(this.slotValue);
    return values;
  }
}

export class Client {
  private seq = 0;
  private readonly pending = new SlotMap<number, PendingCall>();
  private readonly watches = new SlotMap<AbortSignal, SignalWatch>();
  private failure: ConnectionError | undefined;
  private readonly reader: JsonValueReader;
  private readonly input: ClientInput;
  private readonly budget: ByteBudget | undefined;
  /** What is charged to the budget now (the reader's held bytes when last looked at). */
  private charged = 0;
  /** Set while waiting for room in the budget (the stream is paused meanwhile). */
  private budgetWait: AbortController | undefined;
  /** `closed`, made when first asked for (a hub's 10,000 clients are watched with `onceClosed`). */
  private closedPromise: Promise<ConnectionError> | undefined;
  private resolveClosed: ((reason: ConnectionError) => void) | undefined;
  private closeListeners: ((reason: ConnectionError) => void)[] | undefined;

  constructor(
    private readonly stream: ByteStream,
    options: ClientOptions = {},
  ) {
    const { budget, ...readerOptions } = options;
    this.budget = budget;
    this.input = new ClientInput(this, stream);
    this.reader = new JsonValueReader(new ReplyHandler(this), this.input, {
      ...readerOptions,
      structType: 'jsonrpc.clientResponse',
      ...(budget === undefined ? {} : { growthRoom: roomIn(budget) }),
    });
    stream.start(this.input);
  }

  /** @internal A chunk from the stream. */
  received(chunk: Buffer): void {
    this.reader.push(chunk);
    if (this.budget !== undefined) this.chargeHeld();
  }

  /** @internal The peer declared `bytes` more bytes (a size hint for the reader's buffer). */
  expected(bytes: number): void {
    this.reader.expect(bytes);
  }

  /** @internal The stream ended. */
  streamEnded(error: Error | undefined): void {
    this.reader.end(error === undefined ? undefined : new TransportError('FLUXRPC_ERR_TRANSPORT', error.message, { cause: error }));
  }

  /** Brings the budget's charge to what the reader holds now; pauses reading while the budget is exceeded. */
  private chargeHeld(): void {
    const budget = this.budget!;
    const held = this.failure === undefined ? this.reader.heldBytes : 0;
    const delta = held - this.charged;
    if (delta === 0) return;
    this.charged = held;
    if (delta < 0) {
      budget.release(-delta);
      return;
    }
    if (budget.charge(delta) || held <= SMALL_PARTIAL_BYTES || this.budgetWait !== undefined || this.failure !== undefined) return;
    // Waiting for room is pointless when this reply alone needs more than the whole budget.
    if (held > budget.limit) this.fail(new ProtocolError('FLUXRPC_ERR_OVERSIZE', `a reply of more than ${held} bytes does not fit the budget of ${budget.limit} buffered bytes`));
    else this.waitForBudget(budget);
  }

  private waitForBudget(budget: ByteBudget): void {
    const wait = (this.budgetWait = new AbortController());
    this.input.pauseForBudget(true);
    budget.whenAvailable(wait.signal).then(
      () => {
        if (this.budgetWait !== wait) return;
        this.budgetWait = undefined;
        this.input.pauseForBudget(false);
      },
      () => undefined,
    );
  }

  /** Resolves with the error that shut the client down (`ShutdownError` after `close()`). */
  get closed(): Promise<ConnectionError> {
    if (this.closedPromise === undefined) {
      this.closedPromise = this.failure !== undefined ? Promise.resolve(this.failure) : new Promise((resolve) => (this.resolveClosed = resolve));
    }
    return this.closedPromise;
  }

  /**
   * Calls `listener` with what `closed` resolves with, when it does (from a microtask, after the
   * pending calls have been failed, as a `closed.then` would): the same, without a promise and a
   * reaction per client.
   */
  onceClosed(listener: (reason: ConnectionError) => void): void {
    const failure = this.failure;
    if (failure !== undefined) queueMicrotask(() => listener(failure));
    else (this.closeListeners ??= []).push(listener);
  }

  /** True once the client has failed or was closed. */
  get isShutdown(): boolean {
    return this.failure !== undefined;
  }

  /** Number of calls waiting for a reply. */
  get inFlight(): number {
    return this.pending.size;
  }

  /** Bytes held for a reply not yet complete (at most about twice what has arrived of it). */
  get heldBytes(): number {
    return this.reader.heldBytes;
  }

  /**
   * Calls `method` ("Service.Method") with one argument. Resolves with the decoded result; rejects
   * with `ServerError` (the remote's error string), a `ConnectionError` (fatal),
   * `DeadlineExceededError` or the abort reason.
   */
  call<R = unknown>(method: string, param: Encodable, options?: CallOptions<R>): Promise<R> {
    if (this.failure) return Promise.reject(new ShutdownError({ cause: this.failure }));
    const signal = options?.signal;
    if (signal?.aborted) return Promise.reject(signal.reason);
    const deadline = options?.deadline;
    if (deadline !== undefined && !(deadline > Date.now())) return Promise.reject(new DeadlineExceededError());
    if (this.stream.needsDrain) return this.callWhenWritable(method, param, options);
    return this.send(method, param, options);
  }

  /** Closes the connection; pending calls fail with `ShutdownError`. Safe to call more than once. */
  close(): Promise<ConnectionError> {
    this.fail(new ShutdownError());
    return this.closed;
  }

  private send<R>(method: string, param: Encodable, options: CallOptions<R> | undefined): Promise<R> {
    const id = this.seq++;
    let request: Buffer;
    try {
      request = encodeRequest(method, param, id);
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise<R>((resolve, reject) => {
      const entry = new PendingCall(id, resolve as (value: unknown) => void, reject, options?.decode as CallOptions<unknown>['decode']);
      this.pending.add(id, entry);
      if (options !== undefined) {
        if (options.signal !== undefined) this.watch(options.signal, entry);
        if (options.deadline !== undefined) {
          const delay = options.deadline - Date.now();
          if (delay <= MAX_TIMER_MS) entry.timer = setTimeout(Client.expire, Math.max(0, delay), this, entry);
        }
      }
      this.stream.write(request);
    });
  }

  /** The send queue is above its high-water mark: wait for it (abortable, bounded by the deadline), then send. */
  private async callWhenWritable<R>(method: string, param: Encodable, options: CallOptions<R> | undefined): Promise<R> {
    await untilWritable(this.stream, options?.signal, options?.deadline);
    if (this.failure) throw new ShutdownError({ cause: this.failure });
    return this.send(method, param, options);
  }

  private static expire(client: Client, entry: PendingCall): void {
    entry.timer = undefined;
    if (client.pending.get(entry.id) !== entry) return;
    client.settle(entry);
    entry.reject(new DeadlineExceededError());
  }

  /** Adds `entry` to the calls waiting on `signal`: one listener per signal, however many calls share it. */
  private watch(signal: AbortSignal, entry: PendingCall): void {
    let watch = this.watches.get(signal);
    if (watch === undefined) {
      watch = new SignalWatch(signal, this);
      this.watches.add(signal, watch);
      signal.addEventListener('abort', watch, { once: true });
    }
    watch.add(entry);
  }

  /** @internal A watched signal aborted: its calls reject with its reason. */
  signalAborted(watch: SignalWatch): void {
    if (this.watches.get(watch.signal) === watch) this.watches.delete(watch.signal);
    for (let call = watch.first; call !== undefined; call = watch.first) {
      watch.remove(call);
      if (this.pending.get(call.id) !== call) continue;
      this.settle(call);
      call.reject(watch.signal.reason);
    }
  }

  /** @internal A reply, in arrival order. */
  onResponse(value: unknown, slicer: TimeSlicer | undefined): void | Promise<void> {
    if (this.failure) return;
    const response = classifyResponse(value);
    if (response.kind === 'fatal') {
      this.fail(new ProtocolError('FLUXRPC_ERR_BAD_RESPONSE', response.message));
      return;
    }
    const entry = this.pending.get(response.id);
    if (entry === undefined) return; // Go: a reply nobody waits for is read and dropped.
    if (response.kind === 'server-error') {
      this.settle(entry);
      entry.reject(new ServerError(response.message));
      return;
    }
    if (entry.decode === undefined) {
      this.settle(entry);
      entry.resolve(response.result);
      return;
    }
    let decoded: unknown;
    try {
      decoded = entry.decode(response.result, slicer);
    } catch (e) {
      this.settle(entry);
      this.decodeFailed(entry, e);
      return;
    }
    if (!(decoded instanceof Promise)) {
      this.settle(entry);
      entry.resolve(decoded);
      return;
    }
    // A sliced decode: the call stays pending (a failure, abort or deadline meanwhile settles it).
    return decoded.then(
      (result) => {
        if (this.pending.get(entry.id) !== entry) return;
        this.settle(entry);
        entry.resolve(result);
      },
      (e: unknown) => {
        if (this.pending.get(entry.id) !== entry || e instanceof SliceStoppedError) return;
        this.settle(entry);
        this.decodeFailed(entry, e);
      },
    );
  }

  /** Go: the call whose result did not decode gets `reading body <error>`, every other call the error. */
  private decodeFailed(entry: PendingCall, e: unknown): void {
    const message = e instanceof Error ? e.message : String(e);
    entry.reject(new ProtocolError('FLUXRPC_ERR_REPLY_DECODE', GoText.readingBody(message), { cause: e }));
    this.fail(new ProtocolError('FLUXRPC_ERR_REPLY_DECODE', message, { cause: e }));
  }

  /** @internal The reader ended (end of stream or an error). */
  onReaderEnd(error: Error | undefined): void {
    this.fail(error === undefined ? new TransportError('FLUXRPC_ERR_UNEXPECTED_EOF', GoText.unexpectedEOF) : toConnectionError(error));
  }

  /** Forgets a pending call: its timer and its place among the calls waiting on its signal. */
  private settle(entry: PendingCall): void {
    this.pending.delete(entry.id);
    if (entry.timer !== undefined) {
      clearTimeout(entry.timer);
      entry.timer = undefined;
    }
    const watch = entry.watch;
    if (watch !== undefined && watch.remove(entry)) {
      watch.signal.removeEventListener('abort', watch);
      this.watches.delete(watch.signal);
    }
  }

  /** The one exit path: every pending call gets `error`; the stream is closed. */
  private fail(error: ConnectionError): void {
    if (this.failure) return;
    this.failure = error;
    this.reader.stop();
    if (this.budget !== undefined) {
      this.chargeHeld();
      this.budgetWait?.abort();
      this.budgetWait = undefined;
    }
    const pending = this.pending.values().sort((a, b) => a.id - b.id);
    for (const entry of pending) {
      this.settle(entry);
      entry.reject(error);
    }
    if (error instanceof ShutdownError) this.stream.close();
    else this.stream.destroy(error);
    this.resolveClosed?.(error);
    this.resolveClosed = undefined;
    const listeners = this.closeListeners;
    this.closeListeners = undefined;
    if (listeners !== undefined) queueMicrotask(() => { for (const listener of listeners) listener(error); });
  }
}

/**
 * Waits for the stream to accept more bytes; rejects with the abort reason if the signal aborts
 * first, or with `DeadlineExceededError` at the deadline (a peer that stops reading must not make
 * such a call wait). A closed stream resolves: the caller then sees the client's failure.
 */
function untilWritable(stream: ByteStream, signal: AbortSignal | undefined, deadline: number | undefined): Promise<void> {
  const writable = stream.writable().catch(() => undefined);
  if (signal === undefined && deadline === undefined) return writable;
  return new Promise<void>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    if (deadline !== undefined && deadline - Date.now() <= MAX_TIMER_MS) {
      timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        reject(new DeadlineExceededError());
      }, Math.max(0, deadline - Date.now()));
    }
    void writable.then(() => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (signal?.aborted) reject(signal.reason);
      else resolve();
    });
  });
}

function toConnectionError(error: Error): ConnectionError {
  if (error instanceof ConnectionError) return error;
  if (error instanceof JsonParseError) return new ProtocolError('FLUXRPC_ERR_MALFORMED', `malformed JSON from peer: ${error.detail}`, { cause: error });
  if (error instanceof CodecError) {
    switch (error.code) {
      case 'FLUXRPC_ERR_UNEXPECTED_EOF':
        return new TransportError('FLUXRPC_ERR_UNEXPECTED_EOF', error.message, { cause: error });
      case 'FLUXRPC_ERR_WRONG_TYPE':
        // What Go's client says of such a response (the same as a parsed one; see classifyResponse).
        return new ProtocolError('FLUXRPC_ERR_BAD_RESPONSE', error.message, { cause: error });
      default:
        return new ProtocolError(error.code, error.message, { cause: error });
    }
  }
  return new ProtocolError('FLUXRPC_ERR_MALFORMED', String(error), { cause: error });
}
