// SPDX-License-Identifier: Apache-2.0
// Settings reach the server both ways editors send them: pulled with workspace/configuration
// (VS Code, Neovim) and pushed with didChangeConfiguration (Helix, older clients). A change
// re-lints open documents at once.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SAMPLES } from '../support/lsp-samples.js';
import { LspClient, testUri } from '../support/lsp-client.js';

const UNKNOWN = SAMPLES.find((s) => s.kind === 'CiliumEnvoyConfig')!;

/** A CNP with a Kafka rule: accepted up to Cilium 1.19, removed in 1.20 (the default target). */
const KAFKA = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: kafka
  namespace: shop
spec:
  endpointSelector:
    matchLabels:
      app: kafka
  ingress:
  - toPorts:
    - ports:
      - port: "9092"
        protocol: TCP
      rules:
        kafka:
        - role: produce
          topic: orders
`;

const codes = (d: { code?: string | number }[]): string[] => d.map((x) => String(x.code));

for (const mode of ['pull', 'push'] as const) {
  describe(`language server settings (${mode})`, () => {
    let client: LspClient;
    const set = (section: unknown): Promise<void> =>
      mode === 'pull' ? client.setSettings(section) : client.pushSettings(section);

    before(async () => {
      client = await LspClient.start({ pullConfiguration: mode === 'pull' });
    });
    after(async () => {
      await client?.stop();
    });

    it('`validate.enable: false` clears diagnostics and enabling brings them back', async () => {
      const uri = testUri(`${mode}-enable.yaml`);
      const v = await client.open(uri, UNKNOWN.text);
      assert.ok((await client.waitForDiagnostics(uri, v)).diagnostics.length > 0);
      const cleared = client.nextDiagnostics(uri, (d) => d.length === 0, 'diagnostics cleared');
      await set({ validate: { enable: false } });
      await cleared;
      const back = client.nextDiagnostics(uri, (d) => d.length > 0, 'diagnostics back');
      await set({ validate: { enable: true } });
      await back;
      await client.close(uri);
      await set({});
    });

    it('`rules: {"schema/unknown-field": "off"}` removes that diagnostic; "warning" downgrades it', async () => {
      const uri = testUri(`${mode}-rules.yaml`);
      const v = await client.open(uri, UNKNOWN.text);
      assert.deepEqual(codes((await client.waitForDiagnostics(uri, v)).diagnostics), ['schema/unknown-field']);
      const warned = client.nextDiagnostics(uri, (d) => d.length === 1 && d[0]!.severity === 2, 'a warning');
      await set({ rules: { 'schema/unknown-field': 'warning' } });
      await warned;
      const off = client.nextDiagnostics(uri, (d) => d.length === 0, 'no diagnostics');
      await set({ rules: { 'schema/unknown-field': 'off' } });
      await off;
      await client.close(uri);
      await set({});
    });

    it('`ciliumVersion: "1.19"` accepts a Kafka rule that 1.20 rejects', async () => {
      const uri = testUri(`${mode}-kafka.yaml`);
      const v = await client.open(uri, KAFKA);
      const first = await client.waitForDiagnostics(uri, v);
      assert.ok(codes(first.diagnostics).includes('version/removed'), JSON.stringify(first.diagnostics));
      const accepted = client.nextDiagnostics(uri, (d) => d.length === 0, 'kafka accepted');
      await set({ ciliumVersion: '1.19' });
      await accepted;
      await client.close(uri);
      await set({});
    });

    if (mode === 'pull') {
      it('asks for the ciliumPolicy section of the document', () => {
        const items = client.configurationRequests.flatMap((r) => r.items);
        assert.ok(items.some((i) => i.section === 'ciliumPolicy' && i.scopeUri === testUri('pull-enable.yaml')));
      });
    }
  });
}
