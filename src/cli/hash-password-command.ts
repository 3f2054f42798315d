/**
 * `fluxrpc hash-password`: reads a password (from the terminal without echo, or one line of
 * standard input: `printf '%s\n' "$PW" | fluxrpc hash-password`) and prints its scrypt hash for the
 * users file. The password is never taken from the command line, which `ps` shows.
 */
import { hashPassword } from '../dashboard/password.js';
import { helpText, parseFlags, UsageError, type CommandSpec } from './flags.js';
import type { Io } from './io.js';

export const HASH_PASSWORD_SPEC: CommandSpec = {
  name: 'hash-password',
  usage: 'fluxrpc hash-password < password.txt',
  summary: 'Reads a password (terminal without echo, or the first line of standard input) and prints its scrypt hash for the "password" of a user in the --users file.',
  flags: {},
};

export async function hashPasswordCommand(argv: string[], io: Io): Promise<number> {
  const p = parseFlags(HASH_PASSWORD_SPEC, argv);
  if (p.help) return io.out(helpText(HASH_PASSWORD_SPEC)), 0;
  if (!io.readSecret) throw new Error('no way to read a password here');
  const password = await io.readSecret('Password: ');
  if (password === '') throw new UsageError('the password is empty');
  if (password.length < 8) io.err('fluxrpc hash-password: warning: a password shorter than 8 characters is easy to guess\n');
  io.out(`${await hashPassword(password)}\n`);
  return 0;
}
