// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import { checkAnnotated } from '../support/annotations.js';

const ID = 'cilium/node-peers-need-flag';

test('warns about fromNodes and toNodes', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata:
  name: nodes
spec:
  endpointSelector: {}
  ingress:
    - fromNodes:
#     ^^^^^^^^^ warning cilium/node-peers-need-flag enable-node-selector-labels
        - matchLabels:
            role: worker
  egressDeny:
    - toNodes: [{}]
#     ^^^^^^^ warning cilium/node-peers-need-flag
  egress:
    - toNodes: []
`,
    [ID],
  );
});
