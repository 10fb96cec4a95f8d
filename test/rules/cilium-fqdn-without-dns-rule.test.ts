// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { checkAnnotated, lintForTest, testValidator } from '../support/annotations.js';
import { parseFile } from '../../server/src/core/document.js';
import { lintFile } from '../../server/src/lint/lint.js';
import { buildScope } from '../../server/src/lint/scope.js';
import { DEFAULT_SETTINGS } from '../../server/src/settings.js';
import { applyFix } from '../support/apply-fix.js';

const ID = 'cilium/fqdn-without-dns-rule';

const TEXT = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: api
  namespace: shop
spec:
  endpointSelector:
    matchLabels:
      app: web
  egress:
    # The API we call.
    - toFQDNs:
#     ^^^^^^^ warning cilium/fqdn-without-dns-rule never learns
        - matchName: api.example.com
      toPorts:
        - ports:
            - port: "443"
              protocol: TCP
`;

test('flags toFQDNs when no DNS rule covers the endpoints', () => {
  checkAnnotated(TEXT, [ID]);
});

test('the fix appends the DNS egress rule to the same egress list', () => {
  assert.equal(
    applyFix(TEXT, ID),
    `${TEXT}    - toEndpoints:
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
`,
  );
  // After the fix, the rule is satisfied.
  checkAnnotated(applyFix(TEXT, ID).replace(/^#.*\n/m, ''), [ID]);
});

test('a DNS rule in the same rule, or in a policy of the file selecting a superset, counts', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: same-rule
  namespace: shop
spec:
  endpointSelector: {}
  egress:
    - toFQDNs:
        - matchPattern: "*.example.com"
    - toPorts:
        - ports:
            - port: "5353"
              protocol: ANY
          rules:
            dns:
              - matchPattern: "*"
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: fqdn
  namespace: shop
spec:
  endpointSelector:
    matchLabels:
      k8s:app: web
      tier: front
  egress:
    - toFQDNs:
        - matchName: api.example.com
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: dns
  namespace: shop
spec:
  endpointSelector:
    matchLabels:
      app: web
  egress:
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
---
apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata:
  name: dns-everywhere
spec:
  endpointSelector:
    matchLabels:
      team: blue
  egress:
    - toPorts:
        - ports:
            - port: "53"
          rules:
            dns:
              - matchPattern: "*"
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: blue
  namespace: other
spec:
  endpointSelector:
    matchLabels:
      team: blue
  egress:
    - toFQDNs:
        - matchName: blue.example.com
`,
    [ID],
  );
});

