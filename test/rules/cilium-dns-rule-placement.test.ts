// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import { checkAnnotated } from '../support/annotations.js';

const ID = 'cilium/dns-rule-placement';

test('flags DNS rules on ingress, without ports, and on a port range', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: dns
  namespace: shop
spec:
  endpointSelector: {}
  ingress:
    - toPorts:
        - ports:
            - port: "53"
              protocol: UDP
          rules:
            dns:
#           ^^^ error cilium/dns-rule-placement egress only
              - matchPattern: "*"
  egress:
    - toPorts:
        - rules:
            dns:
#           ^^^ error cilium/dns-rule-placement add \`ports\`
              - matchPattern: "*"
        - ports: []
          rules:
            dns:
#           ^^^ error cilium/dns-rule-placement
              - matchName: example.com
        - ports:
            - port: "53"
              protocol: ANY
            - port: "443"
              endPort: 445
#             ^^^^^^^ error cilium/dns-rule-placement port range (443-445)
              protocol: TCP
            - port: "5_3"
              endPort: 60
#             ^^^^^^^ error cilium/dns-rule-placement port range (53-60)
            - port: domain
              endPort: 60
          rules:
            dns:
              - matchPattern: "*"
`,
    [ID],
  );
});

test('egress DNS rules on single ports, empty DNS lists and host policies are left alone', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata:
  name: dns
specs:
  - endpointSelector: {}
    egress:
      - toPorts:
          - ports:
              - port: "53"
                protocol: ANY
              - port: "5353"
                endPort: 5353
            rules:
              dns:
                - matchPattern: "*"
    ingress:
      - toPorts:
          - ports:
              - port: "53"
            rules:
              dns: []
  - nodeSelector: {}
    ingress:
      - toPorts:
          - ports:
              - port: "53"
            rules:
              dns:
                - matchPattern: "*"
`,
    [ID],
  );
});
