/**
 * Dashboard accounts: the users file (`--users FILE`), a JSON document
 *
 *     { "users": [ { "name": "alice", "password": "$scrypt$…", "role": "admin" },
 *                  { "name": "bob", "password": "$scrypt$…", "role": "deployer", "instances": ["prod"] },
 *                  { "name": "carol", "role": "viewer", "instances": ["*"] } ] }
 *
 * Roles: `viewer` reads; `deployer` also releases, syncs and changes policies (automate, lock,
 * tag filters); `admin` may do everything on every instance. `instances` lists what a user sees
 * (`"*"`: all); an admin sees all whatever it says. A user without `password` can only come in
 * through a trusted authenticating proxy.
 *
 * `UserStore` reloads the file when it changes (polled: editors replace files by renaming, which
 * `fs.watch` loses). A file that no longer parses is refused with a log line and the previous users
 * stay in force.
 */
import { createHash } from 'node:crypto';
import { readFileSync, unwatchFile, watchFile, type Stats } from 'node:fs';
import { instanceNameProblem } from '../hub/instance-name.js';
import { silentLogger, type Logger } from '../runtime/log.js';
import { parsePasswordHash } from './password.js';

export const ROLES = ['viewer', 'deployer', 'admin'] as const;
export type Role = (typeof ROLES)[number];
/** What a request wants to do. */
export type Permission = 'view' | 'deploy' | 'admin';

export interface User {
  readonly name: string;
  readonly role: Role;
  /** Instance names, or `'*'` for all. */
  readonly instances: readonly string[] | '*';
  /** The scrypt hash; undefined for proxy-only users. */
  readonly passwordHash: string | undefined;
  /** Changes whenever the user's password, role or instances change: sessions made before end. */
  readonly fingerprint: string;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}$/;

export class UsersFileError extends Error {
  override name = 'UsersFileError';
  readonly code = 'FLUXRPC_ERR_USERS';
}

const RANK: Record<Role, number> = { viewer: 0, deployer: 1, admin: 2 };
const NEEDS: Record<Permission, number> = { view: 0, deploy: 1, admin: 2 };

/** Whether `user` may do `what` on `instance` (undefined instance: anywhere it may see). */
export function allowed(user: User, what: Permission, instance?: string): boolean {
  if (RANK[user.role] < NEEDS[what]) return false;
  return instance === undefined || mayView(user, instance);
}

export function mayView(user: User, instance: string): boolean {
  return user.role === 'admin' || user.instances === '*' || user.instances.includes(instance);
}

/** Parses a users file's text; throws a `UsersFileError` naming the first problem. */
export function parseUsers(text: string, source = 'users'): Map<string, User> {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new UsersFileError(`${source}: not valid JSON (${(e as Error).message})`);
  }
  const list = (doc as { users?: unknown } | null)?.users;
  if (!Array.isArray(list)) throw new UsersFileError(`${source}: expected {"users": [ … ]}`);
  const users = new Map<string, User>();
  list.forEach((raw: unknown, i) => {
    const at = `${source}: users[${i}]`;
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new UsersFileError(`${at}: expected an object`);
    const u = raw as Record<string, unknown>;
    const unknown = Object.keys(u).filter((k) => !['name', 'password', 'role', 'instances'].includes(k));
    if (unknown.length > 0) throw new UsersFileError(`${at}: unknown key ${JSON.stringify(unknown[0])} (keys: name, password, role, instances)`);
    if (typeof u.name !== 'string' || !NAME.test(u.name)) throw new UsersFileError(`${at}: "name" must be 1–64 letters, digits or . _ @ + - (starting with a letter or digit)`);
    if (users.has(u.name)) throw new UsersFileError(`${at}: user ${u.name} appears twice`);
    if (typeof u.role !== 'string' || !(ROLES as readonly string[]).includes(u.role)) throw new UsersFileError(`${at} (${u.name}): "role" must be one of ${ROLES.join(', ')}`);
    let passwordHash: string | undefined;
    if (u.password !== undefined) {
      if (typeof u.password !== 'string') throw new UsersFileError(`${at} (${u.name}): "password" must be a string made by "fluxrpc hash-password"`);
      try {
        parsePasswordHash(u.password);
      } catch (e) {
        throw new UsersFileError(`${at} (${u.name}): "password": ${(e as Error).message}`);
      }
      passwordHash = u.password;
    }
    let instances: User['instances'] = [];
    if (u.instances === '*' || (Array.isArray(u.instances) && u.instances.includes('*'))) instances = '*';
    else if (Array.isArray(u.instances)) {
      for (const x of u.instances) {
        const problem = typeof x === 'string' ? instanceNameProblem(x) : 'not a string';
        if (problem) throw new UsersFileError(`${at} (${u.name}): bad instance name ${JSON.stringify(x)}: ${problem}`);
      }
      instances = [...(u.instances as string[])];
    } else if (u.instances !== undefined) throw new UsersFileError(`${at} (${u.name}): "instances" must be a list of instance names or "*"`);
    else if (u.role !== 'admin') throw new UsersFileError(`${at} (${u.name}): "instances" is required for a ${u.role} (a list of instance names, or "*")`);
    const fingerprint = createHash('sha256').update(JSON.stringify([u.name, u.role, instances, passwordHash ?? ''])).digest('base64url').slice(0, 16);
    users.set(u.name, { name: u.name, role: u.role as Role, instances, passwordHash, fingerprint });
  });
  return users;
}

export function loadUsersFile(path: string): Map<string, User> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsersFileError(`cannot read users file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return parseUsers(text, path);
}

export interface UserStoreOptions {
  logger?: Logger;
  /** How often the file is checked for changes (default 2 s). */
  pollMs?: number;
}

/** The users in force; reloads `path` when it changes (see the module note). */
export class UserStore {
  private users: Map<string, User>;
  private readonly log: Logger;
  private readonly onChange = (cur: Stats, prev: Stats) => {
    if (cur.mtimeMs !== prev.mtimeMs || cur.size !== prev.size || cur.ino !== prev.ino) this.reload();
  };

  private constructor(
    readonly path: string | undefined,
    users: Map<string, User>,
    options: UserStoreOptions,
  ) {
    this.users = users;
    this.log = (options.logger ?? silentLogger).child({ component: 'users' });
    if (path !== undefined) watchFile(path, { interval: options.pollMs ?? 2000, persistent: false }, this.onChange);
  }

  /** Loads `path` (throws `UsersFileError` at start-up) and watches it. */
  static fromFile(path: string, options: UserStoreOptions = {}): UserStore {
    return new UserStore(path, loadUsersFile(path), options);
  }

  /** Fixed users (tests, embedding). */
  static of(users: Map<string, User>): UserStore {
    return new UserStore(undefined, users, {});
  }

  get(name: string): User | undefined {
    return this.users.get(name);
  }

  get size(): number {
    return this.users.size;
  }

  /** Reads the file again; keeps the old users if it is broken. Returns whether it took the new ones. */
  reload(): boolean {
    if (this.path === undefined) return false;
    try {
      this.users = loadUsersFile(this.path);
      this.log.info('users file reloaded', { path: this.path, users: this.users.size });
      return true;
    } catch (e) {
      this.log.error('users file not reloaded; the previous users stay in force', { error: e as Error });
      return false;
    }
  }

  close(): void {
    if (this.path !== undefined) unwatchFile(this.path, this.onChange);
  }
}
