// SPDX-License-Identifier: Apache-2.0
/**
 * When the bundled server lints. An edit that changes the inventory (a workload's labels) is linted
 * once: its lint flushes the edit into the inventory and already sees the new one, so the inventory
 * change that follows lints the other open documents again but not that one a second time.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { LspClient, testUri } from '../support/lsp-client.js';

/** A workload and a policy that selects it (`cilium/selects-nothing` depends on the inventory). */
const APP = (app: string): string => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  template:
    metadata:
      labels:
        app: ${app}
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: web
  namespace: shop
spec:
  endpointSelector:
    matchLabels:
      app: web
  ingress:
    - fromEndpoints:
        - matchLabels:
            app: web
`;

const OTHER = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: other
  namespace: shop
spec:
  endpointSelector:
    matchLabels:
      app: web
  egress:
    - toEndpoints:
        - matchLabels:
            app: api
`;

test('an edit that changes the inventory is linted once; the other open documents are linted again', async () => {
  const client = await LspClient.start({ settings: { lint: { delay: 0 } } });
  try {
    const app = testUri('lint-once-app.yaml');
    const other = testUri('lint-once-other.yaml');
    await client.open(app, APP('web'));
    await client.waitForDiagnostics(app, 1);
    await client.open(other, OTHER);
    await client.waitForDiagnostics(other, 1);
    // Settle: the inventory built from the first open has been announced and acted on.
    await client.waitForDiagnostics(other, 1, (d) => d.some((x) => x.code === 'cilium/selects-nothing'));

    const from = client.diagnostics.all.length;
    // The workload gets other labels: the inventory changes, and what both policies select with it.
    const v2 = await client.change(app, APP('shop'));
    const appV2 = await client.diagnostics.wait(
      (p) => p.uri === app && p.version === v2,
      'app at its new version',
      from,
    );
    // `other` is not edited: it is published again only because the inventory changed.
    await client.diagnostics.wait(
      (p) => p.uri === other,
      'diagnostics of the other document',
      client.diagnostics.all.indexOf(appV2) + 1,
    );
    // Lints of `app` queued before the edit (for the opening of `other`) may still publish the
    // old version first; the new version is published once, and nothing older after it.
    const ofApp = client.diagnostics.all
      .slice(from)
      .filter((p) => p.uri === app)
      .map((p) => p.version);
    assert.deepEqual(
      ofApp.filter((v) => v === v2),
      [v2],
      'the edited document is published once for its new version',
    );
    assert.equal(ofApp[ofApp.length - 1], v2, 'no older version of the edited document is published after the new one');
  } finally {
    await client.stop();
  }
});
