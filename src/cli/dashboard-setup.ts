/**
 * Mounting the dashboard and the notifier into a hub for `fluxrpc hub` and `fluxrpc demo`:
 * `--users FILE` (or `--trusted-proxy`) turns the dashboard on; `--notify FILE` the notifier.
 * Without them the hub keeps its plain status page, and says so. Their code is loaded only when
 * they are turned on (a hub without them does not carry it).
 *
 * Cluster mode (`--nats`): the dashboard shows and reaches the whole cluster through the hub, and
 * shares sign-outs and failed sign-ins once the hub has joined; the notifier takes its events from
 * the cluster's shared consumer (each event to one replica). Sessions and CSRF tokens are signed
 * with the session key, so every replica needs the same `--session-key-file`: without it the hub
 * refuses to start (`checkClusterDashboard`), rather than let a sign-in work on one replica only.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Registry } from 'prom-client';
import type { Dashboard } from '../dashboard/dashboard.js';
import type { UserStore } from '../dashboard/users.js';
import type { Hub } from '../hub/hub.js';
import type { Notifier } from '../notify/notifier.js';
import type { Logger } from '../runtime/log.js';
import { list, str, UsageError, type FlagSpec, type Parsed } from './flags.js';

export interface DashboardFlags {
  users?: string;
  trustedProxy: string[];
  proxyUserHeader?: string;
  sessionKeyFile?: string;
  notify?: string;
}

/** The dashboard and notification flags of `fluxrpc demo`. */
export const DEMO_DASHBOARD_FLAGS = {
  users: { type: 'string', value: 'FILE', help: 'Users file (JSON; see README): turns on the dashboard with sign-in at /. Reloaded when it changes.' },
  'trusted-proxy': { type: 'string', value: 'ADDR[/BITS]', multiple: true, help: 'Address or subnet of an authenticating proxy whose user header is trusted (repeatable, or comma-separated).' },
  'proxy-user-header': { type: 'string', value: 'NAME', help: 'The header such a proxy sets.', default: 'X-Forwarded-User' },
  'session-key-file': { type: 'string', value: 'FILE', help: 'At least 32 bytes of secret that sign session cookies (without it, sessions end when the hub restarts).' },
  notify: { type: 'string', value: 'FILE', help: 'Notification sinks (JSON; see README): Slack, Microsoft Teams, signed webhooks.' },
} as const satisfies Record<string, FlagSpec>;

/** The same flags for `fluxrpc hub`, which also has cluster mode (`--nats`). */
export const DASHBOARD_FLAGS = {
  ...DEMO_DASHBOARD_FLAGS,
  'session-key-file': { ...DEMO_DASHBOARD_FLAGS['session-key-file'], help: `${DEMO_DASHBOARD_FLAGS['session-key-file'].help} Required with --nats: the same file on every replica.` },
} as const satisfies Record<string, FlagSpec>;

/** The dashboard and notification flags of a parsed command line. */
export function dashboardFlags(p: Parsed): DashboardFlags {
  return { users: str(p, 'users'), trustedProxy: list(p, 'trusted-proxy'), proxyUserHeader: str(p, 'proxy-user-header'), sessionKeyFile: str(p, 'session-key-file'), notify: str(p, 'notify') };
}

/** The prom-client registry for the notifier's series (given to the hub as `extraMetrics`). */
export function notifyMetricsRegistry(): Registry {
  return new Registry();
}

/** Cluster mode with the dashboard needs one session key for every replica. */
export function checkClusterDashboard(flags: DashboardFlags): void {
  if ((flags.users !== undefined || flags.trustedProxy.length > 0) && flags.sessionKeyFile === undefined)
    throw new UsageError('the dashboard with --nats needs --session-key-file, the same file on every replica (a session or form signed by one replica must be valid on the others); e.g. openssl rand -base64 48 > session.key');
}

