// SPDX-License-Identifier: Apache-2.0
// @ts-check
/**
 * Everyday editing (issue 18): completion of a label value from the workspace inventory, and the
 * readable preview: the graph at the editor's font size in a half-width panel (measured in the
 * webview's DOM, with no two labels overlapping), the L7 rows and the default-deny sentence, and
 * the banner that replaces the picture of a document the agent rejects.
 */
'use strict';

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const cs = require('../lib/code-server.js');
const { STEP_MS, step, screenshot, openFile, goTo, runCommand, previewContent } = require('./lib.js');

/** @typedef {import('playwright-core').Page} Page */

const DIR = 'readable-preview';
const PREVIEW_COMMAND = 'Cilium Policy: Show Endpoint Preview';

/**
 * The values of label `key` on the pod templates of `apps.yaml` in namespace `ns`, sorted.
 * @param {string} workspace @param {string} key @param {string} ns
 */
function labelValues(workspace, key, ns) {
  const { parseAllDocuments } = require(path.join(cs.REPO_ROOT, 'node_modules', 'yaml'));
  const docs = parseAllDocuments(fs.readFileSync(path.join(workspace, 'apps.yaml'), 'utf8')).map(
    (/** @type {any} */ d) => d.toJS(),
  );
  const values = new Set();
  for (const d of docs) {
    const labels = d?.spec?.template?.metadata?.labels ?? (d?.kind === 'Pod' ? d?.metadata?.labels : undefined);
    if (d?.metadata?.namespace === ns && labels && typeof labels[key] === 'string') values.add(labels[key]);
  }
  return [...values].sort();
}

/** Ctrl+Space until the suggest widget shows rows (the first press can go nowhere right after Go to Line). @param {Page} page */
async function suggestions(page) {
  const suggest = page.locator('.editor-widget.suggest-widget.visible');
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
  return suggest.locator('.monaco-list-row .label-name').allInnerTexts();
}

