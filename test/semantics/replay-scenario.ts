// SPDX-License-Identifier: Apache-2.0
/**
 * A small shop for the replay tests: an api with a named HTTP port behind HTTP rules, a frontend
 * whose egress allows the api, DNS lookups of *.stripe.com and api.stripe.com by name.
 */
import { parseFile } from '../../server/src/core/document.js';
import { inventoryFromManifests } from '../../server/src/core/inventory.js';
import { resolveAgent, type AgentOptions } from '../../server/src/semantics/agent.js';
import { VerdictEngine } from '../../server/src/semantics/engine.js';
import { podLabels, type EndSpec } from '../support/hubble.js';

export const INVENTORY = `
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  template:
    metadata: {labels: {app: api}}
    spec: {containers: [{name: api, ports: [{name: http, containerPort: 8080}]}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: frontend, namespace: shop}
spec:
  template:
    metadata: {labels: {app: frontend}}
    spec: {containers: [{name: web, ports: [{containerPort: 3000}]}]}
`;

export const POLICIES = `
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: api, namespace: shop}
spec:
  endpointSelector: {matchLabels: {app: api}}
  ingress:
    - fromEndpoints: [{matchLabels: {app: frontend}}]
      toPorts:
        - ports: [{port: http, protocol: TCP}]
          rules:
            http: [{method: GET, path: "/v1/.*"}]
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: frontend, namespace: shop}
spec:
  endpointSelector: {matchLabels: {app: frontend}}
  egress:
    - toEndpoints: [{matchLabels: {app: api}}]
      toPorts: [{ports: [{port: "8080", protocol: TCP}]}]
    - toEndpoints:
        - matchLabels: {k8s:io.kubernetes.pod.namespace: kube-system, k8s-app: kube-dns}
      toPorts:
        - ports: [{port: "53", protocol: UDP}]
          rules:
            dns: [{matchPattern: "*.stripe.com"}]
    - toFQDNs: [{matchName: api.stripe.com}]
      toPorts: [{ports: [{port: "443", protocol: TCP}]}]
`;

export function engineOf(policies: string, inventory = INVENTORY, agent: Partial<AgentOptions> = {}): VerdictEngine {
  const e = new VerdictEngine({
    inventory: inventoryFromManifests([{ uri: 'inventory.yaml', text: inventory }]),
    agent: resolveAgent([{ origin: 'test', values: agent }]),
  });
  e.setFile('policies.yaml', parseFile(policies));
  return e;
}

export const FRONTEND: EndSpec = {
  labels: podLabels('shop', { app: 'frontend' }),
  namespace: 'shop',
  pod: 'frontend-7d9f-x2',
  workload: { kind: 'Deployment', name: 'frontend' },
  ip: '10.244.1.7',
};
export const API: EndSpec = {
  labels: podLabels('shop', { app: 'api' }),
  namespace: 'shop',
  pod: 'api-5c4b-q1',
  workload: { kind: 'Deployment', name: 'api' },
  ip: '10.244.1.9',
};