test('DNS rules for other endpoints, other namespaces or other specs do not count', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: fqdn
  namespace: shop
specs:
  - endpointSelector:
      matchLabels:
        app: web
    egress:
      - toFQDNs:
#       ^^^^^^^ warning cilium/fqdn-without-dns-rule
          - matchName: api.example.com
  - endpointSelector:
      matchLabels:
        app: other
    egress:
      - toPorts:
          - ports:
              - port: "53"
            rules:
              dns:
                - matchPattern: "*"
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: dns-elsewhere
  namespace: other
spec:
  endpointSelector: {}
  egress:
    - toPorts:
        - ports:
            - port: "53"
          rules:
            dns:
              - matchPattern: "*"
---
apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata:
  name: fqdn-everywhere
spec:
  endpointSelector: {}
  egress:
    - toFQDNs:
#     ^^^^^^^ warning cilium/fqdn-without-dns-rule
        - matchName: api.example.com
`,
    [ID],
  );
});

/** Lints `text` as the file `source` of a run whose other files are `others` (source → text). */
function lintInScope(text: string, source: string, others: Record<string, string>) {
  const scope = buildScope([
    { source, file: parseFile('# stale copy of the linted file: must not count\n') },
    ...Object.entries(others).map(([s, t]) => ({ source: s, file: parseFile(t) })),
  ]);
  return lintFile(parseFile(text), { validator: testValidator(), settings: DEFAULT_SETTINGS, scope, source }).filter(
    (f) => f.code === ID,
  );
}

const FQDN_POLICY = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: api
  namespace: shop
spec:
  endpointSelector:
    matchLabels:
      app: web
  egress:
    - toFQDNs:
        - matchName: api.example.com
      toPorts:
        - ports:
            - port: "443"
              protocol: TCP
`;

const dnsPolicy = (
  head: string,
  selector: string,
  rules = '          rules:\n            dns:\n              - matchPattern: "*"\n',
) =>
  `apiVersion: cilium.io/v2
${head}
spec:
  endpointSelector:${selector}
  egress:
    - toEndpoints:
        - matchLabels:
            k8s:io.kubernetes.pod.namespace: kube-system
            k8s:k8s-app: kube-dns
      toPorts:
        - ports:
            - port: "53"
              protocol: ANY
${rules}`;

test('a DNS rule in another file of the scope covers the FQDN rule: clusterwide, cluster label, namespace-wide', () => {
  const clusterwide = 'kind: CiliumClusterwideNetworkPolicy\nmetadata:\n  name: dns-everywhere';
  const covering: Record<string, string> = {
    'clusterwide {}': dnsPolicy(clusterwide, ' {}'),
    'clusterwide, cluster label': dnsPolicy(
      clusterwide,
      '\n    matchLabels:\n      io.cilium.k8s.policy.cluster: default',
    ),
    'clusterwide, every namespace': dnsPolicy(
      clusterwide,
      '\n    matchExpressions:\n      - key: k8s:io.kubernetes.pod.namespace\n        operator: Exists',
    ),
    'clusterwide, this namespace': dnsPolicy(
      clusterwide,
      '\n    matchLabels:\n      k8s:io.kubernetes.pod.namespace: shop',
    ),
    'namespace-wide': dnsPolicy('kind: CiliumNetworkPolicy\nmetadata:\n  name: dns\n  namespace: shop', ' {}'),
    'same labels': dnsPolicy(
      'kind: CiliumNetworkPolicy\nmetadata:\n  name: dns\n  namespace: shop',
      '\n    matchLabels:\n      k8s:app: web',
    ),
  };
  for (const [name, text] of Object.entries(covering)) {
    assert.deepEqual(
      lintInScope(FQDN_POLICY, 'apps/api.yaml', { 'platform/dns.yaml': text }).map((f) => f.message),
      [],
      name,
    );
  }
  // Without the scope the same file is reported.
  assert.equal(lintForTest(FQDN_POLICY).filter((f) => f.code === ID).length, 1);
});

test('what does not cover: port 53 without rules.dns, another namespace, other labels, the stale copy of this file', () => {
  const notCovering: Record<string, string> = {
    'port 53 allowed, no rules.dns': dnsPolicy(
      'kind: CiliumClusterwideNetworkPolicy\nmetadata:\n  name: dns',
      ' {}',
      '',
    ),
    'other namespace': dnsPolicy('kind: CiliumNetworkPolicy\nmetadata:\n  name: dns\n  namespace: other', ' {}'),
    'clusterwide, other namespace': dnsPolicy(
      'kind: CiliumClusterwideNetworkPolicy\nmetadata:\n  name: dns',
      '\n    matchLabels:\n      k8s:io.kubernetes.pod.namespace: other',
    ),
    'other labels': dnsPolicy(
      'kind: CiliumNetworkPolicy\nmetadata:\n  name: dns\n  namespace: shop',
      '\n    matchLabels:\n      app: db',
    ),
  };
  for (const [name, text] of Object.entries(notCovering)) {
    const found = lintInScope(FQDN_POLICY, 'apps/api.yaml', { 'platform/dns.yaml': text });
    assert.equal(found.length, 1, name);
    assert.match(found[0]!.message, /other files of the run or workspace/, name);
  }
  // The scope's entry for the linted file itself is ignored: only its current text counts.
  const stale = buildScope([
    {
      source: 'apps/api.yaml',
      file: parseFile(dnsPolicy('kind: CiliumNetworkPolicy\nmetadata:\n  name: dns\n  namespace: shop', ' {}')),
    },
  ]);
  const found = lintFile(parseFile(FQDN_POLICY), {
    validator: testValidator(),
    settings: DEFAULT_SETTINGS,
    scope: stale,
    source: 'apps/api.yaml',
  }).filter((f) => f.code === ID);
  assert.equal(found.length, 1);
});
