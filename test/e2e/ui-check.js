// SPDX-License-Identifier: Apache-2.0
// @ts-check
/**
 * UI check of the packaged extension, installed the way users install it: `dist/cilium-policy.vsix`
 * goes through `code-server --install-extension`, then Playwright drives code-server's workbench
 * in Debian's chromium like a person would: open a broken policy, read the Problems panel row and
 * the hover, trigger completion and read the suggestions, run the New Policy wizard through its
 * QuickPicks (kind, template, a workload of the workspace, where to put it) and read the policy it
 * writes, open the endpoint preview through the command palette (F1) and read the panel, let the
 * panel follow a policy whose workloads carry hostile label values and check, inside the webview,
 * that they stay text, walk the Cilium Endpoints view and follow its "Open manifest" row, and
 * last switch the inventory to a kubectl snapshot through the picker and its file dialog, and back.
 * Screenshots go to `test-results/screenshots/`.
 *
 * Usage: node test/e2e/ui-check.js   (after `npm run package` and toolchain/setup.sh)
 */
'use strict';

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const cs = require('./lib/code-server.js');
const { STEP_MS, step, screenshot } = require('./ui/lib.js');

/**
 * The steps, in order: each is a module of `ui/` exporting `{ name, run(ctx) }` (see `ui/lib.js`).
 * A feature adds its own step module and one line here.
 */
const STEPS = [
  require('./ui/basics.js'),
  require('./ui/preview.js'),
  require('./ui/endpoints-view.js'),
  require('./ui/inventory-picker.js'),
  require('./ui/connectivity.js'),
  require('./ui/dryrun.js'),
  require('./ui/readable-preview.js'),
  require('./ui/workspace-lint.js'),
  require('./ui/replay.js'),
  require('./ui/read-cancel.js'),
  require('./ui/hostile-sections.js'),
  require('./ui/compare.js'),
];

const VSIX = path.join(cs.REPO_ROOT, 'dist', 'cilium-policy.vsix');

async function main() {
  if (!fs.existsSync(VSIX)) throw new Error(`${VSIX} is missing; run npm run package first`);
  const workspace = cs.copyWorkspace();
  const extensionsDir = path.join(cs.scratchDir('extensions'), 'ext');
  const configFile = path.join(cs.scratchDir('install'), 'config.yaml');
  fs.writeFileSync(configFile, 'auth: none\ncert: false\n');
  const installed = await cs.runCodeServerCommand(['--extensions-dir', extensionsDir, '--install-extension', VSIX], {
    configFile,
  });
  assert.match(installed, /successfully installed/i, installed);
  step(`installed ${path.relative(cs.REPO_ROOT, VSIX)}`);

  const server = await cs.startCodeServer({ extensionsDir });
  let browser;
  try {
    browser = await cs.launchBrowser();
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    /** @type {string[]} */
    const windowErrors = [];
    page.on('pageerror', (err) => windowErrors.push(err.message));
    /** @type {string[]} */
    const dialogs = [];
    page.on('dialog', (d) => {
      dialogs.push(`${d.type()}: ${d.message()}`);
      void d.dismiss().catch(() => undefined);
    });
    await page.goto(cs.workbenchUrl(server.base, workspace));
    await page.locator('.monaco-workbench').waitFor({ timeout: STEP_MS });
    step('workbench rendered');

    // E2E_ONLY=connectivity runs the steps whose name contains one of these (comma-separated).
    const only = process.env['E2E_ONLY']?.split(',').filter(Boolean);
    for (const s of STEPS.filter((x) => !only || only.some((o) => x.name.includes(o)))) {
      step(`--- ${s.name}`);
      await s.run({ page, workspace, dialogs });
    }

    const serious = windowErrors.filter((e) => !/ENOTFOUND|ERR_NAME_NOT_RESOLVED|Failed to fetch/.test(e));
    if (serious.length) step(`window errors (not failing the check): ${serious.join(' | ')}`);
    step('UI check passed');
    return 0;
  } catch (err) {
    // A screenshot of the failure is the fastest way to see what the page looked like.
    const page = browser?.contexts()[0]?.pages()[0];
    if (page) await screenshot(page, 'failure').catch(() => undefined);
    throw err;
  } finally {
    await browser?.close().catch(() => undefined);
    await server.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err instanceof Error ? err.stack : err);
    process.exit(1);
  },
);
