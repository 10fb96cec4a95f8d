// SPDX-License-Identifier: Apache-2.0
// The generated policy files the benchmarks run on (`scripts/bench.mjs`): a mix of
// CiliumNetworkPolicies, CiliumClusterwideNetworkPolicies, CiliumEnvoyConfigs and TracingPolicies,
// with one deliberate schema error every 50 documents, at a line the caller is told about, so a
// benchmark can check that a server really found them (a fast server that reports nothing is no win).

/** The egress rule items that let a pod ask kube-dns anything (the lines of both generators). */
const DNS_EGRESS = [
  '  - toEndpoints:',
  '    - matchLabels:',
  '        k8s:io.kubernetes.pod.namespace: kube-system',
  '        k8s-app: kube-dns',
  '    toPorts:',
  '    - ports:',
  '      - port: "53"',
  '        protocol: ANY',
  '      rules:',
  '        dns:',
  '        - matchPattern: "*"',
];

function cnp(i, broken) {
  return [
    'apiVersion: cilium.io/v2',
    'kind: CiliumNetworkPolicy',
    'metadata:',
    `  name: allow-web-${i}`,
    '  namespace: shop',
    'spec:',
    '  endpointSelector:',
    '    matchLabels:',
    `      app: web-${i}`,
    '  ingress:',
    '  - fromEndpoints:',
    '    - matchLabels:',
    `        app: frontend-${i}`,
    '    toPorts:',
    '    - ports:',
    '      - port: "8080"',
    `        protocol: ${broken ? 'TCPP' : 'TCP'}`,
    '      rules:',
    '        http:',
    '        - method: GET',
    `          path: /api/v${i % 3}/.*`,
    '  egress:',
    ...DNS_EGRESS,
    '  - toFQDNs:',
    `    - matchName: api-${i}.example.com`,
    '    toPorts:',
    '    - ports:',
    '      - port: "443"',
    '        protocol: TCP',
  ];
}

function ccnp(i, broken) {
  return [
    'apiVersion: cilium.io/v2',
    'kind: CiliumClusterwideNetworkPolicy',
    'metadata:',
    `  name: bastion-ssh-${i}`,
    'spec:',
    '  nodeSelector:',
    '    matchLabels:',
    `      role: bastion-${i}`,
    '  ingress:',
    '  - fromEntities:',
    `    - ${broken ? 'clustr' : 'cluster'}`,
    '    toPorts:',
    '    - ports:',
    '      - port: "22"',
    '        protocol: TCP',
    '  - fromCIDR:',
    `    - 192.0.2.${i % 256}/32`,
    '    toPorts:',
    '    - ports:',
    '      - port: "22"',
    '        protocol: TCP',
  ];
}

function cec(i, broken) {
  return [
    'apiVersion: cilium.io/v2',
    'kind: CiliumEnvoyConfig',
    'metadata:',
    `  name: catalog-${i}`,
    '  namespace: shop',
    'spec:',
    `  ${broken ? 'service' : 'services'}:`,
    `  - name: catalog-${i}`,
    '    namespace: shop',
    `    listener: catalog-listener-${i}`,
    '  resources:',
    '  - "@type": type.googleapis.com/envoy.config.listener.v3.Listener',
    `    name: catalog-listener-${i}`,
    '    filter_chains:',
    '    - filters:',
    '      - name: envoy.filters.network.http_connection_manager',
    '        typed_config:',
    '          "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
    `          stat_prefix: catalog-${i}`,
    '          rds:',
    `            route_config_name: catalog-routes-${i}`,
    '          http_filters:',
    '          - name: envoy.filters.http.router',
    '            typed_config:',
    '              "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router',
    '  - "@type": type.googleapis.com/envoy.config.route.v3.RouteConfiguration',
    `    name: catalog-routes-${i}`,
    '    virtual_hosts:',
    '    - name: catalog',
    '      domains: ["*"]',
    '      routes:',
    '      - match:',
    '          prefix: /',
    '        route:',
    `          cluster: shop/catalog-${i}`,
    '  - "@type": type.googleapis.com/envoy.config.cluster.v3.Cluster',
    `    name: shop/catalog-${i}`,
    '    connect_timeout: 2s',
    '    type: EDS',
    '    lb_policy: ROUND_ROBIN',
  ];
}

function tp(i, broken) {
  return [
    'apiVersion: cilium.io/v1alpha1',
    'kind: TracingPolicy',
    'metadata:',
    `  name: watch-files-${i}`,
    'spec:',
    '  kprobes:',
    '  - call: security_file_permission',
    `    ${broken ? 'syscal' : 'syscall'}: false`,
    '    args:',
    '    - index: 0',
    '      type: file',
    '    - index: 1',
    '      type: int',
    '    selectors:',
    '    - matchArgs:',
    '      - index: 0',
    '        operator: Prefix',
    '        values:',
    `        - /etc/secret-${i}`,
    '      matchActions:',
    '      - action: Sigkill',
    '  - call: security_bprm_check',
    '    syscall: false',
    '    args:',
    '    - index: 0',
    '      type: linux_binprm',
  ];
}

/** The marker of each kind's deliberate error, to find its line. */
const ERROR_MARK = /TCPP|syscal:|clustr|^ {2}service:/;

/**
 * A file of about `targetLines` lines. Returns its lines, the zero-based lines of the deliberate
 * errors, and the kinds' counts. Documents cycle CNP, TP, CNP, CCNP, CEC, TP, …
 */
export function generate(targetLines) {
  const makers = [cnp, tp, cnp, ccnp, cec, tp];
  const lines = [];
  const errorLines = [];
  const counts = {};
  for (let i = 0; lines.length < targetLines; i++) {
    const make = makers[i % makers.length];
    const broken = [7, 12, 21, 28].includes(i % 50);
    const doc = make(i, broken);
    if (lines.length) lines.push('---');
    const base = lines.length;
    if (broken) errorLines.push(base + doc.findIndex((l) => ERROR_MARK.test(l)));
    lines.push(...doc);
    counts[make.name] = (counts[make.name] ?? 0) + 1;
  }
  return { lines, errorLines, counts };
}

/**
 * One CiliumNetworkPolicy of about `targetLines` lines, as generated allow-lists are: a DNS rule,
 * then half the lines a `toCIDR` list of /32 addresses and the rest a `toFQDNs` list of names. It
 * holds no error; `cidrLines` are the zero-based lines of the CIDR entries.
 */
export function allowListPolicy(targetLines) {
  const lines = [
    'apiVersion: cilium.io/v2',
    'kind: CiliumNetworkPolicy',
    'metadata:',
    '  name: allow-list',
    '  namespace: shop',
    'spec:',
    '  endpointSelector:',
    '    matchLabels:',
    '      app: web',
    '  egress:',
    ...DNS_EGRESS,
    '  - toCIDR:',
  ];
  const cidrLines = [];
  for (let i = 0; lines.length < targetLines / 2; i++) {
    cidrLines.push(lines.length);
    lines.push(`    - 10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}/32`);
  }
  lines.push('  - toFQDNs:');
  for (let i = 0; lines.length < targetLines - 4; i++) lines.push(`    - matchName: host-${i}.example.com`);
  lines.push('    toPorts:', '    - ports:', '      - port: "443"', '        protocol: TCP');
  return { lines, cidrLines };
}
