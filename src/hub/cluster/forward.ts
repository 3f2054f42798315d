/**
 * Flux API calls for an instance whose daemon is on another replica, over NATS request/reply.
 *
 * Asking (`Forwarder.api`): a call becomes a conversation (transfer.ts) opened on
 * `fluxrpc.call.<instance>` with `{"k":"call","v":1,"m":<Go method>,"d":<deadline, epoch ms>,
 * "r":<ms left>,"from":<replica>,"n":<bytes>}` and the parameter as JSON (the method table's codec,
 * the same text the RPC client would send). Only the replica holding the daemon subscribes to that
 * subject, so with no holder anywhere NATS answers "no responders" at once and the caller gets
 * the registry's own UnavailableError. The owner answers `{"k":"reply","o":<outcome>,"n":<bytes>}`
 * and the result as JSON (again the method table's codec), or the error (outcome.ts). Either side
 * may need more than one message: `{"k":"more"}` asks for the rest of a large parameter; a large
 * result follows its reply frame in chunks.
 *
 * Deadlines: the caller's deadline is its own (`ctx.deadline`, epoch ms, when the context carries
 * one) or now + the call timeout. The asking replica gives up at that instant, whatever happens
 * (a holder killed mid-call costs exactly that). The owner runs the call through its registry
 * with the deadline `REPLY_MARGIN_MS` earlier, taken from the *remaining* time it was sent (clocks
 * of two machines need not agree), so that its own timeout (which disconnects a stuck daemon, as a
 * local call's does) is reported back before the caller gives up.
 *
 * Serving (`Forwarder.serve`): the owner subscribes per local daemon (queue group, so one replica
 * answers even while a kick is under way) and calls `registry.api(instance)` exactly as the HTTP
 * handler would have. A local daemon never takes this path: `api()` calls the registry directly.
 */
import type { NatsConnection, Msg, Subscription } from '@nats-io/transport-node';
import type { CallContext, FluxApi } from '../../flux/api.js';
import { UnavailableError } from '../../flux/model/index.js';
import { EncodedJson } from '../../http/encoded-json.js';
import { decodeValue, METHODS, type AnyMethodSpec } from '../../flux/versions/methods.js';
import { ByteBudget } from '../../runtime/budget.js';
import type { Logger } from '../../runtime/log.js';
import { deadline } from '../../runtime/time.js';
import { noDaemonError, type DaemonRegistry, type DeadlineContext } from '../registry.js';
import type { Bus } from './bus.js';
import type { ClusterMetrics } from './metrics.js';
import { callSubject, CALL_QUEUE } from './names.js';
import { describeError, rebuildError, type CallOutcome } from './outcome.js';
import { BusError, chunkSize, decodeFrame, Endpoint, NO_RESPONDERS, type Channel, type Frame } from './transfer.js';

/** How much earlier than the caller's deadline the owner's registry gives up, so its answer arrives in time. */
export const REPLY_MARGIN_MS = 250;
/** What one replica holds at once of forwarded parameters and results being received. */
export const FORWARD_BUDGET_BYTES = 512 * 1024 * 1024;

const SPECS: ReadonlyMap<string, AnyMethodSpec> = new Map(Object.values(METHODS).map((m) => [m.name, m as AnyMethodSpec]));

type ForwardOutcome = CallOutcome | 'no_owner' | 'bus_down' | 'timeout' | 'canceled' | 'bus_error';

export interface ForwarderOptions {
  replicaId: string;
  registry: DaemonRegistry;
  bus: Bus;
  metrics: ClusterMetrics;
  log: Logger;
  /** The bound of a call without a deadline of its own (the hub's call timeout). */
  callTimeoutMs: number;
}

export class Forwarder {
  private readonly endpoint = new Endpoint();
  private readonly budget = new ByteBudget(FORWARD_BUDGET_BYTES);
  /** Instances served here (daemon connected locally) → their subscription on the current connection. */
  private readonly served = new Map<string, Subscription | undefined>();
  private nc: NatsConnection | undefined;

  constructor(private readonly o: ForwarderOptions) {}

  /** A (new) connection: the inbox and every local instance's subscription on it. */
  attach(nc: NatsConnection): void {
    if (this.nc === nc) return;
    this.nc = nc;
    this.endpoint.attach(nc);
    for (const instance of this.served.keys()) this.subscribe(instance);
  }

  /** The connection is down: conversations in progress fail now (nothing would reach them). */
  detach(): void {
    this.endpoint.detach(new UnavailableError(new BusError('the connection to NATS was lost during the call')));
  }

