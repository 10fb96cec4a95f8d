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

  it('offers a suppression comment that silences the finding', async () => {
    const uri = testUri('suppress.yaml');
    const version = await client.open(uri, BROKEN);
    const { diagnostics } = await client.waitForDiagnostics(uri, version);
    const unknown = diagnostics.find((d) => d.code === 'schema/unknown-field')!;
    const disable = (await actionsFor(uri, unknown)).find((a) => a.title.startsWith('Disable'));
    assert.ok(disable, 'a disable action is offered');
    const text = apply(BROKEN, disable.edit!.changes![uri]!);
    assert.ok(text.includes('  # cilium-policy disable-next-line schema/unknown-field\n  namspace:'), text);
    const v2 = await client.change(uri, text);
    const after = await client.waitForDiagnostics(uri, v2);
    assert.ok(!after.diagnostics.some((d) => d.code === 'schema/unknown-field'));
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
