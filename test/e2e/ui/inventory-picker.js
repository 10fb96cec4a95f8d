// SPDX-License-Identifier: Apache-2.0
// @ts-check
'use strict';

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const cs = require('../lib/code-server.js');
const { STEP_MS, step, screenshot, runCommand, answerQuickPick, previewContent } = require('./lib.js');

/** @typedef {import('playwright-core').Page} Page */

/**
 * The inventory picker behind "Cilium Policy: Choose Endpoint Inventory…": a kubectl snapshot
 * (copied into the workspace from the preview tests' fixture) is chosen through the file dialog,
 * the inventory status bar item then names the snapshot and its workloads; choosing the workspace
 * manifests again brings the workspace inventory back.
 * @param {Page} page @param {string} workspace
 */
async function checkInventoryPicker(page, workspace) {
  const snapshot = path.join(workspace, 'cluster-snapshot.json');
  fs.copyFileSync(path.join(cs.REPO_ROOT, 'test/fixtures/preview/snapshot.json'), snapshot);
  await runCommand(page, 'Cilium Policy: Choose Endpoint Inventory');
  await answerQuickPick(
    page,
    /where should the endpoint preview find workloads/,
    'snapshot',
    /Use kubectl snapshot file/,
  );
  // The file dialog (VS Code's own in a browser) is a quick input holding a path: type the file's.
  const input = page.locator('.quick-input-widget input');
  await page.waitForFunction(
    (dir) => {
      const i = /** @type {HTMLInputElement | null} */ (document.querySelector('.quick-input-widget input'));
      return !!i && i.offsetParent !== null && i.value.startsWith(dir);
    },
    workspace,
    { timeout: STEP_MS },
  );
  await input.fill(snapshot);
  await page.keyboard.press('Enter');
  // Replicas of one workload count once (the snapshot's two `web` pods are one workload).
  const status = page.locator(
    '.statusbar-item[aria-label^="Cilium Policy inventory: snapshot, "]:not([aria-label$=", 0 endpoints"])',
  );
  await status.waitFor({ timeout: STEP_MS });
  step(`inventory from the snapshot: ${await status.getAttribute('aria-label')}`);
  // The preview panel, still open, says where its workloads now come from.
  const content = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
  await content.locator('body', { hasText: 'cluster-snapshot.json' }).waitFor({ timeout: STEP_MS });
  await screenshot(page, 'inventory-snapshot');
  await runCommand(page, 'Cilium Policy: Choose Endpoint Inventory');
  await answerQuickPick(
    page,
    /where should the endpoint preview find workloads/,
    'workspace',
    /Use workspace manifests/,
  );
  const back = page.locator('.statusbar-item[aria-label^="Cilium Policy inventory: workspace, "]');
  await back.waitFor({ timeout: STEP_MS });
  step(`inventory back to the workspace: ${await back.getAttribute('aria-label')}`);
}

/** @param {import('./lib.js').StepContext} ctx */
async function run({ page, workspace }) {
  await checkInventoryPicker(page, workspace);
}

module.exports = { name: 'the inventory picker', run };