  /** Serve calls for `instance` (its daemon connected here). */
  serve(instance: string): void {
    if (this.served.has(instance)) return;
    this.served.set(instance, undefined);
    if (this.nc) this.subscribe(instance);
  }

  /** Stop serving `instance` (its daemon left). */
  unserve(instance: string): void {
    if (!this.served.has(instance)) return;
    this.served.get(instance)?.unsubscribe();
    this.served.delete(instance);
  }

  /** Conversations open now (tests, metrics). */
  get openConversations(): number {
    return this.endpoint.open;
  }

  /**
   * The Flux API of `instance`: the local daemon if it is here, else the replica holding it.
   * `encoded`: for the HTTP handler only, a forwarded result comes back as the `EncodedJson` the
   * owner made (not decoded here to be encoded again), except GitRepoConfig's (a route writes a
   * part of it).
   */
  api(instance: string, encoded = false): FluxApi {
    return new ForwardedApi(this, instance, this.o.registry.api(instance), encoded) as unknown as FluxApi;
  }

  /** @internal A call of `api`'s (`ForwardedApi`'s methods): to the local daemon if it is here, else forwarded. */
  call(api: ForwardedApi, spec: AnyMethodSpec, asText: boolean, ctx: CallContext, args: unknown[]): Promise<unknown> {
    if (this.o.registry.isConnected(api.instance)) return (api.local[spec.api] as (c: CallContext, ...a: unknown[]) => Promise<unknown>).call(api.local, ctx, ...args);
    return this.forward(api.instance, spec, ctx, args[0], asText);
  }

  private subscribe(instance: string): void {
    const nc = this.nc!;
    let sub: Subscription;
    try {
      sub = nc.subscribe(callSubject(instance), { queue: CALL_QUEUE, callback: (err, msg) => void (err ? undefined : this.answer(instance, msg)) });
    } catch (e) {
      this.o.log.error('cannot subscribe for forwarded calls', { instance, error: e as Error });
      return;
    }
    this.served.get(instance)?.unsubscribe();
    this.served.set(instance, sub);
  }

  // --- asking --------------------------------------------------------------------------------

  private async forward(instance: string, spec: AnyMethodSpec, ctx: CallContext, param: unknown, asText: boolean): Promise<unknown> {
    const started = performance.now();
    let outcome: ForwardOutcome = 'ok';
    try {
      if (!this.o.bus.connected) {
        outcome = 'bus_down';
        throw new UnavailableError(new Error(`no daemon is connected for instance ${instance} on this replica, and the cluster bus (NATS) is not connected (${this.o.bus.state}) to reach the others`));
      }
      const until = (ctx as DeadlineContext).deadline ?? Date.now() + this.o.callTimeoutMs;
      const budgetMs = Math.max(0, until - Date.now());
      const limit = deadline(ctx.signal, budgetMs, () => new UnavailableError(new Error(`${spec.name}: no reply within ${budgetMs} ms from the replica holding instance ${instance}`)));
      const ch = this.endpoint.channel(limit.signal);
      try {
        const payload = Buffer.from(spec.param.encode(param), 'utf8');
        const size = chunkSize(this.o.bus.maxPayload);
        ch.open(callSubject(instance), { k: 'call', v: 1, m: spec.name, d: until, r: budgetMs, from: this.o.replicaId, n: payload.length }, payload.subarray(0, size));
        let f = await ch.next();
        if (f.h.k === NO_RESPONDERS) {
          outcome = 'no_owner';
          throw noDaemonError(instance);
        }
        ch.peer = replyOf(f);
        if (f.h.k === 'more') {
          await ch.sendRest(payload, size, size);
          f = await ch.nextSkippingCredit();
        }
        if (f.h.k !== 'reply') throw new BusError(`expected a reply, got a frame of kind ${JSON.stringify(f.h.k)}`);
        const { bytes, release } = await ch.receiveRest(Number(f.h['n']), f.body, this.budget);
        try {
          const o = String(f.h['o']);
          if (o !== 'ok') {
            outcome = o as ForwardOutcome;
            throw rebuildError(JSON.parse(bytes.toString('utf8')));
          }
          if (spec.result === undefined) return undefined;
          if (!asText) return decodeValue(spec.result, JSON.parse(bytes.toString('utf8')));
          // The bytes as they came, not decoded and encoded again.
          return new EncodedJson(bytes);
        } finally {
          release();
        }
      } catch (e) {
        if (outcome === 'ok') {
          if (limit.expired) outcome = 'timeout';
          else if (ctx.signal.aborted) outcome = 'canceled';
          else outcome = 'bus_error';
        }
        if (outcome === 'bus_error' && !(e instanceof UnavailableError)) {
          this.o.log.warn('forwarded call failed', { instance, method: spec.name, error: e as Error });
          throw new UnavailableError(new Error(`${spec.name}: the call to the replica holding instance ${instance} failed: ${(e as Error).message}`));
        }
        throw e;
      } finally {
        ch.close();
        limit.dispose();
      }
    } finally {
      this.o.metrics.forwarded.observe({ method: spec.name, outcome }, (performance.now() - started) / 1000);
    }
  }

