// SPDX-License-Identifier: Apache-2.0
/**
 * A repository can commit `.cilium-policy.yaml` as a symbolic link to `/dev/zero` (git stores links,
 * not devices): read as a file, it never ends and memory grows until the process dies. The CLI
 * (`lint`, `test`) and the language server must refuse it before reading, say so, and go on with
 * the defaults.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from '../support/paths.js';
import { LspClient } from '../support/lsp-client.js';
import { runCli, tempTree } from '../cli/run-cli.js';

const POLICY = fs.readFileSync(path.join(REPO_ROOT, 'examples', 'cnp-frontend-to-api.yaml'), 'utf8');

function workspace(): string {
  const dir = tempTree({ 'policy.yaml': POLICY, 'tests/empty.yaml': '' });
  fs.symlinkSync('/dev/zero', path.join(dir, '.cilium-policy.yaml'));
  return dir;
}

test('the CLI refuses a project file linked to a device and lints with the defaults', () => {
  const dir = workspace();
  const lint = runCli(['lint', 'policy.yaml'], { cwd: dir });
  assert.equal(lint.status, 0, lint.stderr);
  assert.match(lint.stderr, /cannot read .*\.cilium-policy\.yaml: it is a device, not a file/);
  assert.ok(lint.ms < 20_000, `answered in ${lint.ms} ms`);
  const t = runCli(['test', 'tests'], { cwd: dir });
  assert.equal(t.status, 2, t.stderr); // no PolicyTest in the folder: the usual input error, not a hang
  assert.match(t.stderr, /no PolicyTest/);
});

let client: LspClient | undefined;
after(async () => {
  await client?.stop();
});

test('the language server refuses it too and keeps serving', async () => {
  const dir = workspace();
  client = await LspClient.start({ workspaceFolder: pathToFileURL(dir).href });
  const uri = pathToFileURL(path.join(dir, 'policy.yaml')).href;
  const v = await client.open(uri, POLICY);
  const published = await client.waitForDiagnostics(uri, v);
  assert.ok(Array.isArray(published.diagnostics));
  assert.ok(client.alive, 'the server exited');
});