export async function sessionKey(file: string | undefined): Promise<Buffer> {
  if (file === undefined) return (await import('../dashboard/sessions.js')).randomSessionKey();
  let raw: Buffer;
  try {
    raw = readFileSync(file);
  } catch (e) {
    throw new UsageError(`cannot read --session-key-file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const text = raw.toString('utf8').trim();
  if (Buffer.byteLength(text) < 32) throw new UsageError(`--session-key-file ${file}: needs at least 32 bytes of secret (e.g. openssl rand -base64 48 > ${file})`);
  return createHash('sha256').update(text).digest();
}

const NO_DASHBOARD_NOTE = 'No --users file: the dashboard is off; the read-only status page at / has no sign-in (put the hub behind your own access control).';

export interface Mounted {
  dashboard: Dashboard | undefined;
  notifier: Notifier | undefined;
  /** Lines for the start-up message. */
  notes: string[];
  close(): void;
}

export async function mountDashboard(hub: Hub, flags: DashboardFlags, logger: Logger, metrics: Registry): Promise<Mounted> {
  const notes: string[] = [];
  const wantsDashboard = flags.users !== undefined || flags.trustedProxy.length > 0;
  if (!wantsDashboard && flags.notify === undefined) {
    notes.push(NO_DASHBOARD_NOTE);
    return { dashboard: undefined, notifier: undefined, notes, close() {} };
  }
  const { GitUrls } = await import('../notify/git-url.js');
  const gitUrls = new GitUrls({ api: (i) => hub.api(i) });
  let notifier: Notifier | undefined;
  if (flags.notify !== undefined) {
    const [{ loadNotifyConfig }, { Notifier }, { fleetEventSource, soleDeliverer }] = await Promise.all([import('../notify/config.js'), import('../notify/notifier.js'), import('../notify/source.js')]);
    const config = loadNotifyConfig(flags.notify);
    const source = fleetEventSource(hub, { log: logger, redeliverAfterMs: config.redeliverAfterMs, maxHeld: config.queueCapacity * Math.max(1, config.sinks.length), registry: metrics });
    notifier = new Notifier({ config, source, claim: soleDeliverer, gitUrl: (i) => gitUrls.get(i), registry: metrics, logger });
    notes.push(`Notifications: ${config.sinks.length} sink(s) from ${flags.notify} (${config.sinks.map((s) => `${s.name}: ${s.type}`).join(', ') || 'none'})`);
  }
  let dashboard: Dashboard | undefined;
  let users: UserStore | undefined;
  const close = () => {
    dashboard?.close();
    notifier?.close();
    users?.close();
  };
  // A failure after the notifier or the users file watcher started closes them.
  try {
    if (wantsDashboard) {
      if (flags.users === undefined) throw new UsageError('--trusted-proxy needs --users (the users file gives each user a role and instances)');
      const [{ Dashboard }, { parseTrustedProxies }, { SessionCodec }, { UserStore }] = await Promise.all([import('../dashboard/dashboard.js'), import('../dashboard/auth.js'), import('../dashboard/sessions.js'), import('../dashboard/users.js')]);
      users = UserStore.fromFile(flags.users, { logger });
      let proxies;
      try {
        proxies = flags.trustedProxy.length > 0 ? parseTrustedProxies(flags.trustedProxy) : undefined;
      } catch (e) {
        throw new UsageError(`--trusted-proxy: ${(e as Error).message}`);
      }
      const codec = new SessionCodec({ key: await sessionKey(flags.sessionKeyFile) });
      dashboard = new Dashboard({ hub, users, codec, trustedProxies: proxies, proxyUserHeader: flags.proxyUserHeader, notifier, gitUrls, logger, callTimeoutMs: hub.registry.callTimeoutMs });
      hub.requestHook = dashboard.handle;
      notes.push(`Dashboard: sign-in required; ${users.size} user(s) from ${flags.users}${proxies ? `; trusting ${flags.proxyUserHeader ?? 'X-Forwarded-User'} from ${flags.trustedProxy.join(', ')}` : ''}${flags.sessionKeyFile ? '' : '; sessions end when the hub restarts (no --session-key-file)'}`);
    } else notes.push(NO_DASHBOARD_NOTE);
  } catch (e) {
    close();
    throw e;
  }
  return { dashboard, notifier, notes, close };
}
