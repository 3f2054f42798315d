/**
 * Flag parsing for the CLI on node's `parseArgs`: each command declares its flags once, with the
 * help text printed by `--help`; bad input is a `UsageError` (one line, exit status 2). A
 * `UsageError`'s message does not name the command: `run` (cli.ts) prints every error as
 * `fluxrpc <command>: <message>`.
 */
import { parseArgs } from 'node:util';
import { DEFAULT_MAX_VALUE_ELEMENTS } from '../codec/json-splitter.js';
import { isProtocolVersion, type ProtocolVersion } from '../flux/api.js';
import { isLogLevel, LOG_LEVELS, type LogLevel } from '../runtime/log.js';
import { MAX_TIMER_MS } from '../runtime/time.js';

export class UsageError extends Error {
  override name = 'UsageError';
  readonly code = 'FLUXRPC_ERR_USAGE';
}

export interface FlagSpec {
  type: 'string' | 'boolean';
  /** Shown in help: `--name VALUE`. */
  value?: string;
  help: string;
  multiple?: boolean;
  short?: string;
  default?: string;
}

export interface CommandSpec {
  name: string;
  usage: string;
  summary: string;
  flags: Record<string, FlagSpec>;
  /** Extra help text after the flags. */
  notes?: string;
}

const HELP_FLAG: FlagSpec = { type: 'boolean', short: 'h', help: 'Show this help.' };

export function helpText(spec: CommandSpec): string {
  const flags = { ...spec.flags, help: HELP_FLAG };
  const rows = Object.entries(flags).map(([name, f]) => [`  ${f.short ? `-${f.short}, ` : ''}--${name}${f.value ? ` ${f.value}` : ''}`, f.help + (f.default ? ` (default ${f.default})` : '')] as const);
  const width = Math.max(...rows.map(([l]) => l.length)) + 2;
  const lines = [`Usage: ${spec.usage}`, '', spec.summary, '', 'Flags:', ...rows.map(([l, h]) => l.padEnd(width) + h)];
  if (spec.notes) lines.push('', spec.notes.trimEnd());
  return lines.join('\n') + '\n';
}

export interface Parsed {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
  help: boolean;
}

export function parseFlags(spec: CommandSpec, argv: string[], allowPositionals = false): Parsed {
  const options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }> = { help: { type: 'boolean', short: 'h' } };
  for (const [name, f] of Object.entries(spec.flags)) options[name] = { type: f.type, ...(f.multiple ? { multiple: true } : {}), ...(f.short ? { short: f.short } : {}) };
  try {
    const { values, positionals } = parseArgs({ args: joinNegativeValues(spec, argv), options, allowPositionals, strict: true });
    return { values: values as Parsed['values'], positionals, help: values.help === true };
  } catch (e) {
    // node's texts, trimmed to one line and pointed at --help.
    const message = (e as Error).message
      .split('\n')[0]!
      .replace(/\. To specify a positional argument.*$/, '')
      .replace(/^Unknown option '(.*?)'.*/, 'unknown flag $1')
      .replace(/^Option '(--[^' ]*)' argument is ambiguous\.?$/, '$1 needs a value (one that starts with "-" is written $1=VALUE)')
      .replace(/\.$/, '');
    throw new UsageError(`${message.charAt(0).toLowerCase()}${message.slice(1)} (see fluxrpc ${spec.name} --help)`);
  }
}

/**
 * `--flag -1s` as `--flag=-1s` for a flag that takes a value: `parseArgs` refuses a value that
 * starts with `-` as ambiguous, and a negative number is meant as the value (and then gets the
 * value's own error, `a duration cannot be negative`). Nothing after `--` is touched.
 */
function joinNegativeValues(spec: CommandSpec, argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') return out.concat(argv.slice(i));
    const next = argv[i + 1];
    if (arg.startsWith('--') && spec.flags[arg.slice(2)]?.type === 'string' && next !== undefined && /^-[\d.]/.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else out.push(arg);
  }
  return out;
}

export function str(p: Parsed, name: string): string | undefined {
  const v = p.values[name];
  return typeof v === 'string' ? v : undefined;
}

export function required(spec: CommandSpec, p: Parsed, name: string): string {
  const v = str(p, name);
  if (v === undefined || v === '') throw new UsageError(`--${name} is required (see fluxrpc ${spec.name} --help)`);
  return v;
}

export function list(p: Parsed, name: string): string[] {
  const v = p.values[name];
  return Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
}

export function bool(p: Parsed, name: string): boolean {
  return p.values[name] === true;
}

/** Nanoseconds per unit of Go's `time.ParseDuration`. */
const UNIT_NS: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, μs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

/** `MAX_TIMER_MS` as Go writes a duration. */
const MAX_DURATION_TEXT = '596h31m23.647s';

const DURATION_EXAMPLES = 'examples: 10s, 1m30s, 500ms';

/**
 * Go's `time.ParseDuration` for flags, in milliseconds: `10s`, `1m30s`, `500ms`, `0`. Not
 * negative, and, since every duration ends up as a Node timer, either 0 ("no limit" to the
 * caller; refused with `allowZero: false`) or from 1 ms to `MAX_TIMER_MS` (about 24.8 days).
 */
