// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import { checkAnnotated } from '../support/annotations.js';

const ID = 'cilium/allow-all-peers';

test('points out empty peer selectors and the entity all in allow sections', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: wide
  namespace: shop
spec:
  endpointSelector: {}
  ingress:
    - fromEndpoints:
        - {}
#         ^^ information cilium/allow-all-peers every pod of namespace \`shop\`, on every port
    - fromEntities: [cluster, all]
#                             ^^^ information cilium/allow-all-peers everything
      toPorts:
        - ports:
            - port: "80"
              protocol: TCP
  egress:
    - toEndpoints:
        - matchLabels: {}
#         ^^^^^^^^^^^ information cilium/allow-all-peers
`,
    [ID],
  );
});

test('clusterwide scope is said, and deny sections and real selectors are left alone', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata:
  name: wide
spec:
  endpointSelector: {}
  ingress:
    - fromEndpoints:
        - {}
#         ^^ information cilium/allow-all-peers every Cilium-managed pod in every namespace
    - fromEndpoints:
        - matchLabels:
            app: web
  ingressDeny:
    - fromEntities: [all]
  egressDeny:
    - toEndpoints: [{}]
`,
    [ID],
  );
});
