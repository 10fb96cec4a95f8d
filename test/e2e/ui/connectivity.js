// SPDX-License-Identifier: Apache-2.0
// @ts-check
/**
 * Connectivity in the workbench, against `workspace/connectivity/` (a bank whose ledger admits
 * only the teller): the preview panel's connectivity section for the ledger's policy, a grid whose
 * cells agree with the policy (the teller reaches the ledger's database, the auditor does not),
 * and a click on the auditor's cell that explains it (deny, both directions, the policy that made
 * the ledger default-deny); then "Cilium Policy: Check Connectivity…" answered through its three
 * QuickPicks, whose verdict lists both directions and the deciding rule, which opens the policy.
 */
'use strict';

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { locate } = require('../lib/expectations.js');
const { STEP_MS, step, screenshot, openFile, runCommand, answerQuickPick, goTo, previewContent } = require('./lib.js');

/** @typedef {import('playwright-core').Page} Page */
/** @typedef {import('playwright-core').FrameLocator} FrameLocator */

const POLICIES = 'connectivity/policies.yaml';

/**
 * The title of every cell button of the grid, in document order.
 * @param {FrameLocator} content
 * @returns {Promise<string[]>}
 */
function cellTitles(content) {
  return content.locator('button.cell-button').evaluateAll((bs) => bs.map((b) => b.getAttribute('title') ?? ''));
}

/**
 * Waits for the grid cell whose title matches `re` and returns its index among the buttons.
 * @param {FrameLocator} content @param {RegExp} re
 */
