// SPDX-License-Identifier: Apache-2.0
/**
 * Hostile PolicyTest files through the real CLI (`cilium-policy test`, `cilium-policy coverage`): a
 * PolicyTest in a pull request can name any path and any case name. Paths to a device or a FIFO
 * must be refused before reading (they would block the run or never end), and names holding escape
 * sequences, line breaks or bidi overrides must show as escapes in text output (no forged `FAIL`
 * line, no retitled terminal), stay exact in JSON, and keep JUnit XML well-formed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from '../support/paths.js';
import { runCli, tempTree } from '../cli/run-cli.js';

const SHOP = path.join(REPO_ROOT, 'examples', 'shop');
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/u;

/** A PolicyTest over the shop example with one case; `policies` as given. */
function policyTest(policies: string, caseName: string): string {
  return [
    'apiVersion: cilium-policy.io/v1alpha1',
    'kind: PolicyTest',
    'metadata:',
    '  name: hostile',
    'spec:',
    `  policies: [${JSON.stringify(policies)}]`,
    `  inventory: [${JSON.stringify(path.join(SHOP, 'inventory'))}]`,
    '  cases:',
    `    - name: ${JSON.stringify(caseName)}`,
    '      from: {workload: shop/frontend}',
    '      to: {workload: shop/orders-db}',
    '      port: postgres',
    '      expect: allow', // the shop denies it: the case fails and its name is printed with the verdict
    '',
  ].join('\n');
}

test('a PolicyTest naming a device or a FIFO is refused before reading, at once', (t) => {
  const dir = tempTree({});
  const targets = ['/dev/zero', '/dev/urandom'];
  try {
    execFileSync('mkfifo', [path.join(dir, 'fifo.yaml')]);
    targets.push('fifo.yaml');
  } catch {
    t.diagnostic('mkfifo is not available: the FIFO case is left out');
  }
  for (const target of targets) {
    fs.writeFileSync(path.join(dir, 'hostile.yaml'), policyTest(target, 'a case'));
    const r = runCli(['test', 'hostile.yaml'], { cwd: dir });
    assert.equal(r.status, 2, `${target}: ${r.stderr}`);
    assert.match(r.stderr, /not a regular file/, target);
    assert.ok(r.ms < 20_000, `${target}: answered in ${r.ms} ms`);
  }
});

test('hostile case names show as escapes in text, exact in JSON, and keep JUnit well-formed', () => {
  const name = 'db\u001b]0;owned\u0007\n  PASS forged (line 1): allow \u202eevil \u001b[2K';
  const dir = tempTree({ 'hostile.yaml': policyTest(path.join(SHOP, 'policies'), name) });
  const text = runCli(['test', 'hostile.yaml'], { cwd: dir });
  assert.equal(text.status, 1, text.stderr);
  const m = RAW_CONTROL.exec(text.stdout + text.stderr);
  assert.equal(m, null, `raw U+${m?.[0].codePointAt(0)?.toString(16)} in ${JSON.stringify(text.stdout)}`);
  assert.doesNotMatch(text.stdout, /^\s*PASS forged/m, 'a forged line');
  assert.ok(
    text.stdout.includes('db\\x1b]0;owned\\x07\\n  PASS forged (line 1): allow \\u202eevil \\x1b[2K'),
    text.stdout,
  );

  const json = runCli(['test', 'hostile.yaml', '--format', 'json'], { cwd: dir });
  assert.ok(json.stdout.includes(JSON.stringify(name)), 'JSON carries the exact name');

  const junit = runCli(['test', 'hostile.yaml', '--format', 'junit'], { cwd: dir });
  assert.equal(RAW_CONTROL.exec(junit.stdout), null, 'XML 1.0 cannot carry control characters');
  assert.match(junit.stdout, /name="db\\x1b\]0;owned\\x07\\n {2}PASS forged/);
});
