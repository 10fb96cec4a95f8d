// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { checkAnnotated } from '../support/annotations.js';
import { applyFix } from '../support/apply-fix.js';

const ID = 'cilium/namespaced-node-selector';

test('flags nodeSelector in a namespaced policy', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: host
  namespace: kube-system
spec:
  nodeSelector:
# ^^^^^^^^^^^^ error cilium/namespaced-node-selector CiliumClusterwideNetworkPolicy
    matchLabels:
      kubernetes.io/os: linux
  ingress:
    - fromEntities: [cluster]
`,
    [ID],
  );
});

test('nodeSelector in a clusterwide policy is fine', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata:
  name: host
spec:
  nodeSelector:
    matchLabels:
      kubernetes.io/os: linux
  ingress:
    - fromEntities: [cluster]
`,
    [ID],
  );
});

test('a suppression comment silences the finding on the next line', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: host
  namespace: kube-system
spec:
  # cilium-policy disable-next-line cilium/namespaced-node-selector
  nodeSelector:
    matchLabels:
      kubernetes.io/os: linux
  ingress:
    - fromEntities: [cluster]
`,
    [ID],
  );
});

test('quick fix turns the policy into a CiliumClusterwideNetworkPolicy', () => {
  const text = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: host
  # the namespace goes away
  namespace: kube-system
  labels:
    team: net
spec:
  nodeSelector:
    matchLabels:
      kubernetes.io/os: linux
  ingress:
    - fromEntities: [cluster]
`;
  assert.equal(
    applyFix(text, ID),
    `apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata:
  name: host
  # the namespace goes away
  labels:
    team: net
spec:
  nodeSelector:
    matchLabels:
      kubernetes.io/os: linux
  ingress:
    - fromEntities: [cluster]
`,
  );
});
