// SPDX-License-Identifier: Apache-2.0
/**
 * The readable preview on the wire, against the bundled server: `reading` of an endpoint preview
 * (L7 rows parallel to the rules, the directions, a tracing policy's hooks) and `hooks` of a
 * tracing policy in `ciliumPolicy/endpointPolicies`.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { EndpointPoliciesRequest, EndpointPreviewRequest } from '../../server/src/protocol.js';
import { LspClient, testUri } from '../support/lsp-client.js';

const APPS = `apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  template:
    metadata:
      labels: {app: api}
`;

const POLICIES = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: l7, namespace: shop}
spec:
  endpointSelector: {matchLabels: {app: api}}
  ingress:
  - toPorts:
    - ports: [{port: "8080", protocol: TCP}]
      rules:
        http: [{method: GET, path: /health}]
---
apiVersion: cilium.io/v1alpha1
kind: TracingPolicyNamespaced
metadata: {name: files, namespace: shop}
spec:
  podSelector: {matchLabels: {app: api}}
  kprobes:
  - call: security_file_permission
    syscall: false
    args: [{index: 0, type: file}]
    selectors:
    - matchArgs: [{index: 0, operator: Prefix, values: [/etc/]}]
      matchActions: [{action: Sigkill}]
`;

test('the preview carries its reading, and endpointPolicies names a tracing policy’s hooks', async () => {
  const client = await LspClient.start();
  try {
    const apps = testUri('apps.yaml');
    const uri = testUri('policies.yaml');
    await client.open(apps, APPS);
    await client.open(uri, POLICIES);
    const p = await client.connection.sendRequest(EndpointPreviewRequest.type, { textDocument: { uri } });
    assert.ok(p);
    const [cnp, tp] = p.policies;
    assert.deepEqual(cnp?.reading?.l7, [['HTTP GET /health']], 'one row list per rule, parallel to rules');
    assert.equal(cnp?.rules.length, 1);
    assert.deepEqual(
      cnp?.reading?.directions?.map((d) => [d.direction, d.allowItems, d.defaultDeny]),
      [
        ['ingress', 1, true],
        ['egress', 0, false],
      ],
    );
    assert.deepEqual(
      tp?.reading?.hooks?.map((h) => [h.hook, h.selectors.map((s) => [...s.filters, ...s.actions])]),
      [['kprobe security_file_permission', [['matchArgs: arg 0 Prefix /etc/', 'Sigkill']]]],
    );
    const found = await client.connection.sendRequest(EndpointPoliciesRequest.type, {
      endpoint: { kind: 'Deployment', namespace: 'shop', name: 'api' },
    });
    assert.deepEqual(
      found.policies.map((x) => [x.name, x.hooks]),
      [
        ['l7', undefined],
        ['files', 'kprobe security_file_permission → Sigkill'],
      ],
    );
  } finally {
    await client.stop();
  }
});
