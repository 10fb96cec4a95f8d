// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { checkAnnotated } from '../support/annotations.js';
import { applyFix, fixTitles } from '../support/apply-fix.js';

const ID = 'cilium/invalid-port';

test('flags ports the agent cannot parse, missing ports and reversed ranges', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: ports
  namespace: shop
spec:
  endpointSelector: {}
  ingress:
    - toPorts:
        - ports:
            - port: "99999"
#                   ^^^^^^^ error cilium/invalid-port up to 65535
            - port: "8080-8090"
#                   ^^^^^^^^^^^ error cilium/invalid-port endPort: 8090
            - port: "80/tcp"
#                   ^^^^^^^^ error cilium/invalid-port
            - port: "a-very-long-port-name"
#                   ^^^^^^^^^^^^^^^^^^^^^^^ error cilium/invalid-port
            - protocol: TCP
#             ^^^^^^^^ error cilium/invalid-port no \`port\`
            - port: "9000"
              endPort: 8000
#                      ^^^^ warning cilium/invalid-port lower than
  egressDeny:
    - toPorts:
        - ports:
            - port: "70000"
#                   ^^^^^^^ error cilium/invalid-port
`,
    [ID],
  );
});

test('ports are parsed as Go parses them: base prefixes, octal and digit separators', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: go-ports
  namespace: shop
spec:
  endpointSelector: {}
  ingress:
    - toPorts:
        - ports:
            - port: "1_000"
            - port: "0x5_0"
            - port: "0o1_7"
            - port: "007"
            - port: "0o17"
#                   ^^^^^^ warning cilium/invalid-port not as the number 15
            - port: "08"
#                   ^^^^ error cilium/invalid-port octal
            - port: "1__000"
#                   ^^^^^^^^ error cilium/invalid-port
            - port: "010"
#                   ^^^^^ warning cilium/invalid-port reads port 8
            - port: "0x50"
#                   ^^^^^^ warning cilium/invalid-port not as the number 80
            - port: "0x1_0000"
#                   ^^^^^^^^^^ error cilium/invalid-port up to 65535
`,
    [ID],
  );
});

test('a deny entry may list at most 40 ports (allow entries are capped by the CRD)', () => {
  const ports = (n: number) => Array.from({ length: n }, (_, i) => `            - port: "${8000 + i}"`).join('\n');
  checkAnnotated(
    `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: many
  namespace: shop
spec:
  endpointSelector: {}
  ingressDeny:
    - toPorts:
        - ports:
#         ^^^^^ error cilium/invalid-port 41 ports
${ports(41)}
  egressDeny:
    - toPorts:
        - ports:
${ports(40)}
`,
    [ID],
  );
});

test('numbers, names, zero and ranges are fine', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: ports
  namespace: shop
spec:
  endpointSelector: {}
  ingress:
    - toPorts:
        - ports:
            - port: "0"
            - port: "65535"
            - port: http
            - port: HTTP-alt
            - port: "8000"
              endPort: 9000
            - port: "8000"
              endPort: 0
            - protocol: VRRP
`,
    [ID],
  );
});

const head = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: ports
  namespace: shop
spec:
  endpointSelector: {}
  ingress:
    - toPorts:
        - ports:
`;

test('quick fixes write the nearest valid form the message names', () => {
  const range = `${head}            - port: "8080-8090"\n              protocol: TCP\n`;
  assert.equal(
    applyFix(range, ID),
    range.replace('"8080-8090"', '"8080"').replace('protocol: TCP\n', 'protocol: TCP\n              endPort: 8090\n'),
  );
  const colon = `${head}            - port: "9090:9000"\n              endPort: 1\n`;
  assert.equal(applyFix(colon, ID), colon.replace('"9090:9000"', '"9000"').replace('endPort: 1', 'endPort: 9090'));
  const slash = `${head}            - port: "53/udp"\n              rules: {}\n`;
  assert.equal(
    applyFix(slash, ID),
    slash.replace('"53/udp"', '"53"').replace('rules: {}\n', 'rules: {}\n              protocol: UDP\n'),
  );
  const slashWithProtocol = `${head}            - port: "53/udp"\n              protocol: TCP\n`;
  assert.equal(applyFix(slashWithProtocol, ID), slashWithProtocol.replace('"53/udp"', '"53"'));
  const octal = `${head}            - port: "08080"\n`;
  assert.equal(applyFix(octal, ID), octal.replace('"08080"', '"8080"'));
  const leadingZero = `${head}            - port: "010"\n`;
  assert.equal(applyFix(leadingZero, ID), leadingZero.replace('"010"', '"10"'));
  const hexName = `${head}            - port: "0x50"\n`;
  assert.equal(applyFix(hexName, ID), hexName.replace('"0x50"', '"80"'));
  const reversed = `${head}            - port: "9000"\n              endPort: 8000\n`;
  assert.equal(applyFix(reversed, ID), reversed.replace('"9000"', '"8000"').replace('endPort: 8000', 'endPort: 9000'));
  // Every fix leaves a policy this rule accepts.
  for (const text of [range, colon, slash, slashWithProtocol, octal, leadingZero, hexName, reversed])
    assert.deepEqual(fixTitles(applyFix(text, ID), ID), []);
});

test('no fix where the value says nothing about what was meant', () => {
  const out = `${head}            - port: "99999"\n            - port: "a-very-long-port-name"\n`;
  assert.deepEqual(fixTitles(out, ID), [[], []]);
});
