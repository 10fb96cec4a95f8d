// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import { checkAnnotated } from '../support/annotations.js';

const ID = 'cilium/extended-protocol';

test('warns about the agent option, and rejects a real port', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata:
  name: protos
spec:
  nodeSelector: {}
  ingress:
    - toPorts:
        - ports:
            - protocol: VRRP
#                       ^^^^ warning cilium/extended-protocol enable-extended-ip-protocols
            - port: "0"
              protocol: GRE
#                       ^^^ warning cilium/extended-protocol
            - port: "1"
#                   ^^^ error cilium/extended-protocol has no ports
              protocol: IGMP
            - port: "00"
#                   ^^^^ error cilium/extended-protocol has no ports
              protocol: ESP
            - port: vrrp
              protocol: VRRP
#                       ^^^^ warning cilium/extended-protocol
            - port: "443"
              protocol: TCP
`,
    [ID],
  );
});
