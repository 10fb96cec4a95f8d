// SPDX-License-Identifier: Apache-2.0
// The mixed policies of the benchmarks, one generator for all: the connectivity benchmarks
// (`bench-semantics-data.mjs`: eight shapes with ports, L7 rules, deny rules and NetworkPolicies)
// and the endpoint preview (`bench-preview.mjs`: the first four shapes without port details, and a
// TracingPolicyNamespaced). Deterministic: each benchmark passes its own seeded generator, and
// the order in which a shape draws from it is part of the inputs (changing it changes what the
// benchmarks measure).

/** A seeded generator of integers in [0, n) (a linear congruential one: runs compare). */
export function seededRand(seed) {
  let s = seed;
  return (n) => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s % n;
  };
}

/**
 * Policy `i` of a mixed set, as YAML.
 * @param {number} i
 * @param {(n: number) => number} rand the benchmark's generator
 * @param {{ namespaces: number, apps: number, teams: number, services: number, rich: boolean }} o
 *   `rich`: the eight shapes of the connectivity benchmarks (ports, HTTP and DNS rules, deny rules,
 *   NetworkPolicy, `specs`); otherwise five shapes, the last a TracingPolicyNamespaced.
 * @returns {string}
 */
export function mixedPolicy(i, rand, o) {
  const ns = `ns-${rand(o.namespaces)}`;
  const app = `app-${rand(o.apps)}`;
  // The rich set draws the peer up front; the other draws it where it is written.
  const eagerPeer = o.rich ? `app-${rand(o.apps)}` : undefined;
  const peer = () => eagerPeer ?? `app-${rand(o.apps)}`;
  const shape = i % (o.rich ? 8 : 5);
  switch (shape) {
    case 0:
      return `${cnpHead(i, ns)}spec:
  endpointSelector: {matchLabels: {app: ${app}}}
  ingress:
    - fromEndpoints: [{matchLabels: {tier: web}}, {matchLabels: {app: ${peer()}, k8s:io.kubernetes.pod.namespace: ns-${rand(o.namespaces)}}}]
      toPorts: [{ports: [{port: "8080", protocol: TCP}]}]
  egress:
    - toEndpoints: [{matchLabels: {tier: db}}]
${o.rich ? '      toPorts: [{ports: [{port: postgres, protocol: TCP}]}]\n' : ''}    - toEntities: [world]
`;
    case 1: {
      const svc = o.rich ? rand(o.services) : 0;
      const team = rand(o.teams);
      const service = o.rich
        ? `{serviceName: svc-${svc}, namespace: ns-${svc % o.namespaces}}`
        : `{serviceName: svc-${rand(o.services)}}`;
      return `${cnpHead(i, ns)}spec:
  endpointSelector: {matchExpressions: [{key: tier, operator: In, values: [web, api]}]}
  ingress:
    - fromEndpoints: [{matchLabels: {io.cilium.k8s.namespace.labels.team: team-${team}}}]
  egress:
    - toServices: [{k8sService: ${service}}]
    - toCIDRSet: [{cidr: 10.0.0.0/8, except: [10.1.0.0/16]}]
`;
    }
    case 2:
      return `apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: {name: p${i}}
spec:
  endpointSelector: {matchLabels: {app: ${app}, tier: api}}
  ingress:
    - fromEndpoints: [{matchExpressions: [{key: version, operator: NotIn, values: [v0]}, {key: app, operator: Exists}]}]
  egressDeny:
    - toEndpoints: [{matchLabels: {io.cilium.k8s.namespace.labels.env: prod}}]
${o.rich ? '      toPorts: [{ports: [{port: "6379", protocol: TCP}]}]\n' : ''}`;
    case 3:
      return `${cnpHead(i, ns)}spec:
  endpointSelector: {}
${o.rich ? '' : '  ingress:\n    - fromEndpoints: [{}]\n'}  egress:
    - toEndpoints: [{matchLabels: {k8s:io.kubernetes.pod.namespace: kube-system, k8s-app: kube-dns}}]
      toPorts: [{ports: [{port: "53", protocol: ANY}], rules: {dns: [{matchPattern: "*"}]}}]
    - toFQDNs: [{matchPattern: "*.example.com"}]
${o.rich ? '    - toEndpoints: [{}]\n' : ''}`;
    default:
      return o.rich ? richPolicy(i, shape, ns, app, peer(), rand, o) : tracingPolicy(i, ns, app);
  }
}

/** The first lines of a CiliumNetworkPolicy. */
function cnpHead(i, ns) {
  return `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: p${i}, namespace: ${ns}}
`;
}

function tracingPolicy(i, ns, app) {
  return `apiVersion: cilium.io/v1alpha1
kind: TracingPolicyNamespaced
metadata: {name: p${i}, namespace: ${ns}}
spec:
  podSelector: {matchLabels: {app: ${app}}}
  containerSelector: {matchExpressions: [{key: name, operator: In, values: [main]}]}
  kprobes: []
`;
}

/** Shapes 4 to 7 of the rich set. */
function richPolicy(i, shape, ns, app, peer, rand, o) {
  switch (shape) {
    case 4:
      return `${cnpHead(i, ns)}spec:
  endpointSelector: {matchLabels: {app: ${app}}}
  ingress:
    - fromEndpoints: [{matchLabels: {app: ${peer}}}]
      toPorts:
        - ports: [{port: "8080", protocol: TCP}]
          rules: {http: [{method: GET, path: "/api/.*"}, {method: POST, path: /api/orders, headers: ["X-Token"]}]}
    - fromEntities: [host, remote-node]
    - icmps: [{fields: [{type: EchoRequest, family: IPv4}]}]
  ingressDeny:
    - fromCIDRSet: [{cidr: 0.0.0.0/0}]
      toPorts: [{ports: [{port: "9090", protocol: TCP}]}]
`;
    case 5:
      return `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: p${i}, namespace: ${ns}}
spec:
  podSelector: {matchLabels: {app: ${app}}}
  policyTypes: [Ingress, Egress]
  ingress:
    - from:
        - namespaceSelector: {matchLabels: {team: team-${rand(o.teams)}}}
          podSelector: {matchLabels: {tier: web}}
        - ipBlock: {cidr: 192.0.2.0/24, except: [192.0.2.128/25]}
      ports: [{port: http}, {port: 9000, endPort: 9100, protocol: TCP}]
  egress:
    - to: [{podSelector: {}}]
`;
    case 6:
      return `${cnpHead(i, ns)}specs:
  - endpointSelector: {matchLabels: {tier: cache}}
    ingress:
      - fromEndpoints: [{matchLabels: {tier: api}}]
        toPorts: [{ports: [{port: redis, protocol: TCP}]}]
  - endpointSelector: {matchLabels: {app: ${app}}}
    egress:
      - toEndpoints: [{matchLabels: {app: ${peer}, k8s:io.kubernetes.pod.namespace: ns-${rand(o.namespaces)}}}]
        toPorts: [{ports: [{port: "9000", endPort: 9100, protocol: TCP}]}]
`;
    default:
      return `apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: {name: p${i}}
spec:
  endpointSelector: {matchLabels: {io.cilium.k8s.namespace.labels.env: dev, version: v${rand(3)}}}
  enableDefaultDeny: {egress: false}
  egressDeny:
    - toEntities: [world]
      toPorts: [{ports: [{port: "25", protocol: TCP}]}]
  ingress:
    - fromEntities: [cluster]
`;
  }
}
