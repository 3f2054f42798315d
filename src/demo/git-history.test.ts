import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GitHistory, GitRevisionError } from './git-history.js';

const history = (maxCommits?: number) => new GitHistory<string>({ branch: 'main', maxCommits }, 'first');

test('revisions are 40 hex digits; the first is the same on every start', () => {
  const a = history();
  assert.match(a.head, /^[0-9a-f]{40}$/);
  assert.equal(history().head, a.head);
  const c = a.commit('second', { jobId: 'j1', data: 'note' });
  assert.match(c.revision, /^[0-9a-f]{40}$/);
  assert.equal(a.head, c.revision);
  assert.notEqual(history().commit('second').revision, c.revision);
});

test('commits to apply: between the sync marker and the ref, newest first, as `git log sync..ref`', () => {
  const h = history();
  const first = h.head;
  const b = h.commit('b').revision;
  const c = h.commit('c').revision;
  assert.deepEqual(h.commitsToApply('HEAD'), [c, b]);
  assert.deepEqual(h.commitsToApply(''), [c, b], 'an empty ref is HEAD');
  assert.deepEqual(h.commitsToApply('main'), [c, b]);
  assert.deepEqual(h.commitsToApply('refs/heads/main'), [c, b]);
  assert.deepEqual(h.commitsToApply(b), [b]);
  assert.deepEqual(h.commitsToApply(b.slice(0, 7)), [b], 'abbreviated');
  assert.deepEqual(h.commitsToApply(c.slice(0, 4).toUpperCase()), [c, b], 'four digits, any case');
  assert.deepEqual(h.commitsToApply('HEAD~1'), [b]);
  assert.deepEqual(h.commitsToApply('HEAD^^'), []);
  assert.deepEqual(h.commitsToApply(`${c}^0`), [c, b]);
  assert.deepEqual(h.commitsToApply(first), []);
  assert.deepEqual(h.commitsToApply('flux-sync'), []);
  assert.deepEqual(h.pending().map((x) => x.message), ['c', 'b']);
  assert.deepEqual(h.markSynced().map((x) => x.revision), [c, b]);
  assert.deepEqual(h.commitsToApply('HEAD'), []);
  assert.deepEqual(h.commitsToApply(b.slice(0, 7)), [], 'applied: at or behind the marker');
  assert.equal(h.syncRevision, c);
});

test("refs git refuses get fluxd's error: git's first fatal line, then the whole output", () => {
  const h = history();
  const s = h.syncRevision;
  const bad = (ref: string) => `fatal: bad revision '${s}..${ref}', full output:\n fatal: bad revision '${s}..${ref}'\n`;
  for (const ref of ['abc', 'deadbeef', 'HEAD~1', 'HEAD^2', 'other-branch', 'HEAD~x', 'a b']) {
    assert.throws(() => h.commitsToApply(ref), (e: unknown) => e instanceof GitRevisionError && e.message === bad(ref), ref);
  }
  const unknownFull = 'f'.repeat(40);
  assert.throws(() => h.commitsToApply(unknownFull), { message: `fatal: Invalid revision range ${s}..${unknownFull}, full output:\n fatal: Invalid revision range ${s}..${unknownFull}\n` });
});

test('jobs are found through the notes of their commits', () => {
  const h = history();
  h.commit('one', { jobId: 'a', data: 'A' });
  h.commit('two', { jobId: 'b', data: 'B' });
  assert.equal(h.findJob('a')?.note?.data, 'A');
  assert.equal(h.findJob('c'), undefined);
});

test('memory is bounded: old applied commits are forgotten, pending ones kept', () => {
  const h = history(3);
  const revs = [h.head];
  for (let i = 0; i < 5; i++) revs.push(h.commit(`c${i}`).revision);
  h.markSynced();
  assert.deepEqual(h.commitsToApply(revs[3]!.slice(0, 8)), []);
  assert.throws(() => h.commitsToApply(revs[1]!.slice(0, 8)), /bad revision/, 'forgotten');
  for (let i = 0; i < 5; i++) h.commit(`p${i}`);
  assert.equal(h.pending().length, 5, 'never dropped before they are applied');
});
