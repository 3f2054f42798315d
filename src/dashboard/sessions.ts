/**
 * Sessions: a signed cookie value `<payload base64url>.<HMAC-SHA256 base64url>`, the payload
 * `{sid, user, fp, exp}` (session id, user name, the user's fingerprint when signed in, expiry in
 * ms). Nothing secret is in it; the signature makes it unforgeable without the key. A session ends
 * at its expiry, at logout (its id is revoked until it would have expired), and when the user's
 * password, role or instances change in the users file (the fingerprint no longer matches).
 *
 * The key comes from `--session-key-file` (so replicas and restarts share sessions) or is random
 * per process. In cluster mode revocations are shared too: `onRevoke` tells of each one made here,
 * `revokeId` takes one made on another replica (cluster-sessions.ts). CSRF tokens are derived from the session id with the same key (a synchronizer
 * token without server state): `HMAC(key, "csrf\0" + sid)`.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export interface Session {
  readonly sid: string;
  readonly user: string;
  readonly fingerprint: string;
  /** Expiry, ms since the epoch. */
  readonly exp: number;
}

export interface SessionOptions {
  /** At least 32 bytes. */
  key: Buffer;
  /** Session lifetime (default 12 h). */
  ttlMs?: number;
  now?: () => number;
  /** Revoked ids kept at most (oldest forgotten first; default 100 000). */
  maxRevoked?: number;
}

export const DEFAULT_SESSION_TTL_MS = 12 * 3600 * 1000;
const MAX_COOKIE_CHARS = 1024;

const b64 = (b: Buffer) => b.toString('base64url');

export class SessionCodec {
  readonly ttlMs: number;
  private readonly key: Buffer;
  private readonly now: () => number;
  private readonly revoked = new Map<string, number>();
  private readonly maxRevoked: number;

  constructor(options: SessionOptions) {
    if (options.key.length < 32) throw new RangeError('the session key must be at least 32 bytes');
    this.key = options.key;
    this.ttlMs = options.ttlMs ?? DEFAULT_SESSION_TTL_MS;
    this.now = options.now ?? Date.now;
    this.maxRevoked = options.maxRevoked ?? 100_000;
  }

  private mac(text: string): Buffer {
    return createHmac('sha256', this.key).update(text).digest();
  }

  /** A new session for `user`, and the cookie value that carries it. */
  issue(user: string, fingerprint: string): { session: Session; value: string } {
    const session: Session = { sid: b64(randomBytes(18)), user, fingerprint, exp: this.now() + this.ttlMs };
    const payload = b64(Buffer.from(JSON.stringify({ sid: session.sid, user, fp: fingerprint, exp: session.exp })));
    return { session, value: `${payload}.${b64(this.mac(payload))}` };
  }

  /** The session in a cookie value, if the signature holds and it has neither expired nor been revoked. */
  read(value: string | undefined): Session | undefined {
    if (value === undefined || value.length > MAX_COOKIE_CHARS) return undefined;
    const dot = value.indexOf('.');
    if (dot < 0) return undefined;
    const payload = value.slice(0, dot);
    const given = Buffer.from(value.slice(dot + 1), 'base64url');
    const expected = this.mac(payload);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    let p: { sid?: unknown; user?: unknown; fp?: unknown; exp?: unknown };
    try {
      p = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as typeof p;
    } catch {
      return undefined;
    }
    if (typeof p.sid !== 'string' || typeof p.user !== 'string' || typeof p.fp !== 'string' || typeof p.exp !== 'number') return undefined;
    if (p.exp <= this.now() || this.revoked.has(p.sid)) return undefined;
    return { sid: p.sid, user: p.user, fingerprint: p.fp, exp: p.exp };
  }

  /** Told of each session ended here (cluster mode: shared with the other replicas). */
  onRevoke: ((sid: string, exp: number) => void) | undefined;

  /** Ends a session (logout). */
  revoke(session: Session): void {
    this.revokeId(session.sid, session.exp);
    this.onRevoke?.(session.sid, session.exp);
  }

  /** Ends session `sid`, which expires at `exp` (ms since the epoch): also one ended on another replica. */
  revokeId(sid: string, exp: number): void {
    const now = this.now();
    if (exp <= now) return;
    for (const [id, until] of this.revoked) if (until <= now) this.revoked.delete(id);
    while (this.revoked.size >= this.maxRevoked) this.revoked.delete(this.revoked.keys().next().value!);
    this.revoked.set(sid, exp);
  }

  /** The CSRF token of a session id (or of any other stable subject, e.g. a proxy user's name). */
  csrfToken(subject: string): string {
    return b64(this.mac(`csrf\0${subject}`));
  }

  checkCsrf(subject: string, token: string | undefined): boolean {
    if (token === undefined) return false;
    const given = Buffer.from(token, 'utf8');
    const expected = Buffer.from(this.csrfToken(subject), 'utf8');
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}

/** A random key (when no `--session-key-file` is given). */
export function randomSessionKey(): Buffer {
  return randomBytes(32);
}
