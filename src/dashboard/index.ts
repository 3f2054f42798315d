/**
 * The web dashboard in the hub (`--users`): sign-in (sessions, CSRF, login limits, an
 * authenticating proxy), the pages (fleet, instance, workload, release, job, git, events,
 * notifications), the actions they start on the daemons (releases, policies, syncs), job
 * tracking, the live stream (SSE) and the static assets. One module per job:
 * - `dashboard.ts`: `Dashboard`, the request hook mounted into a hub (`hub.requestHook = dashboard.handle`);
 * - `users.ts`, `password.ts`: the users file (`UserStore`, reloaded on change) and scrypt hashes;
 * - `sessions.ts`, `auth.ts`, `rate-limit.ts`: signed session cookies, who is asking, failed sign-ins;
 * - `data.ts`, `actions.ts`, `jobs.ts`, `audit.ts`: what pages show (bounded), what forms ask the
 *   daemons, following a job to the end, dashboard actions recorded as events;
 * - `html.ts`, `http.ts`, `paths.ts`, `assets.ts`, `pages/`: the escaping template, headers and
 *   forms, every URL built in one place, assets from the package, one module per page;
 * - `live.ts`: the live stream; `cluster-sessions.ts`: sign-outs and failed sign-ins shared by the
 *   replicas of a cluster (loaded only in cluster mode).
 *
 * What a library user needs to mount it: a `Hub` (or any `DashboardHub`), a `UserStore`, a
 * `SessionCodec` with a key, and optionally a `Notifier` (fluxrpc/notify) for the notifications page.
 */
export { Dashboard, type DashboardOptions } from './dashboard.js';
export type { DashboardHub } from './data.js';
export { UserStore, UsersFileError, parseUsers, loadUsersFile, allowed, mayView, ROLES, type Role, type Permission, type User, type UserStoreOptions } from './users.js';
export { hashPassword, verifyPassword, PasswordHashError } from './password.js';
export { SessionCodec, randomSessionKey, DEFAULT_SESSION_TTL_MS, type SessionOptions } from './sessions.js';
export { parseTrustedProxies } from './auth.js';
