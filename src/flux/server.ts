/**
 * The daemon side: the Flux API served as the RPC service `RPCServer` (flux `pkg/remote/rpc/
 * server.go`, docs/rpc.md §4, §8), one adapter over the method table for every method.
 *
 * Per call:
 * 1. the argument is decoded (a bad one gets Go's error text as the RPC error, before the
 *    implementation is called);
 * 2. the implementation runs with a signal aborted at the RPC timeout (`rpcTimeoutMs`, fluxd's
 *    `--rpc-timeout`, default 10 s, reason `context deadline exceeded`) or when the connection is
 *    gone. As in Go, the server does not stop waiting at the deadline: the reply is sent when the
 *    implementation settles (typically with the abort reason, an internal error);
 * 3. the reply, by the server's form:
 *    - union (default, V7+): the value under `Result`, `"ApplicationError":null`. If the call failed
 *      with a Flux error, or an error whose `cause` chain (the TS analogue of pkg/errors' `Cause`)
 *      reaches one, that Flux error goes into `ApplicationError` (wrapping text is lost), `Result`
 *      holds the value's zero, and the RPC error is null. Any other error travels as the RPC error
 *      string, its full text;
 *    - flat (`flat: true`, V6-era daemons, docs/rpc.md §5.1): the value itself; every error as the RPC
 *      error string (a Flux error's text is its underlying message);
 *    Ping replies `{}` and Version the bare string in both forms, and their errors are always RPC
 *    error strings.
 *
 * A throw or rejection of any kind, even a synchronous throw or a non-Error, becomes an RPC error
 * string: Go's daemon would crash on a panic. A reply never has both `result` and `error` null.
 *
 * Methods: every method of the newest protocol, including ListServicesWithOptions (which Go's
 * server never registered), and SyncNotify only if the implementation has it. See README.md
 * ("Deviations from Go").
 */
import { DEFAULT_CALL_TIMEOUT_MS, MAX_TIMER_MS } from '../runtime/time.js';
import type { ByteStream } from '../transport/byte-stream.js';
import { RawJson } from '../codec/go-json.js';
import { DeadlineExceededError } from '../rpc/errors.js';
import { Server, type ConnectionLifecycle, type MethodDefinition, type ServerConnection, type ServiceDefinition } from '../rpc/server.js';
import type { DaemonImplementation, FluxApi } from './api.js';
import { FluxError } from './model/flux-error.js';
import { METHOD_NAMES, METHODS, SERVICE_NAME, type AnyMethodSpec } from './versions/methods.js';
import { encodeApplicationErrorReply, encodeReplyParts, type ReplyForm } from './versions/replies.js';

/** fluxd's default `--rpc-timeout`. */
export const DEFAULT_RPC_TIMEOUT_MS = DEFAULT_CALL_TIMEOUT_MS;

/** The abort reason at the RPC timeout; its text is Go's `context.DeadlineExceeded`. */
export { DeadlineExceededError };

export interface FluxServerOptions {
  /** Per-call deadline in milliseconds (default 10 000); `Infinity` (or anything above 2^31-1) for none. */
  rpcTimeoutMs?: number;
  /** Serve the V6 ("flat") reply form instead of the union form of V7+. */
  flat?: boolean;
  /**
   * Told of every failure sent as an RPC error string by a method (internal errors, thrown
   * non-Errors, timeouts), for logs. Not told of application errors, which are replies.
   */
  onError?: (error: Error, method: string) => void;
}

export interface FluxServeOptions extends FluxServerOptions {
  /** The largest request accepted, in bytes (default: the codec's, 64 MiB). */
  maxValueBytes?: number;
  /** The most elements (`{`, `[`, `,`) in one request (default: the codec's, 4 Mi). */
  maxValueElements?: number;
  /** Told of an error that ends the connection (malformed request bytes, broken stream). */
  onConnectionError?: (error: Error) => void;
}

/** The `RPCServer` service over `impl`, in an RPC server ready to `serve` connections. */
export function createFluxRpcServer(impl: DaemonImplementation, options: FluxServerOptions = {}): Server {
  const timeoutMs = options.rpcTimeoutMs ?? DEFAULT_RPC_TIMEOUT_MS;
  if (typeof timeoutMs !== 'number' || Number.isNaN(timeoutMs) || timeoutMs < 0) throw new RangeError(`rpcTimeoutMs must be a number >= 0, got ${String(timeoutMs)}`);
  const form: ReplyForm = options.flat ? 'flat' : 'union';
  const service: ServiceDefinition = {};
  for (const name of METHOD_NAMES) {
    const m = METHODS[name];
    if (typeof (impl as Partial<FluxApi>)[m.api] !== 'function') continue; // SyncNotify, when absent
    service[m.name] = adapter(m, impl as FluxApi, form, timeoutMs, options.onError);
  }
  return new Server().register(SERVICE_NAME, service);
}

/** Serves `impl` on one connection. */
export function serveFlux(impl: DaemonImplementation, stream: ByteStream, options: FluxServeOptions = {}): ServerConnection & ConnectionLifecycle {
  const { maxValueBytes, maxValueElements, onConnectionError } = options;
  return createFluxRpcServer(impl, options).serve(stream, {
    ...(maxValueBytes === undefined ? {} : { maxValueBytes }),
    ...(maxValueElements === undefined ? {} : { maxValueElements }),
    // The adapter turns every method failure into an Error itself, so only connection errors come here.
    onError: (error, where) => {
      if (where === 'connection') onConnectionError?.(error);
    },
  });
}

/**
 * The Flux error an implementation's failure is an application error for: the error itself or the
 * first Flux error down its `cause` chain, provided only non-Flux errors stand before it (as
 * pkg/errors' `Cause` stops at the first error without a cause).
 */
export function applicationErrorOf(error: unknown): FluxError | undefined {
  let e = error;
  for (let depth = 0; depth < 100; depth++) {
    if (e instanceof FluxError) return e;
    if (!(e instanceof Error) || e.cause === undefined) return undefined;
    e = e.cause;
  }
  return undefined;
}

function adapter(m: AnyMethodSpec, impl: FluxApi, form: ReplyForm, timeoutMs: number, onError: FluxServerOptions['onError']): MethodDefinition {
  const versioned = m.reply === 'versioned';
  const timed = timeoutMs <= MAX_TIMER_MS;
  return {
    decodeParam: (raw) => m.param.decode(raw),
    // One timer and one controller per call, made by the RPC server (no listener on a
    // connection-wide signal): the signal aborts at the timeout or when the connection goes.
    ...(timed ? { timeout: { ms: timeoutMs, reason: () => new DeadlineExceededError() } } : {}),
    async handle(param, context) {
      try {
        const ctx = timed ? { signal: context.signal, deadline: Date.now() + timeoutMs } : { signal: context.signal };
        const value = await m.call(impl, ctx, param);
        // Encoded when the RPC server writes the reply (a large list as one part per element,
        // never joined into one string); a value that cannot be encoded is reported here and sent
        // as the RPC error (the rpc server turns the throw into the error reply).
        return RawJson.lazy(() => {
          try {
            return encodeReplyParts(m, form, value);
          } catch (error) {
            onError?.(error instanceof Error ? error : new Error(String(error)), m.wire);
            throw error;
          }
        });
      } catch (thrown) {
        const application = versioned && form === 'union' ? applicationErrorOf(thrown) : undefined;
        if (application !== undefined) return new RawJson(encodeApplicationErrorReply(m, application));
        const error = thrown instanceof Error ? thrown : new Error(String(thrown));
        onError?.(error, m.wire);
        throw error;
      }
    },
  };
}
