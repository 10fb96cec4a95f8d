// SPDX-License-Identifier: Apache-2.0
// @ts-check
/**
 * What the UI check's steps share: logging with the time since the start, screenshots, and the
 * ways a person drives the workbench (Quick Open, the command palette, QuickPicks, Go to Line),
 * plus the preview panel's content frame. Each step of the check is a module in this folder
 * (`ui-check.js` runs them in order); a step gets `{ page, workspace, dialogs }`.
 */
'use strict';

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const cs = require('../lib/code-server.js');

/** @typedef {import('playwright-core').Page} Page */
/** @typedef {import('playwright-core').FrameLocator} FrameLocator */
/**
 * What every step gets.
 * @typedef {{ page: Page, workspace: string, dialogs: string[] }} StepContext
 */

/** Safety net for each UI wait; the steps themselves take a second or two. */
const STEP_MS = 60_000;

/** Logs a step with the time since the start. */
const t0 = Date.now();
/** @param {string} what */
function step(what) {
  console.log(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(5)} s] ${what}`);
}

/** @param {Page} page @param {string} name */
async function screenshot(page, name) {
  fs.mkdirSync(cs.SCREENSHOTS, { recursive: true });
  const file = path.join(cs.SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file });
  step(`screenshot ${path.relative(cs.REPO_ROOT, file)}`);
}

/**
 * Opens a workspace file through Quick Open, as a user would, and waits for its editor tab.
 * @param {Page} page @param {string} rel
 */
async function openFile(page, rel) {
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: STEP_MS });
  await input.fill(rel);
  const base = path.basename(rel);
  const dir = path.dirname(rel);
  // Wait for the file to be the focused row before accepting, or Enter would pick a stale first
  // row: the exact name (`policy.yaml` is also the end of `network-policy.yaml`, a recent file)
  // in the right folder.
  const exact = new RegExp(`^${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
  let row = page
    .locator('.quick-input-widget .monaco-list-row.focused')
    .filter({ has: page.locator('.label-name', { hasText: exact }) });
  if (dir !== '.') row = row.filter({ has: page.locator('.label-description', { hasText: dir }) });
  await row.first().waitFor({ timeout: STEP_MS });
  await page.keyboard.press('Enter');
  // `.first()`: the file may be open in two editor groups.
  await page.locator(`.tab.active[data-resource-name="${base}"]`).first().waitFor({ timeout: STEP_MS });
  await page.locator('.monaco-editor .view-lines').first().waitFor({ timeout: STEP_MS });
}

/**
 * Runs a command from the command palette (F1), waiting for its row before accepting.
 * @param {Page} page @param {string} title
 */
async function runCommand(page, title) {
  await page.keyboard.press('F1');
  const palette = page.locator('.quick-input-widget input');
  await palette.waitFor({ state: 'visible', timeout: STEP_MS });
  await palette.fill(`>${title}`);
  const entry = page.locator('.quick-input-widget .monaco-list-row.focused', { hasText: title }).first();
  await entry.waitFor({ timeout: STEP_MS }).catch(() => {
    throw new Error(`the command palette has no "${title}"`);
  });
  await page.keyboard.press('Enter');
}

/**
 * Answers a QuickPick the way a user does: waits for the question (the picker's placeholder
 * matches `question`, so a picker still closing is never answered), types a filter, waits until
 * the wanted row is the focused one (its label matches `label`), and accepts it with Enter.
 * @param {Page} page @param {RegExp} question @param {string} filter @param {RegExp} label
 */
async function answerQuickPick(page, question, filter, label) {
  await page.waitForFunction(
    (src) => {
      const input = /** @type {HTMLInputElement | null} */ (document.querySelector('.quick-input-widget input'));
      return (
        !!input &&
        input.offsetParent !== null &&
        new RegExp(src, 'i').test(input.placeholder || input.getAttribute('aria-label') || '')
      );
    },
    question.source,
    { timeout: STEP_MS },
  );
  const widget = page.locator('.quick-input-widget');
  await widget.locator('input').fill(filter);
  await widget
    .locator('.monaco-list-row.focused')
    .filter({ has: page.locator('.label-name', { hasText: label }) })
    .first()
    .waitFor({ timeout: STEP_MS });
  await page.keyboard.press('Enter');
}

