// SPDX-License-Identifier: Apache-2.0
// @ts-check
/**
 * The Tetragon dry run and kernel targets in the workbench: "Cilium Policy: Dry-Run Against
 * Events…" from F1, the events file typed into the file dialog, the preview panel's dry-run
 * section with the Sigkill selector first and its summary, the selector's CodeLens in the editor,
 * and, once the workspace declares a kernel target, the kernel-targets section's matrix. The
 * expected figures are computed from the fixture's events and policy.
 */
'use strict';

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const cs = require('../lib/code-server.js');
const { STEP_MS, showSection, step, screenshot, openFile, runCommand, previewContent } = require('./lib.js');

const POLICY = 'dryrun/block-readers.yaml';
const EVENTS = 'dryrun/events.jsonl';

/**
 * The events the Sigkill selector (the first) matches: its binaries, in pods of the podSelector.
 * @param {string} workspace
 */
function sigkillHits(workspace) {
  const { parse } = require(path.join(cs.REPO_ROOT, 'node_modules', 'yaml'));
  const spec = parse(fs.readFileSync(path.join(workspace, POLICY), 'utf8')).spec;
  const binaries = spec.kprobes[0].selectors[0].matchBinaries[0].values;
  const labels = spec.podSelector.matchLabels;
  const hits = fs
    .readFileSync(path.join(workspace, EVENTS), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l).process_kprobe)
    .filter(Boolean)
    .filter((e) => binaries.includes(e.process.binary))
    .filter((e) => Object.entries(labels).every(([k, v]) => e.process.pod?.pod_labels?.[k] === v));
  return {
    events: hits.length,
    binaries: new Set(hits.map((e) => e.process.binary)).size,
    pods: new Set(hits.map((e) => `${e.process.pod.namespace}/${e.process.pod.name}`)).size,
  };
}

/** @param {import('./lib.js').StepContext} ctx */
async function run({ page, workspace }) {
  const expected = sigkillHits(workspace);
  const summary = `Sigkill would hit ${expected.events} events from ${expected.binaries} binaries in ${expected.pods} pods`;
  // The policy opens in the first editor group: an earlier step leaves the group beside it (with
  // the preview) active, where the preview would then cover the editor and its CodeLens.
  await runCommand(page, 'View: Focus First Editor Group');
  await openFile(page, POLICY);
  await runCommand(page, 'Cilium Policy: Dry-Run Against Events');
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
  await input.fill(path.join(workspace, EVENTS));
  // The dialog moves into the file's folder as the path is typed: accept once it lists the file.
  await page
    .locator('.quick-input-widget .monaco-list-row', { hasText: path.basename(EVENTS) })
    .first()
    .waitFor({ timeout: STEP_MS });
  await page.keyboard.press('Enter');
  await input.waitFor({ state: 'hidden', timeout: STEP_MS });

  const content = previewContent(page);
  const section = content.locator('.section-dryrun');
  await section.getByText(summary).first().waitFor({ timeout: STEP_MS });
  // Toasts of earlier steps would cover the panel in the screenshots the README shows.
  await runCommand(page, 'Notifications: Clear All Notifications');
  const text = (await section.innerText()).replace(/\s+/g, ' ');
  step(`dry-run section: ${text.slice(0, 300)}`);
  // Enforcing selectors come first: the first group is the Sigkill one.
  const first = section.locator('section.selector').first();
  assert.match(await first.innerText(), /Sigkill/);
  assert.ok(
    (await first.locator('li.event').count()) === expected.events,
    `the Sigkill group lists its ${expected.events} events`,
  );
  const lens = page.locator('.contentWidgets .codelens-decoration', {
    hasText: `Dry run: ${expected.events} matches (Sigkill)`,
  });
  await lens.first().waitFor({ timeout: STEP_MS });
  step(`CodeLens: ${await lens.first().innerText()}`);
  // An event whose arguments are markup stays text: shown (as the row's text), never an element.
  const dom = await section.evaluate((root) => ({
    text: root.textContent ?? '',
    embedded: root.querySelectorAll('img, image, iframe, object, embed, script').length,
    handlers: Array.from(root.querySelectorAll('*')).flatMap((e) =>
      Array.from(e.attributes)
        .filter((a) => /^on/i.test(a.name))
        .map((a) => a.name),
    ),
  }));
  assert.ok(dom.text.includes('<img src=x onerror=alert(1)>'), 'the hostile arguments read as text');
  assert.equal(dom.embedded, 0, 'no element from the event data');
  assert.deepEqual(dom.handlers, [], 'no event handler attribute from the event data');
  await showSection(section);
  await screenshot(page, 'dryrun-section');

  // Declare a kernel target for the workspace: the kernel-targets section shows the matrix.
  const settingsDir = path.join(workspace, '.vscode');
  const settingsFile = path.join(settingsDir, 'settings.json');
  const before = fs.existsSync(settingsFile) ? fs.readFileSync(settingsFile, 'utf8') : undefined;
  fs.mkdirSync(settingsDir, { recursive: true });
  const settings = before ? JSON.parse(before) : {};
  settings['ciliumPolicy.tetragon.targets'] = [
    { name: 'edge-arm', arch: 'arm64', kernel: '5.4.0' },
    { name: 'prod-amd64', arch: 'amd64', kernel: '6.1.0' },
  ];
  fs.writeFileSync(settingsFile, JSON.stringify(settings, null, 2));
  try {
    const kernel = content.locator('.section-kernel-targets');
    await kernel.locator('th.target', { hasText: 'edge-arm' }).waitFor({ timeout: STEP_MS });
    await kernel.locator('th.target', { hasText: 'prod-amd64' }).waitFor({ timeout: STEP_MS });
    const cells = await kernel.locator('td.cell').count();
    assert.equal(cells, 2, 'one hook × two targets');
    step(`kernel targets: ${(await kernel.innerText()).replace(/\s+/g, ' ').slice(0, 300)}`);
    await showSection(kernel);
    await screenshot(page, 'kernel-targets');
  } finally {
    if (before === undefined) fs.rmSync(settingsFile);
    else fs.writeFileSync(settingsFile, before);
  }
}

module.exports = { name: 'the Tetragon dry run and kernel targets', run };
