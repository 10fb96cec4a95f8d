// SPDX-License-Identifier: Apache-2.0
/**
 * The preview webview's shell and assets, and the inventory wording: a strict CSP with a nonce,
 * no remote resources, and a script that never parses data as HTML.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { contentSecurityPolicy, makeNonce, previewHtml } from '../../client/src/preview-html.js';
import { inventoryChoices, inventoryStatusView } from '../../client/src/inventory-text.js';
import { REPO_ROOT } from '../support/paths.js';

const CSP_SOURCE = 'https://file+.vscode-resource.vscode-cdn.net';

test('the CSP allows only our stylesheet, our nonce script and local images', () => {
  assert.equal(
    contentSecurityPolicy(CSP_SOURCE, 'abc'),
    `default-src 'none'; style-src ${CSP_SOURCE} 'nonce-abc'; script-src 'nonce-abc'; img-src ${CSP_SOURCE} data:`,
  );
});

test('nonces are fresh and CSP-safe', () => {
  const a = makeNonce();
  assert.match(a, /^[A-Za-z0-9+/]{20,}$/);
  assert.notEqual(a, makeNonce());
});

test('the HTML shell: CSP meta first, nonce on the script and stylesheet, no inline script or handler', () => {
  const nonce = makeNonce();
  const html = previewHtml({
    cspSource: CSP_SOURCE,
    nonce,
    scriptUris: [`${CSP_SOURCE}/ext/media/preview.js`, `${CSP_SOURCE}/ext/media/sections/endpoints.js`],
    styleUri: `${CSP_SOURCE}/ext/media/preview.css`,
  });
  const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html);
  assert.ok(meta, 'CSP meta tag');
  const csp = meta[1]!.replace(/&#39;/g, "'");
  assert.equal(csp, contentSecurityPolicy(CSP_SOURCE, nonce));
  assert.ok(html.indexOf('Content-Security-Policy') < html.indexOf('<link'), 'the CSP comes before any resource');
  const scripts = [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
  assert.equal(scripts.length, 2, 'the frame, then the section renderer');
  assert.ok(scripts[0]![1]!.includes('media/preview.js'), 'the frame loads first');
  for (const script of scripts) {
    assert.match(script[1]!, new RegExp(`nonce="${nonce.replace(/[+/]/g, (c) => `\\${c}`)}"`));
    assert.equal(script[2]!.trim(), '', 'no inline script');
  }
  assert.ok(!/\son[a-z]+=/i.test(html), 'no inline event handler');
  assert.ok(!/style="/.test(html), 'no inline style');
  const attrs = previewHtml({ cspSource: CSP_SOURCE, nonce: 'n', scriptUris: ['"><script>x</script>'], styleUri: 's' });
  assert.ok(!attrs.includes('"><script>x'), 'attribute values are escaped');
});

/** The webview's scripts: the frame and every section renderer. */
function webviewScripts(): string[] {
  const sections = fs
    .readdirSync(path.join(REPO_ROOT, 'media', 'sections'))
    .filter((f) => f.endsWith('.js'))
    .map((f) => path.join('media', 'sections', f));
  return [path.join('media', 'preview.js'), ...sections];
}

