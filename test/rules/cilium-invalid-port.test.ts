// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import { checkAnnotated } from '../support/annotations.js';

const ID = 'cilium/invalid-port';

test('flags ports the agent cannot parse, missing ports and reversed ranges', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: ports
  namespace: shop
spec:
  endpointSelector: {}
  ingress:
    - toPorts:
        - ports:
            - port: "99999"
#                   ^^^^^^^ error cilium/invalid-port up to 65535
            - port: "8080-8090"
#                   ^^^^^^^^^^^ error cilium/invalid-port endPort: 8090
            - port: "80/tcp"
#                   ^^^^^^^^ error cilium/invalid-port
            - port: "a-very-long-port-name"
#                   ^^^^^^^^^^^^^^^^^^^^^^^ error cilium/invalid-port
            - protocol: TCP
#             ^^^^^^^^ error cilium/invalid-port no \`port\`
            - port: "9000"
              endPort: 8000
#                      ^^^^ warning cilium/invalid-port lower than
  egressDeny:
    - toPorts:
        - ports:
            - port: "70000"
#                   ^^^^^^^ error cilium/invalid-port
`,
    [ID],
  );
});

test('numbers, names, zero and ranges are fine', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: ports
  namespace: shop
spec:
  endpointSelector: {}
  ingress:
    - toPorts:
        - ports:
            - port: "0"
            - port: "65535"
            - port: http
            - port: HTTP-alt
            - port: "8000"
              endPort: 9000
            - port: "8000"
              endPort: 0
            - protocol: VRRP
`,
    [ID],
  );
});
