// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import { checkAnnotated } from '../support/annotations.js';

const ID = 'cilium/selector-requirement-values';

test('flags In/NotIn without values, Exists/DoesNotExist with values, and bad values', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: sel
  namespace: shop
spec:
  endpointSelector:
    matchExpressions:
      - key: app
        operator: In
#                 ^^ error cilium/selector-requirement-values at least one value
      - key: tier
        operator: NotIn
        values: []
#       ^^^^^^ error cilium/selector-requirement-values
  ingress:
    - fromEndpoints:
        - matchExpressions:
            - key: team
              operator: Exists
              values: [a]
#             ^^^^^^ error cilium/selector-requirement-values takes no values
            - key: env
              operator: In
              values: [prod, "-staging", ok.value]
#                            ^^^^^^^^^^ error cilium/selector-requirement-values not a valid label value
  egress:
    - toCIDRSet:
        - cidrGroupSelector:
            matchExpressions:
              - key: group
                operator: DoesNotExist
                values: [x]
#               ^^^^^^ error cilium/selector-requirement-values
`,
    [ID],
  );
});

test('well-formed requirements are fine', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata:
  name: sel
spec:
  nodeSelector:
    matchExpressions:
      - key: node-role.kubernetes.io/control-plane
        operator: Exists
      - key: zone
        operator: In
        values: [a, b-1, ""]
  ingress:
    - fromEntities: [cluster]
`,
    [ID],
  );
});

test('service selectors are not validated on import: a bad requirement there is a warning', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: svc
  namespace: shop
spec:
  endpointSelector: {}
  egress:
    - toServices:
        - k8sServiceSelector:
            selector:
              matchExpressions:
                - key: app
                  operator: In
#                           ^^ warning cilium/selector-requirement-values matches no service
    - toEndpoints:
        - matchExpressions:
            - key: app
              operator: In
              values: [web]
`,
    [ID],
  );
});
