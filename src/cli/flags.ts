/**
 * Flag parsing for the CLI on node's `parseArgs`: each command declares its flags once, with the
 * help text printed by `--help`; bad input is a `UsageError` (one line, exit status 2).
 */
import { parseArgs } from 'node:util';
import { isProtocolVersion, type ProtocolVersion } from '../flux/api.js';
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
    const { values, positionals } = parseArgs({ args: argv, options, allowPositionals, strict: true });
    return { values: values as Parsed['values'], positionals, help: values.help === true };
  } catch (e) {
    // node's texts, trimmed to one line and pointed at --help.
    const message = (e as Error).message.split('\n')[0]!.replace(/\. To specify a positional argument.*$/, '').replace(/^Unknown option '(.*?)'.*/, 'unknown flag $1');
    throw new UsageError(`${spec.name}: ${message} (see fluxrpc ${spec.name} --help)`);
  }
}

export function str(p: Parsed, name: string): string | undefined {
  const v = p.values[name];
  return typeof v === 'string' ? v : undefined;
}

export function required(spec: CommandSpec, p: Parsed, name: string): string {
  const v = str(p, name);
  if (v === undefined || v === '') throw new UsageError(`${spec.name}: --${name} is required (see fluxrpc ${spec.name} --help)`);
  return v;
}

export function list(p: Parsed, name: string): string[] {
  const v = p.values[name];
  return Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
}

export function bool(p: Parsed, name: string): boolean {
  return p.values[name] === true;
}

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, μs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `MAX_TIMER_MS` as Go writes a duration. */
const MAX_DURATION_TEXT = '596h31m23.647s';

/**
 * Go's `time.ParseDuration` (positive durations), in milliseconds: `10s`, `1m30s`, `500ms`. At
 * most `MAX_TIMER_MS` (about 24.8 days), since every duration ends up as a Node timer.
 */
export function parseDuration(text: string, flag: string): number {
  const bad = () => new UsageError(`invalid duration for --${flag}: ${JSON.stringify(text)} (examples: 10s, 1m30s, 500ms)`);
  if (text === '0') return 0;
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;
  let total = 0;
  let at = 0;
  while (at < text.length) {
    re.lastIndex = at;
    const m = re.exec(text);
    if (!m) throw bad();
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
    at = re.lastIndex;
  }
  if (text.length === 0) throw bad();
  if (total > MAX_TIMER_MS) throw new UsageError(`--${flag} ${text} is too long: at most ${MAX_DURATION_TEXT}`);
  return total;
}

/** A duration that must be more than 0. */
export function positiveDuration(text: string, flag: string): number {
  const ms = parseDuration(text, flag);
  if (!(ms > 0)) throw new UsageError(`--${flag} must be more than 0`);
  return ms;
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
