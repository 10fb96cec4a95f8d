// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import { checkAnnotated } from '../support/annotations.js';

const ID = 'cilium/l7-on-port-zero';

test('flags port 0 in an entry with L7 rules', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: l7
  namespace: shop
spec:
  endpointSelector: {}
  egress:
    - toPorts:
        - ports:
            - port: "80"
              protocol: TCP
            - port: "0"
#                   ^^^ error cilium/l7-on-port-zero all ports
              protocol: TCP
          rules:
            http:
              - method: GET
        - ports:
            - port: "0"
#                   ^^^ error cilium/l7-on-port-zero
            - port: "0_0"
#                   ^^^^^ error cilium/l7-on-port-zero
          rules:
            dns:
              - matchPattern: "*"
        - ports:
            - port: "0"
`,
    [ID],
  );
});
