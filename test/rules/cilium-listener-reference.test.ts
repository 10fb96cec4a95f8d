// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { checkAnnotated, testValidator } from '../support/annotations.js';
import { parseFile } from '../../server/src/core/document.js';
import { lintFile } from '../../server/src/lint/lint.js';
import { buildScope } from '../../server/src/lint/scope.js';
import { DEFAULT_SETTINGS } from '../../server/src/settings.js';

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

test('an Envoy config in another file of the scope is checked too, with names qualified as Cilium does', () => {
  const cec = `apiVersion: cilium.io/v2
kind: CiliumEnvoyConfig
metadata:
  name: proxy
  namespace: shop
spec:
  resources:
    - "@type": type.googleapis.com/envoy.config.listener.v3.Listener
      name: egress
`;
  const policy = (listener: string) => `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: web
  namespace: shop
spec:
  endpointSelector: {}
  egress:
    - toPorts:
        - ports:
            - port: "80"
              protocol: TCP
          listener:
            envoyConfig:
              kind: CiliumEnvoyConfig
              name: proxy
            name: ${listener}
`;
  const scope = buildScope([{ source: 'envoy/proxy.yaml', file: parseFile(cec) }]);
  const lint = (text: string) =>
    lintFile(parseFile(text), { validator: testValidator(), settings: DEFAULT_SETTINGS, scope, source: 'web.yaml' })
      .filter((f) => f.code === ID)
      .map((f) => `${f.severity}: ${f.message}`);
  assert.deepEqual(lint(policy('egress')), []);
  assert.deepEqual(lint(policy('shop/proxy/egress')), []);
  const missing = lint(policy('ingress'));
  assert.equal(missing.length, 1);
  assert.match(
    missing[0]!,
    /^warning: CiliumEnvoyConfig `proxy` in envoy\/proxy\.yaml has no listener named `ingress`/,
  );
});
