/**
 * Structured logs, one JSON object per line: `{"level","time","msg",...fields}` on stderr, written
 * by pino. Every layer logs through the `Logger` interface below, so tests can pass a `write`
 * function and library users can pass their own implementation.
 *
 * Two guarantees hold for every line, at any depth of its fields (and the message):
 * - no secret: `token=…` is scrubbed out of every string, error message and bound field;
 * - no flood: a string longer than `MAX_LOGGED_STRING` characters is cut, with a marker saying how
 *   much was left out (a peer's 30 MB error text must not become a 30 MB log line).
 */
import { pino, type Logger as PinoLogger } from 'pino';
import { truncate } from './text.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every line. */
  child(fields: LogFields): Logger;
}

export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

/** The longest string written into a log line; longer ones are cut with a marker. */
export const MAX_LOGGED_STRING = 2048;
/** Fields nested deeper than this are written as a placeholder. */
const MAX_DEPTH = 8;

export interface LoggerOptions {
  /** Lowest level written (default `info`). */
  level?: LogLevel;
  /** Where lines go, without the trailing newline (default: stderr). */
  write?: (line: string) => void;
  /** Clock, for tests. */
  now?: () => Date;
}

/** Scrubs `token=…` out of free text (error messages quoting a header, say). */
export function redact(text: string): string {
  return text.replace(/(token=)[^\s"&]+/gi, '$1[redacted]');
}

/** A copy of `value` safe to write: strings scrubbed and cut, errors as their message, bigints as text. */
function scrub(value: unknown, depth = 0, seen: WeakSet<object> = new WeakSet()): unknown {
  if (typeof value === 'string') return cleanString(value);
  if (typeof value === 'bigint') return value.toString();
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return cleanString(value.message);
  if (value instanceof Date) return value;
  if (depth >= MAX_DEPTH) return '[nested too deep]';
  if (seen.has(value)) return '[circular]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((v) => scrub(v, depth + 1, seen));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = scrub(v, depth + 1, seen);
  return out;
}

function cleanString(text: string): string {
  // Redact before cutting (a token cut in half would escape redaction), but never scan a huge text
  // whole: only what can be kept, plus room for one token, is looked at.
  if (text.length <= MAX_LOGGED_STRING) return redact(text);
  return truncate(redact(text.slice(0, MAX_LOGGED_STRING + 512)), MAX_LOGGED_STRING, text.length);
}

/** A logger writing JSON lines (pino). */
export function createLogger(options: LoggerOptions = {}): Logger {
  const now = options.now ?? (() => new Date());
  const write = options.write;
  const destination = write
    ? { write: (s: string) => write(s.endsWith('\n') ? s.slice(0, -1) : s) }
    : pino.destination({ dest: 2, sync: true });
  const p = pino(
    {
      level: options.level ?? 'info',
      base: undefined,
      messageKey: 'msg',
      timestamp: () => `,"time":"${now().toISOString()}"`,
      formatters: {
        level: (label) => ({ level: label }),
        log: (fields) => scrub(fields) as Record<string, unknown>,
      },
    },
    destination,
  );
  return wrap(p);
}

function wrap(p: PinoLogger): Logger {
  const at = (level: LogLevel) => (msg: string, fields?: LogFields) => {
    if (!p.isLevelEnabled(level)) return;
    p[level](fields ?? {}, '%s', cleanString(msg));
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: (fields) => wrap(p.child(scrub(fields) as LogFields)) };
}

/** Discards everything. */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
};

/** Parses a `--log-level` value. */
export function isLogLevel(s: string): s is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(s);
}