/**
 * Moves the cursor with Go to Line (Ctrl+G), 1-based line and column.
 * @param {Page} page @param {number} line @param {number} column
 */
async function goTo(page, line, column) {
  await page.keyboard.press('Control+G');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: STEP_MS });
  // Go to Line is Quick Open with a `:` prefix; filling the box replaces the prefix, so it is written here.
  await input.fill(`:${line}:${column}`);
  await page.keyboard.press('Enter');
  await input.waitFor({ state: 'hidden', timeout: STEP_MS });
}

/**
 * How `value` shows in `text`: `whole`, `truncated` (a prefix of at least 20 characters followed
 * by the ellipsis the view model cuts with), or `absent`.
 * @param {string} text @param {string} value
 * @returns {'whole' | 'truncated' | 'absent'}
 */
function appearance(text, value) {
  if (text.includes(value)) return 'whole';
  const head = value.slice(0, 20);
  for (let at = text.indexOf(head); at >= 0; at = text.indexOf(head, at + 1)) {
    let n = head.length;
    while (n < value.length && text[at + n] === value[n]) n++;
    if (text[at + n] === '…') return 'truncated';
  }
  return 'absent';
}

/**
 * The preview panel's content: the webview sits in two nested iframes, the host frame and the
 * content frame it loads.
 * @param {Page} page
 * @returns {FrameLocator}
 */
function previewContent(page) {
  return page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
}

/**
 * Chooses a file in VS Code's own file dialog (a quick input holding a path in a browser).
 * @param {import('playwright-core').Page} page @param {string} workspace @param {string} rel
 */
async function chooseFile(page, workspace, rel) {
  const input = page.locator('.quick-input-widget input');
  const target = path.join(workspace, rel);
  await page.waitForFunction(
    (dir) => {
      const i = /** @type {HTMLInputElement | null} */ (document.querySelector('.quick-input-widget input'));
      return !!i && i.offsetParent !== null && i.value.startsWith(dir);
    },
    workspace,
    { timeout: STEP_MS },
  );
  // The dialog fills its input as it reads the folder, which can overwrite what was typed: type
  // the path until it stays, then accept.
  for (let attempt = 0; ; attempt++) {
    await input.fill(target);
    await page.waitForTimeout(500);
    if ((await input.inputValue()) !== target) continue;
    await page.keyboard.press('Enter');
    const closed = await input
      .waitFor({ state: 'hidden', timeout: 3000 })
      .then(() => true)
      .catch(() => false);
    if (closed) break;
    assert.ok(attempt < 10, `the file dialog did not take the path: ${await input.inputValue()}`);
  }
  step(`chose ${rel}`);
}

/**
 * Scrolls a webview section into view for a screenshot. The panel re-renders a section when its
 * inputs change (a settings write can arrive twice), which detaches the element mid-scroll: try
 * again on the fresh one.
 * @param {import('playwright-core').Locator} section
 */
async function showSection(section) {
  for (let attempt = 1; ; attempt++) {
    try {
      await section.scrollIntoViewIfNeeded({ timeout: STEP_MS });
      return;
    } catch (err) {
      const detached = err instanceof Error && /not attached/.test(err.message);
      if (!detached || attempt >= 5) throw err;
      step(`the section re-rendered while scrolling; again (${attempt})`);
    }
  }
}

module.exports = {
  STEP_MS,
  showSection,
  step,
  screenshot,
  openFile,
  runCommand,
  answerQuickPick,
  goTo,
  appearance,
  previewContent,
  chooseFile,
};
