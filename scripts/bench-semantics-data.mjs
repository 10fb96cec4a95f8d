// SPDX-License-Identifier: Apache-2.0
// The synthetic cluster of the connectivity benchmarks (`scripts/bench-semantics.mjs` in process,
// `scripts/bench-connectivity-lsp.mjs` through the language server): 200 workloads in 20 namespaces
// (1-3 named container ports each), 10 nodes, services, and 500 policies of mixed shapes in 50
// files. Deterministic: `rand` is a seeded generator, so both benchmarks measure the same inputs.

import { mixedPolicy, seededRand } from './bench-policies.mjs';

export const WORKLOADS = 200;
export const NAMESPACES = 20;
export const NODES = 10;
export const POLICIES = 500;
export const FILES = 50;

export const rand = seededRand(7);

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
  return mixedPolicy(i, rand, { namespaces: NAMESPACES, apps: APPS, teams: 5, services: 60, rich: true });
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
