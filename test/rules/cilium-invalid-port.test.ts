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

test('ports are parsed as Go parses them: base prefixes, octal and digit separators', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: go-ports
  namespace: shop
spec:
  endpointSelector: {}
  ingress:
    - toPorts:
        - ports:
            - port: "1_000"
            - port: "0x5_0"
            - port: "0o1_7"
            - port: "007"
            - port: "0o17"
#                   ^^^^^^ warning cilium/invalid-port not as the number 15
            - port: "08"
#                   ^^^^ error cilium/invalid-port octal
            - port: "1__000"
#                   ^^^^^^^^ error cilium/invalid-port
            - port: "010"
#                   ^^^^^ warning cilium/invalid-port reads port 8
            - port: "0x50"
#                   ^^^^^^ warning cilium/invalid-port not as the number 80
            - port: "0x1_0000"
#                   ^^^^^^^^^^ error cilium/invalid-port up to 65535
`,
    [ID],
  );
});

test('a deny entry may list at most 40 ports (allow entries are capped by the CRD)', () => {
  const ports = (n: number) => Array.from({ length: n }, (_, i) => `            - port: "${8000 + i}"`).join('\n');
  checkAnnotated(
    `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: many
  namespace: shop
spec:
  endpointSelector: {}
  ingressDeny:
    - toPorts:
        - ports:
#         ^^^^^ error cilium/invalid-port 41 ports
${ports(41)}
  egressDeny:
    - toPorts:
        - ports:
${ports(40)}
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
