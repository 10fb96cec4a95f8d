// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import { checkAnnotated } from '../support/annotations.js';
import { normalizeSettings } from '../../server/src/settings.js';

const ID = 'cilium/legacy-l7-rules';
const V119 = normalizeSettings({ ciliumVersion: '1.19' });

const KAFKA = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: kafka
  namespace: shop
spec:
  endpointSelector:
    matchLabels:
      app: kafka
  ingress:
    - toPorts:
        - ports:
            - port: "9092"
              protocol: TCP
          rules:
            kafka:
              - role: produce
                apiKey: produce
#               ^^^^^^ error cilium/legacy-l7-rules not both
              - apiKey: fetchh
#                       ^^^^^^ error cilium/legacy-l7-rules Did you mean \`fetch\`
              - apiKey: Metadata
                apiVersion: "40000"
#                           ^^^^^^^ error cilium/legacy-l7-rules 0 to 32767
    - toPorts:
        - ports:
            - port: "9000"
              protocol: TCP
          rules:
            l7:
#           ^^ error cilium/legacy-l7-rules l7proto
              - action: allow
`;

test('Kafka and l7 rules are checked for Cilium 1.19', () => {
  checkAnnotated(KAFKA, [ID], V119);
});

test('for Cilium 1.20 the rule is silent (the removal is reported instead)', () => {
  checkAnnotated(KAFKA.replace(/^#.*\n/gm, ''), [ID]);
});
