/**
 * How a forwarded call's failure crosses to the replica that asked, so that the caller's HTTP
 * answer is the one a local call gives, byte for byte.
 *
 * The HTTP handler reports the first `FluxError` on an error's cause chain, otherwise the error's
 * message inside a CoverAllError (src/http/respond.ts): status by the Flux error's type, body
 * from its type, help and message. So the owner sends, for:
 * - a Flux error (on the chain): type, help and the underlying message (`flux`);
 * - an RPC error string from the daemon (`ServerError`): its message (`server`);
 * - a `FatalError` (the daemon's connection broke): its message (`fatal`);
 * - anything else: its message (`error`);
 * and the asking replica throws an error of the same family with the same texts. The outcome label
 * (for metrics) is what the owner's registry would have counted.
 */
import { FatalError, FluxError, UnavailableError } from '../../flux/model/index.js';
import { ServerError } from '../../rpc/errors.js';

export type WireError =
  | { kind: 'flux'; type: string; help: string; error?: string; unavailable?: boolean }
  | { kind: 'server' | 'fatal' | 'error'; message: string };

export type CallOutcome = 'ok' | 'application_error' | 'server_error' | 'unavailable' | 'fatal' | 'error';

function fluxErrorOn(err: unknown): FluxError | undefined {
  let e: unknown = err;
  for (let depth = 0; depth < 100 && e instanceof Error; depth++) {
    if (e instanceof FluxError) return e;
    e = e.cause;
  }
  return undefined;
}

export function describeError(err: unknown): { outcome: CallOutcome; wire: WireError } {
  const flux = fluxErrorOn(err);
  if (flux) {
    const unavailable = flux instanceof UnavailableError;
    const wire: WireError = { kind: 'flux', type: flux.type, help: flux.help, ...(flux.err === undefined ? {} : { error: flux.err.message }), ...(unavailable ? { unavailable } : {}) };
    return { outcome: unavailable ? 'unavailable' : 'application_error', wire };
  }
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof ServerError) return { outcome: 'server_error', wire: { kind: 'server', message } };
  if (err instanceof FatalError) return { outcome: 'fatal', wire: { kind: 'fatal', message } };
  return { outcome: 'error', wire: { kind: 'error', message } };
}

/** The error to throw for a `WireError` (anything malformed becomes a plain error saying so). */
export function rebuildError(w: unknown): Error {
  const o = (w ?? {}) as Record<string, unknown>;
  const str = (k: string) => (typeof o[k] === 'string' ? (o[k] as string) : '');
  switch (o['kind']) {
    case 'flux': {
      const error = typeof o['error'] === 'string' ? (o['error'] as string) : undefined;
      if (o['unavailable'] === true && error !== undefined) {
        const e = new UnavailableError(error);
        if (e.help === str('help') && e.type === str('type')) return e;
      }
      return new FluxError(str('type'), str('help'), error);
    }
    case 'server':
      return new ServerError(str('message'));
    case 'fatal':
      return new FatalError(new Error(str('message')));
    case 'error':
      return new Error(str('message'));
    default:
      return new Error('the replica holding the daemon sent an error this replica cannot read');
  }
}
