// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import { checkAnnotated } from '../support/annotations.js';

const ID = 'cilium/empty-section-without-default-deny';

test('flags an empty direction next to other sections', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: web
  namespace: shop
spec:
  endpointSelector: {}
  ingress: []
# ^^^^^^^ warning cilium/empty-section-without-default-deny default deny for ingress stays off
  ingressDeny: []
# ^^^^^^^^^^^ warning cilium/empty-section-without-default-deny
  egress:
    - toEntities: [cluster]
specs:
  - endpointSelector: {}
    egress: []
#   ^^^^^^ warning cilium/empty-section-without-default-deny enableDefaultDeny.egress
    ingress:
      - fromEntities: [cluster]
`,
    [ID],
  );
});

test('explicit enableDefaultDeny, a non-empty twin section, or all-empty rules are not flagged', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: web
  namespace: shop
spec:
  endpointSelector: {}
  enableDefaultDeny:
    ingress: false
  ingress: []
  egress:
    - toEntities: [cluster]
specs:
  - endpointSelector: {}
    egress: []
    egressDeny:
      - toEntities: [world]
  - endpointSelector: {}
    ingress: []
`,
    [ID],
  );
});
