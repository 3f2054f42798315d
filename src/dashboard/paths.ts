/**
 * The dashboard's URLs, built in one place: every part encoded, so that an instance, workload or
 * job named anything (`a/b`, `%2F`, `?`, `#`, spaces, any script; README, hub) is one path segment
 * or one query value, and routes read it back with `fromSegment`.
 */

/**
 * `value` as one path segment: `encodeURIComponent`, except that `.` and `..` are written `@.` and
 * `@..`. A browser (any WHATWG URL parser) resolves `.` and `..` segments away, even written
 * `%2E`, so they cannot be sent as they are; a raw `@` never comes out of `encodeURIComponent`
 * (it writes `%40`), so the two forms cannot be confused with another value's.
 */
export function segment(value: string): string {
  return value === '.' || value === '..' ? `@${value}` : encodeURIComponent(value);
}

/** The value a path segment stands for (`segment` reversed); throws URIError for a malformed escape. */
export function fromSegment(text: string): string {
  return text === '@.' || text === '@..' ? text.slice(1) : decodeURIComponent(text);
}

const e = segment;

export const paths = {
  fleet: () => '/',
  login: (next?: string) => (next && next !== '/' ? `/login?next=${encodeURIComponent(next)}` : '/login'),
  logout: () => '/logout',
  events: (q?: { type?: string; workload?: string }) => `/events${query(q)}`,
  notifications: () => '/notifications',
  instance: (i: string, q?: { ns?: string; q?: string }) => `/instances/${e(i)}${query(q)}`,
  workload: (i: string, id: string) => `/instances/${e(i)}/workloads/${e(id)}`,
  policy: (i: string, id: string) => `/instances/${e(i)}/workloads/${e(id)}/policy`,
  release: (i: string, workload?: string) => `/instances/${e(i)}/release${query({ workload })}`,
  job: (i: string, id: string) => `/instances/${e(i)}/jobs/${e(id)}`,
  sync: (i: string) => `/instances/${e(i)}/sync`,
  git: (i: string) => `/instances/${e(i)}/git`,
  instanceEvents: (i: string, q?: { type?: string; workload?: string }) => `/instances/${e(i)}/events${query(q)}`,
  live: (instance?: string, job?: string) => `/live${query({ instance, job })}`,
  asset: (name: string) => `/assets/${name}`,
};

function query(q: Record<string, string | undefined> | undefined): string {
  const entries = Object.entries(q ?? {}).filter((x): x is [string, string] => x[1] !== undefined && x[1] !== '');
  return entries.length === 0 ? '' : `?${new URLSearchParams(entries).toString()}`;
}

/** A `next=` target is followed only when it is a local path (no open redirect). */
export function localTarget(next: string | null | undefined): string {
  return next && /^\/(?![/\\])/.test(next) ? next : '/';
}
