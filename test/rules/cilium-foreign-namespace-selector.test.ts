// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { checkAnnotated } from '../support/annotations.js';
import { applyFix, fixTitles } from '../support/apply-fix.js';

const ID = 'cilium/foreign-namespace-selector';

const PINNED = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: web
  namespace: shop
spec:
  endpointSelector:
    matchLabels:
      k8s:io.kubernetes.pod.namespace: billing
#     ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ warning cilium/foreign-namespace-selector overwrites
      app: web
  ingress:
    - fromEndpoints:
        - matchLabels:
            k8s:io.kubernetes.pod.namespace: monitoring
`;

test('flags an endpointSelector pinned to another namespace (not peers)', () => {
  checkAnnotated(PINNED, [ID]);
});

test('without a source the selector matches nothing; expressions are checked too', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: web
  namespace: shop
spec:
  endpointSelector:
    matchLabels:
      io.kubernetes.pod.namespace: billing
#     ^^^^^^^^^^^^^^^^^^^^^^^^^^^ warning cilium/foreign-namespace-selector selects no pod
  ingress:
    - fromEntities: [cluster]
specs:
  - endpointSelector:
      matchExpressions:
        - key: k8s:io.kubernetes.pod.namespace
#         ^^^ warning cilium/foreign-namespace-selector
          operator: In
          values: [billing]
    egress:
      - toEntities: [world]
`,
    [ID],
  );
});

test('own namespace, no metadata.namespace, and clusterwide policies are fine', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: web
  namespace: shop
spec:
  endpointSelector:
    matchLabels:
      k8s:io.kubernetes.pod.namespace: shop
  ingress:
    - fromEntities: [cluster]
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: web
spec:
  endpointSelector:
    matchLabels:
      k8s:io.kubernetes.pod.namespace: billing
  ingress:
    - fromEntities: [cluster]
---
apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata:
  name: web
spec:
  endpointSelector:
    matchLabels:
      k8s:io.kubernetes.pod.namespace: billing
  ingress:
    - fromEntities: [cluster]
`,
    [ID],
  );
});

test('quick fixes: remove the pin, or move the policy', () => {
  assert.deepEqual(fixTitles(PINNED, ID), [['Remove the namespace pin', 'Move the policy to namespace `billing`']]);
  assert.equal(
    applyFix(PINNED, ID, 'Remove'),
    PINNED.replace(
      '      k8s:io.kubernetes.pod.namespace: billing\n#     ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ warning cilium/foreign-namespace-selector overwrites\n',
      '',
    ),
  );
  assert.equal(applyFix(PINNED, ID, 'Move'), PINNED.replace('  namespace: shop', '  namespace: billing'));
});

test('removing the only label leaves an empty selector', () => {
  const text = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: web
  namespace: shop
spec:
  endpointSelector:
    matchLabels:
      k8s:io.kubernetes.pod.namespace: billing
  ingress:
    - fromEntities: [cluster]
`;
  assert.equal(
    applyFix(text, ID, 'Remove'),
    `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: web
  namespace: shop
spec:
  endpointSelector: {}
  ingress:
    - fromEntities: [cluster]
`,
  );
});
