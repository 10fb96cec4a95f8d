// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { checkAnnotated } from '../support/annotations.js';
import { applyFix } from '../support/apply-fix.js';

const ID = 'cilium/envoy-resource-type';

const TEXT = `apiVersion: cilium.io/v2
kind: CiliumEnvoyConfig
metadata:
  name: envoy
  namespace: shop
spec:
  resources:
    - "@type": type.googleapis.com/envoy.config.listener.v3.Listner
#              ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ warning cilium/envoy-resource-type Did you mean
      name: web
    - "@type": type.googleapis.com/envoy.api.v2.Cluster
#              ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ warning cilium/envoy-resource-type envoy.config.cluster.v3.Cluster
      name: backend
    - "@type": type.googleapis.com/envoy.config.route.v3.ScopedRouteConfiguration
#              ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ error cilium/envoy-resource-type rejects the whole config
      name: scoped
    - "@type": type.googleapis.com/envoy.extensions.filters.http.cors.v3.Cors
#              ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ warning cilium/envoy-resource-type drops the resource if
      name: scoped
    - name: untyped
#     ^^^^ warning cilium/envoy-resource-type no \`@type\`
    - "@type": type.googleapis.com/envoy.config.route.v3.RouteConfiguration
      name: routes
    - "@type": 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret'
      name: cert
`;

test('flags missing, misspelt and unsupported resource types', () => {
  checkAnnotated(TEXT, [ID]);
});

test('the fix writes the closest supported type URL', () => {
  assert.equal(applyFix(TEXT, ID), TEXT.replace('v3.Listner', 'v3.Listener'));
  assert.equal(
    applyFix(TEXT, ID, undefined, 1),
    TEXT.replace('type.googleapis.com/envoy.api.v2.Cluster', 'type.googleapis.com/envoy.config.cluster.v3.Cluster'),
  );
});
