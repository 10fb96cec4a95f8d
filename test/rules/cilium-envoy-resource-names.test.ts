// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import { checkAnnotated } from '../support/annotations.js';

const ID = 'cilium/envoy-resource-names';

test('flags resources without a name and duplicate names per type', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v2
kind: CiliumClusterwideEnvoyConfig
metadata:
  name: envoy
spec:
  resources:
    - "@type": type.googleapis.com/envoy.config.cluster.v3.Cluster
#     ^^^^^^^ error cilium/envoy-resource-names no \`name\`
      connect_timeout: 1s
    - "@type": type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment
      cluster_name: ""
#     ^^^^^^^^^^^^ error cilium/envoy-resource-names \`cluster_name\`
    - "@type": type.googleapis.com/envoy.config.cluster.v3.Cluster
      name: backend
    - "@type": type.googleapis.com/envoy.config.listener.v3.Listener
      name: backend
    - "@type": type.googleapis.com/envoy.config.cluster.v3.Cluster
      name: backend
#           ^^^^^^^ error cilium/envoy-resource-names resources[2]
    - "@type": type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment
      cluster_name: backend
`,
    [ID],
  );
});

test('names are compared after Cilium qualified them, in either JSON spelling', () => {
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
    - "@type": type.googleapis.com/envoy.config.listener.v3.Listener
      name: shop/envoy/web
#           ^^^^^^^^^^^^^^ error cilium/envoy-resource-names resources[0]
    - "@type": type.googleapis.com/envoy.config.listener.v3.Listener
      name: other/envoy/web
    - "@type": type.googleapis.com/envoy.config.cluster.v3.Cluster
      name: default/backend
    - "@type": type.googleapis.com/envoy.config.cluster.v3.Cluster
      name: backend
    - "@type": type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment
      clusterName: backend
    - "@type": type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment
      clusterName: ""
#     ^^^^^^^^^^^ error cilium/envoy-resource-names
`,
    [ID],
  );
});
