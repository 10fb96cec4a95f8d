// SPDX-License-Identifier: Apache-2.0
// @ts-check
/**
 * The preview panel's endpoints section: the CodeLens above a selector, the panel opened from F1
 * with the workloads the selector matches, and the webview's safety with hostile label values.
 */
'use strict';

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const cs = require('../lib/code-server.js');
const { HOSTILE, PREVIEW, locate, workloadsMatching } = require('../lib/expectations.js');
const { STEP_MS, step, screenshot, openFile, goTo, appearance, previewContent } = require('./lib.js');

/** @typedef {import('playwright-core').Page} Page */
/** @typedef {import('playwright-core').FrameLocator} FrameLocator */

const PREVIEW_COMMAND = 'Cilium Policy: Show Endpoint Preview';

/**
 * The webview with hostile label values: the panel follows the active editor to
 * `HOSTILE.policy`, and inside the webview's content frame every hostile value must read as text
 * (or be cut with an ellipsis), no element or event handler may come from the data, no dialog may
 * open, and the page must carry our nonce-based Content-Security-Policy.
 * @param {Page} page @param {string} workspace @param {FrameLocator} content @param {string[]} dialogs dialogs the page opened so far
 */
async function checkHostilePreview(page, workspace, content, dialogs) {
  // A webview's frames are sandboxed without `allow-modals`, so an alert() there opens no dialog
  // at all and `page.on('dialog')` alone would be blind to it: trap the calls in the content
  // frame itself, before the hostile data arrives (it comes by postMessage into this document).
  const html = content.locator('html');
  await html.evaluate(() => {
    const w = /** @type {any} */ (window);
    w.__modalCalls = [];
    for (const name of ['alert', 'confirm', 'prompt', 'print'])
      w[name] = (/** @type {unknown} */ m) => void w.__modalCalls.push(`${name}(${String(m)})`);
  });
  // Positive control: the trap records a call made in the page's own world.
  await html.evaluate(() => window.alert('probe'));
  assert.deepEqual(
    await html.evaluate(() => /** @type {any} */ (window).__modalCalls.splice(0)),
    ['alert(probe)'],
    'the modal trap records calls',
  );

  await openFile(page, HOSTILE.policy);
  // The cursor starts in the leading comment, outside the policy: put it on the selector.
  const at = locate(fs.readFileSync(path.join(workspace, HOSTILE.policy), 'utf8'), 'endpointSelector:');
  await goTo(page, at.line + 1, at.character + 1);
  step(`opened ${HOSTILE.policy} at its endpointSelector`);
  // The panel re-renders for the new editor: wait for the policy's heading and the selected
  // workload, which hold nothing hostile, so a rendering that turned the data into markup fails
  // on the assertions below rather than on a wait.
  const body = content.locator('body');
  await body.getByText(`${HOSTILE.namespace}/${HOSTILE.name}`, { exact: false }).first().waitFor({ timeout: STEP_MS });
  await body
    .getByText(`${HOSTILE.namespace}/${HOSTILE.workload}`, { exact: false })
    .first()
    .waitFor({ timeout: STEP_MS });
  const dom = await html.evaluate((root) => {
    const doc = root.ownerDocument;
    const all = Array.from(doc.querySelectorAll('*'));
    return {
      visible: doc.body.innerText,
      // Tooltips: `title` attributes and the graph's SVG <title> elements (labels live there).
      tooltips: [
        ...all.filter((e) => e.hasAttribute('title')).map((e) => e.getAttribute('title') ?? ''),
        ...Array.from(doc.body.querySelectorAll('title')).map((t) => t.textContent ?? ''),
      ].join('\n'),
      imgs: doc.querySelectorAll('img, image, iframe, object, embed').length,
      handlers: all.flatMap((e) =>
        Array.from(e.attributes)
          .filter((a) => /^on/i.test(a.name))
          .map((a) => `<${e.tagName.toLowerCase()} ${a.name}>`),
      ),
      scripts: Array.from(doc.querySelectorAll('script')).map((s) => ({
        src: s.getAttribute('src'),
        nonce: s.nonce,
        text: (s.textContent ?? '').slice(0, 300),
      })),
      csp: Array.from(doc.querySelectorAll('meta[http-equiv]'))
        .filter((m) => /^content-security-policy$/i.test(m.getAttribute('http-equiv') ?? ''))
        .map((m) => m.getAttribute('content') ?? ''),
      modalCalls: /** @type {string[]} */ (/** @type {any} */ (window).__modalCalls),
    };
  });
  step(`hostile preview: ${dom.visible.replace(/\s+/g, ' ').slice(0, 240)}`);

  // Nothing from the data became markup.
  assert.equal(dom.imgs, 0, 'no <img> (or other embedded content) in the webview');
  assert.deepEqual(dom.handlers, [], 'no inline event handler attribute in the webview');
  assert.deepEqual(dom.modalCalls, [], 'no alert/confirm/prompt was called in the webview');
  assert.deepEqual(dialogs, [], 'no dialog opened in the page');

  // The values, as text. The selector of each rule is shown whole up to its length limit; the
  // 10,000-character value must be cut with an ellipsis, never shown (or stored in a tooltip) whole.
  const text = `${dom.visible}\n${dom.tooltips}`;
  for (const [name, value] of Object.entries(HOSTILE.values)) {
    const shown = appearance(dom.visible, value);
    if (value.length > 300) {
      assert.equal(shown, 'truncated', `the ${value.length}-character ${name} label is cut with an ellipsis`);
      assert.equal(text.includes(value), false, `the ${name} label is nowhere whole`);
    } else {
      assert.equal(shown, 'whole', `the ${name} label ${JSON.stringify(value)} is shown as text`);
    }
  }
  // The workloads' own labels (tooltips) carry the same values as text.
  assert.equal(appearance(dom.tooltips, HOSTILE.values.img), 'whole', 'a tooltip lists the img label as text');

  // Our CSP: scripts only by nonce, never inline.
  const ours = dom.csp.find((c) => /(^|;)\s*script-src\s/.test(c));
  assert.ok(ours, `a CSP meta tag with script-src: ${JSON.stringify(dom.csp)}`);
  /** @type {Map<string, string[]>} */
  const directives = new Map();
  for (const d of ours.split(';')) {
    const [name, ...values] = d.trim().split(/\s+/);
    if (name) directives.set(name, values);
  }
  assert.deepEqual(directives.get('default-src'), ["'none'"], ours);
  const scriptSrc = directives.get('script-src') ?? [];
  const nonce = scriptSrc.map((v) => /^'nonce-([A-Za-z0-9+/_-]{16,}=*)'$/.exec(v)?.[1]).find(Boolean);
  assert.ok(nonce, `script-src has a nonce: ${ours}`);
  for (const bad of ["'unsafe-inline'", "'unsafe-eval'", '*', 'data:', 'https:'])
    assert.ok(!scriptSrc.includes(bad), `script-src allows ${bad}: ${ours}`);
  for (const c of dom.csp)
    assert.ok(!/script-src[^;]*'unsafe-inline'/.test(c), `no CSP meta tag allows inline scripts: ${c}`);
  step(`webview CSP: ${dom.csp.join(' | ')}`);
  // Every script element is ours from media/ with that nonce (the frame, preview.js, once, and the
  // section renderers of media/sections/), or the shim VS Code itself puts in every webview (it
  // defines acquireVsCodeApi, and the webview host admits it); none holds or loads anything of the data.
  const ourScripts = dom.scripts.filter(
    (sc) => sc.src && /\/media\/(preview|sections\/[a-z0-9-]+)\.js(\?|$)/.test(sc.src),
  );
  assert.equal(
    ourScripts.filter((sc) => /\/media\/preview\.js(\?|$)/.test(sc.src ?? '')).length,
    1,
    `preview.js is loaded once: ${JSON.stringify(dom.scripts)}`,
  );
  assert.ok(
    ourScripts.some((sc) => /\/media\/sections\/endpoints\.js(\?|$)/.test(sc.src ?? '')),
    'the endpoints section renderer is loaded',
  );
  for (const sc of ourScripts) assert.equal(sc.nonce, nonce, `${sc.src} carries the nonce of the CSP`);
  for (const sc of dom.scripts) {
    if (ourScripts.includes(sc)) continue;
    assert.ok(
      sc.src === null && sc.text.trim().startsWith('globalThis.acquireVsCodeApi'),
      `unexpected script element ${JSON.stringify(sc)}`,
    );
  }
  for (const sc of dom.scripts)
    for (const value of Object.values(HOSTILE.values))
      assert.ok(!sc.text.includes(value.slice(0, 20)), 'no script holds label data');
  await screenshot(page, 'webview-hostile-labels');
}

