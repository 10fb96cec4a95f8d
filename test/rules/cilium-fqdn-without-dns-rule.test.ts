// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { checkAnnotated } from '../support/annotations.js';
import { applyFix } from '../support/apply-fix.js';

const ID = 'cilium/fqdn-without-dns-rule';

const TEXT = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: api
  namespace: shop
spec:
  endpointSelector:
    matchLabels:
      app: web
  egress:
    # The API we call.
    - toFQDNs:
#     ^^^^^^^ warning cilium/fqdn-without-dns-rule never learns
        - matchName: api.example.com
      toPorts:
        - ports:
            - port: "443"
              protocol: TCP
`;

test('flags toFQDNs when no DNS rule covers the endpoints', () => {
  checkAnnotated(TEXT, [ID]);
});

test('the fix appends the DNS egress rule to the same egress list', () => {
  assert.equal(
    applyFix(TEXT, ID),
    `${TEXT}    - toEndpoints:
        - matchLabels:
            k8s:io.kubernetes.pod.namespace: kube-system
            k8s:k8s-app: kube-dns
      toPorts:
        - ports:
            - port: "53"
              protocol: ANY
          rules:
            dns:
              - matchPattern: "*"
`,
  );
  // After the fix, the rule is satisfied.
  checkAnnotated(applyFix(TEXT, ID).replace(/^#.*\n/m, ''), [ID]);
});

test('a DNS rule in the same rule, or in a policy of the file selecting a superset, counts', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: same-rule
  namespace: shop
spec:
  endpointSelector: {}
  egress:
    - toFQDNs:
        - matchPattern: "*.example.com"
    - toPorts:
        - ports:
            - port: "5353"
              protocol: ANY
          rules:
            dns:
              - matchPattern: "*"
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: fqdn
  namespace: shop
spec:
  endpointSelector:
    matchLabels:
      k8s:app: web
      tier: front
  egress:
    - toFQDNs:
        - matchName: api.example.com
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: dns
  namespace: shop
spec:
  endpointSelector:
    matchLabels:
      app: web
  egress:
    - toEndpoints:
        - matchLabels:
            k8s:io.kubernetes.pod.namespace: kube-system
            k8s:k8s-app: kube-dns
      toPorts:
        - ports:
            - port: "53"
              protocol: ANY
          rules:
            dns:
              - matchPattern: "*"
---
apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata:
  name: dns-everywhere
spec:
  endpointSelector:
    matchLabels:
      team: blue
  egress:
    - toPorts:
        - ports:
            - port: "53"
          rules:
            dns:
              - matchPattern: "*"
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: blue
  namespace: other
spec:
  endpointSelector:
    matchLabels:
      team: blue
  egress:
    - toFQDNs:
        - matchName: blue.example.com
`,
    [ID],
  );
});

test('DNS rules for other endpoints, other namespaces or other specs do not count', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: fqdn
  namespace: shop
specs:
  - endpointSelector:
      matchLabels:
        app: web
    egress:
      - toFQDNs:
#       ^^^^^^^ warning cilium/fqdn-without-dns-rule
          - matchName: api.example.com
  - endpointSelector:
      matchLabels:
        app: other
    egress:
      - toPorts:
          - ports:
              - port: "53"
            rules:
              dns:
                - matchPattern: "*"
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: dns-elsewhere
  namespace: other
spec:
  endpointSelector: {}
  egress:
    - toPorts:
        - ports:
            - port: "53"
          rules:
            dns:
              - matchPattern: "*"
---
apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata:
  name: fqdn-everywhere
spec:
  endpointSelector: {}
  egress:
    - toFQDNs:
#     ^^^^^^^ warning cilium/fqdn-without-dns-rule
        - matchName: api.example.com
`,
    [ID],
  );
});
