// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import { checkAnnotated } from '../support/annotations.js';

const ID = 'cilium/listener-placement';

test('flags a listener on ingress and a listener next to L7 rules', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: web
  namespace: shop
spec:
  endpointSelector: {}
  ingress:
    - toPorts:
        - ports:
            - port: "80"
              protocol: TCP
          listener:
#         ^^^^^^^^ error cilium/listener-placement egress only
            envoyConfig:
              name: envoy
            name: l1
  egress:
    - toPorts:
        - ports:
            - port: "80"
              protocol: TCP
          listener:
            envoyConfig:
              name: envoy
            name: l1
          rules:
#         ^^^^^ error cilium/listener-placement cannot be combined
            http:
              - path: /
`,
    [ID],
  );
});

test('an egress listener without L7 rules is fine', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: web
  namespace: shop
spec:
  endpointSelector: {}
  egress:
    - toPorts:
        - ports:
            - port: "80"
              protocol: TCP
          listener:
            envoyConfig:
              kind: CiliumEnvoyConfig
              name: envoy
            name: l1
            priority: 10
          rules: {}
`,
    [ID],
  );
});