/** @param {import('./lib.js').StepContext} ctx */
async function run({ page, workspace }) {
  // --- completion of a label value from the inventory -------------------------------------
  await page
    .locator('.statusbar-item[aria-label^="Cilium Policy inventory: workspace, "]:not([aria-label$=", 0 endpoints"])')
    .waitFor({ timeout: STEP_MS });
  const completionFile = `${DIR}/label-completion.yaml`;
  const text = fs.readFileSync(path.join(workspace, completionFile), 'utf8');
  const lines = text.split('\n');
  const at = lines.findIndex((l) => /^\s+app: $/.test(l));
  assert.ok(at >= 0, 'the fixture has an empty app: value');
  const expected = labelValues(workspace, 'app', 'shop');
  assert.ok(expected.length >= 2, `apps.yaml has several app values in shop: ${expected.join(', ')}`);
  await openFile(page, completionFile);
  await goTo(page, at + 1, /** @type {string} */ (lines[at]).length + 1);
  const labels = await suggestions(page);
  step(`label value suggestions: ${labels.join(', ')}`);
  for (const v of expected) assert.ok(labels.includes(v), `${v} missing from ${labels.join(', ')}`);
  await screenshot(page, 'completion-label-value');
  await page.keyboard.press('Escape');

  // --- the readable preview: L7 rows, default deny in words, the graph's size --------------
  const l7File = `${DIR}/l7.yaml`;
  const l7Text = fs.readFileSync(path.join(workspace, l7File), 'utf8');
  await openFile(page, l7File);
  const selectorLine = l7Text.split('\n').findIndex((l) => l.includes('endpointSelector:'));
  await goTo(page, selectorLine + 1, 3);
  await runCommand(page, PREVIEW_COMMAND);
  const content = previewContent(page);
  const body = content.locator('body');
  await body.locator('.l7-row', { hasText: 'HTTP GET /api/v1/.*' }).first().waitFor({ timeout: STEP_MS });
  const rows = await body.locator('.l7-row').allInnerTexts();
  step(`L7 rows: ${rows.join(' | ')}`);
  assert.ok(rows.includes('HTTP GET /api/v1/.*'), rows.join(' | '));
  assert.ok(rows.includes('DNS matchPattern *.example.com'), rows.join(' | '));
  const statements = await body.locator('.direction-statement').allInnerTexts();
  step(`directions: ${statements.join(' | ')}`);
  assert.ok(
    statements.some((s) => /^This policy makes ingress default-deny for this workload and admits 1 peer\.$/.test(s)),
    statements.join(' | '),
  );
  const panel = await page.locator('iframe.webview.ready').first().boundingBox();
  const viewport = page.viewportSize();
  assert.ok(panel && viewport, 'the panel and the page have a size');
  assert.ok(panel.width <= viewport.width * 0.6, `the panel is half-width: ${panel.width} of ${viewport.width}`);
  const measured = await body.evaluate((root) => {
    const doc = root.ownerDocument;
    const svg = /** @type {SVGSVGElement | null} */ (doc.querySelector('.graph-svg'));
    if (!svg) return undefined;
    const scale = svg.getBoundingClientRect().width / svg.width.baseVal.value;
    const editorPx = parseFloat(getComputedStyle(doc.documentElement).getPropertyValue('--vscode-editor-font-size'));
    const labels = Array.from(doc.querySelectorAll('.graph-svg .node .label'));
    const fontPx = labels.map((l) => parseFloat(getComputedStyle(l).fontSize) * scale);
    const boxes = Array.from(doc.querySelectorAll('.graph-svg text'))
      .filter((t) => (t.textContent ?? '').trim() !== '')
      .map((t) => {
        const r = t.getBoundingClientRect();
        return { text: t.textContent, left: r.left, right: r.right, top: r.top, bottom: r.bottom };
      });
    const overlaps = [];
    for (let i = 0; i < boxes.length; i++)
      for (let j = i + 1; j < boxes.length; j++) {
        const a = boxes[i];
        const b = boxes[j];
        if (a && b && a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom)
          overlaps.push(`${a.text} / ${b.text}`);
      }
    return { scale, editorPx, fontPx, overlaps, bodyWidth: doc.documentElement.clientWidth };
  });
  assert.ok(measured, 'the graph is drawn');
  step(
    `graph: scale ${measured.scale.toFixed(2)}, labels ${measured.fontPx.map((p) => p.toFixed(1)).join('/')} px, editor font ${measured.editorPx} px, panel ${measured.bodyWidth} px`,
  );
  assert.ok(measured.editorPx > 0, 'the webview knows the editor font size');
  assert.ok(Math.abs(measured.scale - 1) < 0.01, `the graph is drawn at its own size, not shrunk (${measured.scale})`);
  for (const px of measured.fontPx)
    assert.ok(px >= measured.editorPx - 0.5, `a node label at ${px} px, the editor at ${measured.editorPx} px`);
  assert.deepEqual(measured.overlaps, [], 'no two labels of the graph overlap');
  await screenshot(page, 'preview-readable');

  // --- a document the agent rejects: a banner, no picture -----------------------------------
  const invalidText = fs.readFileSync(path.join(workspace, DIR, 'invalid.yaml'), 'utf8');
  await openFile(page, `${DIR}/invalid.yaml`);
  // The leading comment is outside the policy document: put the cursor in it.
  await goTo(page, invalidText.split('\n').findIndex((l) => l.includes('endpointSelector:')) + 1, 3);
  const banner = body.locator('.invalid-banner');
  await banner.waitFor({ timeout: STEP_MS });
  const bannerText = (await banner.innerText()).replace(/\s+/g, ' ');
  step(`banner: ${bannerText.slice(0, 240)}`);
  assert.match(bannerText, /^1 error: the API server or the agent rejects this policy/);
  assert.match(bannerText, /cilium\/invalid-port/);
  assert.equal(await body.locator('.graph-svg').count(), 0, 'no graph drawn for the invalid document');
  assert.equal(await body.locator('.direction-statement').count(), 0, 'no sentence about what it would do');
  await screenshot(page, 'preview-invalid-banner');
}

module.exports = { name: 'label completion from the inventory and the readable preview', run };
