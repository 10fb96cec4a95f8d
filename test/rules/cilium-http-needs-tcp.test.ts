// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { checkAnnotated } from '../support/annotations.js';
import { applyFix, fixTitles } from '../support/apply-fix.js';

const ID = 'cilium/http-needs-tcp';

const MIXED = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: api
  namespace: shop
spec:
  endpointSelector: {}
  ingress:
    - toPorts:
        - ports:
            - port: "8080"
#             ^^^^ error cilium/http-needs-tcp without a protocol
            - port: "8443"
              protocol: ANY
#                       ^^^ error cilium/http-needs-tcp
            - port: "9090"
              protocol: UDP
#                       ^^^ error cilium/http-needs-tcp separate
            - port: "80"
              protocol: TCP
          rules:
            http:
              - method: GET
`;

test('flags every non-TCP port of an entry with HTTP rules', () => {
  checkAnnotated(MIXED, [ID]);
});

test('TCP ports, DNS rules on UDP and entries without HTTP rules are fine', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: api
  namespace: shop
spec:
  endpointSelector: {}
  egress:
    - toPorts:
        - ports:
            - port: "53"
              protocol: ANY
          rules:
            dns:
              - matchPattern: "*"
        - ports:
            - port: "8080"
        - ports:
            - port: "80"
              protocol: TCP
          rules:
            http: []
`,
    [ID],
  );
});

test('quick fix adds `protocol: TCP` to a port without protocol', () => {
  const fixed = applyFix(MIXED, ID, undefined, 0);
  assert.equal(
    fixed,
    MIXED.replace('            - port: "8080"\n', '            - port: "8080"\n              protocol: TCP\n'),
  );
});

test('quick fix turns ANY into TCP, and offers TCP for UDP', () => {
  assert.equal(applyFix(MIXED, ID, undefined, 1), MIXED.replace('protocol: ANY', 'protocol: TCP'));
  // HTTP only runs over TCP; for UDP the fix is there, the author decides (it is not preferred).
  assert.deepEqual(fixTitles(MIXED, ID)[2], ['Set `protocol: TCP`']);
  assert.equal(applyFix(MIXED, ID, undefined, 2), MIXED.replace('protocol: UDP', 'protocol: TCP'));
});
