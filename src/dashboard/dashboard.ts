/**
 * The dashboard, mounted into the hub as its request hook (`hub.requestHook = dashboard.handle`).
 * It answers `/` (the fleet, replacing the status page), `/login`, `/logout`, `/events`,
 * `/notifications`, `/instances/…`, `/live` and `/assets/…`, and leaves everything else (the Flux
 * API, daemon registrations, `/metrics`, `/healthz`) to the hub.
 *
 * Every page needs a signed-in user (or a trusted proxy's user); every POST needs the user's CSRF
 * token and, except logout, the deploy permission on the instance. Failures are pages that say
 * what went wrong; nothing a daemon sends is trusted (data.ts bounds it, html.ts escapes it).
 *
 * Cluster mode: the hub's view (`DashboardHub`) covers every replica (instances, daemons, events),
 * jobs started through another replica are adopted (jobs.ts), and once the hub joins the cluster
 * the sign-in state is shared (cluster-sessions.ts, loaded only then).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpRequestError } from '../http/errors.js';
import type { StoredEvent } from '../hub/events.js';
import type { Cluster } from '../hub/cluster/cluster.js';
import type { Notifier } from '../notify/notifier.js';
import { imageNameString } from '../flux/model/index.js';
import { GitUrls } from '../notify/git-url.js';
import { silentLogger, type Logger } from '../runtime/log.js';
import { FormError, policyChange, releaseChoice, releaseSpec } from './actions.js';
import { loadAssets, serveAsset } from './assets.js';
import { recordJob } from './audit.js';
import { DashboardAuth, type Viewer } from './auth.js';
import { clip, Fleet, loadWorkload, loadWorkloads, MAX_IMAGES, type DashboardHub } from './data.js';
import { cookies, pathOf, readForm, redirect, sendPage, sendText, setCookie } from './http.js';
import { awaitJob, JobTracker, newSyncJobId, resultRows, type TrackedJob } from './jobs.js';
import { LiveStreams } from './live.js';
import { errorPage } from './pages/error.js';
import { eventRow, eventsPage, matchesFilter } from './pages/events.js';
import { fleetPage, fleetProtocol, fleetStateCell } from './pages/fleet.js';
import { gitPage } from './pages/git.js';
import { instancePage } from './pages/instance.js';
import { jobPage, jobStatus } from './pages/job.js';
import { loginPage } from './pages/login.js';
import { notificationsPage, sinkFailing } from './pages/notifications.js';
import { ALL, ALL_LATEST, describeChoice, releaseForm, releasePlan, type ReleaseChoice } from './pages/release.js';
import { workloadPage } from './pages/workload.js';
import { fromSegment, localTarget, paths } from './paths.js';
import type { SessionCodec } from './sessions.js';
import { allowed, mayView, type UserStore } from './users.js';
import type { BlockList } from 'node:net';

export interface DashboardOptions {
  /** The hub (`Hub`), alone or a replica of a cluster. */
  hub: DashboardHub;
  users: UserStore;
  codec: SessionCodec;
  trustedProxies?: BlockList;
  proxyUserHeader?: string;
  notifier?: Notifier;
  gitUrls?: GitUrls;
  logger?: Logger;
  /** Bound on each daemon call made for a page (default 10 s). */
  callTimeoutMs?: number;
  /** Job polling start interval (default 100 ms). */
  jobPollMs?: number;
  /** Where the package's assets are (tests). */
  assetRoot?: string;
}

const LOGIN_COOKIE = 'fluxrpc_login';

/** A path segment, decoded (paths.ts); a malformed escape is a 400, not an internal error. */
function decode(segment: string): string {
  try {
    return fromSegment(segment);
  } catch {
    throw new HttpRequestError(400, 'malformed URL');
  }
}
const INSTANCE_ROUTE = /^\/instances\/([^/]+)(?:\/(workloads|jobs)\/([^/]+)(\/policy)?|\/(release|sync|git|events))?\/?$/;

export class Dashboard {
  readonly auth: DashboardAuth;
  readonly jobs: JobTracker;
  readonly live: LiveStreams;
  readonly fleet: Fleet;
  readonly gitUrls: GitUrls;
  private readonly log: Logger;
  private readonly assets: ReturnType<typeof loadAssets>;
  private readonly unsubscribe: (() => void)[] = [];
  private readonly callTimeoutMs: number;
  private readonly jobActions = new Map<TrackedJob, { action: Parameters<typeof recordJob>[2]; workloads: string[] }>();
  private shared: { close(): void } | undefined;
  private closed = false;

