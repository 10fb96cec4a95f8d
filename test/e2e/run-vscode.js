// SPDX-License-Identifier: Apache-2.0
// @ts-check
/**
 * Runs the extension-host suite (`test/e2e/suite/index.js`, the same one code-server runs) in a
 * desktop VS Code through @vscode/test-electron. For contributors whose machine can download VS
 * Code from update.code.visualstudio.com; CI has no such access and runs `run-code-server.js`.
 * The VS Code release is pinned to the one code-server 4.100.3 is built on, so both runners test
 * the same API. Set VSCODE_TEST_VERSION to try another (e.g. `stable`).
 *
 * Usage: npm run test:vscode   (needs test/e2e/toolchain installed: setup.sh, or `npm ci` there)
 */
'use strict';

const path = require('node:path');
const cs = require('./lib/code-server.js');

async function main() {
  const { runTests } = cs.toolchainRequire('@vscode/test-electron');
  const workspace = cs.copyWorkspace();
  const userDataDir = path.join(cs.scratchDir('vscode-user'), 'user-data');
  const extensionsDir = path.join(cs.scratchDir('vscode-ext'), 'ext');
  await runTests({
    version: process.env['VSCODE_TEST_VERSION'] || '1.100.3',
    extensionDevelopmentPath: cs.REPO_ROOT,
    extensionTestsPath: path.join(cs.E2E_ROOT, 'suite', 'index.js'),
    launchArgs: [
      workspace,
      // Only our extension, in scratch profile folders, with no trust prompt or welcome page.
      '--disable-extensions',
      '--disable-workspace-trust',
      '--skip-welcome',
      '--skip-release-notes',
      `--user-data-dir=${userDataDir}`,
      `--extensions-dir=${extensionsDir}`,
    ],
  });
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err instanceof Error ? err.stack : err);
    process.exit(1);
  },
);
