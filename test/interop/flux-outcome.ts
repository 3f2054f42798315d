/**
 * Shared by the Flux-API interop tests: calling one method on a `FluxApi` by its Go name with a
 * JSON argument, describing what came back in the shape `fluxpeer` uses for Go's outcomes, and
 * comparing the two.
 *
 * An outcome is the value's JSON text as Go's json.Marshal writes it (our model encoders) and the
 * error's class: `fatal` (FatalError), `server` (the RPC error string, Go's rpc.ServerError),
 * `flux` (a Flux error: type, help, underlying message), `plain` (any other error).
 */
import { FatalError } from '../../src/flux/model/fatal-error.js';
import { FluxError } from '../../src/flux/model/flux-error.js';
import type { FluxApi } from '../../src/flux/api.js';
import { METHODS, type MethodName } from '../../src/flux/versions/index.js';
import { ServerError } from '../../src/rpc/errors.js';

export interface FluxInfo {
  type: string;
  help: string;
  err: string;
  hasErr: boolean;
}

/** fluxpeer's ErrInfo (clients.go). */
export interface GoErrInfo {
  class: 'fatal' | 'server' | 'flux' | 'nil-flux' | 'plain';
  text: string;
  goType: string;
  flux?: FluxInfo;
  inner?: GoErrInfo;
}

export interface GoOutcome {
  result: string;
  error: GoErrInfo | null;
}

export interface ErrorDescription {
  class: GoErrInfo['class'];
  text: string;
  flux?: FluxInfo;
}

export interface TsOutcome {
  /** The value's JSON text (`null` for methods without a value); undefined when the call failed. */
  result: string | undefined;
  error: ErrorDescription | null;
  /** The error as thrown, for messages. */
  thrown?: unknown;
}

export function describeTsError(e: unknown): ErrorDescription {
  if (e instanceof FatalError) return { class: 'fatal', text: e.message };
  if (e instanceof ServerError) return { class: 'server', text: e.message };
  if (e instanceof FluxError) {
    return { class: 'flux', text: e.message, flux: { type: e.type, help: e.help, err: e.err?.message ?? '', hasErr: e.err !== undefined } };
  }
  return { class: 'plain', text: e instanceof Error ? e.message : String(e) };
}

function describeGoError(e: GoErrInfo): ErrorDescription {
  return e.flux === undefined ? { class: e.class, text: e.text } : { class: e.class, text: e.text, flux: e.flux };
}

/** The argument for `method`, decoded from its Go JSON text (undefined for methods without one). */
export function decodeArg(method: MethodName, argJson: string | undefined): unknown {
  if (argJson === undefined || argJson === 'null') return undefined;
  return METHODS[method].param.decode(JSON.parse(argJson));
}

/** Calls `method` (Go name) on `api` with the argument given as Go JSON text. */
export async function callTs(api: FluxApi, method: MethodName, argJson: string | undefined, signal: AbortSignal): Promise<TsOutcome> {
  const m = METHODS[method];
  let param: unknown;
  try {
    param = decodeArg(method, argJson);
  } catch (e) {
    throw new Error(`test set-up: cannot decode the ${method} argument ${argJson}: ${String(e)}`);
  }
  try {
    const value = await m.call(api, { signal }, param as never);
    return { result: m.result === undefined ? 'null' : (m.result.encode as (v: unknown) => string)(value), error: null };
  } catch (e) {
    return { result: undefined, error: describeTsError(e), thrown: e };
  }
}

/**
 * Differences between our outcome and Go's for the same call, as text (empty when they agree).
 *
 * Deliberate deviations (src/flux/README.md "Deviations from Go") that are accepted here:
 * - Export on V7+: Go returns its nil ApplicationError pointer as a non-nil error after every
 *   success (`nil-flux`); ours succeeds. The values must still agree.
 * - When Go returns a value together with an error, ours throws the error and drops the value:
 *   only the errors are compared.
 */
export function compareOutcomes(ts: TsOutcome, go: GoOutcome): string[] {
  const goError = go.error === null || go.error.class === 'nil-flux' ? null : describeGoError(go.error);
  if (goError === null) {
    if (ts.error !== null) return [`Go succeeded with ${go.result}, ours failed: ${JSON.stringify(ts.error)}`];
    return ts.result === go.result ? [] : [`values differ:\n  ours ${ts.result}\n  Go   ${go.result}`];
  }
  if (ts.error === null) return [`Go failed with ${JSON.stringify(goError)}, ours succeeded with ${ts.result}`];
  const problems: string[] = [];
  if (ts.error.class !== goError.class) problems.push(`error class: ours ${ts.error.class}, Go ${goError.class}`);
  if (ts.error.text !== goError.text) problems.push(`error text: ours ${JSON.stringify(ts.error.text)}, Go ${JSON.stringify(goError.text)}`);
  if (JSON.stringify(ts.error.flux) !== JSON.stringify(goError.flux)) problems.push(`flux error: ours ${JSON.stringify(ts.error.flux)}, Go ${JSON.stringify(goError.flux)}`);
  return problems;
}

/** A short label for an outcome: `ok`, or the error class (`nil-flux` counts as `ok`). */
export function outcomeClass(o: { error: { class: string } | null }): string {
  return o.error === null || o.error.class === 'nil-flux' ? 'ok' : o.error.class;
}

/**
 * Go's net/rpc client race after a reply it cannot decode: the call gets `reading body <err>`,
 * then the reading goroutine stops and fails every call still pending with the bare `<err>`. A
 * call made right after may or may not be registered before that, so it gets either the bare
 * `<err>` or `connection is shut down`. Both mean the same (the connection is gone, FatalError);
 * ours always says `connection is shut down`. This maps the bare repetition to that text.
 */
export class GoShutdownRace {
  private bodyError: string | undefined;

  normalise(error: GoErrInfo | null): GoErrInfo | null {
    if (error === null || error.class !== 'fatal') return error;
    if (error.text.startsWith('reading body ')) {
      this.bodyError = error.text.slice('reading body '.length);
      return error;
    }
    return error.text === this.bodyError ? { ...error, text: 'connection is shut down' } : error;
  }
}
