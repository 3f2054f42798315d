/**
 * One log line per answered request, and the count of refusals: a refusal (401, 503) is counted
 * in `fluxrpc_hub_refused_requests_total{reason}` (the budget's also in `…_budget_refusals_total`)
 * and logged at most once per second per kind, the hub's apart from the dashboard's; every other
 * answer is logged (`/`, `/healthz` and `/metrics` at debug level). The line names the instance the
 * request authenticated as, when it did (`rememberInstance`).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../runtime/log.js';
import { EVENTS_ROUTE } from './event-routes.js';
import type { LogThrottle } from './log-throttle.js';
import type { HubMetrics, RefusalReason } from './metrics.js';

/** Who answered a request: the hub's own routes, or the request hook (the dashboard). */
export type Answerer = 'hub' | 'hook';

/** The instance a request authenticated as, kept on the request for its log line. */
const kInstance = Symbol('fluxrpc.hub.instance');
type AuthenticatedRequest = IncomingMessage & { [kInstance]?: string };

/** Remembers the instance `req` authenticated as, for its log line. */
export function rememberInstance(req: IncomingMessage, instance: string): void {
  (req as AuthenticatedRequest)[kInstance] = instance;
}

export class RequestLog {
  constructor(
    private readonly log: Logger,
    private readonly metrics: HubMetrics,
    private readonly throttle: LogThrottle,
  ) {}

  /**
   * Logs and counts the answer to `req` once it is sent; `answeredBy()` says then who answered
   * (`started`: `performance.now()` when the request came).
   */
  watch(req: IncomingMessage, res: ServerResponse, path: string, started: number, answeredBy: () => Answerer): void {
    res.on('finish', () => {
      const status = res.statusCode;
      const fields = { method: req.method, path, status, instance: (req as AuthenticatedRequest)[kInstance], ms: Math.round(performance.now() - started) };
      const by = answeredBy();
      const reason = refusalReason(by, status);
      if (reason === undefined) return this.log[path === '/healthz' || path === '/metrics' || path === '/' ? 'debug' : 'info']('request', fields);
      this.metrics.refusedRequests.inc({ reason });
      if (reason === 'budget') this.metrics.budgetRefusals.inc({ kind: EVENTS_ROUTE.test(path) ? 'event' : 'api' });
      // Refusals come in floods (a bad token retried in a loop, a client hammering a full hub):
      // one line per second per kind, the hub's apart from the dashboard's.
      this.throttle.run(`${by === 'hub' ? 'request' : 'dashboard'}_${status}`, (suppressed) => this.log.warn('request refused', { ...fields, reason, suppressed: suppressed || undefined }));
    });
  }
}

/**
 * Why a request was refused, as counted in `fluxrpc_hub_refused_requests_total{reason}` (see
 * `REFUSAL_REASONS`), or undefined for an answer that is no refusal. The hub's own routes answer
 * 401 for a missing or unknown token and 503 only for the budget (`BusyError`: a daemon's failures
 * are 422 or 500); the dashboard answers 401 for a sign-in that failed or is missing and 503 when
 * it has too many live streams.
 */
function refusalReason(by: Answerer, status: number): RefusalReason | undefined {
  if (status === 401) return by === 'hub' ? 'token' : 'dashboard_sign_in';
  if (status === 503) return by === 'hub' ? 'budget' : 'dashboard_busy';
  return undefined;
}
