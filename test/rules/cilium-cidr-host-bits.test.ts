// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { checkAnnotated } from '../support/annotations.js';
import { applyFix, fixTitles } from '../support/apply-fix.js';

const ID = 'cilium/cidr-host-bits';

const TEXT = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: out
  namespace: shop
spec:
  endpointSelector: {}
  egress:
    - toCIDR:
        - 10.0.0.1/8 # the office
#         ^^^^^^^^^^ warning cilium/cidr-host-bits Did you mean 10.0.0.0/8
        - 192.168.0.0/16
    - toCIDRSet:
        - cidr: "2001:db8::1/32"
#               ^^^^^^^^^^^^^^^^ warning cilium/cidr-host-bits 2001:db8::/32
          except:
            - 2001:db8:0:0:0:0:0:1/64
#             ^^^^^^^^^^^^^^^^^^^^^^^ warning cilium/cidr-host-bits 2001:db8::/64
  ingress:
    - fromCIDR: ['172.16.5.4/12']
#                ^^^^^^^^^^^^^^^ warning cilium/cidr-host-bits 172.16.0.0/12
`;

test('flags CIDRs with host bits set, in every place a CIDR is written', () => {
  checkAnnotated(TEXT, [ID]);
  // Findings come in section order: ingress before egress.
  assert.deepEqual(fixTitles(TEXT, ID)[1], ['Change to 10.0.0.0/8', 'Change to 10.0.0.1/32 (the single address)']);
});

test('the fixes rewrite only the value, keeping quotes and comments', () => {
  assert.equal(
    applyFix(TEXT, ID, 'Change to 10.0.0.0/8', 1),
    TEXT.replace('- 10.0.0.1/8 # the office', '- 10.0.0.0/8 # the office'),
  );
  assert.equal(
    applyFix(TEXT, ID, 'single address', 1),
    TEXT.replace('- 10.0.0.1/8 # the office', '- 10.0.0.1/32 # the office'),
  );
  assert.equal(applyFix(TEXT, ID, 'Change to', 2), TEXT.replace('"2001:db8::1/32"', '"2001:db8::/32"'));
  assert.equal(applyFix(TEXT, ID, 'Change to', 0), TEXT.replace("['172.16.5.4/12']", "['172.16.0.0/12']"));
});

test('networks, host routes and the default route are fine', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: out
  namespace: shop
spec:
  endpointSelector: {}
  egress:
    - toCIDR: [0.0.0.0/0, 10.1.2.3/32, "::/0", "2001:db8::1/128", "::ffff:10.0.0.0/104"]
`,
    [ID],
  );
});
