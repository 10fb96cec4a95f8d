// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import { checkAnnotated } from '../support/annotations.js';

const ID = 'cilium/invalid-label-key';

test('flags malformed Cilium label keys', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: keys
  namespace: shop
spec:
  endpointSelector:
    matchLabels:
      k8s:app:name: web
#     ^^^^^^^^^^^^ error cilium/invalid-label-key only one \`:\`
      "-app": web
#     ^^^^^^ error cilium/invalid-label-key not a valid label name
  ingress:
    - fromEndpoints:
        - matchLabels:
            k-8s:app: x
#           ^^^^^^^^ error cilium/invalid-label-key letters and digits
            Example.COM/app: x
#           ^^^^^^^^^^^^^^^ error cilium/invalid-label-key DNS subdomain
        - matchExpressions:
            - key: ":app"
#                   ^ error cilium/invalid-label-key source before
              operator: Exists
            - key: app.kubernetes.io/this-label-name-is-far-too-long-to-be-accepted-by-kubernetes-at-all
#                                    ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ error cilium/invalid-label-key at most 63
              operator: Exists
`,
    [ID],
  );
});

test('source prefixes, the $ shorthand, DNS prefixes and namespace-label keys are fine', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: keys
  namespace: shop
spec:
  endpointSelector:
    matchLabels:
      k8s:app.kubernetes.io/name: web
      any:tier: front_end
  ingress:
    - fromEndpoints:
        - matchLabels:
            reserved:host: ""
        - matchLabels:
            $host: ""
        - matchLabels:
            k8s:io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name: other
        - matchExpressions:
            - key: io.kubernetes.pod.namespace
              operator: In
              values: [a]
`,
    [ID],
  );
});
