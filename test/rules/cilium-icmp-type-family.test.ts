// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import { checkAnnotated } from '../support/annotations.js';

const ID = 'cilium/icmp-type-family';

test('flags type names of the other family', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: icmp
  namespace: shop
spec:
  endpointSelector: {}
  ingress:
    - icmps:
        - fields:
            - family: IPv4
              type: ICMPNodeInformationQuery
#                   ^^^^^^^^^^^^^^^^^^^^^^^^ error cilium/icmp-type-family IPv6 ICMP type
            - type: PacketTooBig
#                   ^^^^^^^^^^^^ error cilium/icmp-type-family defaults to IPv4
            - family: IPv6
              type: Redirect
#                   ^^^^^^^^ error cilium/icmp-type-family did you mean \`RedirectMessage\`
            - family: IPv6
              type: Timestamp
#                   ^^^^^^^^^ error cilium/icmp-type-family
`,
    [ID],
  );
});

test('names valid for the family, shared names and numbers are fine', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: icmp
  namespace: shop
spec:
  endpointSelector: {}
  egress:
    - icmps:
        - fields:
            - type: EchoRequest
            - type: Echo
            - family: IPv6
              type: EchoRequest
            - family: IPv6
              type: NeighborSolicitation
            - type: 8
            - family: IPv6
              type: "128"
            - type: "0"
            - type: "08"
            - type: "00"
#                   ^^^^ error cilium/icmp-type-family not read as the number 0
`,
    [ID],
  );
});
