/** `fluxrpc hub`: runs the hub until SIGINT/SIGTERM. */
import { generateToken, loadTokenFile } from '../hub/auth.js';
import { Hub } from '../hub/hub.js';
import { BusConfigError, checkReplicaId, parseNatsUrls } from '../hub/cluster/config.js';
import { createLogger } from '../runtime/log.js';
import type { ProtocolVersion } from '../flux/api.js';
import { helpText, listenError, parseByteSize, parseFlags, parseListen, parseLogLevel, parseProtocol, positiveDuration, positiveInt, str, UsageError, valueLimits, type CommandSpec } from './flags.js';
import { checkClusterDashboard, DASHBOARD_FLAGS, dashboardFlags, mountDashboard, notifyMetricsRegistry } from './dashboard-setup.js';
import type { Io } from './io.js';

export const HUB_SPEC: CommandSpec = {
  name: 'hub',
  usage: 'fluxrpc hub [--listen 127.0.0.1:3030] [--tokens FILE] [--call-timeout 10s] [--max-buffered-bytes 256MiB] [--users FILE] [--notify FILE] [--nats URL[,URL…] [--replica-id ID]]',
  summary: 'Runs the hub: Flux daemons connect to it (GET <base>/v6…v11/daemon), and it serves the Flux HTTP API for each daemon, events, /metrics, /healthz and a status page at /.',
  flags: {
    listen: { type: 'string', value: 'HOST:PORT', help: 'Address to listen on.', default: '127.0.0.1:3030' },
    tokens: { type: 'string', value: 'FILE', help: 'JSON file {"<token>": "<instance>", …}, reloaded when it changes (an invalid new file is logged and the tokens in use stay). Without it, one token is generated for instance "default" and printed once.' },
    'call-timeout': { type: 'string', value: 'DURATION', help: 'Longest a call to a daemon may take; a daemon that does not answer in time is disconnected.', default: '10s' },
    'max-buffered-bytes': {
      type: 'string',
      value: 'SIZE',
      help: "Memory budget for what the hub buffers, all connections together: API and event request bodies, and daemons' replies not yet complete (bytes, or with KiB, MiB, GiB); a body that does not fit is answered 503 with Retry-After, a daemon is not read while the budget is used up.",
      default: '256MiB',
    },
    'max-value-bytes': { type: 'string', value: 'SIZE', help: "Largest reply from a daemon (bytes, or with KiB, MiB, GiB); a larger one closes that daemon's connection and its call fails as unavailable.", default: '64MiB' },
    'max-value-elements': { type: 'string', value: 'N', help: "Most JSON elements ({, [ and , outside strings) in one reply from a daemon; more closes that daemon's connection.", default: '4194304' },
    'min-protocol': { type: 'string', value: 'N', help: 'Refuse daemons registering with an older protocol (410 Gone).', default: '6' },
    'events-per-instance': { type: 'string', value: 'N', help: 'Events kept per instance (the newest).', default: '100' },
    'log-level': { type: 'string', value: 'LEVEL', help: 'debug, info, warn or error (JSON lines on stderr).', default: 'info' },
    nats: { type: 'string', value: 'URL[,URL…]', help: 'Cluster mode: join the hub replicas sharing this NATS (JetStream) system. nats://[user:pass@|token@]host:port or tls://…; default $FLUXRPC_NATS_URL. Without it the hub runs alone, in memory.' },
    'nats-creds': { type: 'string', value: 'FILE', help: 'Cluster mode: a NATS credentials (.creds) file.' },
    'replica-id': { type: 'string', value: 'ID', help: 'Cluster mode: this replica\'s name (shown on status pages and in the owners bucket).', default: 'host name + random suffix' },
    'owner-ttl': { type: 'string', value: 'DURATION', help: 'Cluster mode: how long a replica that stopped without cleaning up is still shown holding its instances (entries refreshed every third of it).', default: '30s' },
    'nats-stream-replicas': { type: 'string', value: 'N', help: 'Cluster mode: copies of the owners bucket and the events stream in a NATS cluster.', default: '1' },
    ...DASHBOARD_FLAGS,
  },
  notes: 'Cluster mode (--nats): run several replicas behind one load balancer; any replica answers for any instance (README, "Scaling out").',
};

