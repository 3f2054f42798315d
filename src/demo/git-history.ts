/**
 * The demo's git repository as fluxd sees it: a linear history of commits with well-formed 40-hex
 * revisions, the branch head, and the sync marker (fluxd's `flux-sync` tag: the last revision
 * applied to the cluster). Commits made by jobs carry their job's note (job ID, spec, result), as
 * fluxd's git notes do.
 *
 * `commitsToApply(ref)` is fluxd's SyncStatus: `git log <sync>..<ref>`, newest first, so a ref at or
 * behind the sync marker gives `[]`. Refs are read as git reads them: `HEAD`, the branch, the sync
 * tag, a full or abbreviated hex revision (at least 4 digits, any case), each optionally followed
 * by `~N`/`^` steps; `""` means HEAD. Refs git would refuse get fluxd's error (git's message and
 * output): `fatal: bad revision '<sync>..<ref>'`, or `fatal: Invalid revision range …` for an
 * unknown full revision.
 *
 * Memory is bounded: at most `maxCommits` applied commits are kept (older ones are forgotten, so
 * their revisions become unknown refs); commits not applied yet are always kept.
 */
import { createHash, randomBytes } from 'node:crypto';

export interface CommitNote<N> {
  readonly jobId: string;
  readonly data: N;
}

export interface DemoCommit<N> {
  readonly revision: string;
  /** The whole message; fluxd's sync events carry the subject line only. */
  readonly message: string;
  readonly note: CommitNote<N> | undefined;
}

export interface GitHistoryOptions {
  branch: string;
  /** The sync tag's name (fluxd's `--git-sync-tag`, default `flux-sync`). */
  syncTag?: string;
  /** Applied commits kept at most (default 1000). */
  maxCommits?: number;
}

/** A ref git refuses; the message is what fluxd's SyncStatus reports. */
export class GitRevisionError extends Error {
  override name = 'GitRevisionError';
  readonly code = 'FLUXRPC_ERR_GIT_REVISION';
}

const HEX = /^[0-9a-fA-F]{4,40}$/;
const STEPS = /^(.*?)((?:[~^][0-9]*)*)$/;

export class GitHistory<N> {
  private readonly commits: DemoCommit<N>[] = [];
  /** Index of the last applied commit in `commits`. */
  private synced: number;
  private readonly branch: string;
  private readonly syncTag: string;
  private readonly maxCommits: number;

  constructor(options: GitHistoryOptions, initialMessage: string) {
    this.branch = options.branch;
    this.syncTag = options.syncTag ?? 'flux-sync';
    this.maxCommits = Math.max(1, options.maxCommits ?? 1000);
    // The same first revision on every start, as a repository cloned afresh has.
    this.commits.push({ revision: createHash('sha1').update(`commit\0${initialMessage}`).digest('hex'), message: initialMessage, note: undefined });
    this.synced = 0;
  }

  get head(): string {
    return this.commits[this.commits.length - 1]!.revision;
  }

  get syncRevision(): string {
    return this.commits[this.synced]!.revision;
  }

  /** Commits not applied yet, newest first. */
  pending(): DemoCommit<N>[] {
    return this.commits.slice(this.synced + 1).reverse();
  }

  /** Adds a commit on top of HEAD (a made-up but well-formed revision) and returns it. */
  commit(message: string, note?: CommitNote<N>): DemoCommit<N> {
    const revision = createHash('sha1')
      .update(`parent ${this.head}\n${message}\n`)
      .update(randomBytes(16))
      .digest('hex');
    const c = { revision, message, note };
    this.commits.push(c);
    return c;
  }

  /** Moves the sync marker to HEAD; returns the commits that were applied, newest first. */
  markSynced(): DemoCommit<N>[] {
    const applied = this.pending();
    this.synced = this.commits.length - 1;
    const excess = this.synced + 1 - this.maxCommits;
    if (excess > 0) {
      this.commits.splice(0, excess);
      this.synced -= excess;
    }
    return applied;
  }

  /** The commit whose note names `jobId`, newest first (fluxd looks jobs up in notes). */
  findJob(jobId: string): DemoCommit<N> | undefined {
    for (let i = this.commits.length - 1; i >= 0; i--) if (this.commits[i]!.note?.jobId === jobId) return this.commits[i];
    return undefined;
  }

  /** fluxd's SyncStatus for `ref`: the revisions between the sync marker and `ref`, newest first. */
  commitsToApply(ref: string): string[] {
    const target = this.resolve(ref);
    const out: string[] = [];
    for (let i = target; i > this.synced; i--) out.push(this.commits[i]!.revision);
    return out;
  }

  /** The index of the commit `ref` names, or fluxd's error for `git log <sync>..<ref>`. */
  private resolve(ref: string): number {
    const range = `${this.syncRevision}..${ref}`;
    const badRevision = () => gitError(`fatal: bad revision '${range}'`);
    const [, base = '', steps = ''] = STEPS.exec(ref) ?? [];
    let index: number;
    if (base === '' || base === 'HEAD' || base === this.branch || base === `refs/heads/${this.branch}`) index = this.commits.length - 1;
    else if (base === this.syncTag || base === `refs/tags/${this.syncTag}`) index = this.synced;
    else if (HEX.test(base)) {
      const prefix = base.toLowerCase();
      const matches: number[] = [];
      this.commits.forEach((c, i) => c.revision.startsWith(prefix) && matches.push(i));
      if (matches.length > 1) {
        throw new GitRevisionError(`short object ID ${base} is ambiguous, full output:\n error: short object ID ${base} is ambiguous\nfatal: bad revision '${range}'\n`);
      }
      if (matches.length === 0) throw prefix.length === 40 && steps === '' ? gitError(`fatal: Invalid revision range ${range}`) : badRevision();
      index = matches[0]!;
    } else throw badRevision();

    for (const step of steps.match(/[~^][0-9]*/g) ?? []) {
      const n = step.length > 1 ? Number(step.slice(1)) : 1;
      // A linear history: `~N` is N first parents back; `^0` is the commit, `^1` its parent, `^2` none.
      const back = step[0] === '~' ? n : n <= 1 ? n : Number.NaN;
      if (!Number.isSafeInteger(back) || back > index) throw badRevision();
      index -= back;
    }
    return index;
  }
}

/** fluxd's text for a failed git command: the first `fatal:` line, then the whole output. */
function gitError(line: string): GitRevisionError {
  return new GitRevisionError(`${line}, full output:\n ${line}\n`);
}
