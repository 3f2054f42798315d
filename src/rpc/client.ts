/**
 * An RPC client with Go `net/rpc` semantics over the jsonrpc codec (docs/wire.md §5).
 *
 * - Ids count up from 0, one per call; each call is registered before its request is written, so a
 *   reply may arrive in any order, even before the write completes.
 * - A reply with an id no call is waiting for is dropped, as Go does.
 * - The first failure of the stream — end of stream, read error, malformed bytes, oversize value, a
 *   response Go would reject, a result the caller's `decode` rejects — fails *every* pending call
 *   with one `ConnectionError`, closes the stream and shuts the client down: later calls fail at
 *   once with `ShutdownError`. No call ever hangs on a dead connection.
 * - Cancellation is local: an aborted call rejects with `signal.reason` and is forgotten. The wire
 *   has no cancel message, so the server still runs the call; its late reply is dropped as an
 *   unknown id.
 */
import type { Buffer } from 'node:buffer';
import { JsonStreamSplitter, type SplitterOptions } from '../codec/json-splitter.js';
import { CodecError } from '../codec/errors.js';
import type { ByteStream } from '../transport/byte-stream.js';
import { type Encodable, classifyResponse, encodeRequest } from './envelope.js';
import { ConnectionError, ProtocolError, ServerError, ShutdownError, TransportError } from './errors.js';
import { GoText } from './go-text.js';

export interface CallOptions<R> {
  /** Aborts waiting for the reply (the call is not cancelled on the server: the wire cannot say so). */
  signal?: AbortSignal;
  /**
   * Turns the decoded `result` into the caller's type. If it throws, the call fails with
   * `reading body <message>` and, as in Go, the whole client fails with that error.
   */
  decode?: (result: unknown) => R;
}

export type ClientOptions = SplitterOptions;

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  decode: ((result: unknown) => unknown) | undefined;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

export class Client {
  private seq = 0;
  private readonly pending = new Map<number, Pending>();
  private failure: ConnectionError | undefined;
  private readonly splitter: JsonStreamSplitter;
  private resolveClosed!: (reason: ConnectionError) => void;
  /** Resolves with the error that shut the client down (`ShutdownError` after `close()`). */
  readonly closed: Promise<ConnectionError>;

  constructor(
    private readonly stream: ByteStream,
    options: ClientOptions = {},
  ) {
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
    this.splitter = new JsonStreamSplitter((text) => this.onResponse(text), options);
    stream.start({
      data: (chunk) => this.onData(chunk),
      end: (error) => this.onEnd(error),
    });
  }

  /** True once the client has failed or was closed. */
  get isShutdown(): boolean {
    return this.failure !== undefined;
  }

  /** Number of calls waiting for a reply. */
  get inFlight(): number {
    return this.pending.size;
  }

  /**
   * Calls `method` ("Service.Method") with one argument. Resolves with the decoded result; rejects
   * with `ServerError` (the remote's error string), a `ConnectionError` (fatal), or the abort reason.
   */
  async call<R = unknown>(method: string, param: Encodable, options: CallOptions<R> = {}): Promise<R> {
    if (this.failure) throw new ShutdownError({ cause: this.failure });
    const { signal } = options;
    signal?.throwIfAborted();
    if (this.stream.needsDrain) {
      await untilWritableOrAborted(this.stream, signal);
      if (this.failure) throw new ShutdownError({ cause: this.failure });
    }
    const id = this.seq++;
    const request = encodeRequest(method, param, id);
    return new Promise<R>((resolve, reject) => {
      const entry: Pending = { resolve: resolve as (v: unknown) => void, reject, decode: options.decode, signal, onAbort: undefined };
      if (signal) {
        entry.onAbort = () => {
          if (this.pending.get(id) === entry) {
            this.pending.delete(id);
            reject(signal.reason);
          }
        };
        signal.addEventListener('abort', entry.onAbort, { once: true });
      }
      this.pending.set(id, entry);
      this.stream.write(request);
    });
  }

