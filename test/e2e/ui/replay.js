// SPDX-License-Identifier: Apache-2.0
// @ts-check
'use strict';

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const {
  STEP_MS,
  showSection,
  step,
  screenshot,
  openFile,
  runCommand,
  goTo,
  previewContent,
  chooseFile,
} = require('./lib.js');

/** @typedef {import('playwright-core').Page} Page */

const FLOWS = 'replay/flows.jsonl';

/**
 * "Cilium Policy: Replay Hubble Flows…": with the backend policy open, a flow log is chosen through
 * the file dialog; the preview panel's replay section then says which recorded forwarded flows the
 * policies deny (the worker's connections to the API: the backend policy makes the worker's egress
 * default-deny), with the counts, the recorded pods and a link to the deciding policy that reveals
 * it in the editor. In the editor, the policy's selector has a warning saying what it would drop,
 * and the lightbulb offers the admitting rule.
 * @param {Page} page @param {string} workspace
 */
async function checkReplay(page, workspace) {
  await openFile(page, 'policies/backend.yaml');
  await runCommand(page, 'Cilium Policy: Replay Hubble Flows');
  await chooseFile(page, workspace, FLOWS);

  const content = previewContent(page);
  const section = content.locator('.section-replay');
  await section.locator('.headline', { hasText: /would now be denied/ }).waitFor({ timeout: STEP_MS });
  const headline = (await section.locator('.headline').innerText()).trim();
  step(`replay: ${headline}`);
  // Two forwarded records of worker → api and one of web → api (see the log): at least the worker's.
  assert.match(headline, /^\d+ recorded forwarded flows? would now be denied/);
  const worker = section.locator('.connection', { hasText: 'shop/worker → shop/api:TCP/8080' });
  await worker.waitFor({ timeout: STEP_MS });
  const text = await worker.innerText();
  assert.match(text, /2 recorded flows, 2 newly denied/, text);
  assert.match(text, /worker-6b7c8d9f5-klmno/, text);
  const log = await section.locator('.log').innerText();
  assert.match(log, /flows\.jsonl: \d+ flows? in \d+ distinct questions?; skipped .*1 reply.*1 unparsable/, log);
  await showSection(section);
  await screenshot(page, 'replay-section');

  // The warning in the editor: from the top, Go to Next Problem lands on it (on the backend
  // policy's selector, which makes the worker's egress default-deny) and shows what it would drop;
  // the lightbulb (Ctrl+.) offers the rule admitting those flows.
  await goTo(page, 1, 1);
  await page.keyboard.press('F8');
  const marker = page.locator('.marker-widget', { hasText: /would drop \d+ recorded flows? \(.*worker → api:8080/ });
  await marker.waitFor({ timeout: STEP_MS });
  const warningText = (await marker.locator('.message').first().innerText()).split('\n')[0];
  step(`warning in the editor: ${warningText}`);
  await screenshot(page, 'replay-warning');
  await page.keyboard.press('Escape');
  await page.keyboard.press('Control+.');
  const menu = page.locator('.action-widget', {
    hasText: /Add a rule admitting \d+ recorded flows? to CiliumNetworkPolicy shop\/backend/,
  });
  await menu.waitFor({ timeout: STEP_MS });
  step('the lightbulb offers the admitting rule');
  await screenshot(page, 'replay-quick-fix');
  await page.keyboard.press('Escape');
  await menu.waitFor({ state: 'hidden', timeout: STEP_MS });

  // The deciding policy's link reveals its selector (what makes the worker default-deny) in the editor.
  const text0 = fs.readFileSync(path.join(workspace, 'policies/backend.yaml'), 'utf8');
  const selectorLine = text0.split('\n').findIndex((l) => l.startsWith('  endpointSelector:'));
  assert.ok(selectorLine > 0);
  await goTo(page, 1, 1);
  await worker.locator('button.rule-ref', { hasText: 'backend' }).first().click();
  await page
    // On `endpointSelector:` or its value on the next line.
    .locator('.statusbar-item', { hasText: new RegExp(`^Ln (${selectorLine + 1}|${selectorLine + 2}), Col \\d+`) })
    .waitFor({ timeout: STEP_MS });
  step('the deciding policy opened from the replay section');

  // The fix: the narrowest rule admitting the worker's flows, added to the policy that denies them
  // (checked by the server through the engine); the section then no longer lists them as denied.
  const deniedBefore = Number(/^(\d+)/.exec(headline)?.[1]);
  // Opening the policy from the panel put its editor over the panel: show the panel again.
  await runCommand(page, 'Cilium Policy: Show Endpoint Preview');
  await worker.locator('button.admit').first().click();
  await section
    .locator('.connection.newly-denied', { hasText: 'shop/worker → shop/api:TCP/8080' })
    .waitFor({ state: 'detached', timeout: STEP_MS });
  const after = (await section.locator('.headline').innerText()).trim();
  const deniedAfter = /^(\d+)/.exec(after) ? Number(/^(\d+)/.exec(after)?.[1]) : 0;
  assert.equal(deniedAfter, deniedBefore - 2, `${headline} → ${after}`);
  step(`rule added to backend.yaml: ${after}`);
  // The section is drawn again as the replay follows the edit.
  await showSection(section);
  await screenshot(page, 'replay-admitted');

  // Close the log, so the later steps see the panel as before.
  await section.locator('button.replay-action', { hasText: 'Close Flow Log' }).click();
  await section.waitFor({ state: 'detached', timeout: STEP_MS });
  step('flow log closed');
}

/** @param {import('./lib.js').StepContext} ctx */
async function run({ page, workspace }) {
  await checkReplay(page, workspace);
}

module.exports = { name: 'flow replay', run };
