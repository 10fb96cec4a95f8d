// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { checkAnnotated } from '../support/annotations.js';
import { applyFix } from '../support/apply-fix.js';

const ID = 'cilium/mixed-peer-types';

test('flags the second and later peer types of one item', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: mixed
  namespace: shop
spec:
  endpointSelector: {}
  egress:
    - toEndpoints:
        - matchLabels:
            app: db
      toCIDR:
#     ^^^^^^ error cilium/mixed-peer-types toEndpoints
        - 10.0.0.0/8
      toFQDNs:
#     ^^^^^^^ error cilium/mixed-peer-types
        - matchName: example.com
      toPorts:
        - ports:
            - port: "443"
  ingressDeny:
    - fromEntities: [world]
      fromCIDR: [192.0.2.0/24]
#     ^^^^^^^^ error cilium/mixed-peer-types fromEntities
`,
    [ID],
  );
});

test('one peer type per item, with ports, and empty lists are fine', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata:
  name: ok
spec:
  endpointSelector: {}
  egress:
    - toEndpoints:
        - matchLabels:
            app: db
      toCIDR: []
      toPorts:
        - ports:
            - port: "5432"
              protocol: TCP
    - toCIDR: [10.0.0.0/8]
`,
    [ID],
  );
});

test('quick fix splits the item into one item per peer type, repeating the ports', () => {
  const text = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: mixed
  namespace: shop
spec:
  endpointSelector: {}
  egress:
    - toEndpoints:
        - matchLabels:
            app: db
      toCIDR:
        - 10.0.0.0/8
      toPorts:
        - ports:
            - port: "5432"
              protocol: TCP
      toEntities: [world]
    - toFQDNs:
        - matchName: example.com
`;
  const expected = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: mixed
  namespace: shop
spec:
  endpointSelector: {}
  egress:
    - toEndpoints:
        - matchLabels:
            app: db
      toPorts:
        - ports:
            - port: "5432"
              protocol: TCP
    - toCIDR:
        - 10.0.0.0/8
      toPorts:
        - ports:
            - port: "5432"
              protocol: TCP
    - toEntities: [world]
      toPorts:
        - ports:
            - port: "5432"
              protocol: TCP
    - toFQDNs:
        - matchName: example.com
`;
  assert.equal(applyFix(text, ID, undefined, 0), expected);
  // Every finding of the item offers the same split.
  assert.equal(applyFix(text, ID, undefined, 1), expected);
});

test('the split fix works on the last item of the file without a final newline', () => {
  const text = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: mixed
  namespace: shop
spec:
  endpointSelector: {}
  ingress:
    - fromEntities: [world]
      fromCIDR: [192.0.2.0/24]`;
  assert.equal(
    applyFix(text, ID),
    `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: mixed
  namespace: shop
spec:
  endpointSelector: {}
  ingress:
    - fromEntities: [world]
    - fromCIDR: [192.0.2.0/24]`,
  );
});
