import { test } from 'node:test';
import assert from 'node:assert/strict';
import { commitUrl, GitUrls, repoWebUrl } from './git-url.js';
import type { FluxApi } from '../flux/api.js';

test('web URLs from the git URL forms daemons use; nothing from anything else', () => {
  const cases: [string, string | undefined][] = [
    ['git@github.com:example/demo-cluster', 'https://github.com/example/demo-cluster'],
    ['git@github.com:example/demo-cluster.git', 'https://github.com/example/demo-cluster'],
    ['ssh://git@gitlab.example.com:2222/group/sub/repo.git', 'https://gitlab.example.com/group/sub/repo'],
    ['https://bitbucket.org/team/repo.git', 'https://bitbucket.org/team/repo'],
    ['/srv/git/repo', undefined],
    ['file:///srv/git/repo', undefined],
    ['javascript:alert(1)//x/y', undefined],
    ['git@github.com:"><img src=x onerror=alert(1)>/x', undefined],
    ['', undefined],
  ];
  for (const [url, want] of cases) assert.equal(repoWebUrl(url), want, url);
});

test('commit links by host style; only hex revisions', () => {
  const rev = 'c0ffee0000000000000000000000000000000001';
  assert.equal(commitUrl('git@github.com:o/r', rev), `https://github.com/o/r/commit/${rev}`);
  assert.equal(commitUrl('git@gitlab.com:o/r.git', rev), `https://gitlab.com/o/r/-/commit/${rev}`);
  assert.equal(commitUrl('git@bitbucket.org:o/r.git', rev), `https://bitbucket.org/o/r/commits/${rev}`);
  assert.equal(commitUrl('git@github.com:o/r', '<script>'), undefined);
  assert.equal(commitUrl(undefined, rev), undefined);
});

test('GitUrls asks each daemon once per period and keeps the last answer when a call fails', async () => {
  let calls = 0;
  let fail = false;
  let now = 0;
  const api = () =>
    ({
      gitRepoConfig: async () => {
        calls++;
        if (fail) throw new Error('down');
        return { remote: { url: 'git@github.com:o/r', branch: 'main', path: '' } };
      },
    }) as unknown as FluxApi;
  const urls = new GitUrls({ api, ttlMs: 1000, now: () => now });
  assert.deepEqual(await Promise.all([urls.get('a'), urls.get('a')]), ['git@github.com:o/r', 'git@github.com:o/r']);
  assert.equal(calls, 1);
  now = 2000;
  fail = true;
  assert.equal(await urls.get('a'), 'git@github.com:o/r');
  assert.equal(calls, 2);
  assert.equal(urls.peek('a'), 'git@github.com:o/r');
});
