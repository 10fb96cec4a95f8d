// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import { checkAnnotated } from '../support/annotations.js';

const ID = 'cilium/envoy-terminal-http-filter';

test('flags filters after the router and after the upstream codec', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v2
kind: CiliumEnvoyConfig
metadata:
  name: envoy
  namespace: shop
spec:
  resources:
    - "@type": type.googleapis.com/envoy.config.listener.v3.Listener
      name: web
      filter_chains:
        - filters:
            - name: envoy.filters.network.http_connection_manager
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                stat_prefix: web
                rds:
                  route_config_name: web
                http_filters:
                  - name: router
                    typed_config:
                      "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router
                  - name: envoy.filters.http.cors
#                   ^^^^ error cilium/envoy-terminal-http-filter \`envoy.filters.http.cors\` comes after
    - "@type": type.googleapis.com/envoy.config.route.v3.RouteConfiguration
      name: web
    - "@type": type.googleapis.com/envoy.config.cluster.v3.Cluster
      name: backend
      typed_extension_protocol_options:
        envoy.extensions.upstreams.http.v3.HttpProtocolOptions:
          "@type": type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions
          explicit_http_config:
            http2_protocol_options: {}
          http_filters:
            - name: envoy.filters.http.upstream_codec
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.filters.http.upstream_codec.v3.UpstreamCodec
            - name: envoy.filters.http.buffer
#             ^^^^ error cilium/envoy-terminal-http-filter upstream_codec
    - "@type": type.googleapis.com/envoy.config.cluster.v3.Cluster
      name: fine
      typed_extension_protocol_options:
        envoy.extensions.upstreams.http.v3.HttpProtocolOptions:
          "@type": type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions
          http_filters:
            - name: envoy.filters.http.buffer
            - name: envoy.filters.http.upstream_codec
`,
    [ID],
  );
});

test('the lowerCamelCase JSON spelling of the fields is read too', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v2
kind: CiliumEnvoyConfig
metadata:
  name: camel
  namespace: shop
spec:
  resources:
    - "@type": type.googleapis.com/envoy.config.listener.v3.Listener
      name: web
      filterChains:
        - filters:
            - name: envoy.filters.network.http_connection_manager
              typedConfig:
                "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                statPrefix: web
                httpFilters:
                  - name: my-router
                    typedConfig:
                      "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router
                  - name: envoy.filters.http.cors
#                   ^^^^ error cilium/envoy-terminal-http-filter
    - "@type": type.googleapis.com/envoy.config.listener.v3.Listener
      name: fine
      filterChains:
        - filters:
            - name: envoy.filters.network.http_connection_manager
              typedConfig:
                "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                statPrefix: fine
                httpFilters:
                  - name: envoy.filters.http.cors
                  - name: envoy.filters.http.router
`,
    [ID],
  );
});
