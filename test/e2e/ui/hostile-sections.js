// SPDX-License-Identifier: Apache-2.0
// @ts-check
/**
 * Webview safety of the sections that show what the inputs say (issue 19): the connectivity
 * matrix of a namespace whose workloads are named like markup (`hostile/matrix*.yaml`), the replay of a flow log
 * whose pod and workload names, URL and DNS names are markup, bidi overrides and escape sequences
 * (`hostile/flows.jsonl`), the dry run of a TracingPolicy against events whose process arguments,
 * binaries and pod names are the same (`hostile/events.jsonl`), and the kernel-targets matrix with
 * a target named like markup. In each section the values read as text, with control and
 * bidirectional characters shown as blanks; no element and no event handler comes from them, and
 * nothing calls alert() (trapped in the content frame, as the preview step does).
 */
'use strict';

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { locate } = require('../lib/expectations.js');
const {
  STEP_MS,
  showSection,
  step,
  screenshot,
  openFile,
  runCommand,
  goTo,
  appearance,
  previewContent,
  chooseFile,
} = require('./lib.js');

/** @typedef {import('playwright-core').Page} Page */
/** @typedef {import('playwright-core').FrameLocator} FrameLocator */
/** @typedef {import('playwright-core').Locator} Locator */

const MATRIX = 'hostile/matrix.yaml';
const FLOWS = 'hostile/flows.jsonl';
const EVENTS = 'hostile/events.jsonl';
const TRACING = 'hostile/tracing.yaml';
const IMG = '<img src=x onerror=alert(3)>';
const SCRIPT = '<script>alert(4)</script>';
/** A target name for the kernel-targets matrix. */
const TARGET = '<img src=x onerror=alert(5)>';
/** Characters that must never reach the rendered text raw: C0 controls but tab and line breaks, DEL, C1, bidi. */
const RAW = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;

/**
 * Replaces alert, confirm, prompt and print in the content frame with recorders (a sandboxed
 * webview frame opens no dialog, so `page.on('dialog')` alone would be blind), with a positive control.
 * @param {FrameLocator} content
 */
async function trapModals(content) {
  const html = content.locator('html');
  await html.evaluate(() => {
    const w = /** @type {any} */ (window);
    w.__modalCalls = [];
    for (const name of ['alert', 'confirm', 'prompt', 'print'])
      w[name] = (/** @type {unknown} */ m) => void w.__modalCalls.push(`${name}(${String(m)})`);
  });
  await html.evaluate(() => window.alert('probe'));
  assert.deepEqual(
    await html.evaluate(() => /** @type {any} */ (window).__modalCalls.splice(0)),
    ['alert(probe)'],
    'the modal trap records calls',
  );
}

/**
 * What a section holds: its rendered text, its tooltips and labels, elements that embed or run
 * anything, and inline handlers anywhere in the document; and the modal calls so far.
 * @param {Locator} section
 */
function inspect(section) {
  return section.evaluate((root) => {
    const doc = root.ownerDocument;
    const inside = Array.from(root.querySelectorAll('*'));
    return {
      text: /** @type {HTMLElement} */ (root).innerText,
      attributes: inside
        .flatMap((e) => ['title', 'aria-label'].map((a) => e.getAttribute(a) ?? ''))
        .filter(Boolean)
        .join('\n'),
      embedded: root.querySelectorAll('img, image, iframe, object, embed, script, svg foreignObject, a[href]').length,
      handlers: Array.from(doc.querySelectorAll('*')).flatMap((e) =>
        Array.from(e.attributes)
          .filter((a) => /^on/i.test(a.name))
          .map((a) => `<${e.tagName.toLowerCase()} ${a.name}>`),
      ),
      modalCalls: /** @type {string[]} */ ([.../** @type {any} */ (window).__modalCalls]),
    };
  });
}

/**
 * The checks every section gets: nothing embedded or scripted, no handler, no modal, no raw
 * control or bidi character; and each of `values` shown as text (whole, or cut with an ellipsis).
 * @param {string} what @param {Awaited<ReturnType<typeof inspect>>} dom @param {readonly string[]} values
 * @param {string[]} dialogs
 */
function assertText(what, dom, values, dialogs) {
  assert.equal(dom.embedded, 0, `${what}: no element from the data`);
  assert.deepEqual(dom.handlers, [], `${what}: no inline event handler in the webview`);
  assert.deepEqual(dom.modalCalls, [], `${what}: nothing called alert/confirm/prompt`);
  assert.deepEqual(dialogs, [], `${what}: no dialog opened in the page`);
  const all = `${dom.text}\n${dom.attributes}`;
  const raw = RAW.exec(all);
  assert.equal(raw, null, `${what}: raw U+${raw?.[0].codePointAt(0)?.toString(16)} in the rendered text`);
  for (const v of values)
    assert.notEqual(appearance(all, v), 'absent', `${what}: ${JSON.stringify(v)} is shown as text`);
}