export async function hubCommand(argv: string[], io: Io): Promise<number> {
  const p = parseFlags(HUB_SPEC, argv);
  if (p.help) return io.out(helpText(HUB_SPEC)), 0;
  const { host, port } = parseListen(str(p, 'listen') ?? '127.0.0.1:3030');
  const callTimeoutMs = positiveDuration(str(p, 'call-timeout') ?? '10s', 'call-timeout');
  const minProtocol: ProtocolVersion = parseProtocol(str(p, 'min-protocol') ?? '6');
  const maxBufferedBytes = parseByteSize(str(p, 'max-buffered-bytes') ?? '256MiB', 'max-buffered-bytes');
  const { maxValueBytes, maxValueElements } = valueLimits(p);
  const logger = createLogger({ level: parseLogLevel(str(p, 'log-level'), 'info'), write: (l) => io.err(l + '\n') });
  const file = str(p, 'tokens');
  let tokens: Map<string, string>;
  let generated: string | undefined;
  if (file !== undefined) tokens = loadTokenFile(file);
  else tokens = new Map([[(generated = generateToken()), 'default']]);

  const eventCapacity = positiveInt(str(p, 'events-per-instance') ?? '100', 'events-per-instance', 100_000);
  const natsText = str(p, 'nats') ?? io.env['FLUXRPC_NATS_URL'];
  const servers = (natsText ?? '').split(',').map((u) => u.trim()).filter((u) => u !== '');
  for (const flag of ['nats-creds', 'replica-id', 'nats-stream-replicas', 'owner-ttl']) {
    if (str(p, flag) !== undefined && servers.length === 0) throw new UsageError(`--${flag} needs --nats (or FLUXRPC_NATS_URL)`);
  }
  if (servers.length > 0) {
    try {
      parseNatsUrls(servers);
      const id = str(p, 'replica-id');
      if (id !== undefined) checkReplicaId(id);
    } catch (e) {
      if (e instanceof BusConfigError) throw new UsageError(e.message);
      throw e;
    }
  }
  const ownerTtlMs = positiveDuration(str(p, 'owner-ttl') ?? '30s', 'owner-ttl');
  if (ownerTtlMs < 1000) throw new UsageError('--owner-ttl must be at least 1s');
  const credsFile = str(p, 'nats-creds');
  const replicaId = str(p, 'replica-id');
  const cluster =
    servers.length === 0
      ? undefined
      : { servers, ownerTtlMs, refreshMs: Math.max(1, Math.floor(ownerTtlMs / 3)), streamReplicas: positiveInt(str(p, 'nats-stream-replicas') ?? '1', 'nats-stream-replicas', 5), ...(credsFile === undefined ? {} : { credsFile }), ...(replicaId === undefined ? {} : { replicaId }) };

  const dashboard = dashboardFlags(p);
  if (cluster) checkClusterDashboard(dashboard);
  const metrics = notifyMetricsRegistry();
  const hub = new Hub({ tokens, tokensFile: file, callTimeoutMs, minProtocol, maxBufferedBytes, maxValueBytes, maxValueElements, logger, eventCapacity, extraMetrics: metrics, ...(cluster ? { cluster } : {}) });
  // From here on a failure to start closes what was made (the hub watches its tokens file).
  let mounted;
  try {
    mounted = await mountDashboard(hub, dashboard, logger, metrics);
  } catch (e) {
    await hub.close();
    throw e;
  }
  let addr;
  try {
    addr = await hub.listen(port, host);
  } catch (e) {
    mounted.close();
    await hub.close();
    if ((e as { code?: unknown }).code === 'FLUXRPC_ERR_NATS_CONFIG') throw e;
    throw listenError(e, host, port);
  }
  io.out(`fluxrpc hub listening on ${addr.url} (${mounted.dashboard ? 'dashboard' : 'status page'} ${addr.url}/, API ${addr.url}/api/flux)\n`);
  for (const note of mounted.notes) io.out(`${note}\n`);
  if (hub.cluster) io.out(`cluster mode: replica ${hub.cluster.replicaId}, NATS ${hub.cluster.bus.servers.join(',')} (${hub.cluster.ready ? 'connected' : 'not reachable yet: serving local daemons, retrying'})\n`);
  if (generated !== undefined) {
    io.out(`No --tokens file: generated a token for instance "default" (shown only now):\n  ${generated}\n`);
    io.out(`Connect a daemon:  fluxrpc daemon --connect ${addr.url}/api/flux --token ${generated} --demo\n`);
  } else io.out(`${tokens.size} token(s) for ${hub.auth.instances.length} instance(s) from ${file}\n`);
  await io.stopped;
  mounted.close();
  await hub.close();
  return 0;
}
