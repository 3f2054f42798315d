/**
 * The events routes (not Flux routes of the daemon's API, but what fluxd posts upstream):
 * `POST <base>/v6/events`, a daemon's event, stored for its token's instance (204), and
 * `GET <base>/v6/events`, the caller's instance's events, newest first. Event bodies are charged
 * to the hub's budget while they are read (503 with `Retry-After` beyond it) and bounded in size
 * (413).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { encodeEvent, type FluxEvent } from '../flux/model/index.js';
import { parseEventBody, readRequestBody } from '../http/body.js';
import { HttpRequestError, UnauthorizedError } from '../http/errors.js';
import { JSON_CONTENT_TYPE, send, writeError } from '../http/respond.js';
import type { ByteBudget } from '../runtime/budget.js';
import type { Logger } from '../runtime/log.js';
import { NO_STORE } from './answers.js';
import type { EventLog } from './events.js';
import type { HubMetrics } from './metrics.js';

/** `<base>/v6/events`, at the root or under `/api/flux`. */
export const EVENTS_ROUTE = /^(?:\/api\/flux)?\/v6\/events\/?$/;

/** Largest event body accepted by default: Flux's events are small, and the hub keeps 100 per instance. */
export const DEFAULT_MAX_EVENT_BYTES = 64 * 1024;

/** The limits of the events routes (read for each request). */
export interface EventRoutesOptions {
  /** Largest event body accepted, in bytes (default `DEFAULT_MAX_EVENT_BYTES`); a larger one is answered 413. */
  maxEventBytes?: number | undefined;
  /** `Retry-After` of a 503 for the budget (default 5 s). */
  retryAfterSeconds?: number | undefined;
}

export class EventRoutes {
  constructor(
    /** Where events are kept and listed (the hub's, in either mode). */
    private readonly eventLog: EventLog,
    /** The instance named by the request's token, or undefined. */
    private readonly authenticate: (req: IncomingMessage) => string | undefined,
    private readonly budget: ByteBudget,
    private readonly metrics: HubMetrics,
    private readonly log: Logger,
    private readonly options: EventRoutesOptions,
  ) {}

  /** `GET <base>/v6/events`: the caller's instance's events, newest first (not a Flux route). */
  list(req: IncomingMessage, res: ServerResponse): void {
    const instance = this.authenticate(req);
    if (instance === undefined) return writeError(req, res, 401, new UnauthorizedError());
    const events = this.eventLog.list(instance).map((s) => encodeEvent(s.event));
    send(res, 200, { 'Content-Type': JSON_CONTENT_TYPE, ...NO_STORE }, `[${events.join(',')}]`);
  }

  /** `POST <base>/v6/events` (the daemon's LogEvent): stored for the token's instance; 204. */
  async post(req: IncomingMessage, res: ServerResponse, instance: string): Promise<void> {
    const max = this.options.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES;
    let event: FluxEvent;
    let body: Buffer;
    try {
      body = await readRequestBody(req, max, { budget: this.budget, holdUntil: res, retryAfterSeconds: this.options.retryAfterSeconds });
      event = parseEventBody(body);
    } catch (e) {
      if (e instanceof HttpRequestError && e.status === 413) return writeError(req, res, 413, new HttpRequestError(413, `event too large: the hub accepts events of at most ${max} bytes`));
      if (e instanceof HttpRequestError) return writeError(req, res, e.status, e);
      throw e;
    }
    await this.eventLog.append(instance, event, body);
    this.metrics.events.inc();
    this.log.info('event', { instance, type: event.type, workloads: (event.serviceIds ?? []).length });
    res.writeHead(204).end();
  }
}