async function cellIndex(content, re) {
  const deadline = Date.now() + STEP_MS;
  for (;;) {
    const titles = await cellTitles(content).catch(() => /** @type {string[]} */ ([]));
    const i = titles.findIndex((t) => re.test(t));
    if (i >= 0) return { index: i, title: /** @type {string} */ (titles[i]) };
    if (Date.now() > deadline) throw new Error(`no grid cell matches ${re}; cells: ${JSON.stringify(titles)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** @param {import('./lib.js').StepContext} ctx */
async function run({ page, workspace }) {
  // --- the connectivity section of the preview panel ------------------------------------
  const text = fs.readFileSync(path.join(workspace, POLICIES), 'utf8');
  await openFile(page, POLICIES);
  const at = locate(text, 'endpointSelector:');
  // The CodeLens says the server has read the workspace; the preview's command is enabled once
  // it is ready, and the palette lists enabled commands only when it opens: ask again if needed.
  await page
    .locator('.contentWidgets .codelens-decoration', { hasText: 'selects 1 workload' })
    .first()
    .waitFor({ timeout: STEP_MS });
  await goTo(page, at.line + 1, at.character + 1);
  for (let attempt = 1; ; attempt++) {
    try {
      await runCommand(page, 'Cilium Policy: Show Endpoint Preview');
      break;
    } catch (e) {
      if (attempt >= 3) throw e;
      await page.keyboard.press('Escape');
    }
  }
  const content = previewContent(page);
  const body = content.locator('body');
  // The ledger's policy admits the teller on 5432: that cell allows, the auditor's denies.
  const allowed = await cellIndex(content, /teller → \S*ledger 5432\/TCP: allow/);
  const denied = await cellIndex(content, /auditor → \S*ledger 5432\/TCP: deny/);
  step(`grid: ${allowed.title} | ${denied.title}`);
  const summary = (await content.locator('.matrix-summary').first().innerText()).replace(/\s+/g, ' ');
  assert.match(summary, /ledger/, `the section names the policy: ${summary}`);
  // Counts in the legend agree with the grid's cells.
  const titles = await cellTitles(content);
  const legend = (await content.locator('.legend').first().innerText()).replace(/\s+/g, ' ');
  for (const v of ['allow', 'deny', 'unknown']) {
    const n = titles.filter((t) => new RegExp(`: ${v} \\(click to explain\\)$`).test(t)).length;
    assert.match(legend, new RegExp(`${v} ${n}\\b`), `legend ${legend} counts ${n} ${v}`);
  }

  await content.locator('button.cell-button').nth(denied.index).click();
  const detail = content.locator('.cell-detail');
  await detail.waitFor({ timeout: STEP_MS });
  await detail.getByText('default-deny', { exact: false }).first().waitFor({ timeout: STEP_MS });
  const explained = (await detail.innerText()).replace(/\s+/g, ' ');
  step(`cell explained: ${explained.slice(0, 300)}`);
  assert.match(explained, /^deny/i, explained);
  assert.match(explained, /Egress of \S*auditor/, explained);
  assert.match(explained, /Ingress of \S*ledger/, explained);
  assert.match(explained, /CiliumNetworkPolicy vault\/ledger/, explained);
  await body.locator('.cell.selected').first().waitFor({ timeout: STEP_MS });
  // The section's heading at the top of the panel, so the grid and the explanation both show.
  await content
    .locator('.matrix-summary')
    .first()
    .evaluate((e) => e.scrollIntoView({ block: 'start' }));
  await screenshot(page, 'connectivity-matrix');

  // --- Check Connectivity… --------------------------------------------------------------
  // From the PolicyTest, so that following the deciding rule has another file to open.
  await openFile(page, 'connectivity/bank-test.yaml');
  await runCommand(page, 'Cilium Policy: Check Connectivity');
  await answerQuickPick(page, /where the connection starts/, 'vault/auditor', /^vault\/auditor$/);
  await answerQuickPick(page, /where it goes/, 'vault/ledger', /^vault\/ledger$/);
  await answerQuickPick(page, /ports the destination declares/, '5432', /^5432\/TCP$/);
  // The verdict: a QuickPick titled with it, one row per direction, the deciding rule as a row.
  const widget = page.locator('.quick-input-widget');
  const title = widget.locator('.quick-input-title');
  await title.filter({ hasText: /^DENY: / }).waitFor({ timeout: STEP_MS });
  const rows = widget.locator('.monaco-list-row');
  await rows
    .filter({ hasText: /Ingress of \S*ledger: deny/ })
    .first()
    .waitFor({ timeout: STEP_MS });
  const shown = (await rows.allInnerTexts()).map((r) => r.replace(/\s+/g, ' '));
  step(`Check Connectivity: ${await title.innerText()} | ${shown.join(' | ').slice(0, 400)}`);
  assert.ok(
    shown.some((r) => /Egress of \S*auditor: allow/.test(r)),
    `the source's egress is shown: ${shown}`,
  );
  const rule = shown.find((r) => /default-deny by CiliumNetworkPolicy vault\/ledger/.test(r));
  assert.ok(rule, `the policy that made the ledger default-deny is a row: ${shown}`);
  await screenshot(page, 'check-connectivity');

  // Following the rule opens the policy at the ledger's selector.
  await widget.locator('input').fill('default-deny');
  await rows
    .filter({ hasText: /default-deny by CiliumNetworkPolicy vault\/ledger/ })
    .and(page.locator('.focused'))
    .first()
    .waitFor({ timeout: STEP_MS });
  await page.keyboard.press('Enter');
  await page
    .locator('.editor-group-container.active .tab.active[data-resource-name="policies.yaml"]')
    .waitFor({ timeout: STEP_MS });
  // The cursor is in the ledger's policy, not the teller's after it.
  const position = page.locator('#status\\.editor\\.selection');
  await position.filter({ hasText: /Ln \d+/ }).waitFor({ timeout: STEP_MS });
  const ln = Number(/Ln (\d+)/.exec(await position.innerText())?.[1]);
  const ledger = locate(text, 'name: ledger').line + 1;
  const teller = locate(text, 'kind: NetworkPolicy').line + 1;
  assert.ok(ledger <= ln && ln < teller, `the cursor is on line ${ln}, in the ledger's policy (${ledger}-${teller})`);
  // The verdict stays open for the next rule or action; close it.
  await page.keyboard.press('Escape');
  await widget.waitFor({ state: 'hidden', timeout: STEP_MS });
  step('the deciding rule opened policies.yaml');

  // Again, and this time the flow becomes a case of the bank's PolicyTest.
  await runCommand(page, 'Cilium Policy: Check Connectivity');
  await answerQuickPick(page, /where the connection starts/, 'vault/auditor', /^vault\/auditor$/);
  await answerQuickPick(page, /where it goes/, 'vault/ledger', /^vault\/ledger$/);
  await answerQuickPick(page, /ports the destination declares/, '5432', /^5432\/TCP$/);
  await title.filter({ hasText: /^DENY: / }).waitFor({ timeout: STEP_MS });
  await widget.locator('input').fill('Add as a case');
  await rows
    .filter({ hasText: /Add as a case/ })
    .and(page.locator('.focused'))
    .first()
    .waitFor({ timeout: STEP_MS });
  await page.keyboard.press('Enter');
  await answerQuickPick(page, /PolicyTest the case goes to/, 'bank-connectivity', /^bank-connectivity$/);
  // The name box, prefilled from the flow: accepted as it is.
  await title.filter({ hasText: /case’s name/ }).waitFor({ timeout: STEP_MS });
  const caseName = await widget.locator('input').inputValue();
  assert.match(caseName, /auditor/, `the proposed name names the source: ${caseName}`);
  await page.keyboard.press('Enter');
  await widget.waitFor({ state: 'hidden', timeout: STEP_MS });
  await page
    .locator('.editor-group-container.active .tab.active[data-resource-name="bank-test.yaml"]')
    .waitFor({ timeout: STEP_MS });
  const lines = page.locator('.editor-group-container.active .monaco-editor .view-lines').first();
  await lines.filter({ hasText: `- name: ${caseName}` }).waitFor({ timeout: STEP_MS });
  const shownText = (await lines.innerText()).replace(/\u00a0/g, ' ');
  const after = shownText.slice(shownText.indexOf(`- name: ${caseName}`));
  assert.match(after, /expect: deny/, `the new case expects today's verdict: ${after.slice(0, 300)}`);
  step(`added the case "${caseName}" to bank-test.yaml`);
  await screenshot(page, 'check-connectivity-added-case');
}

module.exports = { name: 'connectivity: the matrix and Check Connectivity', run };