/** @param {import('./lib.js').StepContext} ctx */
async function run({ page, workspace, dialogs }) {
  // --- connectivity: a matrix whose workloads have hostile names -------------------------
  // Policies open in the first editor group: an earlier step (or a click in the panel) leaves the
  // preview's group active, where the editor would cover the panel.
  await runCommand(page, 'View: Focus First Editor Group');
  await openFile(page, MATRIX);
  const at = locate(fs.readFileSync(path.join(workspace, MATRIX), 'utf8'), 'endpointSelector:');
  // The CodeLens says the server is up (the preview's command is enabled once it is ready).
  await page
    .locator('.contentWidgets .codelens-decoration', { hasText: /selects \d+ workload/ })
    .first()
    .waitFor({ timeout: STEP_MS });
  await goTo(page, at.line + 1, at.character + 1);
  await runCommand(page, 'Cilium Policy: Show Endpoint Preview');
  const content = previewContent(page);
  await content.locator('body').waitFor({ timeout: STEP_MS });
  await trapModals(content);
  const connectivity = content.locator('.section-connectivity');
  await connectivity.locator('table.matrix').waitFor({ timeout: STEP_MS });
  const grid = await inspect(connectivity);
  step(`hostile connectivity: ${grid.text.replace(/\s+/g, ' ').slice(0, 240)}`);
  // Rows and columns name the namespace's workloads; control and bidi characters show as blanks.
  assertText('connectivity', grid, [IMG, 'evil gpj.exe [2Jcleared'], dialogs);
  await showSection(connectivity);
  await screenshot(page, 'webview-hostile-connectivity');

  // --- replay: a flow log of hostile names ------------------------------------------------
  await runCommand(page, 'Cilium Policy: Replay Hubble Flows');
  await chooseFile(page, workspace, FLOWS);
  const replay = content.locator('.section-replay');
  await replay.locator('.log', { hasText: path.basename(FLOWS) }).waitFor({ timeout: STEP_MS });
  await replay.locator('.connection').nth(2).waitFor({ timeout: STEP_MS });
  const flows = await inspect(replay);
  step(`hostile replay: ${flows.text.replace(/\s+/g, ' ').slice(0, 300)}`);
  assertText(
    'replay',
    flows,
    [
      IMG, // a pod name, and in a URL
      `hostile/${SCRIPT}`, // a workload name as the source
      'evil gpj.exe.example.com', // a DNS name with its bidi override as a blank
      'cleared-pod', // after an escape sequence
      `DNS ${SCRIPT}.example.com`, // a DNS lookup
    ],
    dialogs,
  );
  await showSection(replay);
  await screenshot(page, 'webview-hostile-replay');
  await replay.locator('button.replay-action', { hasText: 'Close Flow Log' }).click();
  await replay.waitFor({ state: 'detached', timeout: STEP_MS });

  // --- dry run: events of hostile processes -----------------------------------------------
  await runCommand(page, 'View: Focus First Editor Group');
  await openFile(page, TRACING);
  // The panel follows the editor, in a new content frame: trap its modals before the events arrive.
  await content.locator('.section-dryrun').waitFor({ timeout: STEP_MS });
  await trapModals(content);
  await runCommand(page, 'Cilium Policy: Dry-Run Against Events');
  await chooseFile(page, workspace, EVENTS);
  const dryrun = content.locator('.section-dryrun');
  await dryrun.locator('li.event').first().waitFor({ timeout: STEP_MS });
  const run = await inspect(dryrun);
  step(`hostile dry run: ${run.text.replace(/\s+/g, ' ').slice(0, 300)}`);
  assertText('dry run', run, [IMG, SCRIPT, 'evil gpj.exe'], dialogs);
  await showSection(dryrun);
  await screenshot(page, 'webview-hostile-dryrun');

  // --- kernel targets: a target named like markup -----------------------------------------
  const settingsFile = path.join(workspace, '.vscode', 'settings.json');
  const before = fs.existsSync(settingsFile) ? fs.readFileSync(settingsFile, 'utf8') : undefined;
  fs.mkdirSync(path.dirname(settingsFile), { recursive: true });
  const settings = before ? JSON.parse(before) : {};
  settings['ciliumPolicy.tetragon.targets'] = [{ name: TARGET, arch: 'amd64', kernel: '5.15.0' }];
  fs.writeFileSync(settingsFile, JSON.stringify(settings, null, 2));
  try {
    const kernel = content.locator('.section-kernel-targets');
    await kernel.locator('th.target').first().waitFor({ timeout: STEP_MS });
    const matrix = await inspect(kernel);
    step(`hostile kernel targets: ${matrix.text.replace(/\s+/g, ' ').slice(0, 240)}`);
    assertText('kernel targets', matrix, [TARGET], dialogs);
    await showSection(kernel);
    await screenshot(page, 'webview-hostile-kernel-targets');
  } finally {
    if (before === undefined) fs.rmSync(settingsFile);
    else fs.writeFileSync(settingsFile, before);
  }
}

module.exports = { name: 'hostile values in the connectivity, replay, dry-run and kernel-targets sections', run };