/** @param {import('./lib.js').StepContext} ctx */
async function run({ page, workspace, dialogs }) {
  // --- endpoint preview -------------------------------------------------------------------
  const policyText = fs.readFileSync(path.join(workspace, PREVIEW.file), 'utf8');
  const { parseAllDocuments } = require(path.join(cs.REPO_ROOT, 'node_modules', 'yaml'));
  const expected = workloadsMatching(
    fs.readFileSync(path.join(workspace, PREVIEW.workloads), 'utf8'),
    PREVIEW.selectorLabel,
    (t) => parseAllDocuments(t).map((/** @type {any} */ d) => d.toJS()),
  );
  await openFile(page, PREVIEW.file);
  const lens = page
    .locator('.contentWidgets .codelens-decoration', { hasText: `selects ${expected.length} workloads` })
    .first();
  await lens.waitFor({ timeout: STEP_MS });
  step(`CodeLens: ${await lens.innerText()}`);
  const selectorAt = locate(policyText, 'endpointSelector:');
  await goTo(page, selectorAt.line + 1, selectorAt.character + 1);
  await page.keyboard.press('F1');
  const palette = page.locator('.quick-input-widget input');
  await palette.waitFor({ state: 'visible', timeout: STEP_MS });
  await palette.fill(`>${PREVIEW_COMMAND}`);
  const entry = page.locator('.quick-input-widget .monaco-list-row', { hasText: PREVIEW_COMMAND }).first();
  await entry.waitFor({ timeout: 15_000 }).catch(() => {
    throw new Error(`the command palette has no "${PREVIEW_COMMAND}"`);
  });
  await page.keyboard.press('Enter');
  // The webview sits in two nested iframes: the host frame and the content frame it loads.
  const content = previewContent(page);
  const body = content.locator('body');
  for (const name of expected) await body.getByText(name, { exact: false }).first().waitFor({ timeout: STEP_MS });
  const previewText = (await body.innerText()).replace(/\s+/g, ' ');
  step(`preview panel: ${previewText.slice(0, 240)}`);
  for (const name of expected) assert.ok(previewText.includes(name), `${name} missing from the preview`);
  await screenshot(page, 'endpoint-preview');

  // --- webview safety: hostile label values -----------------------------------------------
  await checkHostilePreview(page, workspace, content, dialogs);
}

module.exports = { name: 'the preview panel and its webview safety', run };
