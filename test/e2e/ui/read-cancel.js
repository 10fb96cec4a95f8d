// SPDX-License-Identifier: Apache-2.0
// @ts-check
/**
 * Reading a big flow log shows VS Code's progress notification with the lines and megabytes read
 * so far; its Cancel button stops the server's read, and the extension says that no log is loaded.
 * The log is written here (the replay fixture's flows repeated, with their source ports varied)
 * and is large enough that the read outlasts finding and pressing the button.
 */
'use strict';

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { STEP_MS, step, screenshot, openFile, runCommand, chooseFile } = require('./lib.js');

const SOURCE = 'replay/flows.jsonl';
const BIG = 'read-cancel/big-flows.jsonl';
/** About 96 MB: several seconds of reading for the server, on a quiet machine as under load. */
const TARGET_BYTES = 96 * 1024 * 1024;

/** Writes the big log from the fixture's flow records. @param {string} workspace */
function writeBigLog(workspace) {
  const flows = fs
    .readFileSync(path.join(workspace, SOURCE), 'utf8')
    .split('\n')
    .filter((l) => l.includes('"flow"'));
  assert.ok(flows.length > 0, `${SOURCE} holds flow records`);
  const file = path.join(workspace, BIG);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const fd = fs.openSync(file, 'w');
  try {
    let written = 0;
    for (let i = 0; written < TARGET_BYTES; i++) {
      const chunk = `${flows.map((l) => l.replace(/"source_port": \d+/, `"source_port": ${1024 + (i % 60000)}`)).join('\n')}\n`;
      fs.writeSync(fd, chunk);
      written += Buffer.byteLength(chunk);
    }
  } finally {
    fs.closeSync(fd);
  }
  return file;
}

/** @param {import('./lib.js').StepContext} ctx */
async function run({ page, workspace }) {
  const file = writeBigLog(workspace);
  step(`wrote ${BIG} (${Math.round(fs.statSync(file).size / 1024 / 1024)} MB)`);
  try {
    // A policy in the editor, as when a user replays flows against it (and the extension is active).
    await openFile(page, 'policies/backend.yaml');
    // Its CodeLens comes from the server: once it shows, the server's commands are in the palette.
    await page
      .locator('.codelens-decoration', { hasText: /selects/ })
      .first()
      .waitFor({ timeout: STEP_MS });
    await runCommand(page, 'Cilium Policy: Replay Hubble Flows');
    await chooseFile(page, workspace, BIG);
    const toast = page.locator('.notifications-toasts .notification-toast', {
      hasText: `Cilium Policy: reading ${path.basename(BIG)}`,
    });
    await toast.waitFor({ timeout: STEP_MS });
    // The server's progress (lines and MB read) shows in the notification.
    await toast.locator('.notification-list-item-message', { hasText: /MB/ }).waitFor({ timeout: STEP_MS });
    step(`progress: ${(await toast.innerText()).replace(/\s+/g, ' ').slice(0, 200)}`);
    await screenshot(page, 'read-progress');
    await toast.locator('.monaco-button', { hasText: 'Cancel' }).click();
    const cancelled = page.locator('.notifications-toasts .notification-toast', {
      hasText: /reading the flow log was cancelled; no flow log is loaded/,
    });
    await cancelled.waitFor({ timeout: STEP_MS });
    step(`cancelled: ${(await cancelled.innerText()).replace(/\s+/g, ' ').slice(0, 200)}`);
    await toast.waitFor({ state: 'detached', timeout: STEP_MS });
  } finally {
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  }
}

module.exports = { name: 'cancelling a flow log read', run };
