// SPDX-License-Identifier: Apache-2.0
/**
 * Cross-document rules see every input of a CLI run: a DNS rule in another file covers an FQDN
 * rule, as it does in the cluster once both are applied.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { runJson, tempTree } from './run-cli.js';

const FQDN = `apiVersion: cilium.io/v2
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
`;

const DNS = (rules: string) => `apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata:
  name: dns-for-all
spec:
  endpointSelector: {}
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

const RULES_DNS = '          rules:\n            dns:\n              - matchPattern: "*"\n';

const fqdnFindings = (r: ReturnType<typeof runJson>) =>
  r.findings.filter((f) => f.code === 'cilium/fqdn-without-dns-rule').map((f) => f.file);

test('a DNS rule in another input of the run covers the FQDN rule', () => {
  const dir = tempTree({ 'apps/api.yaml': FQDN, 'platform/dns.yaml': DNS(RULES_DNS) });
  assert.deepEqual(fqdnFindings(runJson(['apps', 'platform'], { cwd: dir })), []);
  // The same file linted alone is reported: the DNS rule is not in scope.
  assert.deepEqual(fqdnFindings(runJson(['apps'], { cwd: dir })), ['apps/api.yaml']);
});

test('a policy that only allows port 53 (no rules.dns) does not cover it', () => {
  const dir = tempTree({ 'apps/api.yaml': FQDN, 'platform/dns.yaml': DNS('') });
  assert.deepEqual(fqdnFindings(runJson(['.'], { cwd: dir })), ['apps/api.yaml']);
});

test('stdin is part of the scope too', () => {
  const dir = tempTree({ 'platform/dns.yaml': DNS(RULES_DNS) });
  assert.deepEqual(fqdnFindings(runJson(['-', 'platform'], { cwd: dir, input: FQDN })), []);
});