  /** Closes the connection; pending calls fail with `ShutdownError`. Safe to call more than once. */
  close(): Promise<ConnectionError> {
    this.fail(new ShutdownError());
    return this.closed;
  }

  private onData(chunk: Buffer): void {
    if (this.failure) return;
    try {
      this.splitter.push(chunk);
    } catch (error) {
      this.fail(toConnectionError(error));
    }
  }

  private onEnd(error: Error | undefined): void {
    if (this.failure) return;
    if (error) {
      this.fail(new TransportError('FLUXRPC_ERR_TRANSPORT', error.message, { cause: error }));
      return;
    }
    try {
      this.splitter.end();
    } catch (e) {
      this.fail(toConnectionError(e));
      return;
    }
    this.fail(new TransportError('FLUXRPC_ERR_UNEXPECTED_EOF', GoText.unexpectedEOF));
  }

  private onResponse(text: string): void {
    if (this.failure) return;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      this.fail(new ProtocolError('FLUXRPC_ERR_MALFORMED', `malformed JSON from peer: ${(e as Error).message}`, { cause: e }));
      return;
    }
    const response = classifyResponse(value);
    if (response.kind === 'fatal') {
      this.fail(new ProtocolError('FLUXRPC_ERR_BAD_RESPONSE', response.message));
      return;
    }
    const entry = this.pending.get(response.id);
    if (!entry) return; // Go: a reply nobody waits for is read and dropped.
    this.settle(response.id, entry);
    if (response.kind === 'server-error') {
      entry.reject(new ServerError(response.message));
      return;
    }
    if (!entry.decode) {
      entry.resolve(response.result);
      return;
    }
    let decoded: unknown;
    try {
      decoded = entry.decode(response.result);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      const error = new ProtocolError('FLUXRPC_ERR_REPLY_DECODE', message, { cause: e });
      entry.reject(new ProtocolError('FLUXRPC_ERR_REPLY_DECODE', GoText.readingBody(message), { cause: e }));
      this.fail(error);
      return;
    }
    entry.resolve(decoded);
  }

  private settle(id: number, entry: Pending): void {
    this.pending.delete(id);
    if (entry.onAbort) entry.signal!.removeEventListener('abort', entry.onAbort);
  }

  /** The one exit path: every pending call gets `error`; the stream is closed. */
  private fail(error: ConnectionError): void {
    if (this.failure) return;
    this.failure = error;
    const pending = [...this.pending];
    this.pending.clear();
    for (const [id, entry] of pending) {
      this.settle(id, entry);
      entry.reject(error);
    }
    if (error instanceof ShutdownError) this.stream.close();
    else this.stream.destroy(error);
    this.resolveClosed(error);
  }
}

/**
 * Waits for the stream to accept more bytes; rejects with the abort reason if the signal aborts
 * first (a peer that stops reading must not make an aborted call wait). A closed stream resolves:
 * the caller then sees the client's failure.
 */
function untilWritableOrAborted(stream: ByteStream, signal: AbortSignal | undefined): Promise<void> {
  const writable = stream.writable().catch(() => undefined);
  if (!signal) return writable;
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    writable.then(() => {
      signal.removeEventListener('abort', onAbort);
      if (signal.aborted) reject(signal.reason);
      else resolve();
    });
  });
}

function toConnectionError(error: unknown): ConnectionError {
  if (error instanceof ConnectionError) return error;
  if (error instanceof CodecError) {
    const code = error.code === 'FLUXRPC_ERR_OVERSIZE' ? 'FLUXRPC_ERR_OVERSIZE' : error.code === 'FLUXRPC_ERR_UNEXPECTED_EOF' ? 'FLUXRPC_ERR_UNEXPECTED_EOF' : 'FLUXRPC_ERR_MALFORMED';
    return code === 'FLUXRPC_ERR_UNEXPECTED_EOF' ? new TransportError(code, error.message, { cause: error }) : new ProtocolError(code, error.message, { cause: error });
  }
  return new ProtocolError('FLUXRPC_ERR_MALFORMED', String(error), { cause: error });
}
