// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import { checkAnnotated } from '../support/annotations.js';

const ID = 'cilium/listener-reference';

const PORTS = `        - ports:
            - port: "80"
              protocol: TCP
`;

test('a clusterwide policy may not use a namespaced CiliumEnvoyConfig', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata:
  name: web
spec:
  endpointSelector: {}
  egress:
    - toPorts:
${PORTS}          listener:
            envoyConfig:
              kind: CiliumEnvoyConfig
#                   ^^^^^^^^^^^^^^^^^ error cilium/listener-reference clusterwide policy
              name: envoy
            name: l1
    - toPorts:
${PORTS}          listener:
            envoyConfig:
              kind: CiliumClusterwideEnvoyConfig
              name: envoy
            name: l1
`,
    [ID],
  );
});

test('checks the listener name against an Envoy config in the same file', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: web
  namespace: shop
spec:
  endpointSelector: {}
  egress:
    - toPorts:
${PORTS}          listener:
            envoyConfig:
              name: envoy
            name: l2
#                 ^^ warning cilium/listener-reference it defines \`l1\`
    - toPorts:
${PORTS}          listener:
            envoyConfig:
              kind: CiliumEnvoyConfig
              name: envoy
            name: l1
    - toPorts:
${PORTS}          listener:
            envoyConfig:
              kind: CiliumClusterwideEnvoyConfig
              name: envoy
            name: l2
    - toPorts:
${PORTS}          listener:
            envoyConfig:
              name: elsewhere
            name: anything
---
apiVersion: cilium.io/v2
kind: CiliumEnvoyConfig
metadata:
  name: envoy
  namespace: shop
spec:
  resources:
    - "@type": type.googleapis.com/envoy.config.listener.v3.Listener
      name: l1
---
apiVersion: cilium.io/v2
kind: CiliumEnvoyConfig
metadata:
  name: envoy
  namespace: other
spec:
  resources:
    - "@type": type.googleapis.com/envoy.config.listener.v3.Listener
      name: l2
`,
    [ID],
  );
});
