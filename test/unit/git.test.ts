// SPDX-License-Identifier: Apache-2.0
/**
 * `io/git.ts` against real repositories made for the test: files of a revision read as they were
 * committed, hostile revisions and paths refused or taken literally, typed errors for a missing git,
 * a folder outside any repository and an unknown revision, time and output limits, and a repository
 * that is never written (checked against `git status`, which does write, as a positive control).
 */
import { after, before, describe, it, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { git, SKIP_WITHOUT_GIT, snapshot } from '../support/git-repo.js';
import { GitError, GitRepository, revisionProblem, repositoryPathProblem } from '../../server/src/io/git.js';

const skip = SKIP_WITHOUT_GIT;

test('revisionProblem: names and ancestry pass; options, ranges, paths, magic and blanks are refused', () => {
  for (const ok of ['main', 'origin/main', 'v1.2.0', 'HEAD', 'HEAD~2', 'HEAD^', 'HEAD^2', 'main@{1}', 'a'.repeat(40)])
    assert.equal(revisionProblem(ok), undefined, ok);
  for (const [bad, why] of [
    ['', /empty/],
    ['-n', /starts with "-"/],
    ['--output=/tmp/owned', /starts with "-"/],
    ['main..feature', /range/],
    ['main...feature', /range/],
    ['HEAD^!', /range/],
    ['HEAD^@', /range/],
    ['HEAD:policies/a.yaml', /":"/],
    [':/fix', /":"/],
    [':(top)x', /":"/],
    ['a b', /blank/],
    ['a\nb', /blank|control/],
    ['$(touch\tx)', /blank/],
    ['$(id)', /characters/],
    ['`id`', /characters/],
  ] as const)
    assert.match(revisionProblem(bad) ?? 'allowed', why, JSON.stringify(bad));
  assert.equal(repositoryPathProblem('policies/a.yaml'), undefined);
  assert.match(repositoryPathProblem('/etc/passwd') ?? '', /absolute/);
  assert.match(repositoryPathProblem('policies/../../x') ?? '', /leaves the repository/);
});

describe('GitRepository', { skip }, () => {
  let repo: string;
  let first: string;
  let second: string;
  const v1 = { 'policies/a.yaml': 'kind: A\nversion: 1\n', 'policies/deep/b.yml': 'kind: B\n', 'README.md': 'x\n' };
  before(() => {
    repo = fs.mkdtempSync(path.join(os.tmpdir(), 'cilium-policy-git-'));
    git(repo, 'init', '-q');
    for (const [p, text] of Object.entries(v1)) {
      fs.mkdirSync(path.join(repo, path.dirname(p)), { recursive: true });
      fs.writeFileSync(path.join(repo, p), text);
    }
    // A file whose name is an option, and one whose name is pathspec magic.
    fs.writeFileSync(path.join(repo, 'policies', '--output=owned.yaml'), 'kind: Option\n');
    fs.symlinkSync('/etc/passwd', path.join(repo, 'policies', 'link.yaml'));
    fs.writeFileSync(path.join(repo, 'policies', 'big.yaml'), `# ${'x'.repeat(2000)}\n`);
    git(repo, 'add', '-A');
    git(repo, 'commit', '-qm', 'one');
    first = git(repo, 'rev-parse', 'HEAD');
    fs.writeFileSync(path.join(repo, 'policies/a.yaml'), 'kind: A\nversion: 2\n');
    git(repo, 'commit', '-qam', 'two');
    second = git(repo, 'rev-parse', 'HEAD');
  });
  after(() => fs.rmSync(repo, { recursive: true, force: true }));

  it('resolves revisions and reads the files of one as they were committed', async () => {
    const r = await GitRepository.open({ cwd: path.join(repo, 'policies') });
    assert.equal(r.root, fs.realpathSync(repo));
    assert.equal(await r.resolve('HEAD'), second);
    assert.equal(await r.resolve('HEAD~1'), first);
    assert.equal(r.relative('.'), 'policies');
    const { commit, files, skipped } = await r.readFiles('HEAD~1', ['policies'], { maxBytes: 1000 });
    assert.equal(commit, first);
    assert.equal(files.get('policies/a.yaml')?.toString(), v1['policies/a.yaml']);
    assert.equal(files.get('policies/deep/b.yml')?.toString(), v1['policies/deep/b.yml']);
    assert.equal(files.get('policies/--output=owned.yaml')?.toString(), 'kind: Option\n');
    assert.ok(!files.has('README.md'), 'only YAML below the paths');
    assert.deepEqual(
      skipped.map((s) => [s.path, /symbolic link|more than 1000/.test(s.reason)]),
      [
        ['policies/big.yaml', true],
        ['policies/link.yaml', true],
      ],
    );
    assert.equal(
      (await r.readFiles('HEAD', ['policies/a.yaml'])).files.get('policies/a.yaml')?.toString(),
      'kind: A\nversion: 2\n',
    );
  });

  it('paths are literal: an option-like name is a file, pathspec magic matches nothing', async () => {
    const r = await GitRepository.open({ cwd: repo });
    const commit = await r.resolve('HEAD');
    assert.deepEqual(
      (await r.listFiles(commit, ['policies/--output=owned.yaml'])).map((f) => f.path),
      ['policies/--output=owned.yaml'],
    );
    assert.deepEqual(await r.listFiles(commit, [':(glob)**']), []);
    assert.ok(!fs.existsSync(path.join(repo, 'owned.yaml')) && !fs.existsSync(path.join(repo, 'owned')));
    await assert.rejects(r.listFiles(commit, ['../outside']), (e: GitError) => e.kind === 'bad-path');
  });

  it('hostile and unknown revisions are refused with a typed error and a message', async () => {
    const r = await GitRepository.open({ cwd: repo });
    for (const bad of ['--output=/tmp/owned', 'HEAD..HEAD~1', 'HEAD:policies/a.yaml', ':/one'])
      await assert.rejects(r.resolve(bad), (e: GitError) => e instanceof GitError && e.kind === 'unsafe-revision');
    await assert.rejects(
      r.resolve('no-such-branch'),
      (e: GitError) => e.kind === 'unknown-revision' && /"no-such-branch" is not a commit/.test(e.message),
    );
  });

  it('git missing, or a folder outside any repository: typed errors with a clear message', async () => {
    await assert.rejects(
      GitRepository.open({ cwd: repo, git: path.join(repo, 'no-such-git') }),
      (e: GitError) => e.kind === 'git-missing' && /git is not installed/.test(e.message),
    );
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'cilium-policy-nogit-'));
    try {
      await assert.rejects(
        GitRepository.open({ cwd: outside }),
        (e: GitError) => e.kind === 'not-a-repository' && e.message.includes('is not in a git repository'),
      );
    } finally {
      fs.rmSync(outside, { recursive: true, force: true });
    }
  });

  it('time and output limits end a run with a typed error', async () => {
    const slow = path.join(repo, '..', `slow-git-${process.pid}.sh`);
    fs.writeFileSync(slow, '#!/bin/sh\nsleep 5\n', { mode: 0o755 });
    try {
      await assert.rejects(
        GitRepository.open({ cwd: repo, git: slow, timeoutMs: 200 }),
        (e: GitError) => e.kind === 'timeout',
      );
    } finally {
      fs.rmSync(slow, { force: true });
    }
    const r = await GitRepository.open({ cwd: repo, maxOutputBytes: 100 });
    await assert.rejects(r.listFiles(await r.resolve('HEAD')), (e: GitError) => e.kind === 'too-large');
  });

  it('never writes the repository, where git status would (positive control)', async () => {
    // Make the index stale: a tracked file with a new modification time.
    const touch = (): void => {
      const t = new Date(Date.now() + 5000 + Math.random() * 1000);
      fs.utimesSync(path.join(repo, 'policies/a.yaml'), t, t);
    };
    touch();
    const before = snapshot(repo);
    const r = await GitRepository.open({ cwd: repo });
    await r.readFiles('HEAD~1', ['policies']);
    await r.readFiles('HEAD');
    await assert.rejects(r.resolve('nope'));
    assert.deepEqual(snapshot(repo), before, 'nothing under .git changed');
    // The positive control: plain `git status` refreshes (writes) the index in the same state.
    touch();
    spawnSync('git', ['status'], { cwd: repo });
    assert.notDeepEqual(snapshot(repo), before, 'git status wrote the index');
  });
});
