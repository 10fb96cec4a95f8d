// SPDX-License-Identifier: Apache-2.0
/** The README documents the CLI's interface as it is: options, JSON keys, exit statuses and every core code. */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CODES } from '../../server/src/core/findings.js';
import { REPO_ROOT } from '../support/paths.js';
import { runCli, runJson } from './run-cli.js';

const readme = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');

test('the README opens with the two commands a newcomer runs', () => {
  const firstBlock = /```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
  assert.deepEqual(firstBlock.trim().split('\n'), ['npm ci && npm run demo', 'npm test']);
});

test('the README lists every diagnostic code of the core', () => {
  for (const code of Object.values(CODES)) assert.ok(readme.includes(`\`${code}\``), `README lists ${code}`);
});

test('the README shows every option of --help and every key of a JSON record', () => {
  const help = runCli(['--help']).stdout;
  for (const option of help.match(/--[a-z-]+/g) ?? []) assert.ok(readme.includes(option), `README mentions ${option}`);
  const r = runJson(['examples/broken-typo-key.yaml']);
  assert.ok(r.findings.length > 0);
  for (const key of Object.keys(r.findings[0]!))
    assert.ok(readme.includes(`"${key}":`), `README shows the JSON key ${key}`);
  for (const status of ['| 0 |', '| 1 |', '| 2 |'])
    assert.ok(readme.includes(status), `README explains exit status ${status}`);
});
