// SPDX-License-Identifier: Apache-2.0
// The pure outline: names, details and spans of policies, rules, services and hooks.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseFile } from '../../server/src/core/document.js';
import { outlineFile, type OutlineNode } from '../../server/src/core/outline.js';
import { DEPLOYMENT, VALID_CNP, VALID_TP } from '../support/lsp-samples.js';

/** Name and detail of a node and its children, for compact comparisons. */
function shape(n: OutlineNode): unknown {
  return n.children.length ? [n.name, n.detail, n.children.map(shape)] : [n.name, n.detail];
}

/** Every span must contain its selection span and its children (LSP rejects symbols otherwise). */
function assertNested(n: OutlineNode): void {
  assert.ok(
    n.selectionSpan.start >= n.span.start && n.selectionSpan.end <= n.span.end,
    `${n.name}: selection outside range`,
  );
  for (const c of n.children) {
    assert.ok(c.span.start >= n.span.start && c.span.end <= n.span.end, `${c.name} outside ${n.name}`);
    assertNested(c);
  }
}

describe('outline', () => {
  it('outlines a CiliumNetworkPolicy with per-rule peers and ports', () => {
    const text = `${DEPLOYMENT}---\n${VALID_CNP}`;
    const outline = outlineFile(parseFile(text));
    assert.deepEqual(outline.map(shape), [
      [
        'CiliumNetworkPolicy allow-web',
        'namespace shop',
        [
          [
            'spec',
            'endpoints app=web',
            [
              ['ingress[0]', 'endpoints app=frontend · 80/TCP +HTTP'],
              ['egress[0]', 'FQDN api.example.com · 443/TCP'],
              [
                'egress[1]',
                'endpoints k8s:io.kubernetes.pod.namespace=kube-system, k8s:k8s-app=kube-dns · 53/ANY +DNS',
              ],
            ],
          ],
        ],
      ],
    ]);
    const policy = outline[0]!;
    assertNested(policy);
    assert.equal(text.slice(policy.selectionSpan.start, policy.selectionSpan.end), 'allow-web');
    assert.equal(text.slice(policy.span.start, policy.span.start + 10), 'apiVersion');
    const egress = policy.children[0]!.children[1]!;
    assert.equal(text.slice(egress.selectionSpan.start, egress.selectionSpan.end), 'toFQDNs');
  });

  it('outlines `specs`, deny rules, entities, CIDR sets, services and ICMP', () => {
    const text = `apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata:
  name: multi
specs:
- nodeSelector:
    matchExpressions:
    - key: role
      operator: In
      values: [worker, edge]
  ingressDeny:
  - fromEntities: [world]
    icmps:
    - fields:
      - type: 8
- endpointSelector: {}
  description: to the API server
  egress:
  - toCIDRSet:
    - cidr: 10.0.0.0/8
      except: [10.1.0.0/16]
    toServices:
    - k8sService:
        serviceName: kubernetes
        namespace: default
    toPorts:
    - ports:
      - port: "6443"
  egressDeny:
  - {}
`;
    const outline = outlineFile(parseFile(text));
    assert.deepEqual(outline.map(shape), [
      [
        'CiliumClusterwideNetworkPolicy multi',
        '',
        [
          ['specs[0]', 'nodes role In (worker,edge)', [['ingressDeny[0]', 'entities world · ICMP']]],
          [
            'specs[1]',
            'endpoints all · to the API server',
            [
              ['egress[0]', 'CIDR 10.0.0.0/8 · services default/kubernetes · 6443/ANY'],
              ['egressDeny[0]', 'no peers'],
            ],
          ],
        ],
      ],
    ]);
    assertNested(outline[0]!);
  });

  it('outlines Envoy configs by services and resources', () => {
    const text = `apiVersion: cilium.io/v2
kind: CiliumEnvoyConfig
metadata:
  name: lb
  namespace: shop
spec:
  services:
  - name: web
    namespace: shop
    listener: lb-listener
    ports: [80]
  backendServices:
  - name: api
  resources:
  - "@type": type.googleapis.com/envoy.config.listener.v3.Listener
    name: lb-listener
  - "@type": type.googleapis.com/envoy.config.cluster.v3.Cluster
`;
    const outline = outlineFile(parseFile(text));
    assert.deepEqual(outline.map(shape), [
      [
        'CiliumEnvoyConfig lb',
        'namespace shop',
        [
          ['services', '1 entry', [['web', 'service · namespace shop · ports 80 · → lb-listener']]],
          ['backendServices', '1 entry', [['api', 'backend service']]],
          [
            'resources',
            '2 entries',
            [
              ['lb-listener', 'Listener'],
              ['resources[1]', 'Cluster'],
            ],
          ],
        ],
      ],
    ]);
    assertNested(outline[0]!);
  });

  it('outlines tracing policy hooks of every type and their selectors', () => {
    // Several hook sections in one policy: the agent rejects that, but the outline shows them all.
    const text = `${VALID_TP}  tracepoints:
  - subsystem: raw_syscalls
    event: sys_enter
  lsmhooks:
  - hook: file_open
  uprobes:
  - path: /bin/bash
    symbols: [readline]
  usdts:
  - path: /usr/bin/app
    provider: test
    name: probe1
`;
    const outline = outlineFile(parseFile(text));
    assert.deepEqual(outline.map(shape), [
      [
        'TracingPolicy watch-files',
        '',
        [
          [
            'security_file_permission',
            'kprobe · 2 args',
            [
              ['selectors[0]', 'matchArgs · action Sigkill'],
              ['selectors[1]', 'matchBinaries'],
            ],
          ],
          ['raw_syscalls/sys_enter', 'tracepoint'],
          ['file_open', 'LSM hook'],
          ['/bin/bash', 'uprobe · symbols readline'],
          ['test:probe1', 'USDT'],
        ],
      ],
    ]);
    const kprobe = outline[0]!.children[0]!;
    assert.equal(text.slice(kprobe.selectionSpan.start, kprobe.selectionSpan.end), 'security_file_permission');
    assertNested(outline[0]!);
  });

  it('leaves other objects out and copes with broken or partial documents', () => {
    assert.deepEqual(outlineFile(parseFile(DEPLOYMENT)), []);
    assert.deepEqual(outlineFile(parseFile('')), []);
    const partial = outlineFile(
      parseFile('apiVersion: cilium.io/v1alpha1\nkind: TracingPolicyNamespaced\nspec:\n  kprobes:\n  - args: [\n'),
    );
    assert.equal(partial.length, 1);
    assert.equal(partial[0]!.name, 'TracingPolicyNamespaced (unnamed)');
    const noSpec = outlineFile(
      parseFile('apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: x\nspec: 3\n'),
    );
    assert.deepEqual(noSpec.map(shape), [['CiliumNetworkPolicy x', '']]);
  });
});
