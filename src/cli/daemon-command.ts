/** `fluxrpc daemon`: connects to a hub and serves the demo cluster or relays to a fluxd. */
import { DaemonConnector, DeprecatedError, type ConnectorOptions } from '../connector/connector.js';
import { createLogger, type Logger } from '../runtime/log.js';
import { relayTo } from '../connector/relay.js';
import { inferEndpoints } from '../connector/endpoints.js';
import { encodeEvent } from '../flux/model/index.js';
import type { ProtocolVersion } from '../flux/api.js';
import { DemoCluster } from '../demo/cluster.js';
import { bool, helpText, parseFlags, parseHttpUrl, parseLogLevel, parseProtocol, positiveDuration, required, str, UsageError, valueLimits, type CommandSpec } from './flags.js';
import type { Io } from './io.js';

export const DAEMON_SPEC: CommandSpec = {
  name: 'daemon',
  usage: 'fluxrpc daemon --connect URL [--token T] (--fluxd URL | --demo) [--rpc-timeout 10s] [--protocol 6..11]',
  summary: "Connects to a hub as fluxd's --connect does, and serves the Flux API on that connection: relayed to a real fluxd's HTTP API (--fluxd), or a built-in sample cluster (--demo). Reconnects until stopped.",
  flags: {
    connect: { type: 'string', value: 'URL', help: 'The hub (ws, wss, http or https), e.g. http://127.0.0.1:3030/api/flux.' },
    token: { type: 'string', value: 'T', help: "The instance's token; default $FLUXRPC_TOKEN, which keeps it out of ps. Without either, the daemon connects with no token (a hub with tokens answers 401, and the daemon keeps retrying): a warning says so at start." },
    fluxd: { type: 'string', value: 'URL', help: "Relay each call to this fluxd's HTTP API, e.g. http://127.0.0.1:3030/api/flux." },
    demo: { type: 'boolean', help: 'Serve a built-in sample cluster (a few workloads and images).' },
    'rpc-timeout': { type: 'string', value: 'DURATION', help: 'Longest an operation requested by the hub may take.', default: '10s' },
    protocol: { type: 'string', value: 'N', help: 'Protocol version to register with (route /v<N>/daemon).', default: '11' },
    'user-agent': { type: 'string', value: 'UA', help: 'User-Agent of the websocket dial.', default: 'fluxrpc/<version>' },
    'max-value-bytes': { type: 'string', value: 'SIZE', help: 'Largest request from the hub (bytes, or with KiB, MiB, GiB); a larger one closes the connection.', default: '64MiB' },
    'max-value-elements': { type: 'string', value: 'N', help: 'Most JSON elements ({, [ and , outside strings) in one request from the hub; more closes the connection.', default: '4194304' },
    'log-level': { type: 'string', value: 'LEVEL', help: 'debug, info, warn or error (JSON lines on stderr).', default: 'info' },
  },
};

/** Printed at start without a token: a hub that has tokens answers 401, which the daemon retries without end. */
export const NO_TOKEN_WARNING = 'fluxrpc daemon: warning: no --token and no $FLUXRPC_TOKEN: connecting without a token; a hub with tokens refuses it (401) and the daemon keeps retrying';

/** Builds (does not start) a connector serving `implementation`; demo events are posted upstream. */
export function demoConnector(options: { url: string; token: string; protocol?: ProtocolVersion; rpcTimeoutMs?: number; userAgent?: string; logger: Logger; applyDelayMs?: number; limits?: ConnectorOptions['limits'] }): DaemonConnector {
  let connector: DaemonConnector | undefined;
  const demo = new DemoCluster({
    ...(options.applyDelayMs === undefined ? {} : { applyDelayMs: options.applyDelayMs }),
    onEvent: (event) => {
      connector?.logEvent(encodeEvent(event)).catch((e: Error) => options.logger.warn('posting an event failed', { component: 'connector', error: e.message }));
    },
  });
  connector = new DaemonConnector({ ...options, implementation: demo });
  return connector;
}

export async function daemonCommand(argv: string[], io: Io): Promise<number> {
  const p = parseFlags(DAEMON_SPEC, argv);
  if (p.help) return io.out(helpText(DAEMON_SPEC)), 0;
  const url = required(DAEMON_SPEC, p, 'connect');
  try {
    inferEndpoints(url);
  } catch (e) {
    throw new UsageError(`invalid --connect ${JSON.stringify(url)}: ${(e as Error).message}`);
  }
  const token = str(p, 'token') ?? io.env.FLUXRPC_TOKEN ?? '';
  const fluxd = str(p, 'fluxd');
  if ((fluxd === undefined) === !bool(p, 'demo')) throw new UsageError('give either --fluxd URL or --demo (see fluxrpc daemon --help)');
  const rpcTimeoutMs = positiveDuration(str(p, 'rpc-timeout') ?? '10s', 'rpc-timeout');
  const protocol = parseProtocol(str(p, 'protocol') ?? '11');
  const logger = createLogger({ level: parseLogLevel(str(p, 'log-level'), 'info'), write: (l) => io.err(l + '\n') });
  const userAgent = str(p, 'user-agent');
  const limits = valueLimits(p);
  if (token === '') io.err(`${NO_TOKEN_WARNING}\n`);
  let connector: DaemonConnector;
  if (fluxd !== undefined) {
    parseHttpUrl(fluxd, 'fluxd');
    const relay = relayTo({ fluxdUrl: fluxd, timeoutMs: rpcTimeoutMs, logger });
    connector = new DaemonConnector({ url, token, protocol, rpcTimeoutMs, userAgent, logger, limits, implementation: relay });
    io.out(`fluxrpc daemon: relaying to ${relay.baseUrl}; connecting to ${connector.url}\n`);
  } else {
    connector = demoConnector({ url, token, protocol, rpcTimeoutMs, userAgent, logger, limits });
    io.out(`fluxrpc daemon: serving the demo cluster; connecting to ${connector.url}\n`);
  }
  connector.start();
  const stopped = await Promise.race([connector.closed.then((e) => ({ error: e })), io.stopped.then(() => undefined)]);
  if (stopped?.error) {
    const hint = stopped.error instanceof DeprecatedError ? ` (the hub answered 410 Gone to protocol ${protocol}; try a newer --protocol)` : '';
    throw new Error(stopped.error.message + hint);
  }
  await connector.close();
  return 0;
}
