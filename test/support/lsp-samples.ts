// SPDX-License-Identifier: Apache-2.0
/**
 * Small policies of each kind, each with one deliberate mistake, shared by the LSP tests and the
 * network-trap test. `bad` is the text of the offending key or value; `code` what it must raise.
 */

export interface Sample {
  readonly kind: string;
  readonly text: string;
  /** The offending text; the diagnostic must cover exactly its first occurrence. */
  readonly bad: string;
  readonly code: string;
  /** A key inside the document to hover over (its description comes from our schema). */
  readonly hoverKey: string;
}

export const SAMPLES: readonly Sample[] = [
  {
    kind: 'CiliumNetworkPolicy',
    text: `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: web
  namespace: shop
spec:
  endpointSelector:
    matchLabels:
      app: web
  ingres:
  - fromEndpoints:
    - matchLabels:
        app: frontend
`,
    bad: 'ingres',
    code: 'schema/unknown-field',
    hoverKey: 'endpointSelector',
  },
  {
    kind: 'CiliumClusterwideNetworkPolicy',
    text: `apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata:
  name: dns-egress
spec:
  nodeSelector: {}
  egress:
  - toPorts:
    - ports:
      - port: "53"
        protocol: TCPP
`,
    bad: 'TCPP',
    code: 'schema/enum',
    hoverKey: 'nodeSelector',
  },
  {
    kind: 'CiliumEnvoyConfig',
    text: `apiVersion: cilium.io/v2
kind: CiliumEnvoyConfig
metadata:
  name: envoy-lb
  namespace: shop
spec:
  services:
  - name: web
    listner: envoy-lb-listener
  resources:
  - "@type": type.googleapis.com/envoy.config.listener.v3.Listener
    name: envoy-lb-listener
`,
    bad: 'listner',
    code: 'schema/unknown-field',
    hoverKey: 'services',
  },
  {
    kind: 'CiliumClusterwideEnvoyConfig',
    text: `apiVersion: cilium.io/v2
kind: CiliumClusterwideEnvoyConfig
metadata:
  name: envoy-cw
spec:
  resources: []
  servics: []
`,
    bad: 'servics',
    code: 'schema/unknown-field',
    hoverKey: 'resources',
  },
  {
    kind: 'TracingPolicy',
    text: `apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: fd-install
spec:
  kprobes:
  - call: fd_install
    syscal: false
    args:
    - index: 0
      type: int
`,
    bad: 'syscal',
    code: 'schema/unknown-field',
    hoverKey: 'kprobes',
  },
  {
    kind: 'TracingPolicyNamespaced',
    text: `apiVersion: cilium.io/v1alpha1
kind: TracingPolicyNamespaced
metadata:
  name: raw-syscalls
  namespace: shop
spec:
  tracepoints:
  - subsystem: raw_syscalls
    event: sys_enter
    selectrs: []
`,
    bad: 'selectrs',
    code: 'schema/unknown-field',
    hoverKey: 'tracepoints',
  },
];

/** A Deployment with fields no policy schema knows; we must say nothing about it. */
export const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: web
        image: nginx:1.27
        ports:
        - containerPort: 80
          protocol: TCP
`;

/**
 * A Deployment for an inventory, in flow style: selected by its `app` label, its pods carrying
 * `labels` (with `app`), one container listening on `port` when given.
 */
export function deploymentManifest(
  name: string,
  namespace: string,
  labels: Readonly<Record<string, string>> = {},
  port?: number,
): string {
  const podLabels = Object.entries({ app: name, ...labels })
    .map(([k, v]) => `${k}: ${v}`)
    .join(', ');
  const ports = port === undefined ? '' : `, ports: [{containerPort: ${port}}]`;
  return `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: ${namespace}}
spec:
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {${podLabels}}}
    spec: {containers: [{name: c, image: c:1${ports}}]}
`;
}

/** A valid CNP with two ingress rules and an egress rule (used for symbols and completion). */
export const VALID_CNP = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: allow-web
  namespace: shop
spec:
  endpointSelector:
    matchLabels:
      app: web
  ingress:
  - fromEndpoints:
    - matchLabels:
        app: frontend
    toPorts:
    - ports:
      - port: "80"
        protocol: TCP
      rules:
        http:
        - method: GET
  egress:
  - toFQDNs:
    - matchName: api.example.com
    toPorts:
    - ports:
      - port: "443"
        protocol: TCP
  - toEndpoints:
    - matchLabels:
        k8s:io.kubernetes.pod.namespace: kube-system
        k8s:k8s-app: kube-dns
    toPorts:
    - ports:
      - port: "53"
        protocol: ANY
      rules:
        dns:
        - matchPattern: "*"
`;

/** A valid TracingPolicy with a kprobe that has two selectors. */
export const VALID_TP = `apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: watch-files
spec:
  kprobes:
  - call: security_file_permission
    syscall: false
    args:
    - index: 0
      type: file
    - index: 1
      type: int
    selectors:
    - matchArgs:
      - index: 0
        operator: Prefix
        values:
        - /etc/shadow
      matchActions:
      - action: Sigkill
    - matchBinaries:
      - operator: In
        values:
        - /usr/bin/cat
`;
