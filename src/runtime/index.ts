/**
 * The runtime layer, below everything else: logging, the package version, time limits and
 * deadlines, and bounds on a peer's text. It imports nothing of the project.
 */
export { createLogger, silentLogger, redact, isLogLevel, LOG_LEVELS, MAX_LOGGED_STRING, type Logger, type LogLevel, type LogFields, type LoggerOptions } from './log.js';
export { PACKAGE_VERSION, DEFAULT_USER_AGENT } from './version.js';
export { MAX_TIMER_MS, DEFAULT_CALL_TIMEOUT_MS, checkTimerMs, deadline, type Deadline } from './time.js';
export { truncate, MAX_KEPT_TEXT } from './text.js';
export { ByteBudget, unlimitedBudget } from './budget.js';