export function parseDuration(text: string, flag: string, options: { allowZero?: boolean } = { allowZero: true }): number {
  const invalid = (why: string) => new UsageError(`invalid --${flag} ${JSON.stringify(text)}: ${why}`);
  const sign = /^[-+]/.exec(text)?.[0];
  const body = sign === undefined ? text : text.slice(1);
  let ns = 0;
  if (body !== '0') {
    const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;
    let at = 0;
    while (at < body.length) {
      re.lastIndex = at;
      const m = re.exec(body);
      if (!m) throw invalid(`not a duration (${DURATION_EXAMPLES})`);
      ns += Number(m[1]) * UNIT_NS[m[2]!]!;
      at = re.lastIndex;
    }
    if (body.length === 0) throw invalid(`not a duration (${DURATION_EXAMPLES})`);
  }
  if (sign === '-' && ns > 0) throw invalid(`a duration cannot be negative (${DURATION_EXAMPLES})`);
  const orZero = options.allowZero ? ' (or 0 for no limit)' : '';
  if (ns === 0 && !options.allowZero) throw invalid('must be at least 1ms');
  if (ns > 0 && ns < 1e6) throw invalid(`too short: at least 1ms${orZero}`);
  const ms = ns / 1e6;
  if (ms > MAX_TIMER_MS) throw invalid(`too long: at most ${MAX_DURATION_TEXT}`);
  return ms;
}

/** A duration from 1 ms to `MAX_TIMER_MS`: `parseDuration` without 0. */
export function positiveDuration(text: string, flag: string): number {
  return parseDuration(text, flag, { allowZero: false });
}

export function parseProtocol(text: string): ProtocolVersion {
  const n = Number(text);
  if (!/^\d+$/.test(text) || !isProtocolVersion(n)) throw new UsageError(`invalid --protocol ${JSON.stringify(text)}: use 6, 7, 8, 9, 10 or 11`);
  return n;
}

/** `HOST:PORT` (`:PORT` means all interfaces; `[::1]:PORT` for IPv6). */
export function parseListen(text: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(text);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new UsageError(`invalid --listen ${JSON.stringify(text)}: use HOST:PORT, e.g. 127.0.0.1:3030`);
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port };
}

export function parseHttpUrl(text: string, flag: string, schemes = ['http:', 'https:']): URL {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw new UsageError(`invalid --${flag} ${JSON.stringify(text)}: not a URL`);
  }
  if (!schemes.includes(u.protocol)) throw new UsageError(`invalid --${flag} ${JSON.stringify(text)}: scheme must be ${schemes.map((s) => s.slice(0, -1)).join(' or ')}`);
  return u;
}

/** A whole number from 1 to `max`. */
export function positiveInt(text: string, flag: string, max: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > max) throw new UsageError(`invalid --${flag} ${JSON.stringify(text)}: a whole number from 1 to ${max}`);
  return n;
}

const SIZE_UNITS: Record<string, number> = { '': 1, b: 1, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3, kb: 1000, mb: 1000 ** 2, gb: 1000 ** 3 };

/** A byte size: `1048576`, `512KiB`, `256MiB`, `1GiB` (also `KB`, `MB`, `GB`, powers of 1000); positive. */
export function parseByteSize(text: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text.trim());
  const unit = m ? SIZE_UNITS[m[2]!.toLowerCase()] : undefined;
  const bytes = m && unit !== undefined ? Math.floor(Number(m[1]) * unit) : NaN;
  if (!(bytes >= 1) || !Number.isSafeInteger(bytes)) throw new UsageError(`invalid --${flag} ${JSON.stringify(text)}: use a positive size such as 268435456, 512MiB or 1GiB`);
  return bytes;
}

/** `--max-value-bytes` and `--max-value-elements` (hub and daemon): the bounds on one value from the peer. */
export function valueLimits(p: Parsed): { maxValueBytes: number; maxValueElements: number } {
  return {
    maxValueBytes: parseByteSize(str(p, 'max-value-bytes') ?? '64MiB', 'max-value-bytes'),
    maxValueElements: positiveInt(str(p, 'max-value-elements') ?? String(DEFAULT_MAX_VALUE_ELEMENTS), 'max-value-elements', 2 ** 31 - 1),
  };
}

export function parseLogLevel(text: string | undefined, fallback: LogLevel): LogLevel {
  if (text === undefined) return fallback;
  if (!isLogLevel(text)) throw new UsageError(`invalid --log-level ${JSON.stringify(text)}: use ${LOG_LEVELS.join(', ')}`);
  return text;
}

/** A failed `listen` on `--listen HOST:PORT` as one line. */
export function listenError(e: unknown, host: string, port: number): Error {
  const code = (e as NodeJS.ErrnoException).code;
  const why = code === 'EADDRINUSE' ? 'address already in use' : code === 'EACCES' ? 'permission denied' : code === 'EADDRNOTAVAIL' ? 'address not available on this machine' : (e as Error).message;
  return new Error(`cannot listen on ${host}:${port}: ${why}`);
}
