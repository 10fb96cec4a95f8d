// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { checkAnnotated } from '../support/annotations.js';
import { applyFix } from '../support/apply-fix.js';

const ID = 'cilium/world-ip-entity';

const TEXT = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: out
  namespace: shop
spec:
  endpointSelector: {}
  egress:
    - toEntities:
        - world-ipv4
#         ^^^^^^^^^^ information cilium/world-ip-entity toCIDR: [0.0.0.0/0]
  ingress:
    - fromEntities:
        - world
        - world-ipv6
#         ^^^^^^^^^^ information cilium/world-ip-entity fromCIDR: [::/0]
        - cluster
`;

test('explains world-ipv4/world-ipv6 next to the schema error', () => {
  const findings = checkAnnotated(TEXT, [ID]);
  assert.equal(findings.filter((f) => f.code === 'schema/enum').length, 2, 'the schema still reports the enum error');
});

test('the fix uses world, or drops the entry when world is already listed', () => {
  // Findings come in section order: ingress before egress.
  assert.equal(applyFix(TEXT, ID, undefined, 1), TEXT.replace('        - world-ipv4\n', '        - world\n'));
  // The removed item takes the comment line under it along (whole lines up to the next item).
  assert.equal(
    applyFix(TEXT, ID, undefined, 0),
    TEXT.replace(
      '        - world-ipv6\n#         ^^^^^^^^^^ information cilium/world-ip-entity fromCIDR: [::/0]\n',
      '',
    ),
  );
});
