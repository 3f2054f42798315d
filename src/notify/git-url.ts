/**
 * Web links for a daemon's git repository, derived from its git URL (`GitRepoConfig`'s
 * `remote.url`) as fluxcloud did: `git@host:org/repo(.git)`, `ssh://[user@]host[:port]/org/repo`,
 * `http(s)://host/org/repo` → `https://host/org/repo`, and a commit link by host style (GitLab
 * `/-/commit/`, Bitbucket `/commits/`, otherwise `/commit/` as GitHub and Gitea). Anything else
 * (a file path, a strange scheme) has no link. Only hex revisions are linked.
 *
 * `GitUrls` caches each instance's URL (asked of its daemon, bounded by a timeout), so a burst of
 * events costs one call.
 */
import type { FluxApi } from '../flux/api.js';

export function repoWebUrl(gitUrl: string): string | undefined {
  let host: string;
  let path: string;
  const scp = /^(?:[\w.-]+@)?([\w.-]+):(?!\/\/)(.+)$/.exec(gitUrl);
  if (scp && !/^[a-z+]+$/i.test(scp[1]!)) [host, path] = [scp[1]!, scp[2]!];
  else {
    let u: URL;
    try {
      u = new URL(gitUrl);
    } catch {
      return undefined;
    }
    if (!['ssh:', 'git+ssh:', 'https:', 'http:', 'git:'].includes(u.protocol) || u.hostname === '') return undefined;
    host = u.hostname;
    path = decodeURIComponent(u.pathname);
  }
  path = path.replace(/^\/+/, '').replace(/\.git\/?$/, '').replace(/\/+$/, '');
  if (!/^[\w.-]+(?:\/[\w.-]+)+$/.test(path) || !/^[\w.-]+$/.test(host)) return undefined;
  return `https://${host}/${path}`;
}

export function commitUrl(gitUrl: string | undefined, revision: string): string | undefined {
  if (gitUrl === undefined || !/^[0-9a-f]{7,64}$/i.test(revision)) return undefined;
  const repo = repoWebUrl(gitUrl);
  if (repo === undefined) return undefined;
  const host = new URL(repo).hostname;
  if (host.includes('gitlab')) return `${repo}/-/commit/${revision}`;
  if (host.includes('bitbucket')) return `${repo}/commits/${revision}`;
  return `${repo}/commit/${revision}`;
}

export interface GitUrlsOptions {
  api: (instance: string) => FluxApi;
  /** How long a URL is kept (default 5 min). */
  ttlMs?: number;
  /** Bound on one GitRepoConfig call (default 5 s). */
  timeoutMs?: number;
  now?: () => number;
}

/** Each instance's git URL, asked of its daemon and cached; undefined when it cannot be had. */
export class GitUrls {
  private readonly cache = new Map<string, { url: string | undefined; at: number }>();
  private readonly pending = new Map<string, Promise<string | undefined>>();
  private readonly now: () => number;

  constructor(private readonly o: GitUrlsOptions) {
    this.now = o.now ?? Date.now;
  }

  get(instance: string): Promise<string | undefined> {
    const hit = this.cache.get(instance);
    if (hit && this.now() - hit.at < (this.o.ttlMs ?? 300_000)) return Promise.resolve(hit.url);
    let p = this.pending.get(instance);
    if (!p) {
      p = this.o
        .api(instance)
        .gitRepoConfig({ signal: AbortSignal.timeout(this.o.timeoutMs ?? 5000) }, false)
        .then(
          (c) => (c.remote.url === '' ? undefined : c.remote.url.slice(0, 2048)),
          () => hit?.url,
        )
        .then((url) => {
          this.cache.set(instance, { url, at: this.now() });
          if (this.cache.size > 10_000) this.cache.delete(this.cache.keys().next().value!);
          return url;
        })
        .finally(() => this.pending.delete(instance));
      this.pending.set(instance, p);
    }
    return p;
  }

  /** The cached URL without asking (for rendering). */
  peek(instance: string): string | undefined {
    return this.cache.get(instance)?.url;
  }
}
