// SPDX-License-Identifier: Apache-2.0
/**
 * What "Compare Connectivity with…" offers, read by `io/git.ts` from a real repository made for the
 * test: the latest commits newest first, the branches, remote-tracking branches and tags (names a
 * revision check would refuse are left out, the checked-out branch is marked), nothing in a
 * repository without commits, and the repository never written.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { git, SKIP_WITHOUT_GIT, snapshot } from '../support/git-repo.js';
import { GitRepository, revisionProblem } from '../../server/src/io/git.js';

const skip = SKIP_WITHOUT_GIT;

describe('GitRepository: commits and refs for the revision picker', { skip }, () => {
  let tmp: string;
  let repo: string;
  const subjects = ['one', 'two: with a colon', 'three\u0001 and a control character'];

  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cilium-policy-git-refs-'));
    repo = path.join(tmp, 'repo');
    fs.mkdirSync(repo);
    git(repo, 'init', '-q', '-b', 'main');
    for (const [i, s] of subjects.entries()) {
      fs.writeFileSync(path.join(repo, 'a.yaml'), `kind: A\nversion: ${i}\n`);
      git(repo, 'add', '-A');
      // Later commits, later dates: the refs' order is by committer date.
      spawnSync('git', ['commit', '-qm', s], {
        cwd: repo,
        env: {
          ...process.env,
          GIT_CONFIG_GLOBAL: '/dev/null',
          GIT_CONFIG_NOSYSTEM: '1',
          GIT_AUTHOR_NAME: 't',
          GIT_AUTHOR_EMAIL: 't@e',
          GIT_COMMITTER_NAME: 't',
          GIT_COMMITTER_EMAIL: 't@e',
          GIT_COMMITTER_DATE: `2026-11-0${i + 1}T10:00:00Z`,
          GIT_AUTHOR_DATE: `2026-11-0${i + 1}T10:00:00Z`,
        },
      });
      if (i === 0) git(repo, 'branch', 'old-feature');
      if (i === 1) git(repo, 'tag', 'v1.0.0');
    }
    git(repo, 'branch', 'ünicode');
    git(repo, 'update-ref', 'refs/remotes/origin/main', 'HEAD~1');
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('lists the latest commits newest first, with full names, dates and subjects', async () => {
    const r = await GitRepository.open({ cwd: repo });
    const all = await r.recentCommits(10);
    assert.deepEqual(
      all.map((c) => c.commit),
      git(repo, 'rev-list', 'HEAD').split('\n'),
    );
    assert.deepEqual(
      all.map((c) => c.subject),
      [...subjects].reverse(),
    );
    assert.match(all[0]!.date, /^2026-11-03T10:00:00/);
    assert.equal((await r.recentCommits(2)).length, 2);
  });

  it('lists branches, remote branches and tags, refusable names left out, the current one marked', async () => {
    const r = await GitRepository.open({ cwd: repo });
    const refs = await r.refs(30);
    const seen = new Map(refs.map((x) => [x.name, x]));
    assert.equal(seen.get('main')?.kind, 'branch');
    assert.equal(seen.get('main')?.current, true);
    assert.equal(seen.get('old-feature')?.current, false);
    assert.equal(seen.get('origin/main')?.kind, 'remote');
    assert.equal(seen.get('v1.0.0')?.kind, 'tag');
    assert.equal(seen.get('main')?.object, git(repo, 'rev-parse', 'main'));
    // Git takes the name; the revision check would refuse it, so it is not offered.
    assert.notEqual(revisionProblem('ünicode'), undefined);
    assert.ok(!seen.has('ünicode'));
    for (const x of refs) assert.equal(revisionProblem(x.name), undefined, x.name);
    // Most recently committed first.
    const dates = refs.map((x) => x.date);
    assert.deepEqual(dates, [...dates].sort().reverse());
    assert.equal((await r.refs(1)).length, 1);
  });

  it('a repository without commits has none, and nothing is written', async () => {
    const empty = path.join(tmp, 'empty');
    fs.mkdirSync(empty);
    git(empty, 'init', '-q');
    const before = snapshot(empty);
    const r = await GitRepository.open({ cwd: empty });
    assert.deepEqual(await r.recentCommits(5), []);
    assert.deepEqual(await r.refs(5), []);
    assert.deepEqual(snapshot(empty), before);
    const full = snapshot(repo);
    const f = await GitRepository.open({ cwd: repo });
    await f.recentCommits(5);
    await f.refs(5);
    assert.deepEqual(snapshot(repo), full);
  });
});
