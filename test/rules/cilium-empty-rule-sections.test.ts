// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import { checkAnnotated } from '../support/annotations.js';
import { normalizeSettings } from '../../server/src/settings.js';

const ID = 'cilium/empty-rule-sections';

test('flags a rule whose sections are all empty, in spec and in specs', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: empty
  namespace: shop
spec:
  endpointSelector: {}
  ingress: []
# ^^^^^^^ error cilium/empty-rule-sections
  egress: []
# ^^^^^^ error cilium/empty-rule-sections
specs:
  - endpointSelector: {}
    egressDeny: []
#   ^^^^^^^^^^ error cilium/empty-rule-sections
`,
    [ID],
  );
});

test('one non-empty section is enough, and {} counts as an item', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: fine
  namespace: shop
spec:
  endpointSelector: {}
  ingress: [{}]
  egress: []
`,
    [ID],
  );
});

test('Cilium 1.16 and 1.17 load such a rule, which then enforces nothing: a warning', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: empty
  namespace: shop
spec:
  endpointSelector: {}
  ingress: []
# ^^^^^^^ warning cilium/empty-rule-sections enforces nothing
`,
    [ID],
    normalizeSettings({ ciliumVersion: '1.17' }),
  );
});
