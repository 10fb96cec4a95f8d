// SPDX-License-Identifier: Apache-2.0
// The synthetic cluster of the connectivity benchmarks (`scripts/bench-semantics.mjs` in process,
// `scripts/bench-connectivity-lsp.mjs` through the language server): 200 workloads in 20 namespaces
// (1-3 named container ports each), 10 nodes, services, and 500 policies of mixed shapes in 50
// files. Deterministic: `rand` is a seeded generator, so both benchmarks measure the same inputs.

export const WORKLOADS = 200;
export const NAMESPACES = 20;
export const NODES = 10;
export const POLICIES = 500;
export const FILES = 50;

let seed = 7;
export const rand = (n) => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed % n;
};

const APPS = 40;
const PORT_NAMES = [
  ['http', 8080],
  ['metrics', 9090],
  ['grpc', 9000],
  ['postgres', 5432],
  ['redis', 6379],
];

export function inventoryText() {
  const docs = [];
  for (let n = 0; n < NAMESPACES; n++)
    docs.push(`apiVersion: v1
kind: Namespace
metadata: {name: ns-${n}, labels: {team: team-${n % 5}, env: ${n % 3 === 0 ? 'prod' : 'dev'}}}`);
  for (let n = 0; n < NODES; n++)
    docs.push(`apiVersion: v1
kind: Node
metadata: {name: node-${n}, labels: {zone: z${n % 3}}}
spec: {podCIDRs: [10.244.${n}.0/24]}
status: {addresses: [{type: InternalIP, address: 172.18.0.${n + 2}}]}`);
  for (let i = 0; i < WORKLOADS; i++) {
    const ports = [];
    const count = 1 + (i % 3);
    for (let k = 0; k < count; k++) {
      const [name, port] = PORT_NAMES[(i + k) % PORT_NAMES.length];
      ports.push(`{name: ${name}, containerPort: ${port}}`);
    }
    docs.push(`apiVersion: apps/v1
kind: Deployment
metadata: {name: app-${i}, namespace: ns-${i % NAMESPACES}}
spec:
  template:
    metadata: {labels: {app: app-${i % APPS}, tier: ${['web', 'api', 'db', 'cache'][i % 4]}, version: v${i % 3}}}
    spec:
      nodeName: node-${i % NODES}
      serviceAccountName: sa-${i % 7}
      containers: [{name: main, ports: [${ports.join(', ')}]}]`);
  }
  for (let s = 0; s < 60; s++)
    docs.push(`apiVersion: v1
kind: Service
metadata: {name: svc-${s}, namespace: ns-${s % NAMESPACES}}
spec: {selector: {app: app-${s % APPS}}, ports: [{port: 80, targetPort: http}]}`);
  return docs.join('\n---\n');
}

function policy(i) {
  const ns = `ns-${rand(NAMESPACES)}`;
  const app = `app-${rand(APPS)}`;
  const peer = `app-${rand(APPS)}`;
  switch (i % 8) {
    case 0:
      return `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: p${i}, namespace: ${ns}}
spec:
  endpointSelector: {matchLabels: {app: ${app}}}
  ingress:
    - fromEndpoints: [{matchLabels: {tier: web}}, {matchLabels: {app: ${peer}, k8s:io.kubernetes.pod.namespace: ns-${rand(NAMESPACES)}}}]
      toPorts: [{ports: [{port: "8080", protocol: TCP}]}]
  egress:
    - toEndpoints: [{matchLabels: {tier: db}}]
      toPorts: [{ports: [{port: postgres, protocol: TCP}]}]
    - toEntities: [world]
`;
    case 1: {
      const svc = rand(60);
      return `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: p${i}, namespace: ${ns}}
spec:
  endpointSelector: {matchExpressions: [{key: tier, operator: In, values: [web, api]}]}
  ingress:
    - fromEndpoints: [{matchLabels: {io.cilium.k8s.namespace.labels.team: team-${rand(5)}}}]
  egress:
    - toServices: [{k8sService: {serviceName: svc-${svc}, namespace: ns-${svc % NAMESPACES}}}]
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
      toPorts: [{ports: [{port: "6379", protocol: TCP}]}]
`;
    case 3:
      return `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: p${i}, namespace: ${ns}}
spec:
  endpointSelector: {}
  egress:
    - toEndpoints: [{matchLabels: {k8s:io.kubernetes.pod.namespace: kube-system, k8s-app: kube-dns}}]
      toPorts: [{ports: [{port: "53", protocol: ANY}], rules: {dns: [{matchPattern: "*"}]}}]
    - toFQDNs: [{matchPattern: "*.example.com"}]
    - toEndpoints: [{}]
`;
    case 4:
      return `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: p${i}, namespace: ${ns}}
spec:
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
        - namespaceSelector: {matchLabels: {team: team-${rand(5)}}}
          podSelector: {matchLabels: {tier: web}}
        - ipBlock: {cidr: 192.0.2.0/24, except: [192.0.2.128/25]}
      ports: [{port: http}, {port: 9000, endPort: 9100, protocol: TCP}]
  egress:
    - to: [{podSelector: {}}]
`;
    case 6:
      return `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: p${i}, namespace: ${ns}}
specs:
  - endpointSelector: {matchLabels: {tier: cache}}
    ingress:
      - fromEndpoints: [{matchLabels: {tier: api}}]
        toPorts: [{ports: [{port: redis, protocol: TCP}]}]
  - endpointSelector: {matchLabels: {app: ${app}}}
    egress:
      - toEndpoints: [{matchLabels: {app: ${peer}, k8s:io.kubernetes.pod.namespace: ns-${rand(NAMESPACES)}}}]
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

export function policyFiles() {
  const files = [];
  for (let f = 0; f < FILES; f++) {
    const docs = [];
    for (let k = 0; k < POLICIES / FILES; k++) docs.push(policy(f * (POLICIES / FILES) + k));
    files.push({ name: `policies/file-${f}.yaml`, text: docs.join('---\n') });
  }
  return files;
}
