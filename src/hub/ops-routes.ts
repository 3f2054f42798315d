/**
 * The routes for people and monitoring rather than daemons or fluxctl: the status page
 * (`GET /`), `/metrics` (Prometheus: the hub's series, then any extra ones) and `/healthz`
 * (`ok`, or cluster mode's health). None of them needs a token.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { send } from '../http/respond.js';
import { PACKAGE_VERSION } from '../runtime/version.js';
import { NO_STORE, text } from './answers.js';
import type { FleetView } from './fleet-view.js';
import { PROMETHEUS_CONTENT_TYPE, type HubMetrics } from './metrics.js';
import { renderStatusPage } from './status-page.js';

/** What the operations routes show besides the fleet (read for each request). */
export interface OpsRoutesOptions {
  /** More series for `/metrics`, appended to the hub's. */
  extraMetrics?: { metrics(): Promise<string> } | undefined;
}

type Route = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export class OpsRoutes {
  private readonly statusPageRoute: Route = (req, res) => this.statusPage(req, res);
  private readonly healthzRoute: Route = (_req, res) => text(res, 200, this.fleet.cluster ? this.fleet.cluster.health().text : 'ok\n');
  private readonly metricsRoute: Route = async (_req, res) => send(res, 200, { 'Content-Type': PROMETHEUS_CONTENT_TYPE, ...NO_STORE }, (await this.metrics.render()) + ((await this.options.extraMetrics?.metrics()) ?? ''));

  constructor(
    private readonly fleet: FleetView,
    private readonly metrics: HubMetrics,
    /** Since when the hub runs (shown on the status page). */
    private readonly startedAt: Date,
    private readonly options: OpsRoutesOptions,
  ) {}

  /** The route that answers `method path`, if it is one of these. */
  route(path: string, method: string | undefined): Route | undefined {
    if (path === '/' && (method === 'GET' || method === 'HEAD')) return this.statusPageRoute;
    if (path === '/healthz') return this.healthzRoute;
    if (path === '/metrics' && (method === 'GET' || method === 'HEAD')) return this.metricsRoute;
    return undefined;
  }

  private statusPage(req: IncomingMessage, res: ServerResponse): void {
    const offset = Number(new URL(req.url ?? '/', 'http://hub').searchParams.get('offset') ?? 0) || 0;
    const cluster = this.fleet.cluster;
    const html = renderStatusPage({
      instances: this.fleet.instances(),
      events: this.fleet.eventLog.recent(20),
      startedAt: this.startedAt,
      now: new Date(),
      version: PACKAGE_VERSION,
      offset,
      ...(cluster ? { cluster: { replica: cluster.replicaId, health: cluster.health().text.split('\n')[0]! } } : {}),
    });
    send(res, 200, { 'Content-Type': 'text/html; charset=utf-8', ...NO_STORE }, html);
  }
}
