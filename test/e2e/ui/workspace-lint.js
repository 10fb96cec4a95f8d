// SPDX-License-Identifier: Apache-2.0
// @ts-check
/**
 * "Cilium Policy: Lint Workspace" from the command palette fills the Problems panel with the
 * error of a policy file no editor opened, and leaves out the file a `.gitignore` lists; "Clear
 * Workspace Lint Results" takes it out again.
 */
'use strict';

const assert = require('node:assert/strict');
const { STEP_MS, step, screenshot, runCommand } = require('./lib.js');

/** @param {import('./lib.js').StepContext} ctx */
async function run({ page }) {
  await runCommand(page, 'Cilium Policy: Lint Workspace');
  const done = page.locator('.notifications-toasts .notification-toast', { hasText: /Linted \d+ YAML files/ });
  await done.first().waitFor({ timeout: STEP_MS });
  step(`notification: ${(await done.first().innerText()).replace(/\s+/g, ' ').slice(0, 240)}`);
  await page.keyboard.press('Control+Shift+M');
  const panel = page.locator('.markers-panel');
  // The whole workspace's problems do not fit the panel's (virtual) list: filter to the fixture folder.
  const filter = page.locator('.part.panel .viewpane-filter input, .markers-panel-action-filter input').first();
  await filter.waitFor({ timeout: STEP_MS });
  await filter.fill('**/workspace-lint/**');
  const fileRow = panel.locator('.monaco-list-row', { hasText: 'closed-bad.yaml' }).first();
  await fileRow.waitFor({ timeout: STEP_MS });
  const rows = (await panel.locator('.monaco-list-row').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
  step(`Problems: ${rows.join(' | ').slice(0, 400)}`);
  assert.ok(
    rows.some((r) => /cilium\/invalid-port/.test(r)),
    'the closed file’s error is listed',
  );
  assert.ok(!rows.some((r) => r.includes('ignored-bad.yaml')), 'the .gitignore-d file is not linted');
  await screenshot(page, 'lint-workspace');
  // Clear Workspace Lint Results empties the Problems panel of the closed file's results.
  await runCommand(page, 'Cilium Policy: Clear Workspace Lint Results');
  await fileRow.waitFor({ state: 'detached', timeout: STEP_MS });
  step('Clear Workspace Lint Results: closed-bad.yaml left the Problems panel');
  await filter.fill('');
}

module.exports = { name: 'Lint Workspace', run };
