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