  // --- answering -------------------------------------------------------------------------------

  private async answer(instance: string, msg: Msg): Promise<void> {
    const started = performance.now();
    let method = 'unknown';
    let outcome: CallOutcome | 'bus_error' = 'ok';
    let ch: Channel | undefined;
    let limit: ReturnType<typeof deadline> | undefined;
    try {
      const f = decodeFrame(msg);
      const spec = SPECS.get(String(f.h['m']));
      const remaining = Number(f.h['r']);
      if (f.h.k !== 'call' || f.h['v'] !== 1 || !spec || !msg.reply || !Number.isFinite(remaining)) {
        outcome = 'bus_error';
        this.o.log.warn('a forwarded call this replica cannot read', { instance, kind: f.h.k, method: f.h['m'], version: f.h['v'] });
        return;
      }
      method = spec.name;
      // Never longer than a local call may take.
      const budgetMs = Math.max(0, Math.min(remaining, this.o.callTimeoutMs + REPLY_MARGIN_MS));
      limit = deadline(undefined, budgetMs, () => new BusError('the caller has given up'));
      ch = this.endpoint.channel(limit.signal);
      ch.peer = msg.reply;
      let text: string;
      if (Number(f.h['n']) > f.body.length) ch.send({ k: 'more' });
      const { bytes, release } = await ch.receiveRest(Number(f.h['n']), f.body, this.budget);
      try {
        text = bytes.toString('utf8');
      } finally {
        release();
      }
      let reply: string;
      try {
        if (budgetMs <= REPLY_MARGIN_MS) throw new UnavailableError(new Error(`${spec.name}: the caller's deadline leaves no time for the call (${budgetMs} ms)`));
        const param: unknown = spec.param.decode(JSON.parse(text));
        const ctx: DeadlineContext = { signal: limit.signal, deadline: Date.now() + budgetMs - REPLY_MARGIN_MS };
        const value: unknown = await spec.call(this.o.registry.api(instance), ctx, param);
        reply = spec.result === undefined ? '' : spec.result.encode(value);
      } catch (e) {
        const d = describeError(e);
        outcome = d.outcome;
        reply = JSON.stringify(d.wire);
      }
      if (ch.closed) throw new BusError('the caller has given up');
      const payload = Buffer.from(reply, 'utf8');
      const size = chunkSize(this.o.bus.maxPayload);
      ch.send({ k: 'reply', o: outcome, n: payload.length }, payload.subarray(0, size));
      await ch.sendRest(payload, size, size);
    } catch (e) {
      if (outcome === 'ok') outcome = 'bus_error';
      this.o.log.warn('answering a forwarded call failed', { instance, method, error: e as Error });
    } finally {
      ch?.close();
      limit?.dispose();
      this.o.metrics.served.observe({ method, outcome }, (performance.now() - started) / 1000);
    }
  }
}

/**
 * `Forwarder.api(instance, encoded)`: a small object whose FluxApi methods, on its prototype, go
 * through the forwarder, so that resolving an instance's API (once per HTTP request) makes no
 * closure per method.
 */
class ForwardedApi {
  constructor(
    readonly forwarder: Forwarder,
    readonly instance: string,
    readonly local: FluxApi,
    readonly encoded: boolean,
  ) {}
}
for (const spec of SPECS.values()) {
  const textual = spec.result !== undefined && spec.api !== 'gitRepoConfig';
  Object.defineProperty(ForwardedApi.prototype, spec.api, {
    value: function (this: ForwardedApi, ctx: CallContext, ...args: unknown[]) {
      return this.forwarder.call(this, spec, this.encoded && textual, ctx, args);
    },
    writable: true,
    configurable: true,
  });
}

function replyOf(f: Frame): string {
  if (!f.reply) throw new BusError('a frame without a reply address');
  return f.reply;
}
