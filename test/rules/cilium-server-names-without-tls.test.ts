// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import { checkAnnotated } from '../support/annotations.js';

const ID = 'cilium/server-names-without-tls';

test('flags serverNames with L7 rules but no terminatingTLS', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: tls
  namespace: shop
spec:
  endpointSelector: {}
  egress:
    - toPorts:
        - ports:
            - port: "443"
              protocol: TCP
          serverNames: [api.example.com]
#         ^^^^^^^^^^^ error cilium/server-names-without-tls terminatingTLS
          originatingTLS:
            secret:
              name: ca
          rules:
            http:
              - method: GET
`,
    [ID],
  );
});

test('serverNames alone, with empty rules, or with terminatingTLS is fine', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: tls
  namespace: shop
spec:
  endpointSelector: {}
  egress:
    - toPorts:
        - ports:
            - port: "443"
              protocol: TCP
          serverNames: [api.example.com]
    - toPorts:
        - ports:
            - port: "443"
              protocol: TCP
          serverNames: [api.example.com]
          rules:
            http: []
    - toPorts:
        - ports:
            - port: "443"
              protocol: TCP
          serverNames: ["*.example.com"]
          terminatingTLS:
            secret:
              name: cert
          rules:
            http:
              - method: GET
`,
    [ID],
  );
});
