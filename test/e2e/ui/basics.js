// SPDX-License-Identifier: Apache-2.0
// @ts-check
/**
 * The first things a user sees: a broken policy's squiggle, its Problems row and hover, our
 * documentation on a valid key, completion, and the New Policy wizard through its QuickPicks.
 */
'use strict';

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const cs = require('../lib/code-server.js');
const { BROKEN, WIZARD, locate, schemaDescriptions, words } = require('../lib/expectations.js');
const { STEP_MS, step, screenshot, openFile, runCommand, answerQuickPick, goTo } = require('./lib.js');

const NEW_POLICY_COMMAND = 'Cilium Policy: New Policy';

/** @param {import('./lib.js').StepContext} ctx */
async function run({ page, workspace }) {
  // --- a broken policy: squiggle, Problems row, hover ---------------------------------------
  const broken = BROKEN[0];
  assert.ok(broken);
  const brokenText = fs.readFileSync(path.join(workspace, broken.file), 'utf8');
  await openFile(page, broken.file);
  step(`opened ${broken.file}`);
  const squiggle = page.locator('.monaco-editor .squiggly-error').first();
  await squiggle.waitFor({ state: 'visible', timeout: STEP_MS });
  step('error squiggle shown');

  await page.keyboard.press('Control+Shift+M');
  const row = page.locator('.markers-panel .monaco-list-row', { hasText: `\`${broken.bad}\`` }).first();
  await row.waitFor({ timeout: STEP_MS });
  const rowText = (await row.innerText()).replace(/\s+/g, ' ');
  step(`Problems row: ${rowText}`);
  const at = locate(brokenText, broken.needle, broken.bad);
  assert.match(rowText, new RegExp(broken.code.replace('/', '\\/')));
  assert.match(rowText, /cilium-policy/);
  assert.match(rowText, new RegExp(`\\[Ln ${at.line + 1}, Col ${at.character + 1}\\]`));
  await screenshot(page, 'problems-panel');

  // Hover at the offending key with the keyboard (Ctrl+K Ctrl+I, "Show Hover"): exact about
  // which finding is shown when a line has several, unlike pointing the mouse at a squiggle.
  await goTo(page, at.line + 1, at.character + 2);
  await page.keyboard.press('Control+K');
  await page.keyboard.press('Control+I');
  const hover = page.locator('.monaco-hover:not(.hidden)', { hasText: broken.bad }).first();
  await hover.waitFor({ state: 'visible', timeout: STEP_MS });
  const hoverText = (await hover.innerText()).replace(/\s+/g, ' ');
  step(`hover: ${hoverText.slice(0, 160)}`);
  assert.match(hoverText, /cilium-policy/);
  assert.match(hoverText, new RegExp(broken.code.replace('/', '\\/')));
  await screenshot(page, 'hover');
  await page.keyboard.press('Escape');
  await hover.waitFor({ state: 'hidden', timeout: STEP_MS });

  // Hover on a valid key shows its documentation from our bundled schemas.
  const docKey = locate(brokenText, `${broken.hoverKey}:`);
  await goTo(page, docKey.line + 1, docKey.character + 2);
  await page.keyboard.press('Control+K');
  await page.keyboard.press('Control+I');
  const expectedDocs = schemaDescriptions(broken.hoverKey).map((d) => words(d).slice(0, 40));
  assert.ok(expectedDocs.length > 0, `our schemas describe ${broken.hoverKey}`);
  const docHover = page.locator('.monaco-hover:not(.hidden)').first();
  await docHover.waitFor({ state: 'visible', timeout: STEP_MS });
  const docText = words(await docHover.innerText());
  step(`hover on ${broken.hoverKey}: ${docText.slice(0, 160)}`);
  assert.ok(
    expectedDocs.some((e) => docText.includes(e)),
    `the hover shows none of ${JSON.stringify(expectedDocs)}`,
  );
  await screenshot(page, 'hover-docs');
  await page.keyboard.press('Escape');

  // --- completion -------------------------------------------------------------------------
  const completionText = fs.readFileSync(path.join(workspace, 'completion.yaml'), 'utf8');
  await openFile(page, 'completion.yaml');
  const protocolLine = locate(completionText, 'protocol: \n').line;
  const lineText = /** @type {string} */ (completionText.split('\n')[protocolLine]);
  await goTo(page, protocolLine + 1, lineText.length + 1);
  const suggest = page.locator('.editor-widget.suggest-widget.visible');
  // Right after Go to Line closes, the editor may not have its focus back and the first
  // Ctrl+Space can go nowhere (seen once in CI): press it again, as a user would, a few times.
  for (let attempt = 1; ; attempt++) {
    await page.locator('.editor-group-container.active .monaco-editor textarea').first().focus();
    await page.keyboard.press('Control+Space');
    const shown = await suggest
      .locator('.monaco-list-row')
      .first()
      .waitFor({ timeout: attempt < 3 ? 15_000 : STEP_MS })
      .then(
        () => true,
        (err) => (attempt < 3 ? false : Promise.reject(err)),
      );
    if (shown) break;
    step(`no suggestions after Ctrl+Space (attempt ${attempt}); pressing it again`);
  }
  const labels = await suggest.locator('.monaco-list-row .label-name').allInnerTexts();
  step(`suggestions: ${labels.join(', ')}`);
  for (const p of ['TCP', 'UDP']) assert.ok(labels.includes(p), `${p} missing from ${labels.join(', ')}`);
  await screenshot(page, 'completion');
  await page.keyboard.press('Escape');

  // --- New Policy wizard: kind, template, workload of the workspace, where to put it ---------
  // completion.yaml is the active YAML editor, so the wizard also asks where the policy goes.
  // The workload picker lists the inventory: wait until the workspace's manifests are in it.
  await page
    .locator('.statusbar-item[aria-label^="Cilium Policy inventory: workspace, "]:not([aria-label$=", 0 endpoints"])')
    .waitFor({ timeout: STEP_MS });
  await runCommand(page, NEW_POLICY_COMMAND);
  await answerQuickPick(page, /which kind/, 'CiliumNetworkPolicy', /^CiliumNetworkPolicy$/);
  await answerQuickPick(page, /which template/, WIZARD.template, new RegExp(`^${WIZARD.templateLabel}$`));
  await answerQuickPick(page, /which workload/, WIZARD.workload, new RegExp(`^${WIZARD.workload}$`));
  await answerQuickPick(page, /where should the policy go/, 'untitled', /New untitled document/);
  step(`New Policy wizard: kind, template ${WIZARD.template}, workload ${WIZARD.workload}, new untitled document`);
  // The untitled editor gets the policy, written for the workload, and validates clean.
  await page.locator('.tab.active', { hasText: /Untitled/ }).waitFor({ timeout: STEP_MS });
  // Validated without an error (the peer selector keeps its placeholder labels, which the
  // workspace inventory does not have: cilium/selects-nothing warns about them, rightly).
  // The status item may still show the previous editor's verdict (completion.yaml: CNP, 1 error)
  // for a moment after the untitled tab opens (seen once in CI): wait for the new document's
  // verdict, which must be valid or warnings only.
  const status = page.locator('.statusbar-item[aria-label^="Cilium Policy: CNP, "]');
  await page
    .locator(
      '.statusbar-item[aria-label="Cilium Policy: CNP, valid"], .statusbar-item[aria-label^="Cilium Policy: CNP, "][aria-label$=" warning"], .statusbar-item[aria-label^="Cilium Policy: CNP, "][aria-label$=" warnings"]',
    )
    .first()
    .waitFor({ timeout: STEP_MS });
  const verdict = (await status.getAttribute('aria-label')) ?? '';
  step(`status bar: ${verdict}`);
  assert.doesNotMatch(verdict, /error/);
  const generated = (
    await page.locator('.editor-group-container.active .monaco-editor .view-lines').first().innerText()
  ).replace(/\u00a0/g, ' ');
  step(`generated policy: ${generated.replace(/\s+/g, ' ').slice(0, 240)}`);
  for (const line of WIZARD.expectLines)
    assert.ok(generated.includes(line), `the generated policy has "${line}":\n${generated}`);
  for (const line of WIZARD.absentLines)
    assert.ok(!generated.includes(line), `the generated policy has no "${line}":\n${generated}`);
  assert.equal(
    await page.locator('.editor-group-container.active .monaco-editor .squiggly-error').count(),
    0,
    'no error squiggle in the generated policy',
  );
  await screenshot(page, 'new-policy-wizard');
  await page.keyboard.press('Escape');
}

module.exports = { name: 'diagnostics, hover, completion and the New Policy wizard', run };
