/**
 * A request's path, as the hub's routes compare it: what `new URL(url, base).pathname` gives,
 * without parsing a plain target (most are).
 */
import type { IncomingMessage } from 'node:http';

/**
 * A request path that `URL` leaves as it is: `/`, or segments of letters, digits, `_`, `~` and `-`
 * (no dots, escapes or empty segments), with or without a final `/`.
 */
const PLAIN_PATH = /^(?:(?:\/[\w~-]+)+\/?|\/)$/;

export function pathOf(req: IncomingMessage): string {
  return requestPath(req.url ?? '/');
}

/** A request target's path, as `new URL(url, base).pathname` gives it (without parsing a plain one). */
export function requestPath(url: string): string {
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  if (PLAIN_PATH.test(path)) return path;
  try {
    return new URL(url, 'http://hub').pathname;
  } catch {
    return '/';
  }
}
