/**
 * Who is asking: a signed session cookie, or — only for requests whose TCP peer is one of the
 * configured trusted proxies — an authenticating proxy's user header. Either way the name must be
 * in the users file, which gives the role and instances; a session also ends when that user's entry
 * changes (see sessions.ts).
 *
 * Login: failures are limited per account and per client address (rate-limit.ts); unknown names
 * cost the same time as wrong passwords and get the same answer. Passwords are never logged. In
 * cluster mode the failures are counted on every replica (`share`, `remote`; cluster-sessions.ts).
 */
import { BlockList, isIP } from 'node:net';
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { Logger } from '../runtime/log.js';
import { cookies, setCookie } from './http.js';
import { verifyPassword } from './password.js';
import { loginLimits, type FailureLimiter } from './rate-limit.js';
import type { Session, SessionCodec } from './sessions.js';
import type { User, UserStore } from './users.js';

export const SESSION_COOKIE = 'fluxrpc_session';

export interface Viewer {
  user: User;
  /** The CSRF token every state-changing request of this viewer must carry. */
  csrf: string;
  session: Session | undefined;
}

export interface AuthOptions {
  users: UserStore;
  codec: SessionCodec;
  /** Addresses (and subnets) of authenticating proxies whose user header is trusted. */
  trustedProxies?: BlockList;
  /** The header such a proxy sets (default `X-Forwarded-User`). */
  proxyUserHeader?: string;
  logger: Logger;
  now?: () => number;
}

/** Failed sign-ins, and a success clearing an account's failures. */
export interface LoginFailures {
  failed(account: string, address: string): void;
  cleared(account: string): void;
}

export type LoginOutcome = { ok: true; setCookie: string; user: User } | { ok: false; status: 401 | 429; message: string };

/** Parses `--trusted-proxy` values: addresses or CIDR subnets, IPv4 or IPv6. */
export function parseTrustedProxies(list: readonly string[]): BlockList {
  const b = new BlockList();
  for (const item of list.flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean)) {
    const [addr, bits] = item.split('/');
    const family = isIP(addr ?? '');
    if (family === 0) throw new Error(`bad trusted proxy ${JSON.stringify(item)}: expected an IP address or a CIDR subnet`);
    const type = family === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) b.addAddress(addr!, type);
    else {
      const n = Number(bits);
      if (!/^\d{1,3}$/.test(bits) || n > (family === 6 ? 128 : 32)) throw new Error(`bad trusted proxy ${JSON.stringify(item)}: bad prefix length`);
      b.addSubnet(addr!, n, type);
    }
  }
  return b;
}

/** What a proxy user's CSRF token is bound to (a session's is its id): it changes with the user's entry. */
const proxyCsrfSubject = (user: User) => `proxy\0${user.name}\0${user.fingerprint}`;

function peerAddress(req: IncomingMessage): string {
  return (req.socket.remoteAddress ?? '').replace(/^::ffff:(?=\d+\.)/, '');
}

export class DashboardAuth {
  private readonly limits: { account: FailureLimiter; address: FailureLimiter };
  private readonly header: string;
  /** Told of failures (and clearings) here: in cluster mode, the other replicas. */
  share: LoginFailures | undefined;
  /** Failures (and clearings) on other replicas, counted here as this replica's own. */
  readonly remote: LoginFailures = {
    failed: (account, address) => {
      this.limits.account.fail(account);
      this.limits.address.fail(address);
    },
    cleared: (account) => this.limits.account.clear(account),
  };

  constructor(private readonly o: AuthOptions) {
    this.limits = loginLimits(o.now);
    this.header = (o.proxyUserHeader ?? 'X-Forwarded-User').toLowerCase();
  }

  get proxyConfigured(): boolean {
    return this.o.trustedProxies !== undefined;
  }

  private fromTrustedProxy(req: IncomingMessage): boolean {
    const a = peerAddress(req);
    const family = isIP(a);
    return family !== 0 && this.o.trustedProxies !== undefined && this.o.trustedProxies.check(a, family === 6 ? 'ipv6' : 'ipv4');
  }

  /** Whether the browser reached us over TLS (directly, or through a trusted proxy that says so). */
  secure(req: IncomingMessage): boolean {
    if ((req.socket as TLSSocket).encrypted) return true;
    return this.fromTrustedProxy(req) && String(req.headers['x-forwarded-proto'] ?? '').split(',')[0]!.trim() === 'https';
  }

  /** The client's address for rate limits: the proxy's last forwarded-for entry when it is trusted. */
  clientAddress(req: IncomingMessage): string {
    if (this.fromTrustedProxy(req)) {
      const xff = String(req.headers['x-forwarded-for'] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
      if (xff.length > 0) return xff[xff.length - 1]!;
    }
    return peerAddress(req);
  }

  /** The signed-in viewer of a request, if any. */
  identify(req: IncomingMessage): Viewer | undefined {
    if (this.fromTrustedProxy(req)) {
      const name = req.headers[this.header];
      if (typeof name === 'string' && name !== '') {
        const user = this.o.users.get(name);
        if (user) return { user, csrf: this.o.codec.csrfToken(proxyCsrfSubject(user)), session: undefined };
        this.o.logger.warn('the proxy named a user who is not in the users file', { user: name });
        return undefined;
      }
    }
    const session = this.o.codec.read(cookies(req).get(SESSION_COOKIE));
    if (!session) return undefined;
    const user = this.o.users.get(session.user);
    if (!user || user.fingerprint !== session.fingerprint) return undefined;
    return { user, csrf: this.o.codec.csrfToken(session.sid), session };
  }

  /** Checks a name and password (with the limits); on success, the cookie of a new session. */
  async login(req: IncomingMessage, name: string, password: string): Promise<LoginOutcome> {
    const address = this.clientAddress(req);
    const accountKey = name.toLowerCase().slice(0, 128);
    const wait = Math.max(this.limits.account.blockedFor(accountKey), this.limits.address.blockedFor(address));
    if (wait > 0) {
      this.o.logger.warn('login refused: too many failures', { user: name, address });
      return { ok: false, status: 429, message: `Too many failed sign-ins. Try again in ${Math.ceil(wait / 60_000)} minute(s).` };
    }
    const user = this.o.users.get(name);
    const ok = (await verifyPassword(password, user?.passwordHash)) && user !== undefined;
    if (!ok) {
      this.limits.account.fail(accountKey);
      this.limits.address.fail(address);
      this.share?.failed(accountKey, address);
      this.o.logger.warn('login failed', { user: name, address });
      return { ok: false, status: 401, message: 'Wrong user name or password.' };
    }
    this.limits.account.clear(accountKey);
    this.share?.cleared(accountKey);
    const { value } = this.o.codec.issue(user.name, user.fingerprint);
    this.o.logger.info('login', { user: user.name, address });
    return { ok: true, user, setCookie: setCookie(SESSION_COOKIE, value, { secure: this.secure(req), maxAgeSeconds: this.o.codec.ttlMs / 1000 }) };
  }

  /** Ends the viewer's session; the cookie that clears it. */
  logout(req: IncomingMessage, viewer: Viewer): string {
    if (viewer.session) this.o.codec.revoke(viewer.session);
    this.o.logger.info('logout', { user: viewer.user.name });
    return setCookie(SESSION_COOKIE, '', { secure: this.secure(req), maxAgeSeconds: 0 });
  }

  checkCsrf(viewer: Viewer, token: string | undefined): boolean {
    return token !== undefined && token.length === viewer.csrf.length && this.o.codec.checkCsrf(viewer.session ? viewer.session.sid : proxyCsrfSubject(viewer.user), token);
  }
}
