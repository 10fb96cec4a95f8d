// SPDX-License-Identifier: Apache-2.0
/**
 * What the server sends for the editor to render must not act on user text: diagnostics, symbols,
 * status and completion details are plain text without raw control or bidi characters, and hover
 * Markdown that quotes a key, a value or a path renders it as text (no link, image, HTML or
 * `command:` link). Through the real server over JSON-RPC; hovers are rendered with markdown-it
 * (CommonMark, with linkify as VS Code's renderer detects bare URLs) to see what a user would get.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import type { Hover, MarkupContent } from 'vscode-languageserver-protocol';
import { LspClient, positionOf, testUri } from '../support/lsp-client.js';

const RAW_CONTROL = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;

interface MarkdownRenderer {
  render(markdown: string): string;
}
const MarkdownIt = createRequire(__filename)('markdown-it') as new (options: object) => MarkdownRenderer;
const renderer = new MarkdownIt({ html: true, linkify: true });

/** What a hover renders to, with the elements a hostile value could add. */
function renderedHover(h: Hover | null): { html: string; active: string[] } {
  const value = h ? ((h.contents as MarkupContent).value ?? '') : '';
  const html = renderer.render(value);
  // Elements a hostile value could add; our own schema text may link elsewhere, never to these.
  const active = [...html.matchAll(/<(a|img|script|iframe|svg|object|embed|details)\b[^>]*>/gi)]
    .map((m) => m[0])
    .filter((tag) => /evil|command:|src="?x|onerror/i.test(tag));
  return { html, active };
}

function assertNoRawControl(text: string, what: string, allowLineFeed = false): void {
  const m = RAW_CONTROL.exec(allowLineFeed ? text.replace(/\n/g, ' ') : text);
  assert.equal(m, null, `${what} holds U+${m?.[0].codePointAt(0)?.toString(16)} raw: ${JSON.stringify(text)}`);
}

/** A policy whose keys and values carry terminal sequences, bidi overrides, Markdown and HTML. */
const CNP = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: "web\\e]0;owned\\a\\u202e"
  namespace: shop
spec:
  endpointSelector:
    matchLabels:
      app: "[click](command:workbench.action.terminal.new) ![x](https://evil.example/x.png) <img src=x onerror=alert(1)>"
      "\\u202Egnp.exe": x
  "\\e[1A\\e[2Kforged\\nline": 1
  ingress:
    - toPorts:
        - ports:
            - port: "\\e]8;;https://evil.example/\\e\\\\80\\e]8;;\\e\\\\"
`;

describe('user text in what the server sends', () => {
  let client: LspClient;
  let root: string;
  before(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'cilium-policy-hostile-text-'));
    client = await LspClient.start({ settings: { tetragon: { binaryRoot: root } } });
  });
  after(async () => {
    await client.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('diagnostic messages show controls and bidi characters as visible escapes', async () => {
    const uri = testUri('hostile-text.yaml');
    const v = await client.open(uri, CNP);
    const { diagnostics } = await client.waitForDiagnostics(uri, v);
    const quoting = diagnostics.filter((d) => /forged|gnp\.exe|evil\.example/.test(d.message));
    assert.ok(quoting.length >= 3, JSON.stringify(diagnostics.map((d) => d.message)));
    for (const d of diagnostics) assertNoRawControl(d.message, `the ${String(d.code)} message`);
    const messages = diagnostics.map((d) => d.message).join('\n');
    for (const shown of ['\\x1b[1A\\x1b[2Kforged\\nline', '\\u202egnp.exe', '\\x1b]8;;https://evil.example/'])
      assert.ok(messages.includes(shown), `${shown} in ${messages}`);
  });

  it('document symbols and the document status carry no raw controls', async () => {
    const uri = testUri('hostile-symbols.yaml');
    const v = await client.open(uri, CNP);
    const status = await client.waitForStatus(uri, v);
    assertNoRawControl(JSON.stringify(status.policies.map((p) => p.name)), 'the status');
    assert.ok(
      status.policies.some((p) => p.name === 'web\\x1b]0;owned\\x07\\u202e'),
      JSON.stringify(status.policies),
    );
    const symbols = await client.symbols(uri);
    const names: string[] = [];
    const walk = (s: { name: string; detail?: string; children?: unknown[] }): void => {
      names.push(s.name, s.detail ?? '');
      for (const c of (s.children ?? []) as (typeof s)[]) walk(c);
    };
    for (const s of symbols) walk(s);
    assert.ok(
      names.some((n) => n.includes('web\\x1b]0;owned')),
      JSON.stringify(names),
    );
    for (const n of names) assertNoRawControl(n, `symbol ${JSON.stringify(n)}`);
  });

  it('hover on a hostile label value and key renders no link, image or HTML', async () => {
    const uri = testUri('hostile-hover.yaml');
    await client.open(uri, CNP);
    for (const [needle, delta] of [
      ['[click]', 3],
      ['<img src', 2],
      ['app:', 1],
      ['gnp.exe', 1],
      ['forged', 1],
    ] as const) {
      const h = await client.hover(uri, positionOf(CNP, needle, delta));
      const { html, active } = renderedHover(h);
      assert.deepEqual(active, [], `hover at ${needle} renders ${html}`);
      assert.doesNotMatch(html, /command:|onerror/i, `hover at ${needle}: ${html}`);
    }
  });

  it('Tetragon hovers quote a kernel function and a binary path as code, whatever they hold', async () => {
    const hostile = '[x](command:workbench.action.terminal.new)`<img src=x>`![i](https://evil.example/i.png)';
    const tp = `apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: hostile
spec:
  kprobes:
    - call: ${JSON.stringify(hostile)}
      syscall: false
  usdts:
    - path: ${JSON.stringify(`/opt/${hostile}\u001b]0;t\u0007`)}
      provider: shop
      name: order
`;
    const uri = testUri('hostile-tetragon-hover.yaml');
    await client.open(uri, tp);
    const onCall = await client.hover(uri, positionOf(tp, 'call: ', 'call: '.length + 3));
    const onPath = await client.hover(uri, positionOf(tp, 'path: ', 'path: '.length + 3));
    for (const [what, h] of [
      ['call', onCall],
      ['path', onPath],
    ] as const) {
      assert.ok(h, `a hover on the ${what}`);
      const value = (h.contents as MarkupContent).value;
      assertNoRawControl(value, `the ${what} hover`, true);
      const { html, active } = renderedHover(h);
      assert.deepEqual(active, [], `the ${what} hover renders ${html}`);
      // The text is there, as code: the link syntax is shown, not followed.
      assert.match(html, /<code>[^<]*\[x\]\(command:workbench\.action\.terminal\.new\)/, html);
    }
  });

  it("connectivity hovers (a PolicyTest endpoint, a manifest's effective policy) render names and labels as text", async () => {
    const evil = '[x](command:workbench.action.terminal.new)<img src=x onerror=alert(1)>\u202e';
    const manifests = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${JSON.stringify(evil)}
  namespace: shop
spec:
  template:
    metadata:
      labels: {app: ${JSON.stringify(`![i](https://evil.example/i.png)${evil}`)}}
    spec:
      containers: [{name: c, ports: [{name: ${JSON.stringify(evil.slice(0, 10))}, containerPort: 80}]}]
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: ${JSON.stringify(`[p](command:evil)${evil}`)}
  namespace: shop
spec:
  endpointSelector: {}
  ingress: [{}]
`;
    const tests = `apiVersion: cilium-policy.io/v1alpha1
kind: PolicyTest
metadata:
  name: hostile
spec:
  cases:
    - name: one
      from: {entity: world}
      to: {workload: ${JSON.stringify(`shop/${evil}`)}}
      port: 80
      expect: deny
`;
    const mUri = testUri('hostile-connectivity-manifests.yaml');
    const tUri = testUri('hostile-connectivity-test.yaml');
    await client.open(mUri, manifests);
    await client.open(tUri, tests);
    const onEndpoint = await client.hover(tUri, positionOf(tests, 'shop/[x]', 3));
    const onManifest = await client.hover(mUri, positionOf(manifests, 'name: "[x]', 8));
    for (const [what, h] of [
      ['PolicyTest endpoint', onEndpoint],
      ['effective policy', onManifest],
    ] as const) {
      assert.ok(h, `a hover on the ${what}`);
      const value = (h.contents as MarkupContent).value;
      assertNoRawControl(value, `the ${what} hover`, true);
      const { html, active } = renderedHover(h);
      assert.deepEqual(active, [], `the ${what} hover renders ${html}`);
      assert.doesNotMatch(html, /href="command:|<img/i, `the ${what} hover: ${html}`);
    }
    // The manifest's hover names the policy (its link goes to the policy's file, its text is text).
    assert.match((onManifest!.contents as MarkupContent).value, /default-deny/);
  });
});
