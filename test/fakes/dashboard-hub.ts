/**
 * A hub with the dashboard mounted, for tests: daemons attached over in-memory pipes through the
 * real RPC client and server (so everything they send crosses the wire encoding), a users file
 * with one user per role, and a small HTTP client that signs in and posts forms like a browser.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DaemonImplementation } from '../../src/flux/api.js';
import { serveFlux } from '../../src/flux/server.js';
import { createFluxClient } from '../../src/flux/versions/index.js';
import { Hub, type ListenAddress } from '../../src/hub/hub.js';
import type { DaemonClient } from '../../src/hub/registry.js';
import { memoryPipe } from '../../src/transport/memory.js';
import { Dashboard } from '../../src/dashboard/dashboard.js';
import { hashPassword } from '../../src/dashboard/password.js';
import { randomSessionKey, SessionCodec } from '../../src/dashboard/sessions.js';
import { UserStore } from '../../src/dashboard/users.js';
import { parseTrustedProxies } from '../../src/dashboard/auth.js';
import { Notifier } from '../../src/notify/notifier.js';
import { parseNotifyConfig } from '../../src/notify/config.js';
import { fleetEventSource, soleDeliverer } from '../../src/notify/source.js';
import type { ClusterOptions } from '../../src/hub/cluster/cluster.js';
import { createLogger, type Logger } from '../../src/runtime/log.js';

export const PASSWORD = 'correct horse battery';

export interface TestHub {
  hub: Hub;
  dashboard: Dashboard;
  addr: ListenAddress;
  url: string;
  usersPath: string;
  logLines: string[];
  /** Attaches a daemon for `instance`; returns a function that disconnects it. */
  attach(instance: string, impl: DaemonImplementation): () => void;
  close(): Promise<void>;
}

export interface TestHubOptions {
  instances?: string[];
  trustedProxy?: string;
  /** A notifications file's text: a notifier on the hub's events is shown on the dashboard. */
  notify?: string;
  logger?: Logger;
  /** Cluster mode: the hub is a replica (give every replica the same `sessionKey` and `usersPath`). */
  cluster?: ClusterOptions;
  sessionKey?: Buffer;
  /** An existing users file (another replica's); by default one is written. */
  usersPath?: string;
}

export async function startDashboardHub(o: TestHubOptions = {}): Promise<TestHub> {
  const dir = mkdtempSync(join(tmpdir(), 'fluxrpc-dash-'));
  const usersPath = o.usersPath ?? join(dir, 'users.json');
  if (o.usersPath === undefined) writeUsers(usersPath, await hashPassword(PASSWORD, 10));
  const logLines: string[] = [];
  const logger = o.logger ?? createLogger({ level: 'debug', write: (l) => logLines.push(l) });
  const instances = o.instances ?? ['demo', 'evil', 'other'];
  const hub = new Hub({ tokens: new Map(instances.map((i) => [`token-${i}`, i])), logger, ...(o.cluster ? { cluster: o.cluster } : {}) });
  const users = UserStore.fromFile(usersPath, { pollMs: 50, logger });
  const notifier = o.notify === undefined ? undefined : new Notifier({ config: parseNotifyConfig(o.notify), source: fleetEventSource(hub, { log: logger }), claim: soleDeliverer, gitUrl: async () => undefined, logger });
  const dashboard = new Dashboard({
    hub,
    users,
    codec: new SessionCodec({ key: o.sessionKey ?? randomSessionKey() }),
    trustedProxies: o.trustedProxy ? parseTrustedProxies([o.trustedProxy]) : undefined,
    notifier,
    logger,
    callTimeoutMs: 5000,
    jobPollMs: 20,
  });
  hub.requestHook = dashboard.handle;
  const addr = await hub.listen(0, '127.0.0.1');
  const detach: (() => void)[] = [];
  return {
    hub,
    dashboard,
    addr,
    url: addr.url,
    usersPath,
    logLines,
    attach(instance, impl) {
      const [a, b] = memoryPipe();
      const server = serveFlux(impl, b);
      const client = createFluxClient(11, a) as unknown as DaemonClient;
      hub.registry.register(instance, client, { protocol: 11, remote: 'memory', userAgent: 'test-daemon' });
      const stop = () => {
        client.close();
        server.close();
      };
      detach.push(stop);
      return stop;
    },
    async close() {
      for (const d of detach) d();
      dashboard.close();
      notifier?.close();
      users.close();
      await hub.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The users file of the test hubs: one user per role (and a proxy-only one), all with `hash`. */
function writeUsers(usersPath: string, hash: string): void {
  writeFileSync(
    usersPath,
    JSON.stringify({
      users: [
        { name: 'ada', password: hash, role: 'admin' },
        { name: 'dee', password: hash, role: 'deployer', instances: ['demo', 'evil'] },
        { name: 'vic', password: hash, role: 'viewer', instances: ['*'] },
        { name: 'pat', role: 'viewer', instances: ['demo'] },
      ],
    }),
  );
}

/** A browser-like client: keeps cookies, signs in, fetches pages, posts forms with the CSRF token. */
export class Browser {
  /** `jar`: another browser's cookies (the same browser reaching another replica). */
  constructor(
    readonly base: string,
    readonly jar = new Map<string, string>(),
  ) {}

  private cookieHeader(): string {
    return [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private keep(res: Response): void {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq);
      const value = pair!.slice(eq + 1);
      if (value === '' || /Max-Age=0/.test(c)) this.jar.delete(name);
      else this.jar.set(name, value);
    }
  }

  async get(path: string, headers: Record<string, string> = {}): Promise<Response> {
    const res = await fetch(this.base + path, { redirect: 'manual', headers: { cookie: this.cookieHeader(), ...headers } });
    this.keep(res);
    return res;
  }

  async post(path: string, form: Record<string, string | string[]>, headers: Record<string, string> = {}): Promise<Response> {
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries(form)) for (const x of Array.isArray(v) ? v : [v]) body.append(k, x);
    const res = await fetch(this.base + path, { method: 'POST', redirect: 'manual', body, headers: { cookie: this.cookieHeader(), 'content-type': 'application/x-www-form-urlencoded', ...headers } });
    this.keep(res);
    return res;
  }

  /** Signs in; resolves with the answer to the login POST. */
  async login(name: string, password = PASSWORD): Promise<Response> {
    const page = await (await this.get('/login')).text();
    const token = /name="_login" value="([^"]+)"/.exec(page)![1]!;
    return this.post('/login', { _login: token, name, password, next: '/' });
  }

  /** The CSRF token of the signed-in user, read from a page. */
  async csrf(): Promise<string> {
    const page = await (await this.get('/')).text();
    return /name="_csrf" value="([^"]+)"/.exec(page)![1]!;
  }
}
