// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import { checkAnnotated } from '../support/annotations.js';

const ID = 'cilium/icmps-with-to-ports';

test('flags icmps and toPorts in one item, in every section', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: icmp
  namespace: shop
spec:
  endpointSelector: {}
  ingress:
    - toPorts:
        - ports:
            - port: "80"
              protocol: TCP
      icmps:
#     ^^^^^ error cilium/icmps-with-to-ports separate item
        - fields:
            - type: 8
  egressDeny:
    - icmps:
#     ^^^^^ error cilium/icmps-with-to-ports egressDeny
        - fields:
            - type: 8
      toPorts:
        - ports:
            - port: "80"
`,
    [ID],
  );
});

test('separate items are fine', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: icmp
  namespace: shop
spec:
  endpointSelector: {}
  ingress:
    - toPorts:
        - ports:
            - port: "80"
              protocol: TCP
      icmps: []
    - icmps:
        - fields:
            - type: 8
`,
    [ID],
  );
});
