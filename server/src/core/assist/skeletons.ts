// SPDX-License-Identifier: Apache-2.0
/**
 * The smallest useful document of each kind, as snippet text: what completion inserts when a new
 * document is started (`apiVersion`, `kind`, then this) and what the "skeleton" item adds below a
 * bare `apiVersion`/`kind` pair. Each is valid for the newest release once its placeholders are
 * filled with their defaults (`test/unit/assist-skeletons.test.ts` lints them). The namespace
 * placeholder offers the inventory's namespaces as choices.
 */
import { KINDS, type KindInfo, type PolicyKindName } from '../kinds.js';
import { escapeSnippetText } from '../templates.js';

/**
 * The body of a CiliumEnvoyConfig (`namespaced`) or CiliumClusterwideEnvoyConfig: a TCP proxy
 * listener for one service and its backend cluster; the two differ only in `metadata.namespace`.
 */
function envoyConfigBody(namespaced: boolean): string {
  return [
    'metadata:',
    '  name: ${1:envoy-config}',
    ...(namespaced ? ['  namespace: $NS'] : []),
    'spec:',
    '  services:',
    '    - name: ${3:frontend}',
    '      namespace: $NS',
    '  resources:',
    '    - "@type": type.googleapis.com/envoy.config.listener.v3.Listener',
    '      name: ${1:envoy-config}-listener',
    '      filter_chains:',
    '        - filters:',
    '            - name: envoy.filters.network.tcp_proxy',
    '              typed_config:',
    '                "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy',
    '                stat_prefix: ${1:envoy-config}',
    '                cluster: $NS/${4:backend}',
    '    - "@type": type.googleapis.com/envoy.config.cluster.v3.Cluster',
    '      name: $NS/${4:backend}',
    '      connect_timeout: 5s',
    '      type: EDS',
  ].join('\n');
}

/**
 * The body of a TracingPolicy or, `namespaced`, a TracingPolicyNamespaced (which adds its
 * namespace and a pod selector): one syscall kprobe with a string argument.
 */
function tracingPolicyBody(namespaced: boolean): string {
  return [
    'metadata:',
    '  name: ${1:trace-openat}',
    ...(namespaced ? ['  namespace: $NS'] : []),
    'spec:',
    ...(namespaced ? ['  podSelector:', '    matchLabels:', '      ${5:app}: ${6:web}'] : []),
    '  kprobes:',
    '    - call: "${3:sys_openat}"',
    '      syscall: true',
    '      args:',
    '        - index: 1',
    '          type: "string"',
  ].join('\n');
}

/** The body below `kind:` for each kind; `$NS` stands for the namespace placeholder. */
const BODIES: Readonly<Record<PolicyKindName, string>> = {
  CiliumNetworkPolicy: [
    'metadata:',
    '  name: ${1:allow-clients}',
    '  namespace: $NS',
    'spec:',
    '  endpointSelector:',
    '    matchLabels:',
    '      ${3:app}: ${4:server}',
    '  ingress:',
    '    - fromEndpoints:',
    '        - matchLabels:',
    '            ${5:app}: ${6:client}',
    '      toPorts:',
    '        - ports:',
    '            - port: "${7:8080}"',
    '              protocol: ${8|TCP,UDP,ANY|}',
  ].join('\n'),
  CiliumClusterwideNetworkPolicy: [
    'metadata:',
    '  name: ${1:allow-clients}',
    'spec:',
    '  endpointSelector:',
    '    matchLabels:',
    '      k8s:io.kubernetes.pod.namespace: $NS',
    '      ${3:app}: ${4:server}',
    '  ingress:',
    '    - fromEntities:',
    '        - ${5|cluster,world,host,remote-node,kube-apiserver|}',
    '      toPorts:',
    '        - ports:',
    '            - port: "${7:8080}"',
    '              protocol: ${8|TCP,UDP,ANY|}',
  ].join('\n'),
  CiliumEnvoyConfig: envoyConfigBody(true),
  CiliumClusterwideEnvoyConfig: envoyConfigBody(false),
  TracingPolicy: tracingPolicyBody(false),
  TracingPolicyNamespaced: tracingPolicyBody(true),
  NetworkPolicy: [
    'metadata:',
    '  name: ${1:allow-clients}',
    '  namespace: $NS',
    'spec:',
    '  podSelector:',
    '    matchLabels:',
    '      ${3:app}: ${4:server}',
    '  policyTypes:',
    '    - Ingress',
    '  ingress:',
    '    - from:',
    '        - podSelector:',
    '            matchLabels:',
    '              ${5:app}: ${6:client}',
    '      ports:',
    '        - port: ${7:8080}',
    '          protocol: ${8|TCP,UDP,SCTP|}',
  ].join('\n'),
  PolicyTest: [
    'metadata:',
    '  name: ${1:connectivity}',
    'spec:',
    '  cases:',
    '    - name: ${3:client reaches server}',
    '      from: { workload: ${4:default/client} }',
    '      to: { workload: ${5:default/server} }',
    '      port: ${6:8080}',
    '      expect: ${7|allow,deny|}',
  ].join('\n'),
};

/** The namespace placeholder: the inventory's namespaces as choices, else `default`. */
function namespacePlaceholder(namespaces: readonly string[]): string {
  const choices = namespaces.filter((n) => /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(n)).slice(0, 12);
  return choices.length > 0 ? `\${2|${choices.join(',')}|}` : '${2:default}';
}

/** The snippet below `kind:` for a kind (metadata and spec), ending with the final tabstop. */
export function skeletonBody(kind: PolicyKindName, namespaces: readonly string[] = []): string {
  const ns = namespacePlaceholder(namespaces);
  // The namespace choice appears once; later uses mirror it.
  let first = true;
  return `${BODIES[kind].replace(/\$NS/g, () => {
    const out = first ? ns : '$2';
    first = false;
    return out;
  })}\n$0`;
}

/** The whole document for a kind as a snippet: `apiVersion`, `kind`, metadata and spec. */
export function skeletonDocument(kind: KindInfo, namespaces: readonly string[] = []): string {
  return `apiVersion: ${escapeSnippetText(kind.apiVersion)}\nkind: ${kind.kind}\n${skeletonBody(kind.kind, namespaces)}`;
}

/** Every kind with its skeleton, in registry order. */
export function skeletons(namespaces: readonly string[] = []): { kind: KindInfo; snippet: string }[] {
  return KINDS.map((kind) => ({ kind, snippet: skeletonDocument(kind, namespaces) }));
}
