/**
 * `fluxrpc demo` (what `npm start` runs): a hub and a demo daemon in one process, a few calls
 * through the hub printed as tables, then both keep serving until Ctrl+C so the status page and
 * `fluxrpc call` can be tried.
 */
import { IMAGE_SPEC_LATEST, RESOURCE_SPEC_ALL } from '../flux/model/index.js';
import { generateToken } from '../hub/auth.js';
import { Hub, type ListenAddress } from '../hub/hub.js';
import type { DaemonRegistry } from '../hub/registry.js';
import type { DaemonConnector } from '../connector/connector.js';
import { createLogger } from '../runtime/log.js';
import { FluxHttpClient } from '../http/client.js';
import { DEFAULT_USER_AGENT } from '../runtime/version.js';
import { helpText, listenError, parseFlags, parseListen, parseLogLevel, str, type CommandSpec } from './flags.js';
import { gitConfigText, imagesTable, jobStatusText, servicesTable } from './format.js';
import { dashboardFlags, DEMO_DASHBOARD_FLAGS, mountDashboard, notifyMetricsRegistry } from './dashboard-setup.js';
import { demoConnector } from './daemon-command.js';
import type { Io } from './io.js';
import { DEFAULT_CALL_TIMEOUT_MS } from '../runtime/time.js';

export const DEMO_SPEC: CommandSpec = {
  name: 'demo',
  usage: 'fluxrpc demo [--listen HOST:PORT] [--users FILE] [--notify FILE]',
  summary: 'Starts a hub and a demo daemon (a sample cluster) in one process, makes a few Flux API calls through the hub and prints them, then serves until stopped (Ctrl+C).',
  flags: {
    listen: { type: 'string', value: 'HOST:PORT', help: 'Where the hub listens; if the default is taken, a free port is used instead.', default: '127.0.0.1:3030' },
    'log-level': { type: 'string', value: 'LEVEL', help: 'debug, info, warn or error (JSON lines on stderr).', default: 'warn' },
    ...DEMO_DASHBOARD_FLAGS,
  },
};

const INSTANCE = 'demo';

/**
 * Resolves once the hub has registered `connector`'s daemon for `instance`. Rejects with one line
 * at the connector's first failure (a failed dial, a lost connection, a stop) or after `limitMs`.
 */
export function waitForDaemon(registry: DaemonRegistry, instance: string, connector: DaemonConnector, limitMs = DEFAULT_CALL_TIMEOUT_MS): Promise<void> {
  return new Promise((resolve, reject) => {
    let done = false;
    const finish = (error?: Error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      off();
      if (error) reject(error);
      else resolve();
    };
    const timer = setTimeout(() => finish(new Error(`the demo daemon did not connect to the hub within ${limitMs / 1000} s`)), limitMs);
    const off = connector.subscribe((e) => {
      if (e.type === 'dial-failed') finish(new Error(`the demo daemon could not connect to the hub: ${e.error.message}`));
      else if (e.type === 'disconnected') finish(new Error(`the demo daemon lost its connection to the hub${e.error ? `: ${e.error.message}` : ''}`));
      else if (e.type === 'closed' || e.type === 'deprecated') finish(e.error ?? new Error('the demo daemon stopped'));
    });
    void registry.whenConnected(instance).then(() => finish());
  });
}

export async function demoCommand(argv: string[], io: Io): Promise<number> {
  const p = parseFlags(DEMO_SPEC, argv);
  if (p.help) return io.out(helpText(DEMO_SPEC)), 0;
  const explicit = str(p, 'listen');
  const { host, port } = parseListen(explicit ?? '127.0.0.1:3030');
  const logger = createLogger({ level: parseLogLevel(str(p, 'log-level'), 'warn'), write: (l) => io.err(l + '\n') });
  const token = generateToken();
  const metrics = notifyMetricsRegistry();
  const hub = new Hub({ tokens: new Map([[token, INSTANCE]]), logger, extraMetrics: metrics });
  const mounted = await mountDashboard(hub, dashboardFlags(p), logger, metrics);
  let addr: ListenAddress;
  try {
    addr = await hub.listen(port, host);
  } catch (e) {
    if (explicit !== undefined || (e as NodeJS.ErrnoException).code !== 'EADDRINUSE') {
      mounted.close();
      throw listenError(e, host, port);
    }
    addr = await hub.listen(0, host);
    io.out(`(${host}:${port} is in use; using port ${addr.port} instead)\n`);
  }
  const connector = demoConnector({ url: `${addr.url}/api/flux`, token, logger });
  try {
    io.out(`fluxrpc demo: hub listening on ${addr.url}, instance "${INSTANCE}"\n`);
    const up = waitForDaemon(hub.registry, INSTANCE, connector);
    connector.start();
    await up;
    io.out(`fluxrpc demo: demo daemon connected (protocol v${connector.protocol}, ${connector.url})\n\n`);

    const api = new FluxHttpClient({ baseUrl: `${addr.url}/api/flux`, token, userAgent: DEFAULT_USER_AGENT, timeoutMs: DEFAULT_CALL_TIMEOUT_MS });
    const ctx = () => ({ signal: AbortSignal.timeout(DEFAULT_CALL_TIMEOUT_MS) });
    const show = (title: string, body: string) => io.out(`$ fluxrpc call ${title}\n${body}\n`);

    show('version', (await api.version(ctx())) + '\n');
    show('list-services', servicesTable(await api.listServices(ctx(), '')));
    show('list-images', imagesTable(await api.listImagesWithOptions(ctx(), { spec: RESOURCE_SPEC_ALL, overrideContainerFields: null, namespace: '' })));
    const job = await api.updateManifests(ctx(), {
      type: 'image',
      cause: { user: 'demo', message: 'release the newest allowed podinfo' },
      spec: { serviceSpecs: ['default:deployment/podinfo'], imageSpec: IMAGE_SPEC_LATEST, kind: 'execute', excludes: null, force: false },
    });
    show('update-manifests --workload default:deployment/podinfo --update-all-images', `Job ${job} submitted\n`);
    show(`job-status ${job}`, jobStatusText(await api.jobStatus(ctx(), job)));
    show('sync-status', ((await api.syncStatus(ctx(), 'HEAD')) ?? []).join('\n') + '\n');
    await api.notifyChange(ctx(), { kind: 'git', source: { url: 'git@github.com:example/demo-cluster', branch: 'main' } });
    show('notify', 'notified (the daemon synced)\n');
    show('list-services --namespace default', servicesTable(await api.listServices(ctx(), 'default')));
    show('git-repo-config', gitConfigText(await api.gitRepoConfig(ctx(), false)));

    io.out(
      [
        ...mounted.notes,
        `${mounted.dashboard ? 'Dashboard:   ' : 'Status page: '} ${addr.url}/`,
        `Metrics:      ${addr.url}/metrics`,
        `Try:          node dist/src/cli/main.js call --url ${addr.url} --token ${token} list-images`,
        `fluxctl:      fluxctl --url ${addr.url}/api/flux --token ${token} list-workloads`,
        'Serving until stopped (Ctrl+C).',
        '',
      ].join('\n'),
    );
    await Promise.race([io.stopped, connector.closed]);
    io.out('fluxrpc demo: stopping\n');
  } finally {
    mounted.close();
    await connector.close();
    await hub.close();
  }
  return 0;
}
