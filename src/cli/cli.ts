/**
 * The `fluxrpc` command line: parse flags, call the layers, print. Every error is one line on
 * stderr, `fluxrpc <command>: <message>` (`fluxrpc: <message>` before a command is known): exit
 * status 2 for bad usage, 1 for anything else.
 */
import { describeHttpError } from '../http/errors.js';
import { PACKAGE_VERSION } from '../runtime/version.js';
import { helpText, parseFlags, UsageError, type CommandSpec } from './flags.js';
import type { Io } from './io.js';

type Command = (argv: string[], io: Io) => Promise<number>;

const VERSION_SPEC: CommandSpec = { name: 'version', usage: 'fluxrpc version', summary: "Prints fluxrpc's version (as --version does).", flags: {} };

async function versionCommand(argv: string[], io: Io): Promise<number> {
  const p = parseFlags(VERSION_SPEC, argv);
  io.out(p.help ? helpText(VERSION_SPEC) : `fluxrpc ${PACKAGE_VERSION}\n`);
  return 0;
}

/** Each command's code is loaded when it runs: a hub does not carry the daemon's, the demo's or the dashboard's. */
const COMMANDS: Record<string, { summary: string; run: Command }> = {
  hub: { summary: 'Run a hub that daemons connect to and that serves the Flux API for them.', run: async (argv, io) => (await import('./hub-command.js')).hubCommand(argv, io) },
  daemon: { summary: 'Connect to a hub as a Flux daemon (demo cluster, or relay to a real fluxd).', run: async (argv, io) => (await import('./daemon-command.js')).daemonCommand(argv, io) },
  call: { summary: 'Call one Flux API method through a hub (or a fluxd).', run: async (argv, io) => (await import('./call-command.js')).callCommand(argv, io) },
  demo: { summary: 'Hub + demo daemon in one process, a few calls printed, then serve until stopped.', run: async (argv, io) => (await import('./demo-command.js')).demoCommand(argv, io) },
  'hash-password': { summary: 'Hash a password (read from the terminal or stdin) for the dashboard users file.', run: async (argv, io) => (await import('./hash-password-command.js')).hashPasswordCommand(argv, io) },
  version: { summary: "Print fluxrpc's version (also: fluxrpc --version).", run: versionCommand },
};

export const TOP_HELP = `Usage: fluxrpc COMMAND [FLAGS]

Flux v1's remote RPC (Go net/rpc + jsonrpc over websocket), wire-compatible with fluxd and fluxsvc.

Commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(15)}${c.summary}`)
  .join('\n')}

Run "fluxrpc COMMAND --help" for a command's flags.
`;

export async function run(argv: string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  const command = name === '--version' ? COMMANDS['version'] : name !== undefined && Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  const prefix = command && name !== '--version' ? `fluxrpc ${name}` : 'fluxrpc';
  try {
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
      io.out(TOP_HELP);
      return name === undefined ? 2 : 0;
    }
    if (!command) throw new UsageError(`unknown command ${JSON.stringify(name)} (commands: ${Object.keys(COMMANDS).join(', ')})`);
    return await command.run(rest, io);
  } catch (e) {
    io.err(`${prefix}: ${e instanceof UsageError ? e.message : describeHttpError(e)}\n`);
    return e instanceof UsageError ? 2 : 1;
  }
}
