// SPDX-License-Identifier: Apache-2.0
// @ts-check
'use strict';

const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const {
  STEP_MS,
  showSection,
  step,
  screenshot,
  openFile,
  runCommand,
  answerQuickPick,
  previewContent,
} = require('./lib.js');

/** @typedef {import('playwright-core').Page} Page */

const POLICIES = 'connectivity/policies.yaml';

/**
 * Runs the real git in the workspace copy, without the user's configuration.
 * @param {string} cwd @param {string[]} args
 */
function git(cwd, ...args) {
  const r = spawnSync('git', ['-c', 'user.name=ui', '-c', 'user.email=ui@example.com', ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' },
  });
  assert.equal(r.status, 0, `git ${args.join(' ')}: ${r.stderr}`);
}

/**
 * "Cilium Policy: Compare Connectivity with…": the workspace copy is committed, then the ledger's
 * policy is changed on disk to leave the teller out. The picker's first row is HEAD (Enter takes
 * it); the preview panel's compare section says what is newly denied, grouped by namespace (the
 * teller → ledger connection, allow → deny, with the ledger policy deciding), and the status bar
 * item says "+0 −N flows"; clicking the item shows the section again; Stop Comparing removes both.
 * @param {Page} page @param {string} workspace
 */
async function checkCompare(page, workspace) {
  git(workspace, 'init', '-q', '-b', 'main');
  git(workspace, 'add', '.');
  git(workspace, 'commit', '-q', '-m', 'ui workspace');
  const file = path.join(workspace, POLICIES);
  const original = fs.readFileSync(file, 'utf8');
  assert.ok(original.includes('app: teller'));
  fs.writeFileSync(file, original.replace('app: teller', 'app: nobody'));
  try {
    await openFile(page, POLICIES);
    // The command is offered once the server runs and has read the workspace (the inventory item).
    await page
      .locator('.statusbar-item[aria-label^="Cilium Policy inventory: workspace, "]:not([aria-label$=", 0 endpoints"])')
      .first()
      .waitFor({ timeout: STEP_MS });
    await runCommand(page, 'Cilium Policy: Compare Connectivity with');
    await answerQuickPick(page, /revision to compare the working tree with/, '', /HEAD/);
    step('picked HEAD');

    const content = previewContent(page);
    const section = content.locator('.section-compare');
    await section.locator('.headline', { hasText: /newly denied/ }).waitFor({ timeout: STEP_MS });
    const headline = (await section.locator('.headline').innerText()).trim();
    step(`compare: ${headline}`);
    assert.match(
      headline,
      /^Working tree against HEAD \([0-9a-f]{7}\): \d+ flows? newly allowed, [1-9]\d* newly denied/,
    );
    const vault = section.locator('.namespace', { hasText: 'Namespace vault' });
    await vault.waitFor({ timeout: STEP_MS });
    const teller = vault.locator('.change.newly-denied', { hasText: /teller → .*ledger:TCP\/5432/ });
    await teller.first().waitFor({ timeout: STEP_MS });
    const row = await teller.first().innerText();
    assert.match(row, /allow\s*→\s*deny/i, row);
    assert.match(row, /ingress:\s*deny/i, row);
    assert.match(row, /ledger/, row);

    const denied = Number(/(\d+) newly denied/.exec(headline)?.[1]);
    const allowed = Number(/(\d+) flows? newly allowed/.exec(headline)?.[1]);
    const item = page.locator('.statusbar-item', { hasText: `+${allowed} −${denied} flows` });
    await item.waitFor({ timeout: STEP_MS });
    step(`status bar: ${(await item.innerText()).trim()}`);
    await showSection(section);
    await screenshot(page, 'compare-section');

    // The item opens the panel on the section.
    await openFile(page, POLICIES);
    await item.click();
    await section.locator('.headline', { hasText: /newly denied/ }).waitFor({ timeout: STEP_MS });
    step('the status bar item shows the section');

    await section.locator('button.compare-action', { hasText: 'Stop Comparing' }).click();
    await section.waitFor({ state: 'detached', timeout: STEP_MS });
    await item.waitFor({ state: 'hidden', timeout: STEP_MS });
    step('stopped comparing');
  } finally {
    fs.writeFileSync(file, original);
  }
}

/** @param {import('./lib.js').StepContext} ctx */
async function run({ page, workspace }) {
  await checkCompare(page, workspace);
}

module.exports = { name: 'compare connectivity', run };
