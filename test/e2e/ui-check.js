// SPDX-License-Identifier: Apache-2.0
// @ts-check
/**
 * UI check of the packaged extension, installed the way users install it: `dist/cilium-policy.vsix`
 * goes through `code-server --install-extension`, then Playwright drives code-server's workbench
 * in Debian's chromium like a person would: open a broken policy, read the Problems panel row and
 * the hover, trigger completion and read the suggestions, run the New Policy wizard through its
 * QuickPicks (kind, template, a workload of the workspace, where to put it) and read the policy it
 * writes, open the endpoint preview through the command palette (F1) and read the panel, let the
 * panel follow a policy whose workloads carry hostile label values and check, inside the webview,
 * that they stay text, walk the Cilium Endpoints view and follow its "Open manifest" row, and
 * last switch the inventory to a kubectl snapshot through the picker and its file dialog, and back.
 * Screenshots go to `test-results/screenshots/`.
 *
 * Usage: node test/e2e/ui-check.js   (after `npm run package` and toolchain/setup.sh)
 */
'use strict';

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const cs = require('./lib/code-server.js');
const {
  BROKEN,
  ENDPOINTS,
  HOSTILE,
  PREVIEW,
  WIZARD,
  locate,
  schemaDescriptions,
  words,
  workloadsMatching,
} = require('./lib/expectations.js');

const VSIX = path.join(cs.REPO_ROOT, 'dist', 'cilium-policy.vsix');
/** Safety net for each UI wait; the steps themselves take a second or two. */
const STEP_MS = 60_000;
const PREVIEW_COMMAND = 'Cilium Policy: Show Endpoint Preview';
const NEW_POLICY_COMMAND = 'Cilium Policy: New Policy';

/** @typedef {import('playwright-core').Page} Page */
/** @typedef {import('playwright-core').FrameLocator} FrameLocator */

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
  await page.locator(`.tab.active[data-resource-name="${base}"]`).waitFor({ timeout: STEP_MS });
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
  // Every script element is our preview.js with that nonce, or the shim VS Code itself puts in
  // every webview (it defines acquireVsCodeApi, and the webview host admits it); none holds or
  // loads anything of the data.
  const ourScripts = dom.scripts.filter((sc) => sc.src && /\/media\/preview\.js(\?|$)/.test(sc.src));
  assert.equal(ourScripts.length, 1, `preview.js is loaded once: ${JSON.stringify(dom.scripts)}`);
  assert.equal(ourScripts[0]?.nonce, nonce, 'preview.js carries the nonce of the CSP');
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

/**
 * The Cilium Endpoints view in the Explorer: expands the `shop` namespace and the `api` workload,
 * reads the policy rows (the preview's policy selects it), and follows "Open manifest", which
 * must put the cursor on the workload's `metadata.name` in apps.yaml.
 * @param {Page} page @param {string} workspace
 */
