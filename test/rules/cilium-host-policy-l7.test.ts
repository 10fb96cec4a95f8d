// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import { checkAnnotated } from '../support/annotations.js';
import { normalizeSettings } from '../../server/src/settings.js';

const ID = 'cilium/host-policy-l7';

test('flags L7 on host-policy ingress and non-DNS L7 on host-policy egress', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata:
  name: host
spec:
  nodeSelector:
    matchLabels:
      kubernetes.io/os: linux
  ingress:
    - toPorts:
        - ports:
            - port: "53"
              protocol: UDP
          rules:
            dns:
#           ^^^ error cilium/host-policy-l7 on ingress
              - matchPattern: "*"
  egress:
    - toPorts:
        - ports:
            - port: "80"
              protocol: TCP
          rules:
            http:
#           ^^^^ error cilium/host-policy-l7 only DNS
              - method: GET
        - ports:
            - port: "53"
              protocol: ANY
          rules:
            dns:
              - matchPattern: "*"
`,
    [ID],
  );
});

test('L7 rules on pod policies are fine', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata:
  name: pods
spec:
  endpointSelector: {}
  ingress:
    - toPorts:
        - ports:
            - port: "80"
              protocol: TCP
          rules:
            http:
              - method: GET
`,
    [ID],
  );
});

const HOST_EGRESS = (mark: string) => `apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata:
  name: host-dns
spec:
  nodeSelector: {}
  egress:
    - toPorts:
        - ports:
            - port: "53"
              protocol: ANY
          rules:
            dns:${mark}
              - matchPattern: "*"
    - toPorts:
        - ports:
            - port: "9000"
              protocol: TCP
          rules:
            l7proto: myparser${mark.replace('^^^', '^^^^^^^')}
`;

test('DNS on host egress is allowed from Cilium 1.17; Cilium 1.16 rejects every L7 rule of a host policy', () => {
  checkAnnotated(HOST_EGRESS(''), [ID], normalizeSettings({ ciliumVersion: '1.19' }));
  checkAnnotated(
    HOST_EGRESS('\n#           ^^^ error cilium/host-policy-l7 rejects every L7 rule'),
    [ID],
    normalizeSettings({ ciliumVersion: '1.16' }),
  );
});
