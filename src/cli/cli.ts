/**
 * The `fluxrpc` command line: parse flags, call the layers, print. Errors are one line on stderr:
 * exit status 2 for bad usage, 1 for anything else.
 */
import { describeHttpError } from '../http/errors.js';
import { PACKAGE_VERSION } from '../runtime/version.js';
import { UsageError } from './flags.js';
import type { Io } from './io.js';

type Command = (argv: string[], io: Io) => Promise<number>;

/** Each command's code is loaded when it runs: a hub does not carry the daemon's, the demo's or the dashboard's. */
const COMMANDS: Record<string, { summary: string; run: Command }> = {
  hub: { summary: 'Run a hub that daemons connect to and that serves the Flux API for them.', run: async (argv, io) => (await import('./hub-command.js')).hubCommand(argv, io) },
  daemon: { summary: 'Connect to a hub as a Flux daemon (demo cluster, or relay to a real fluxd).', run: async (argv, io) => (await import('./daemon-command.js')).daemonCommand(argv, io) },
  call: { summary: 'Call one Flux API method through a hub (or a fluxd).', run: async (argv, io) => (await import('./call-command.js')).callCommand(argv, io) },
  demo: { summary: 'Hub + demo daemon in one process, a few calls printed, then serve until stopped.', run: async (argv, io) => (await import('./demo-command.js')).demoCommand(argv, io) },
  'hash-password': { summary: 'Hash a password (read from the terminal or stdin) for the dashboard users file.', run: async (argv, io) => (await import('./hash-password-command.js')).hashPasswordCommand(argv, io) },
};

export const TOP_HELP = `Usage: fluxrpc COMMAND [FLAGS]

Flux v1's remote RPC (Go net/rpc + jsonrpc over websocket), wire-compatible with fluxd and fluxsvc.

Commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(15)}${c.summary}`)
  .join('\n')}

Run "fluxrpc COMMAND --help" for a command's flags. "fluxrpc --version" prints the version.
`;

export async function run(argv: string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  try {
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
      io.out(TOP_HELP);
      return name === undefined ? 2 : 0;
    }
    if (name === '--version' || name === 'version') {
      io.out(`fluxrpc ${PACKAGE_VERSION}\n`);
      return 0;
    }
    const command = COMMANDS[name];
    if (!command) throw new UsageError(`unknown command ${JSON.stringify(name)} (commands: ${Object.keys(COMMANDS).join(', ')})`);
    return await command.run(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`fluxrpc: ${e.message}\n`);
      return 2;
    }
    io.err(`fluxrpc${name && COMMANDS[name] ? ` ${name}` : ''}: ${describeHttpError(e)}\n`);
    return 1;
  }
}
