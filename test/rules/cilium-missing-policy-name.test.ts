// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { checkAnnotated, lintForTest } from '../support/annotations.js';

const ID = 'cilium/missing-policy-name';

test('flags a policy without metadata.name, on the metadata key', () => {
  const text = `apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata:
  labels:
    team: net
spec:
  endpointSelector: {}
  ingress:
    - fromEntities: [cluster]
`;
  // A top-level key starts in column 1, where no caret annotation fits: check the span directly.
  const found = lintForTest(text).filter((f) => f.code === ID);
  assert.deepEqual(
    found.map((f) => [f.severity, text.slice(f.span.start, f.span.end)]),
    [['error', 'metadata']],
  );
});

test('a name or generateName is fine', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  generateName: web-
  namespace: shop
spec:
  endpointSelector: {}
  ingress:
    - fromEntities: [cluster]
`,
    [ID],
  );
});
