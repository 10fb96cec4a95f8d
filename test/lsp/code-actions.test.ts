// SPDX-License-Identifier: Apache-2.0
// Quick fixes through the real server: the editor's diagnostics are matched back to findings and
// their edits come back as a WorkspaceEdit that, applied, removes the diagnostic.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { CodeAction, Diagnostic, TextEdit } from 'vscode-languageserver-protocol';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { LspClient, testUri } from '../support/lsp-client.js';

const BROKEN = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: web
  namspace: shop
spec:
  endpointSelector:
    matchLabels:
      app: web
  egress:
    - toPorts:
        - ports:
            - port: "80"
              protocol: TPC
`;

function apply(text: string, edits: readonly TextEdit[]): string {
  return TextDocument.applyEdits(TextDocument.create('x', 'yaml', 1, text), [...edits]);
}

describe('code actions', () => {
  let client: LspClient;
  before(async () => {
    client = await LspClient.start();
  });
  after(async () => {
    await client.stop();
  });

  async function actionsFor(uri: string, diagnostic: Diagnostic): Promise<CodeAction[]> {
    return (await client.request('textDocument/codeAction', {
      textDocument: { uri },
      range: diagnostic.range,
      context: { diagnostics: [diagnostic] },
    })) as CodeAction[];
  }

  it('offers preferred fixes for a typo’d key and enum value, and applying them clears the diagnostics', async () => {
    const uri = testUri('code-actions.yaml');
    const version = await client.open(uri, BROKEN);
    const { diagnostics } = await client.waitForDiagnostics(uri, version);
    const unknown = diagnostics.find((d) => d.code === 'schema/unknown-field');
    const badEnum = diagnostics.find((d) => d.code === 'schema/enum');
    assert.ok(unknown && badEnum, `both diagnostics present: ${JSON.stringify(diagnostics.map((d) => d.code))}`);
    assert.ok(client.initializeResult?.capabilities.codeActionProvider, 'code actions advertised');

    const renames = await actionsFor(uri, unknown);
    const rename = renames.find((a) => a.isPreferred);
    assert.equal(rename?.title, 'Rename `namspace` to `namespace`');
    const enumFix = (await actionsFor(uri, badEnum)).find((a) => a.isPreferred);
    assert.equal(enumFix?.title, 'Change to `TCP`');

    let text = apply(BROKEN, rename!.edit!.changes![uri]!);
    text = apply(text, enumFix!.edit!.changes![uri]!);
    assert.equal(text, BROKEN.replace('  namspace:', '  namespace:').replace('protocol: TPC', 'protocol: TCP'));
    const v2 = await client.change(uri, text);
    const after = await client.waitForDiagnostics(uri, v2);
    assert.deepEqual(
      after.diagnostics.filter((d) => d.severity === 1).map((d) => d.code),
      [],
      'no error remains after both fixes',
    );
  });

  it('offers a suppression comment that silences a rule’s finding', async () => {
    const uri = testUri('suppress.yaml');
    const text0 = `${BROKEN.replace('  namspace:', '  namespace:').replace('TPC', 'TCP')}      toCIDR:\n        - 10.0.0.1/8\n`;
    const version = await client.open(uri, text0);
    const { diagnostics } = await client.waitForDiagnostics(uri, version);
    const hostBits = diagnostics.find((d) => d.code === 'cilium/cidr-host-bits')!;
    assert.ok(hostBits, JSON.stringify(diagnostics.map((d) => d.code)));
    const disable = (await actionsFor(uri, hostBits)).find((a) => a.title.startsWith('Disable'));
    assert.ok(disable, 'a disable action is offered');
    const text = apply(text0, disable.edit!.changes![uri]!);
    assert.ok(
      text.includes('        # cilium-policy disable-next-line cilium/cidr-host-bits\n        - 10.0.0.1/8'),
      text,
    );
    const v2 = await client.change(uri, text);
    const after = await client.waitForDiagnostics(uri, v2);
    assert.ok(!after.diagnostics.some((d) => d.code === 'cilium/cidr-host-bits'));
  });

  it('offers no suppression for what the API server rejects', async () => {
    const uri = testUri('no-suppress.yaml');
    const version = await client.open(uri, BROKEN);
    const { diagnostics } = await client.waitForDiagnostics(uri, version);
    for (const code of ['schema/unknown-field', 'schema/enum']) {
      const d = diagnostics.find((x) => x.code === code)!;
      const titles = (await actionsFor(uri, d)).map((a) => a.title);
      assert.ok(titles.length > 0, `${code} still has its fix`);
      assert.ok(!titles.some((t) => t.startsWith('Disable')), `${code}: ${titles.join('; ')}`);
    }
  });

  it('fixes a CIDR with a bad prefix to the nearest valid one', async () => {
    const uri = testUri('cidr-fix.yaml');
    const text0 = `${BROKEN.replace('  namspace:', '  namespace:').replace('TPC', 'TCP')}      toCIDR:\n        - 10.0.0.0/33\n        - "2001:db8::/129"\n`;
    const version = await client.open(uri, text0);
    const { diagnostics } = await client.waitForDiagnostics(uri, version);
    const bad = diagnostics.filter((d) => d.code === 'schema/format');
    assert.equal(bad.length, 2, JSON.stringify(diagnostics));
    let text = text0;
    for (const d of bad) {
      const fix = (await actionsFor(uri, d)).find((a) => a.isPreferred)!;
      assert.ok(fix, d.message);
      text = apply(text, fix.edit!.changes![uri]!);
      const v = await client.change(uri, text);
      await client.waitForDiagnostics(uri, v);
    }
    assert.ok(text.includes('- 10.0.0.0/32\n') && text.includes('- "2001:db8::/128"\n'), text);
    const v2 = await client.change(uri, text);
    const after = await client.waitForDiagnostics(uri, v2);
    assert.deepEqual(
      after.diagnostics.filter((d) => d.code === 'schema/format'),
      [],
    );
  });

  it('rule diagnostics link to their documentation', async () => {
    const uri = testUri('rule-link.yaml');
    const text = BROKEN.replace('  namspace:', '  namespace:')
      .replace('TPC', 'TCP')
      .replace('endpointSelector', 'nodeSelector');
    const version = await client.open(uri, text);
    const { diagnostics } = await client.waitForDiagnostics(uri, version);
    const d = diagnostics.find((x) => x.code === 'cilium/namespaced-node-selector');
    assert.ok(d, JSON.stringify(diagnostics));
    assert.match(d.codeDescription?.href ?? '', /docs\/rules\.md#cilium-namespaced-node-selector$/);
  });
});
