// SPDX-License-Identifier: Apache-2.0
/**
 * "Lint Workspace": which files `.gitignore` leaves out (root and nested files, negation), the
 * batches, and the words of the result.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { batches, gitignoreFilter, resultText } from '../../client/src/workspace-lint-model.js';

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