async function checkEndpointsView(page, workspace) {
  const pane = page.locator('.pane', { has: page.locator('.pane-header', { hasText: /Cilium Endpoints/i }) });
  const header = pane.locator('.pane-header').first();
  await header.waitFor({ timeout: STEP_MS });
  if ((await header.getAttribute('aria-expanded')) !== 'true') await header.click();
  /** @param {string} label */
  const row = (label) =>
    pane
      .locator('.monaco-list-row')
      .filter({
        has: page.locator('.label-name', { hasText: new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`) }),
      })
      .first();
  await row(ENDPOINTS.namespace).click();
  await row(ENDPOINTS.workload).click();
  const policy = row(ENDPOINTS.policy);
  await policy.waitFor({ timeout: STEP_MS });
  const rows = (await pane.locator('.monaco-list-row').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
  step(`Endpoints view: ${rows.join(' | ').slice(0, 300)}`);
  assert.ok(
    rows.some((r) => r.startsWith(ENDPOINTS.policy) && /CiliumNetworkPolicy/.test(r)),
    `a row for ${ENDPOINTS.policy}`,
  );
  await screenshot(page, 'endpoints-view');
  // "Open manifest" lands on the workload's name in its manifest.
  await row('Open manifest').click();
  await page
    .locator(`.tab.active[data-resource-name="${path.basename(ENDPOINTS.manifest)}"]`)
    .waitFor({ timeout: STEP_MS });
  const manifest = fs.readFileSync(path.join(workspace, ENDPOINTS.manifest), 'utf8');
  const at = locate(manifest, ENDPOINTS.nameNeedle, `name: ${ENDPOINTS.workload}`);
  const col = at.character + 'name: '.length;
  const cursor = page.locator('.statusbar-item', { hasText: new RegExp(`^Ln ${at.line + 1}, Col ${col + 1}\\b`) });
  await cursor.first().waitFor({ timeout: STEP_MS });
  step(`Open manifest: ${ENDPOINTS.manifest} at Ln ${at.line + 1}, Col ${col + 1} (metadata.name)`);
}

/**
 * The inventory picker behind "Cilium Policy: Choose Endpoint Inventory…": a kubectl snapshot
 * (copied into the workspace from the preview tests' fixture) is chosen through the file dialog,
 * the inventory status bar item then names the snapshot and its workloads; choosing the workspace
 * manifests again brings the workspace inventory back.
 * @param {Page} page @param {string} workspace
 */
async function checkInventoryPicker(page, workspace) {
  const snapshot = path.join(workspace, 'cluster-snapshot.json');
  fs.copyFileSync(path.join(cs.REPO_ROOT, 'test/fixtures/preview/snapshot.json'), snapshot);
  await runCommand(page, 'Cilium Policy: Choose Endpoint Inventory');
  await answerQuickPick(
    page,
    /where should the endpoint preview find workloads/,
    'snapshot',
    /Use kubectl snapshot file/,
  );
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
  await input.fill(snapshot);
  await page.keyboard.press('Enter');
  // Replicas of one workload count once (the snapshot's two `web` pods are one workload).
  const status = page.locator(
    '.statusbar-item[aria-label^="Cilium Policy inventory: snapshot, "]:not([aria-label$=", 0 endpoints"])',
  );
  await status.waitFor({ timeout: STEP_MS });
  step(`inventory from the snapshot: ${await status.getAttribute('aria-label')}`);
  // The preview panel, still open, says where its workloads now come from.
  const content = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
  await content.locator('body', { hasText: 'cluster-snapshot.json' }).waitFor({ timeout: STEP_MS });
  await screenshot(page, 'inventory-snapshot');
  await runCommand(page, 'Cilium Policy: Choose Endpoint Inventory');
  await answerQuickPick(
    page,
    /where should the endpoint preview find workloads/,
    'workspace',
    /Use workspace manifests/,
  );
  const back = page.locator('.statusbar-item[aria-label^="Cilium Policy inventory: workspace, "]');
  await back.waitFor({ timeout: STEP_MS });
  step(`inventory back to the workspace: ${await back.getAttribute('aria-label')}`);
}

async function main() {
  if (!fs.existsSync(VSIX)) throw new Error(`${VSIX} is missing; run npm run package first`);
  const workspace = cs.copyWorkspace();
  const extensionsDir = path.join(cs.scratchDir('extensions'), 'ext');
  const configFile = path.join(cs.scratchDir('install'), 'config.yaml');
  fs.writeFileSync(configFile, 'auth: none\ncert: false\n');
  const installed = await cs.runCodeServerCommand(['--extensions-dir', extensionsDir, '--install-extension', VSIX], {
    configFile,
  });
  assert.match(installed, /successfully installed/i, installed);
  step(`installed ${path.relative(cs.REPO_ROOT, VSIX)}`);

  const server = await cs.startCodeServer({ extensionsDir });
  let browser;
  try {
    browser = await cs.launchBrowser();
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    /** @type {string[]} */
    const windowErrors = [];
    page.on('pageerror', (err) => windowErrors.push(err.message));
    /** @type {string[]} */
    const dialogs = [];
    page.on('dialog', (d) => {
      dialogs.push(`${d.type()}: ${d.message()}`);
      void d.dismiss().catch(() => undefined);
    });
    await page.goto(cs.workbenchUrl(server.base, workspace));
    await page.locator('.monaco-workbench').waitFor({ timeout: STEP_MS });
    step('workbench rendered');

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
    assert.equal(
      await page.locator('.editor-group-container.active .monaco-editor .squiggly-error').count(),
      0,
      'no error squiggle in the generated policy',
    );
    await screenshot(page, 'new-policy-wizard');
    await page.keyboard.press('Escape');

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
    const content = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
    const body = content.locator('body');
    for (const name of expected) await body.getByText(name, { exact: false }).first().waitFor({ timeout: STEP_MS });
    const previewText = (await body.innerText()).replace(/\s+/g, ' ');
    step(`preview panel: ${previewText.slice(0, 240)}`);
    for (const name of expected) assert.ok(previewText.includes(name), `${name} missing from the preview`);
    await screenshot(page, 'endpoint-preview');

    // --- webview safety: hostile label values -----------------------------------------------
    await checkHostilePreview(page, workspace, content, dialogs);

    // --- Cilium Endpoints view: namespace → workload → the policies that select it -----------
    await checkEndpointsView(page, workspace);

    // --- inventory picker: a kubectl snapshot through the file dialog, then back ------------
    await checkInventoryPicker(page, workspace);

    const serious = windowErrors.filter((e) => !/ENOTFOUND|ERR_NAME_NOT_RESOLVED|Failed to fetch/.test(e));
    if (serious.length) step(`window errors (not failing the check): ${serious.join(' | ')}`);
    step('UI check passed');
    return 0;
  } catch (err) {
    // A screenshot of the failure is the fastest way to see what the page looked like.
    const page = browser?.contexts()[0]?.pages()[0];
    if (page) await screenshot(page, 'failure').catch(() => undefined);
    throw err;
  } finally {
    await browser?.close().catch(() => undefined);
    await server.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err instanceof Error ? err.stack : err);
    process.exit(1);
  },
);
