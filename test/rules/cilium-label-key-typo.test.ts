// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { checkAnnotated } from '../support/annotations.js';
import { applyFix } from '../support/apply-fix.js';

const ID = 'cilium/label-key-typo';

const TYPOS = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: typos
  namespace: shop
spec:
  endpointSelector:
    matchLabels:
      io.cilium.k8s.policy.serviceacount: web
#     ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ warning cilium/label-key-typo io.cilium.k8s.policy.serviceaccount
  ingress:
    - fromEndpoints:
        - matchLabels:
            "k8s:io.kubernetes.pod.namspace": monitoring
#           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ warning cilium/label-key-typo k8s:io.kubernetes.pod.namespace
        - matchLabels:
            k8s:io.cilium.k8s.namespace.label.team: ops
#           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ warning cilium/label-key-typo io.cilium.k8s.namespace.labels.team
        - matchLabels:
            k8:app: x
#           ^^^^^^ warning cilium/label-key-typo did you mean \`k8s\`
        - matchLabels:
            reserved:hots: ""
#           ^^^^^^^^^^^^^ warning cilium/label-key-typo did you mean \`host\`
        - matchExpressions:
            - key: k8s:kubernetes.io/metadata.name
#                  ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ warning cilium/label-key-typo namespace label
              operator: In
              values: [ops]
            - key: io.cilium.k8s.policy.clustr
#                  ^^^^^^^^^^^^^^^^^^^^^^^^^^^ warning cilium/label-key-typo
              operator: Exists
`;

test('flags near misses of special keys, unknown sources and reserved names', () => {
  checkAnnotated(TYPOS, [ID]);
});

test('exact special keys, ordinary labels and node selectors are fine', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata:
  name: fine
spec:
  nodeSelector:
    matchLabels:
      kubernetes.io/metadata.name: x
      io.kubernetes.pod.namspace: z
  ingress:
    - fromEndpoints:
        - matchLabels:
            k8s:io.kubernetes.pod.namespace: monitoring
            io.cilium.k8s.policy.serviceaccount: prometheus
            io.cilium.k8s.policy.cluster: east
            k8s:io.cilium.k8s.namespace.labels.team: ops
            io.kubernetes.pod.name: x
            app: web
        - matchLabels:
            reserved:kube-apiserver: ""
            $host: ""
`,
    [ID],
  );
});

test('quick fix rewrites the key, keeping its quotes', () => {
  assert.equal(applyFix(TYPOS, ID, undefined, 0), TYPOS.replace('serviceacount: web', 'serviceaccount: web'));
  assert.equal(
    applyFix(TYPOS, ID, undefined, 1),
    TYPOS.replace('"k8s:io.kubernetes.pod.namspace"', '"k8s:io.kubernetes.pod.namespace"'),
  );
  assert.equal(
    applyFix(TYPOS, ID, undefined, 5),
    TYPOS.replace(
      'key: k8s:kubernetes.io/metadata.name',
      'key: k8s:io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name',
    ),
  );
});
