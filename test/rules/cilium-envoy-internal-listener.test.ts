// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import { checkAnnotated } from '../support/annotations.js';

const ID = 'cilium/envoy-internal-listener';

test('flags internal addresses whose listener is missing or not internal', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v2
kind: CiliumEnvoyConfig
metadata:
  name: envoy
  namespace: shop
spec:
  resources:
    - "@type": type.googleapis.com/envoy.config.listener.v3.Listener
      name: inner
      internal_listener: {}
    - "@type": type.googleapis.com/envoy.config.listener.v3.Listener
      name: outer
    - "@type": type.googleapis.com/envoy.config.cluster.v3.Cluster
      name: loop
      load_assignment:
        cluster_name: loop
        endpoints:
          - lb_endpoints:
              - endpoint:
                  address:
                    envoy_internal_address:
                      server_listener_name: inner
              - endpoint:
                  address:
                    envoy_internal_address:
                      server_listener_name: outer
#                                           ^^^^^ error cilium/envoy-internal-listener not an internal listener
    - "@type": type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment
      cluster_name: other
      endpoints:
        - lb_endpoints:
            - endpoint:
                address:
                  envoy_internal_address:
                    server_listener_name: missing
#                                         ^^^^^^^ error cilium/envoy-internal-listener No listener named
`,
    [ID],
  );
});

test('names are qualified as Cilium qualifies them: this config is checked, other configs are not', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v2
kind: CiliumEnvoyConfig
metadata:
  name: envoy
  namespace: shop
spec:
  resources:
    - "@type": type.googleapis.com/envoy.config.listener.v3.Listener
      name: inner
      internal_listener: {}
    - "@type": type.googleapis.com/envoy.config.listener.v3.Listener
      name: shop/envoy/written-in-full
      internalListener: {}
    - "@type": type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment
      clusterName: loop
      endpoints:
        - lbEndpoints:
            - endpoint:
                address:
                  envoyInternalAddress:
                    serverListenerName: shop/envoy/inner
            - endpoint:
                address:
                  envoy_internal_address:
                    server_listener_name: written-in-full
            - endpoint:
                address:
                  envoy_internal_address:
                    server_listener_name: other-ns/other-config/inner
            - endpoint:
                address:
                  envoy_internal_address:
                    server_listener_name: shop/other-config/anything
            - endpoint:
                address:
                  envoy_internal_address:
                    server_listener_name: half/qualified
            - endpoint:
                address:
                  envoyInternalAddress:
                    serverListenerName: shop/envoy/gone
#                                       ^^^^^^^^^^^^^^^ error cilium/envoy-internal-listener this config's \`gone\`
                additional_addresses:
                  - address:
                      envoy_internal_address:
                        server_listener_name: also-gone
#                                             ^^^^^^^^^ error cilium/envoy-internal-listener No listener named
`,
    [ID],
  );
});

test('a clusterwide config qualifies with an empty namespace; an unknown namespace is not guessed', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v2
kind: CiliumClusterwideEnvoyConfig
metadata:
  name: mesh
spec:
  resources:
    - "@type": type.googleapis.com/envoy.config.listener.v3.Listener
      name: inner
      internal_listener: {}
    - "@type": type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment
      cluster_name: loop
      endpoints:
        - lb_endpoints:
            - endpoint:
                address:
                  envoy_internal_address:
                    server_listener_name: /mesh/inner
            - endpoint:
                address:
                  envoy_internal_address:
                    server_listener_name: /mesh/outer
#                                         ^^^^^^^^^^^ error cilium/envoy-internal-listener No listener
---
apiVersion: cilium.io/v2
kind: CiliumEnvoyConfig
metadata:
  name: nowhere
spec:
  resources:
    - "@type": type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment
      cluster_name: loop
      endpoints:
        - lb_endpoints:
            - endpoint:
                address:
                  envoy_internal_address:
                    server_listener_name: some-ns/nowhere/inner
            - endpoint:
                address:
                  envoy_internal_address:
                    server_listener_name: missing
#                                         ^^^^^^^ error cilium/envoy-internal-listener No listener
`,
    [ID],
  );
});