test('the webview scripts render with textContent and DOM APIs only', () => {
  const scripts = webviewScripts();
  assert.ok(scripts.length >= 2, scripts.join(', '));
  for (const file of scripts) {
    const js = fs.readFileSync(path.join(REPO_ROOT, file), 'utf8');
    assert.match(js, /^\/\/ SPDX-License-Identifier: Apache-2\.0\n\/\/ @ts-check/, file);
    for (const bad of [
      /innerHTML/,
      /outerHTML/,
      /insertAdjacentHTML/,
      /document\.write/,
      /\beval\s*\(/,
      /new Function/,
      /setAttribute\(\s*['"]on/,
      /setAttribute\(\s*['"]style/,
      /https?:\/\/(?!www\.w3\.org\/2000\/svg)/,
      /\bfetch\s*\(/,
      /XMLHttpRequest/,
      /import\s*\(/,
    ]) {
      assert.ok(!bad.test(js), `${file} must not use ${bad}`);
    }
    assert.match(js, /textContent|register\(/, file);
  }
  const frame = fs.readFileSync(path.join(REPO_ROOT, 'media', 'preview.js'), 'utf8');
  assert.match(frame, /postMessage\(\{ type: 'ready' \}\)/);
  assert.match(frame, /postMessage\(\{ type: 'open', target \}\)/);
  assert.match(frame, /postMessage\(\{ type: 'act', section, action \}\)/);
  // Only the frame talks to the host; sections go through its helpers.
  for (const file of scripts.slice(1)) {
    const js = fs.readFileSync(path.join(REPO_ROOT, file), 'utf8');
    assert.ok(!/acquireVsCodeApi|postMessage/.test(js), `${file} talks to the host only through the frame`);
    assert.match(js, /ciliumPreview\.register|api\.register\(/, `${file} registers a renderer`);
  }
  assert.match(
    fs.readFileSync(path.join(REPO_ROOT, 'media', 'sections', 'endpoints.js'), 'utf8'),
    /createElementNS|svg\(/,
  );
});

test('every preview section has its renderer, and each renderer registers its own kind', () => {
  const client = path.join(REPO_ROOT, 'client', 'src');
  const kinds = fs
    .readdirSync(client)
    .map((f) => /readonly kind = '([a-z0-9-]+)'/.exec(fs.readFileSync(path.join(client, f), 'utf8'))?.[1])
    .filter((k): k is string => k !== undefined);
  assert.ok(kinds.includes('endpoints'), `section kinds: ${kinds.join(', ')}`);
  for (const kind of kinds)
    assert.ok(fs.existsSync(path.join(REPO_ROOT, 'media', 'sections', `${kind}.js`)), `media/sections/${kind}.js`);
  for (const file of webviewScripts().slice(1)) {
    const kind = path.basename(file, '.js');
    const js = fs.readFileSync(path.join(REPO_ROOT, file), 'utf8');
    assert.match(js, new RegExp(`register\\('${kind}'`), `${file} registers '${kind}'`);
  }
});

test('media/preview.css loads nothing remote and uses theme variables for allow and deny', () => {
  const css = fs.readFileSync(path.join(REPO_ROOT, 'media', 'preview.css'), 'utf8');
  assert.ok(!/url\(|@import/.test(css), 'no url() or @import');
  assert.match(css, /--vscode-charts-green/);
  assert.match(css, /--vscode-charts-red/);
  assert.match(css, /\.edge\.deny \{[^}]*stroke-dasharray/, 'deny edges differ by line style, not only colour');
  assert.match(css, /vscode-high-contrast/);
});

test('.vscodeignore ships the webview assets', () => {
  const lines = fs
    .readFileSync(path.join(REPO_ROOT, '.vscodeignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim());
  assert.ok(lines.includes('!media/preview.js') && lines.includes('!media/preview.css'));
  assert.ok(lines.includes('!media/sections/**'), 'the section renderers ship');
});

test('inventory status bar text', () => {
  assert.equal(
    inventoryStatusView({ origin: 'workspace', description: 'workspace: 12 workloads in 4 namespaces', endpoints: 12 })
      .text,
    '$(server) workspace · 12',
  );
  const err = inventoryStatusView({
    origin: 'snapshot',
    description: 'snap.json: 3 workloads',
    endpoints: 3,
    error: 'snap.json: cut off',
  });
  assert.equal(err.text, '$(warning) snapshot · 3');
  assert.equal(err.warning, true);
  assert.match(err.tooltip, /Last load failed .*cut off/);
  assert.equal(err.accessibilityLabel, 'Cilium Policy inventory: snapshot, 3 endpoints, last load failed');
  assert.equal(inventoryStatusView({ origin: 'none', description: '', endpoints: 0 }).text, '$(server) no inventory');
  assert.match(inventoryStatusView(undefined).text, /loading/);
  // While the first workspace walk runs, the item spins instead of flashing "no inventory".
  assert.equal(
    inventoryStatusView({ origin: 'none', description: 'indexing the workspace…', endpoints: 0, loading: true }).text,
    '$(loading~spin) inventory',
  );
  assert.equal(
    inventoryStatusView({ origin: 'cluster', description: 'kind-dev: 1 workload', endpoints: 1 }).accessibilityLabel,
    'Cilium Policy inventory: cluster, 1 endpoint',
  );
});

test('inventory picker: current source marked, cluster says when trust is missing', () => {
  const trusted = inventoryChoices('snapshot', true);
  assert.deepEqual(
    trusted.map((c) => [c.choice, c.description]),
    [
      ['workspace', ''],
      ['snapshot', 'in use'],
      ['cluster', ''],
    ],
  );
  const untrusted = inventoryChoices('workspace', false);
  assert.equal(untrusted[2]!.description, 'requires a trusted workspace');
  assert.match(untrusted[2]!.detail, /never run in an untrusted workspace/);
});

test('package.json: kubectlPath, binaryRoot and snapshotFile are restricted, the preview is contributed', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
    capabilities: { untrustedWorkspaces: { restrictedConfigurations?: string[] } };
    contributes: {
      views: Record<string, { id: string; when?: string }[]>;
      menus: Record<string, { command: string; when?: string }[]>;
      configuration: { properties: Record<string, unknown> };
    };
  };
  assert.deepEqual(pkg.capabilities.untrustedWorkspaces.restrictedConfigurations, [
    'ciliumPolicy.kubectlPath',
    'ciliumPolicy.tetragon.binaryRoot',
    'ciliumPolicy.preview.snapshotFile',
  ]);
  assert.ok(pkg.contributes.configuration.properties['ciliumPolicy.kubectlPath']);
  const view = pkg.contributes.views['ciliumPolicy']?.find((v) => v.id === 'ciliumPolicy.endpoints');
  assert.equal(view?.when, 'ciliumPolicy.serverReady');
  assert.ok(
    pkg.contributes.menus['editor/title']?.some(
      (m) => m.command === 'ciliumPolicy.showPreview' && /resourceLangId == yaml/.test(m.when ?? ''),
    ),
  );
  const client = fs.readFileSync(path.join(REPO_ROOT, 'client', 'src', 'endpoints-tree.ts'), 'utf8');
  assert.match(client, /ENDPOINTS_VIEW_ID = 'ciliumPolicy\.endpoints'/);
});
