// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { checkAnnotated } from '../support/annotations.js';
import { normalizeSettings } from '../../server/src/settings.js';
import { labelKeyProblem } from '../../server/src/lint/rules/cilium-invalid-label-key.js';

const ID = 'cilium/invalid-label-key';

test('flags malformed Cilium label keys', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: keys
  namespace: shop
spec:
  endpointSelector:
    matchLabels:
      k8s:app:name: web
#     ^^^^^^^^^^^^ error cilium/invalid-label-key only one \`:\`
      "-app": web
#     ^^^^^^ error cilium/invalid-label-key not a valid label name
  ingress:
    - fromEndpoints:
        - matchLabels:
            k-8s:app: x
#           ^^^^^^^^ error cilium/invalid-label-key letters and digits
            Example.COM/app: x
#           ^^^^^^^^^^^^^^^ error cilium/invalid-label-key DNS subdomain
        - matchExpressions:
            - key: ":app"
#                   ^ error cilium/invalid-label-key source before
              operator: Exists
            - key: app.kubernetes.io/this-label-name-is-far-too-long-to-be-accepted-by-kubernetes-at-all
#                                    ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ error cilium/invalid-label-key at most 63
              operator: Exists
`,
    [ID],
  );
});

test('source prefixes, DNS prefixes and namespace-label keys are fine', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: keys
  namespace: shop
spec:
  endpointSelector:
    matchLabels:
      k8s:app.kubernetes.io/name: web
      any:tier: front_end
  ingress:
    - fromEndpoints:
        - matchLabels:
            reserved:host: ""
        - matchLabels:
            k8s:io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name: other
        - matchExpressions:
            - key: io.kubernetes.pod.namespace
              operator: In
              values: [a]
`,
    [ID],
  );
});

const DOLLAR = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: keys
  namespace: shop
spec:
  endpointSelector: {}
  ingress:
    - fromEndpoints:
        - matchLabels:
            $host: ""
#           ^^^^^ SEVERITY cilium/invalid-label-key reserved:host
        - matchExpressions:
            - key: $remote-node
#                  ^ SEVERITY cilium/invalid-label-key reserved:remote-node
              operator: Exists
  egress:
    - toServices:
        - k8sServiceSelector:
            selector:
              matchLabels:
                k8s:app:name: web
    - toCIDRSet:
        - cidrGroupSelector:
            matchLabels:
              k8s:team: blue
              "-team": blue
#             ^^^^^^^ error cilium/invalid-label-key not a valid label name
`;

test('a $ key reaches the validation as written: rejected from 1.19, a warning before', () => {
  checkAnnotated(DOLLAR.replaceAll('SEVERITY', 'error'), [ID]);
  checkAnnotated(DOLLAR.replaceAll('SEVERITY', 'error'), [ID], normalizeSettings({ ciliumVersion: '1.19' }));
  checkAnnotated(DOLLAR.replaceAll('SEVERITY', 'warning'), [ID], normalizeSettings({ ciliumVersion: '1.18' }));
});

test('the keys the agent accepts and rejects in its own label-validation test', () => {
  // Facts from cilium/cilium pkg/labels/validation_test.go (TestValidateLabels); the fixtures test lints them in policies too.
  for (const key of [
    'simple',
    '1-starts-with-num',
    '1234',
    'now.with.dots/simple',
    '1.2.3.4/5678',
    'UpperCaseAreOK123',
    'reserved:k8s-app',
    'any:simple/simple',
  ]) {
    assert.equal(labelKeyProblem(key), undefined, key);
  }
  for (const key of [
    'nospecialchars^=@',
    'cantendwithadash-',
    'only/one/slash',
    'a'.repeat(254),
    ':empty-source',
    'k8s:empty:source',
  ]) {
    assert.notEqual(labelKeyProblem(key), undefined, key);
  }
});
