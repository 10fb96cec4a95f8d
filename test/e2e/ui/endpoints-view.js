// SPDX-License-Identifier: Apache-2.0
// @ts-check
'use strict';

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const cs = require('../lib/code-server.js');
const { ENDPOINTS, locate } = require('../lib/expectations.js');
const { STEP_MS, step, screenshot } = require('./lib.js');

/** @typedef {import('playwright-core').Page} Page */

/**
 * The Cilium Endpoints view in its Cilium Policy view container: expands the `shop` namespace and the `api` workload,
 * reads the policy rows (the preview's policy selects it), and follows "Open manifest", which
 * must put the cursor on the workload's `metadata.name` in apps.yaml.
 * @param {Page} page @param {string} workspace
 */
async function checkEndpointsView(page, workspace) {
  // The view lives in a view container of its own in the activity bar.
  await page.locator('.activitybar [aria-label^="Cilium Policy"]').first().click();
  // The only view of its container: VS Code hides its pane header and titles the container with it.
  const pane = page.locator('.pane', { has: page.locator('.pane-header[aria-label^="Cilium Endpoints"]') });
  await pane.locator('.monaco-list-row').first().waitFor({ timeout: STEP_MS });
  /** @param {string} label */
  const row = (label) =>
    pane
      .locator('.monaco-list-row')
      .filter({
        has: page.locator('.label-name', { hasText: new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`) }),
      })
      .first();
  await row(ENDPOINTS.namespace).click();
  await row(ENDPOINTS.workload).click();
  const policy = row(ENDPOINTS.policy);
  await policy.waitFor({ timeout: STEP_MS });
  const rows = (await pane.locator('.monaco-list-row').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
  step(`Endpoints view: ${rows.join(' | ').slice(0, 300)}`);
  assert.ok(
    rows.some((r) => r.startsWith(ENDPOINTS.policy) && /CiliumNetworkPolicy/.test(r)),
    `a row for ${ENDPOINTS.policy}`,
  );
  await screenshot(page, 'endpoints-view');
  // "Open manifest" lands on the workload's name in its manifest.
  await row('Open manifest').click();
  await page
    .locator(`.tab.active[data-resource-name="${path.basename(ENDPOINTS.manifest)}"]`)
    .waitFor({ timeout: STEP_MS });
  const manifest = fs.readFileSync(path.join(workspace, ENDPOINTS.manifest), 'utf8');
  const at = locate(manifest, ENDPOINTS.nameNeedle, `name: ${ENDPOINTS.workload}`);
  const col = at.character + 'name: '.length;
  const cursor = page.locator('.statusbar-item', { hasText: new RegExp(`^Ln ${at.line + 1}, Col ${col + 1}\\b`) });
  await cursor.first().waitFor({ timeout: STEP_MS });
  step(`Open manifest: ${ENDPOINTS.manifest} at Ln ${at.line + 1}, Col ${col + 1} (metadata.name)`);
  // Back to the Explorer for the steps after this one.
  await page.keyboard.press('Control+Shift+E');
}

/** @param {import('./lib.js').StepContext} ctx */
async function run({ page, workspace }) {
  await checkEndpointsView(page, workspace);
}

module.exports = { name: 'the Cilium Endpoints view', run };
