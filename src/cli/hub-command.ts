/** `fluxrpc hub`: runs the hub until SIGINT/SIGTERM. */
import { generateToken, loadTokenFile } from '../hub/auth.js';
import { Hub } from '../hub/hub.js';
import { createLogger, isLogLevel, LOG_LEVELS, type LogLevel } from '../runtime/log.js';
import type { ProtocolVersion } from '../flux/api.js';
import { helpText, list, parseFlags, parseListen, parseProtocol, positiveDuration, str, UsageError, type CommandSpec } from './flags.js';
import { DASHBOARD_FLAGS, mountDashboard, notifyMetricsRegistry, type DashboardFlags } from './dashboard-setup.js';
import type { Io } from './io.js';

export const HUB_SPEC: CommandSpec = {
  name: 'hub',
  usage: 'fluxrpc hub --listen HOST:PORT [--tokens FILE] [--call-timeout 10s] [--users FILE] [--notify FILE]',
  summary: 'Runs the hub: Flux daemons connect to it (GET <base>/v6…v11/daemon), and it serves the Flux HTTP API for each daemon, events, /metrics, /healthz and a status page at /.',
  flags: {
    listen: { type: 'string', value: 'HOST:PORT', help: 'Address to listen on.', default: '127.0.0.1:3030' },
    tokens: { type: 'string', value: 'FILE', help: 'JSON file {"<token>": "<instance>", …}. Without it, one token is generated for instance "default" and printed once.' },
    'call-timeout': { type: 'string', value: 'DURATION', help: 'Longest a call to a daemon may take; a daemon that does not answer in time is disconnected.', default: '10s' },
    'min-protocol': { type: 'string', value: 'N', help: 'Refuse daemons registering with an older protocol (410 Gone).', default: '6' },
    'log-level': { type: 'string', value: 'LEVEL', help: 'debug, info, warn or error (JSON lines on stderr).', default: 'info' },
    ...DASHBOARD_FLAGS,
  },
};

/** The dashboard and notification flags of a parsed command line. */
export function dashboardFlags(p: ReturnType<typeof parseFlags>): DashboardFlags {
  return { users: str(p, 'users'), trustedProxy: list(p, 'trusted-proxy'), proxyUserHeader: str(p, 'proxy-user-header'), sessionKeyFile: str(p, 'session-key-file'), notify: str(p, 'notify') };
}

export function parseLogLevel(text: string | undefined, fallback: LogLevel): LogLevel {
  if (text === undefined) return fallback;
  if (!isLogLevel(text)) throw new UsageError(`invalid --log-level ${JSON.stringify(text)}: use ${LOG_LEVELS.join(', ')}`);
  return text;
}

/** Turns a listen error into one line. */
export function listenError(e: unknown, host: string, port: number): Error {
  const code = (e as NodeJS.ErrnoException).code;
  const why = code === 'EADDRINUSE' ? 'address already in use' : code === 'EACCES' ? 'permission denied' : code === 'EADDRNOTAVAIL' ? 'address not available on this machine' : (e as Error).message;
  return new Error(`cannot listen on ${host}:${port}: ${why}`);
}

export async function hubCommand(argv: string[], io: Io): Promise<number> {
  const p = parseFlags(HUB_SPEC, argv);
  if (p.help) return io.out(helpText(HUB_SPEC)), 0;
  const { host, port } = parseListen(str(p, 'listen') ?? '127.0.0.1:3030');
  const callTimeoutMs = positiveDuration(str(p, 'call-timeout') ?? '10s', 'call-timeout');
  const minProtocol: ProtocolVersion = parseProtocol(str(p, 'min-protocol') ?? '6');
  const logger = createLogger({ level: parseLogLevel(str(p, 'log-level'), 'info'), write: (l) => io.err(l + '\n') });
  const file = str(p, 'tokens');
  let tokens: Map<string, string>;
  let generated: string | undefined;
  if (file !== undefined) tokens = loadTokenFile(file);
  else tokens = new Map([[(generated = generateToken()), 'default']]);

  const metrics = notifyMetricsRegistry();
  const hub = new Hub({ tokens, callTimeoutMs, minProtocol, logger, extraMetrics: metrics });
  const mounted = mountDashboard(hub, dashboardFlags(p), logger, metrics);
  let addr;
  try {
    addr = await hub.listen(port, host);
  } catch (e) {
    mounted.close();
    throw listenError(e, host, port);
  }
  io.out(`fluxrpc hub listening on ${addr.url} (${mounted.dashboard ? 'dashboard' : 'status page'} ${addr.url}/, API ${addr.url}/api/flux)\n`);
  for (const note of mounted.notes) io.out(`${note}\n`);
  if (generated !== undefined) {
    io.out(`No --tokens file: generated a token for instance "default" (shown only now):\n  ${generated}\n`);
    io.out(`Connect a daemon:  fluxrpc daemon --connect ${addr.url}/api/flux --token ${generated} --demo\n`);
  } else io.out(`${tokens.size} token(s) for ${hub.auth.instances.length} instance(s) from ${file}\n`);
  await io.stopped;
  mounted.close();
  await hub.close();
  return 0;
}
