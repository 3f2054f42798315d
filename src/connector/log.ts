/**
 * Structured logs as JSON lines, one object per event: `{"time","level","msg",...fields}`. A small
 * stand-in for pino: the connector, hub and CLI need levels, child loggers with fixed fields and one
 * line per event, nothing more.
 *
 * Secrets: callers never pass tokens in fields; should one slip into a message or a field anyway
 * (an error text quoting a header, a string built from one), `redact` scrubs every string of the
 * line, at any depth, as it is written.
 */
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

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface JsonLoggerOptions {
  /** Lowest level written (default `info`). */
  level?: LogLevel;
  /** Where lines go (default: stderr). */
  write?: (line: string) => void;
  /** Clock, for tests. */
  now?: () => Date;
}

/** JSON.stringify's replacer: errors as their message, bigints as text, every string redacted. */
function plain(_key: string, value: unknown): unknown {
  if (value instanceof Error) return redact(value.message);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'string') return redact(value);
  return value;
}

/** Scrubs `token=…` out of free text (error messages quoting a header, say). */
export function redact(text: string): string {
  return text.replace(/(token=)[^\s"&]+/gi, '$1[redacted]');
}

export function jsonLogger(options: JsonLoggerOptions = {}, base: LogFields = {}): Logger {
  const min = LEVELS[options.level ?? 'info'];
  const write = options.write ?? ((line: string) => process.stderr.write(line + '\n'));
  const now = options.now ?? (() => new Date());
  const log = (level: LogLevel) => (msg: string, fields: LogFields = {}) => {
    if (LEVELS[level] < min) return;
    const record: LogFields = { time: now().toISOString(), level, msg, ...base };
    for (const [k, v] of Object.entries(fields)) if (v !== undefined) record[k] = v;
    write(JSON.stringify(record, plain));
  };
  return {
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
    child: (fields) => jsonLogger(options, { ...base, ...fields }),
  };
}

/** Discards everything. */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
};
