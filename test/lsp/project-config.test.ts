// SPDX-License-Identifier: Apache-2.0
// `.cilium-policy.yaml` at the workspace root changes what the server reports, like the editor settings do.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { LspClient } from '../support/lsp-client.js';
import { KNOWN_RELEASES } from '../../server/src/core/versions.js';

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

describe('project configuration file', () => {
  let dir: string;
  let client: LspClient;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cilium-policy-ws-'));
    fs.writeFileSync(
      path.join(dir, '.cilium-policy.yaml'),
      'ciliumVersion: "1.19"\nrules:\n  cilium/namespaced-node-selector: warning\n',
    );
    client = await LspClient.start({ workspaceFolder: pathToFileURL(dir).toString() });
  });
  after(async () => {
    await client.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('applies the target release and rule severities of the workspace file', async () => {
    const uri = pathToFileURL(path.join(dir, 'kafka.yaml')).toString();
    const version = await client.open(uri, KAFKA.replace('endpointSelector', 'nodeSelector'));
    const { diagnostics } = await client.waitForDiagnostics(uri, version);
    assert.ok(
      !diagnostics.some((d) => d.code === 'version/removed'),
      `kafka is accepted for 1.19: ${JSON.stringify(diagnostics)}`,
    );
    const ns = diagnostics.find((d) => d.code === 'cilium/namespaced-node-selector');
    assert.equal(ns?.severity, 2, 'severity lowered to warning by the file');
  });

  it('documents outside the workspace folder use the defaults', async () => {
    const uri = pathToFileURL(path.join(os.tmpdir(), 'elsewhere-kafka.yaml')).toString();
    const version = await client.open(uri, KAFKA);
    const { diagnostics } = await client.waitForDiagnostics(uri, version);
    assert.ok(diagnostics.some((d) => d.code === 'version/removed' && /1\.20/.test(d.message)));
  });
});

describe('a project file targeting an unsupported release', () => {
  it('warns once, naming the supported range', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cilium-policy-ws-old-'));
    fs.writeFileSync(path.join(dir, '.cilium-policy.yaml'), 'ciliumVersion: "1.14"\n');
    const client = await LspClient.start({ workspaceFolder: pathToFileURL(dir).toString() });
    const shown: { type: number; message: string }[] = [];
    client.connection.onNotification('window/showMessage', (p: { type: number; message: string }) => shown.push(p));
    try {
      for (const name of ['a.yaml', 'b.yaml']) {
        const uri = pathToFileURL(path.join(dir, name)).toString();
        await client.waitForDiagnostics(uri, await client.open(uri, KAFKA));
      }
      const warnings = shown.filter((m) => m.type === 2 && m.message.includes('ciliumVersion'));
      assert.equal(warnings.length, 1, JSON.stringify(shown));
      const releases = KNOWN_RELEASES.cilium;
      assert.ok(warnings[0]!.message.includes(`Cilium ${releases[0]}–${releases.at(-1)}`), warnings[0]!.message);
    } finally {
      await client.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