  constructor(private readonly o: DashboardOptions) {
    this.log = (o.logger ?? silentLogger).child({ component: 'dashboard' });
    this.callTimeoutMs = o.callTimeoutMs ?? 10_000;
    this.auth = new DashboardAuth({ users: o.users, codec: o.codec, trustedProxies: o.trustedProxies, proxyUserHeader: o.proxyUserHeader, logger: this.log });
    this.fleet = new Fleet({ hub: o.hub });
    this.gitUrls = o.gitUrls ?? new GitUrls({ api: (i) => o.hub.api(i) });
    this.assets = loadAssets(o.assetRoot);
    this.live = new LiveStreams({ stillValid: (v) => o.users.get(v.user.name)?.fingerprint === v.user.fingerprint });
    this.jobs = new JobTracker({
      api: (i) => o.hub.api(i),
      callTimeoutMs: this.callTimeoutMs,
      pollMs: o.jobPollMs,
      onDone: (job) => {
        const a = this.jobActions.get(job);
        this.jobActions.delete(job);
        this.fleet.invalidate(job.instance);
        if (a) recordJob(o.hub.eventLog, job, a.action, a.workloads).catch((e: unknown) => this.log.warn('the event of a dashboard action was not recorded', { instance: job.instance, job: job.id, error: e as Error }));
      },
    });
    this.unsubscribe.push(
      this.jobs.subscribe((job) => this.live.publish('job', job.instance, this.jobData(job))),
      o.hub.subscribeInstances((s) => {
        this.fleet.invalidate(s.instance);
        this.live.publish('instance', s.instance, { connected: s.connected, html: fleetStateCell(s).text, protocol: fleetProtocol(s) });
      }),
      o.hub.eventLog.subscribe((instance, e) => this.publishEvent(instance, e)),
    );
    o.hub.onClusterStart?.((cluster) => this.joinCluster(cluster)).catch((e: unknown) => this.log.error('the dashboard could not join the cluster', { error: e as Error }));
  }

  /** Cluster mode: share sign-outs and failed sign-ins with the other replicas. */
  private async joinCluster(cluster: Cluster): Promise<void> {
    const { SharedSessions } = await import('./cluster-sessions.js');
    if (this.closed) return;
    this.shared?.close();
    this.shared = new SharedSessions({ cluster, codec: this.o.codec, auth: this.auth, log: this.log });
  }

  private jobData(job: TrackedJob): Record<string, unknown> {
    return { id: job.id, stage: job.stage, html: jobStatus(job, this.gitUrls.peek(job.instance)).text };
  }

  private publishEvent(instance: string, e: StoredEvent): void {
    const git = this.gitUrls.peek(instance);
    this.live.publish('event', instance, {
      seq: e.seq,
      type: e.event.type,
      workloads: (e.event.serviceIds ?? []).slice(0, 50).map((id) => id.toString()),
      html: eventRow(instance, e, git, true).text,
      htmlInstance: eventRow(instance, e, git, false).text,
    });
  }

