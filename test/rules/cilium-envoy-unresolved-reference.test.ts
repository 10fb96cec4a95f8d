// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import { checkAnnotated } from '../support/annotations.js';

const ID = 'cilium/envoy-unresolved-reference';

const RESOURCES = `  resources:
    - "@type": type.googleapis.com/envoy.config.listener.v3.Listener
      name: web-listener
      filter_chains:
        - filters:
            - name: envoy.filters.network.http_connection_manager
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                stat_prefix: web
                rds:
                  route_config_name: web-route
                http_filters:
                  - name: envoy.filters.http.router
                    typed_config:
                      "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router
`;

test('flags listener, route configuration and cluster names no resource defines', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v2
kind: CiliumEnvoyConfig
metadata:
  name: envoy
  namespace: shop
spec:
  services:
    - name: web
      listener: web-listner
#               ^^^^^^^^^^^ warning cilium/envoy-unresolved-reference Did you mean \`web-listener\`
    - name: api
      listener: web-listener
${RESOURCES}    - "@type": type.googleapis.com/envoy.config.listener.v3.Listener
      name: second
      filter_chains:
        - filters:
            - name: envoy.filters.network.http_connection_manager
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                stat_prefix: second
                rds:
                  route_config_name: missing-route
#                                    ^^^^^^^^^^^^^ warning cilium/envoy-unresolved-reference RouteConfiguration
                route_config:
                  virtual_hosts:
                    - name: inline
                      domains: ["*"]
                      routes:
                        - match: {prefix: /}
                          route:
                            cluster: "/envoy-admin"
    - "@type": type.googleapis.com/envoy.config.route.v3.RouteConfiguration
      name: web-route
      virtual_hosts:
        - name: web
          domains: ["*"]
          routes:
            - match:
                prefix: /v1
              route:
                cluster: backnd
#                        ^^^^^^ warning cilium/envoy-unresolved-reference Did you mean \`backend\`
            - match:
                prefix: /
              route:
                weighted_clusters:
                  clusters:
                    - name: backend
                      weight: 90
                    - name: canary
#                           ^^^^^^ warning cilium/envoy-unresolved-reference 503
                      weight: 10
                    - name: shop/other-service
                      weight: 0
    - "@type": type.googleapis.com/envoy.config.cluster.v3.Cluster
      name: backend
`,
    [ID],
  );
});

test('checks services against the Services of the same file, with their namespaces', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v2
kind: CiliumClusterwideEnvoyConfig
metadata:
  name: envoy
spec:
  services:
    - name: web
      namespace: shop
    - name: web
#           ^^^ warning cilium/envoy-unresolved-reference in namespace \`default\`
  backendServices:
    - name: web-v2
#           ^^^^^^ warning cilium/envoy-unresolved-reference Did you mean \`web-v1\`
      namespace: shop
    - name: web-v1
      namespace: shop
${RESOURCES}    - "@type": type.googleapis.com/envoy.config.route.v3.RouteConfiguration
      name: web-route
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
---
apiVersion: v1
kind: Service
metadata:
  name: web-v1
  namespace: shop
`,
    [ID],
  );
});

test('without Services in the file, services are not checked', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v2
kind: CiliumEnvoyConfig
metadata:
  name: envoy
  namespace: shop
spec:
  services:
    - name: anything
  backendServices:
    - name: anything-else
${RESOURCES}    - "@type": type.googleapis.com/envoy.config.route.v3.RouteConfiguration
      name: web-route
`,
    [ID],
  );
});
