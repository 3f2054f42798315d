/**
 * The runtime layer, below everything else; it imports nothing of the project. One module per job:
 * - `log.ts`: JSON log lines (pino) with tokens redacted and every string bounded;
 * - `version.ts`: the package version and the default User-Agent;
 * - `time.ts`: Node's timer limit, the default call timeout, deadlines from a signal and a timeout;
 * - `text.ts`: bounds on a peer's text (`truncate`, `MAX_KEPT_TEXT`);
 * - `budget.ts`: a byte budget shared by many holders (`ByteBudget`);
 * - `go-text.ts`: every Go text fluxrpc reproduces byte for byte (`GoText`);
 * - `listeners.ts`: a set of listeners where one that throws does not stop the others (`Listeners`).
 */
export { createLogger, silentLogger, redact, isLogLevel, LOG_LEVELS, MAX_LOGGED_STRING, type Logger, type LogLevel, type LogFields, type LoggerOptions } from './log.js';
export { PACKAGE_VERSION, DEFAULT_USER_AGENT } from './version.js';
export { MAX_TIMER_MS, DEFAULT_CALL_TIMEOUT_MS, checkTimerMs, deadline, type Deadline } from './time.js';
export { truncate, MAX_KEPT_TEXT } from './text.js';
export { ByteBudget, unlimitedBudget } from './budget.js';
export { GoText, GO_MAX_NESTING_DEPTH } from './go-text.js';
export { Listeners } from './listeners.js';