  /** The hub's request hook. */
  handle = async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const { path, query } = pathOf(req);
    const method = req.method === 'HEAD' ? 'GET' : req.method;
    if (path.startsWith('/assets/')) return method === 'GET' && serveAsset(this.assets, path.slice(8), req, res);
    const known = path === '/' || path === '/login' || path === '/logout' || path === '/events' || path === '/notifications' || path === '/live' || path.startsWith('/instances/');
    if (!known) return false;
    try {
      if (path === '/login') return await this.loginRoute(req, res, method, query), true;
      const viewer = this.auth.identify(req);
      if (!viewer) {
        if (method === 'GET' && path !== '/live') redirect(res, paths.login(req.url));
        else sendText(res, 401, 'sign in first\n');
        return true;
      }
      if (method === 'POST') {
        const form = await readForm(req);
        if (!this.auth.checkCsrf(viewer, form.get('_csrf') ?? undefined)) {
          sendPage(res, 403, errorPage(viewer, 'Refused', 'The form was stale or did not come from this dashboard (CSRF token missing or wrong). Reload the page and try again.'));
          return true;
        }
        await this.post(req, res, viewer, path, form);
        return true;
      }
      if (method !== 'GET') return sendText(res, 405, 'method not allowed\n', { Allow: 'GET, HEAD, POST' }), true;
      await this.get(req, res, viewer, path, query);
      return true;
    } catch (e) {
      if (e instanceof HttpRequestError) sendText(res, e.status, `${e.message}\n`);
      else {
        this.log.error('dashboard request failed', { path, error: e as Error });
        if (!res.headersSent) sendPage(res, 500, errorPage(undefined, 'Internal error', 'Something went wrong on the hub; it has been logged.'));
        else res.destroy();
      }
      return true;
    }
  };

  private async loginRoute(req: IncomingMessage, res: ServerResponse, method: string | undefined, query: URLSearchParams): Promise<void> {
    const secure = this.auth.secure(req);
    const fresh = () => randomBytes(18).toString('base64url');
    if (method === 'GET') {
      const token = fresh();
      sendPage(res, 200, loginPage({ next: localTarget(query.get('next')), loginToken: token }), { 'Set-Cookie': setCookie(LOGIN_COOKIE, token, { secure, maxAgeSeconds: 3600 }) });
      return;
    }
    if (method !== 'POST') return sendText(res, 405, 'method not allowed\n', { Allow: 'GET, POST' });
    const form = await readForm(req);
    const name = (form.get('name') ?? '').trim().slice(0, 128);
    const next = localTarget(form.get('next'));
    const expected = cookies(req).get(LOGIN_COOKIE) ?? '';
    const given = form.get('_login') ?? '';
    const retry = (status: number, error: string) => {
      const token = fresh();
      sendPage(res, status, loginPage({ next, loginToken: token, error, name }), { 'Set-Cookie': setCookie(LOGIN_COOKIE, token, { secure, maxAgeSeconds: 3600 }) });
    };
    if (expected === '' || given.length !== expected.length || !timingSafeEqual(Buffer.from(given), Buffer.from(expected))) return retry(403, 'The sign-in form was stale. Please try again.');
    const outcome = await this.auth.login(req, name, form.get('password') ?? '');
    if (!outcome.ok) return retry(outcome.status, outcome.message);
    redirect(res, next, { 'Set-Cookie': [outcome.setCookie, setCookie(LOGIN_COOKIE, '', { secure, maxAgeSeconds: 0 })] });
  }

  private instanceOr404(res: ServerResponse, viewer: Viewer, instance: string): boolean {
    if (mayView(viewer.user, instance) && this.fleet.status(instance)) return true;
    sendPage(res, 404, errorPage(viewer, 'Not found', `No instance named ${instance} that you may see.`));
    return false;
  }

  private async get(req: IncomingMessage, res: ServerResponse, viewer: Viewer, path: string, query: URLSearchParams): Promise<void> {
    const may = (i: string) => mayView(viewer.user, i);
    if (path === '/') {
      const summaries = await this.fleet.summaries(may);
      const urls = await this.urls(summaries.map((s) => s.status.instance));
      const failing = (this.o.notifier?.status() ?? []).filter(sinkFailing).length;
      return sendPage(res, 200, fleetPage(viewer, summaries, (i) => urls.get(i), failing));
    }
    if (path === '/events') return this.eventsRoute(res, viewer, undefined, query);
    if (path === '/notifications') return sendPage(res, 200, notificationsPage(viewer, this.o.notifier?.status()));
    if (path === '/live') {
      const instance = query.get('instance') ?? undefined;
      if (instance !== undefined && !this.instanceOr404(res, viewer, instance)) return;
      const id = query.get('job');
      // A job started through another replica is followed here too (its stream may land anywhere).
      const job = instance === undefined || id === null ? undefined : await this.jobs.adopt(instance, clip(id, 128));
      this.live.open(req, res, viewer, instance, job && { kind: 'job', data: this.jobData(job) });
      return;
    }
    const m = INSTANCE_ROUTE.exec(path);
    if (!m) return sendPage(res, 404, errorPage(viewer, 'Not found', 'There is no such page.'));
    const instance = decode(m[1]!);
    if (!this.instanceOr404(res, viewer, instance)) return;
    const api = this.o.hub.api(instance);
    const sub = m[2] ?? m[5];
    const arg = m[3] === undefined ? undefined : decode(m[3]);
    if (m[4]) return sendText(res, 405, 'method not allowed\n', { Allow: 'POST' });
    switch (sub) {
      case undefined: {
        let workloads;
        let error: string | undefined;
        try {
          workloads = await loadWorkloads(api, this.callTimeoutMs);
        } catch (e) {
          error = clip((e as Error).message);
        }
        const namespaces = [...new Set((workloads ?? []).map((w) => w.namespace))].sort();
        return sendPage(res, 200, instancePage({ viewer, status: this.fleet.status(instance)!, workloads, error, namespaces, filter: { ns: clip(query.get('ns') ?? '', 64), q: clip(query.get('q') ?? '', 200) } }));
      }
      case 'workloads': {
        try {
          const found = await loadWorkload(api, this.callTimeoutMs, arg!);
          if (!found) return sendPage(res, 404, errorPage(viewer, 'Not found', `${instance} has no workload ${arg}.`));
          return sendPage(res, 200, workloadPage({ viewer, instance, ...found }));
        } catch (e) {
          return sendPage(res, 502, errorPage(viewer, 'Daemon unavailable', clip((e as Error).message)));
        }
      }
      case 'jobs': {
        const job = await this.jobs.adopt(instance, clip(arg!, 128));
        if (!job) return sendPage(res, 404, errorPage(viewer, 'Not found', `No such job: the daemon of ${instance} does not know it (or cannot be asked now).`));
        return sendPage(res, 200, jobPage(viewer, job, await this.gitUrls.get(instance)));
      }
      case 'release': {
        if (!allowed(viewer.user, 'deploy', instance)) return sendPage(res, 403, errorPage(viewer, 'Forbidden', 'Releasing needs the deployer role.'));
        const w = query.get('workload');
        return this.releaseFormPage(res, viewer, instance, { workloads: w ? [w] : [], image: ALL_LATEST, message: '', force: false });
      }
      case 'git': {
        try {
          return sendPage(res, 200, gitPage(viewer, instance, await api.gitRepoConfig({ signal: AbortSignal.timeout(this.callTimeoutMs) }, false), undefined));
        } catch (e) {
          return sendPage(res, 502, gitPage(viewer, instance, undefined, clip((e as Error).message)));
        }
      }
      case 'events':
        return this.eventsRoute(res, viewer, instance, query);
      default:
        return sendText(res, 405, 'method not allowed\n', { Allow: 'POST' });
    }
  }

  private async urls(instances: string[]): Promise<Map<string, string | undefined>> {
    const connected = new Set(this.o.hub.instances().filter((s) => s.connected).map((s) => s.instance));
    const list = await Promise.all(instances.map(async (i) => [i, connected.has(i) ? await this.gitUrls.get(i) : this.gitUrls.peek(i)] as const));
    return new Map(list);
  }

  private async eventsRoute(res: ServerResponse, viewer: Viewer, instance: string | undefined, query: URLSearchParams): Promise<void> {
    const filter = { type: clip(query.get('type') ?? '', 64), workload: clip(query.get('workload') ?? '', 200) };
    const log = this.o.hub.eventLog;
    const source = instance ? log.list(instance).map((e) => ({ ...e, instance })) : log.recent(5000).filter((e) => mayView(viewer.user, e.instance));
    const events = source.filter((e) => matchesFilter(e, filter)).slice(0, 300);
    const urls = await this.urls([...new Set(events.map((e) => e.instance))]);
    sendPage(res, 200, eventsPage({ viewer, instance, events, gitUrl: (i) => urls.get(i), filter }));
  }

  private async releaseFormPage(res: ServerResponse, viewer: Viewer, instance: string, choice: ReleaseChoice, error?: string, status = 200): Promise<void> {
    const api = this.o.hub.api(instance);
    let workloads: Awaited<ReturnType<typeof loadWorkloads>> = [];
    const images = new Map<string, string[]>();
    try {
      workloads = await loadWorkloads(api, this.callTimeoutMs);
      const all = await api.listImagesWithOptions({ signal: AbortSignal.timeout(this.callTimeoutMs) }, { spec: ALL, overrideContainerFields: ['Name', 'Current', 'Available'], namespace: '' });
      for (const s of (all ?? []).slice(0, 500))
        for (const c of s.containers ?? []) {
          const repo = clip(imageNameString(c.current.id));
          if (repo === '' || images.has(repo)) continue;
          images.set(repo, (c.available ?? []).slice(0, MAX_IMAGES).map((i) => clip(`${repo}:${i.id.tag}`)));
        }
    } catch (e) {
      error ??= `Could not list workloads and images: ${clip((e as Error).message)}`;
    }
    sendPage(res, status, releaseForm({ viewer, instance, workloads, images, choice, error }));
  }

  private async post(req: IncomingMessage, res: ServerResponse, viewer: Viewer, path: string, form: URLSearchParams): Promise<void> {
    if (path === '/logout') return redirect(res, paths.login(), { 'Set-Cookie': this.auth.logout(req, viewer) });
    const m = INSTANCE_ROUTE.exec(path);
    const instance = m ? decode(m[1]!) : undefined;
    if (!m || instance === undefined || !(m[5] === 'release' || m[5] === 'sync' || m[4])) return sendText(res, 405, 'method not allowed\n', { Allow: 'GET' });
    if (!this.instanceOr404(res, viewer, instance)) return;
    if (!allowed(viewer.user, 'deploy', instance)) {
      this.log.warn('action refused: not a deployer', { user: viewer.user.name, instance, path });
      return sendPage(res, 403, errorPage(viewer, 'Forbidden', 'This needs the deployer role.'));
    }
    const api = this.o.hub.api(instance);
    const ctx = () => ({ signal: AbortSignal.timeout(this.callTimeoutMs) });
    const start = (id: string, meta: Parameters<JobTracker['track']>[2], action: Parameters<typeof recordJob>[2], workloads: string[]) => {
      const job = this.jobs.track(instance, id, meta);
      this.jobActions.set(job, { action, workloads });
      this.log.info('dashboard action', { user: viewer.user.name, instance, action, job: id });
      redirect(res, paths.job(instance, id));
    };
    try {
      if (m[5] === 'sync') {
        const git = await api.gitRepoConfig(ctx(), false);
        await api.notifyChange(ctx(), { kind: 'git', source: { url: git.remote.url, branch: git.remote.branch } });
        return start(newSyncJobId(), { kind: 'sync', user: viewer.user.name, title: 'Sync' }, 'sync', []);
      }
      if (m[4]) {
        const change = policyChange(form, decode(m[3]!), viewer.user.name);
        const id = await api.updateManifests(ctx(), change.spec);
        return start(id, { kind: 'policy', user: viewer.user.name, title: change.title, spec: change.spec }, change.action, [decode(m[3]!)]);
      }
      let choice: ReleaseChoice | undefined;
      try {
        choice = releaseChoice(form);
        const step = form.get('step') === 'execute' ? 'execute' : 'plan';
        const spec = releaseSpec(choice, viewer.user.name, step);
        const id = await api.updateManifests(ctx(), spec);
        if (step === 'execute') return start(id, { kind: 'release', user: viewer.user.name, title: `Release ${describeChoice(choice)}`, spec }, 'release', choice.workloads);
        try {
          const result = await awaitJob(api, id, { callTimeoutMs: this.callTimeoutMs, pollMs: this.o.jobPollMs, signal: AbortSignal.timeout(60_000) });
          return sendPage(res, 200, releasePlan({ viewer, instance, choice, rows: resultRows(result.result) }));
        } catch (e) {
          const r = (e as { result?: { result: Parameters<typeof resultRows>[0] } }).result;
          return sendPage(res, 200, releasePlan({ viewer, instance, choice, rows: r ? resultRows(r.result) : [], error: `The dry run failed: ${clip((e as Error).message)}` }));
        }
      } catch (e) {
        if (e instanceof FormError) return this.releaseFormPage(res, viewer, instance, choice ?? { workloads: form.getAll('workload'), image: ALL_LATEST, message: clip(form.get('message') ?? '', 500), force: false }, e.message, 400);
        throw e;
      }
    } catch (e) {
      if (e instanceof HttpRequestError) throw e;
      if (e instanceof FormError) return sendPage(res, 400, errorPage(viewer, 'Not done', e.message));
      this.log.warn('dashboard action failed', { user: viewer.user.name, instance, path, error: e as Error });
      return sendPage(res, 502, errorPage(viewer, 'Not done', `The daemon did not do it: ${clip((e as Error).message)}`));
    }
  }

  close(): void {
    this.closed = true;
    this.shared?.close();
    for (const u of this.unsubscribe) u();
    this.jobs.close();
    this.live.close();
  }
}

