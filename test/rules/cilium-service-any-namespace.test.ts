// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { checkAnnotated } from '../support/annotations.js';
import { applyFix, fixTitles } from '../support/apply-fix.js';

const ID = 'cilium/service-any-namespace';

const TEXT = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: web
  namespace: shop
spec:
  endpointSelector: {}
  egress:
    - toServices:
        - k8sService:
#         ^^^^^^^^^^ information cilium/service-any-namespace any service named \`db\`
            serviceName: db
        - k8sService:
            serviceName: cache
            namespace: shop
        - k8sServiceSelector:
#         ^^^^^^^^^^^^^^^^^^ information cilium/service-any-namespace with these labels
            selector:
              matchLabels:
                tier: backend
`;

test('flags toServices entries without a namespace', () => {
  checkAnnotated(TEXT, [ID]);
});

test('the fix adds the policy namespace', () => {
  assert.equal(
    applyFix(TEXT, ID),
    TEXT.replace('            serviceName: db\n', '            serviceName: db\n            namespace: shop\n'),
  );
  assert.equal(
    applyFix(TEXT, ID, undefined, 1),
    TEXT.replace('                tier: backend\n', '                tier: backend\n            namespace: shop\n'),
  );
});

test('no fix for a clusterwide policy, which has no namespace of its own', () => {
  const ccnp = TEXT.replace('kind: CiliumNetworkPolicy', 'kind: CiliumClusterwideNetworkPolicy').replace(
    '  namespace: shop\nspec',
    'spec',
  );
  assert.deepEqual(fixTitles(ccnp, ID), [[], []]);
});
