// SPDX-License-Identifier: Apache-2.0
/**
 * "Lint Workspace": which files `.gitignore` leaves out (root and nested files, negation), what
 * git's other excludes leave out (the global excludes file named by `core.excludesFile` or its
 * XDG default, `.git/info/exclude`) and their precedence, the batches, stale results after a
 * run, and the words of the result.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import {
  batches,
  excludesFilePath,
  excludesFileSetting,
  gitignoreFilter,
  resultText,
  staleUris,
} from '../../client/src/workspace-lint-model.js';

test('.gitignore files leave out what git ignores, nested ones relative to their directory', () => {
  const ignored = gitignoreFilter([
    { dir: '', text: '# build output\nbuild/\n*.generated.yaml\n!keep.generated.yaml\n' },
    { dir: 'charts', text: 'rendered/\n/local.yaml\n' },
  ]);
  const files = [
    'policies/api.yaml',
    'build/api.yaml',
    'deep/build/x.yml',
    'a.generated.yaml',
    'keep.generated.yaml',
    'charts/rendered/p.yaml',
    'charts/local.yaml',
    'charts/sub/local.yaml',
    'local.yaml',
  ];
  assert.deepEqual(
    files.filter((f) => !ignored(f)),
    ['policies/api.yaml', 'keep.generated.yaml', 'charts/sub/local.yaml', 'local.yaml'],
  );
  // Without .gitignore files nothing is left out.
  assert.equal(gitignoreFilter([])('build/api.yaml'), false);
});

test('files go to the server in batches, in order', () => {
  const items = Array.from({ length: 53 }, (_, i) => i);
  const out = batches(items, 25);
  assert.deepEqual(
    out.map((b) => b.length),
    [25, 25, 3],
  );
  assert.deepEqual(out.flat(), items);
  assert.deepEqual(batches([], 25), []);
});

test('the result says what was linted, and that a stopped run stopped', () => {
  const t = { scanned: 40, policyFiles: 12, errors: 3, warnings: 1, unreadable: 0 };
  assert.equal(
    resultText(t, false),
    'Linted 40 YAML files: 12 policy files with 3 errors and 1 warning (open files are linted as you edit them).',
  );
  assert.match(
    resultText({ ...t, unreadable: 2 }, true),
    /^Lint Workspace stopped after 40 files: .*; 2 files could not be read\.$/,
  );
});

test('core.excludesFile is read from git config files as git reads them: the last one set wins', () => {
  const global = '[user]\n\tname = A\n[core]\n\teditor = vim\n\texcludesFile = ~/.gitignore_global ; mine\n';
  assert.equal(excludesFileSetting([global]), '~/.gitignore_global');
  // Keys are case-insensitive, values may be quoted (with escapes and a # inside), other sections do not count.
  assert.equal(excludesFileSetting(['[CORE]\nEXCLUDESFILE="/etc/my #ignore"\n']), '/etc/my #ignore');
  assert.equal(excludesFileSetting(['[alias]\nexcludesfile = /nope\n']), undefined);
  assert.equal(excludesFileSetting(['[core] excludesfile = /one-line\n']), '/one-line');
  // System, then global, then the repository's config: the repository's setting wins.
  assert.equal(excludesFileSetting([global, '[core]\n  excludesfile = .repo-ignore\n']), '.repo-ignore');
  assert.equal(excludesFileSetting(['', '# nothing\n']), undefined);
});

test('the global excludes file: the setting with ~ expanded, else $XDG_CONFIG_HOME/git/ignore, else ~/.config/git/ignore', () => {
  const home = '/home/u';
  assert.equal(excludesFilePath('~/.gitignore_global', { home }), '/home/u/.gitignore_global');
  assert.equal(excludesFilePath('/abs/ignore', { home, xdgConfigHome: '/x' }), '/abs/ignore');
  assert.equal(excludesFilePath(undefined, { home, xdgConfigHome: '/x/cfg/' }), '/x/cfg/git/ignore');
  assert.equal(excludesFilePath(undefined, { home, xdgConfigHome: '' }), '/home/u/.config/git/ignore');
  assert.equal(excludesFilePath(undefined, { home }), '/home/u/.config/git/ignore');
});

test("git's excludes leave files out below .gitignore files, which can re-include them", () => {
  const files = [
    'a.swp.yaml',
    'scratch/p.yaml',
    'keep/scratch/p.yaml',
    'policies/p.yaml',
    'local.yaml',
    'sub/local.yaml',
  ];
  // Global: scratch directories and *.swp.yaml; info/exclude: /local.yaml (anchored at the repository root).
  const excludes = { prefix: '', texts: ['scratch/\n*.swp.yaml\n', '/local.yaml\n'] };
  const ignored = gitignoreFilter([{ dir: 'keep', text: '!scratch/\n' }], excludes);
  assert.deepEqual(
    files.filter((f) => !ignored(f)),
    ['keep/scratch/p.yaml', 'policies/p.yaml', 'sub/local.yaml'],
  );
  // .git/info/exclude outranks the global file.
  const info = gitignoreFilter([], { prefix: '', texts: ['*.yaml\n', '!policies/*.yaml\n'] });
  assert.deepEqual(
    files.filter((f) => !info(f)),
    ['policies/p.yaml'],
  );
  // A folder below the repository root: anchored patterns are read from the root.
  const below = gitignoreFilter([], { prefix: 'deploy', texts: ['/deploy/local.yaml\n'] });
  assert.equal(below('local.yaml'), true);
  assert.equal(below('sub/local.yaml'), false);
  assert.equal(gitignoreFilter([], { prefix: '', texts: [] })('local.yaml'), false);
});

test('a finished run drops the results of the files it no longer covers', () => {
  assert.deepEqual(staleUris(['file:///a', 'file:///b', 'file:///c'], ['file:///c', 'file:///d']), [
    'file:///a',
    'file:///b',
  ]);
  assert.deepEqual(staleUris([], ['file:///a']), []);
});
