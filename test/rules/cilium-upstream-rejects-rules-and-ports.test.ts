// SPDX-License-Identifier: Apache-2.0
/**
 * Part C of the semantic-rules reference lists inputs Cilium's own unit tests reject. These are
 * the cases in the rule-level / selector / peer / port / ICMP / L7-on-TCP area: one fixture each,
 * with carets where the finding must be (from a rule or from the schema, whichever catches it).
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { checkAnnotated } from '../support/annotations.js';

interface Case {
  readonly n: number;
  readonly what: string;
  readonly codes: readonly string[];
  readonly yaml: string;
}

const CCNP = 'apiVersion: cilium.io/v2\nkind: CiliumClusterwideNetworkPolicy\nmetadata:\n  name: c\n';
const CNP = 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: c\n  namespace: shop\n';

/**
 * `key: [ …n items… ]` on one line at `indent`, followed by a caret line under the list (the
 * schema underlines the whole list, and carets can only mark a span on one line).
 */
function flowList(indent: string, key: string, n: number, item: (i: number) => string, code: string): string {
  const value = `[${Array.from({ length: n }, (_, i) => item(i)).join(', ')}]`;
  const col = indent.length + key.length + 2;
  return `${indent}${key}: ${value}\n#${' '.repeat(col - 1)}${'^'.repeat(value.length)} error ${code}\n`;
}

const port = (i: number) => `{ port: "${1000 + i}", protocol: TCP }`;
const field = (i: number) => `{ type: ${i} }`;

const CASES: readonly Case[] = [
  {
    n: 1,
    what: 'a rule with a selector but no section',
    codes: ['schema/one-of'],
    yaml: `${CCNP}specs:
  - endpointSelector: {}
#   ^^^^^^^^^^^^^^^^ error schema/one-of at least one of
`,
  },
  {
    n: 2,
    what: 'both endpointSelector and nodeSelector',
    codes: ['schema/one-of'],
    yaml: `${CCNP}specs:
  - endpointSelector: {}
    nodeSelector: {}
#   ^^^^^^^^^^^^ error schema/one-of only one of
    ingress:
      - {}
`,
  },
  {
    n: 3,
    what: 'neither selector',
    codes: ['schema/one-of'],
    yaml: `${CCNP}specs:
  - ingress:
#   ^^^^^^^ error schema/one-of exactly one of
      - {}
`,
  },
  {
    n: 4,
    what: 'a made-up matchExpressions operator in every kind of selector',
    codes: ['schema/enum'],
    yaml: `${CCNP}specs:
  - endpointSelector:
      matchExpressions:
        - key: a
          operator: Foo
#                   ^^^ error schema/enum operator
    ingress:
      - fromEndpoints:
          - matchExpressions:
              - key: a
                operator: Foo
#                         ^^^ error schema/enum
    ingressDeny:
      - fromEndpoints:
          - matchExpressions:
              - key: a
                operator: Foo
#                         ^^^ error schema/enum
    egress:
      - toEndpoints:
          - matchExpressions:
              - key: a
                operator: Foo
#                         ^^^ error schema/enum
    egressDeny:
      - toEndpoints:
          - matchExpressions:
              - key: a
                operator: Foo
#                         ^^^ error schema/enum
  - nodeSelector:
      matchExpressions:
        - key: a
          operator: Foo
#                   ^^^ error schema/enum
    ingress:
      - {}
`,
  },
  {
    n: 5,
    what: 'an HTTP rule on a UDP port',
    codes: ['cilium/http-needs-tcp'],
    yaml: `${CNP}spec:
  endpointSelector: {}
  ingress:
    - toPorts:
        - ports:
            - port: "80"
              protocol: UDP
#                       ^^^ error cilium/http-needs-tcp
          rules:
            http:
              - method: GET
`,
  },
  {
    n: 6,
    what: 'an HTTP rule on a port with protocol ANY',
    codes: ['cilium/http-needs-tcp'],
    yaml: `${CNP}spec:
  endpointSelector: {}
  egress:
    - toPorts:
        - ports:
            - port: "80"
              protocol: ANY
#                       ^^^ error cilium/http-needs-tcp
          rules:
            http:
              - method: GET
`,
  },
  {
    n: 7,
    what: 'an HTTP rule with one TCP and one UDP port, in either order',
    codes: ['cilium/http-needs-tcp'],
    yaml: `${CNP}spec:
  endpointSelector: {}
  ingress:
    - toPorts:
        - ports:
            - port: "80"
              protocol: TCP
            - port: "81"
              protocol: UDP
#                       ^^^ error cilium/http-needs-tcp
          rules:
            http: [{}]
        - ports:
            - port: "81"
              protocol: UDP
#                       ^^^ error cilium/http-needs-tcp
            - port: "80"
              protocol: TCP
          rules:
            http: [{}]
`,
  },
  {
    n: 8,
    what: 'a DNS rule in a toPorts entry without ports',
    codes: ['cilium/dns-rule-placement'],
    yaml: `${CNP}spec:
  endpointSelector: {}
  egress:
    - toPorts:
        - rules:
            dns:
#           ^^^ error cilium/dns-rule-placement ports
              - matchPattern: "*"
`,
  },
  {
    n: 9,
    what: 'a DNS rule on an ingress item',
    codes: ['cilium/dns-rule-placement'],
    yaml: `${CNP}spec:
  endpointSelector: {}
  ingress:
    - toPorts:
        - ports:
            - port: "53"
              protocol: UDP
          rules:
            dns:
#           ^^^ error cilium/dns-rule-placement egress only
              - matchPattern: "*"
`,
  },
  {
    n: 14,
    what: 'an HTTP rule on port "0"',
    codes: ['cilium/l7-on-port-zero'],
    yaml: `${CNP}spec:
  endpointSelector: {}
  ingress:
    - toPorts:
        - ports:
            - port: "0"
#                   ^^^ error cilium/l7-on-port-zero
              protocol: TCP
          rules:
            http:
              - method: GET
`,
  },
  {
    n: 22,
    what: 'a host policy with an ingress HTTP rule',
    codes: ['cilium/host-policy-l7'],
    yaml: `${CCNP}spec:
  nodeSelector: {}
  ingress:
    - toPorts:
        - ports:
            - port: "80"
              protocol: TCP
          rules:
            http:
#           ^^^^ error cilium/host-policy-l7 ingress
              - method: GET
`,
  },
  {
    n: 23,
    what: 'a host policy with an egress HTTP rule',
    codes: ['cilium/host-policy-l7'],
    yaml: `${CCNP}spec:
  nodeSelector: {}
  egress:
    - toPorts:
        - ports:
            - port: "80"
              protocol: TCP
          rules:
            http:
#           ^^^^ error cilium/host-policy-l7 only DNS
              - method: GET
`,
  },
  {
    n: 24,
    what: '41 ports in one toPorts entry, allow and deny',
    codes: ['schema/limit'],
    yaml: `${CNP}spec:
  endpointSelector: {}
  ingress:
    - toPorts:
${flowList('        - ', 'ports', 41, port, 'schema/limit')}  ingressDeny:
    - toPorts:
${flowList('        - ', 'ports', 41, port, 'schema/limit')}`,
  },
  {
    n: 25,
    what: 'VRRP or IGMP with port "1"',
    codes: ['cilium/extended-protocol'],
    yaml: `${CCNP}spec:
  nodeSelector: {}
  ingress:
    - toPorts:
        - ports:
            - port: "1"
#                   ^^^ error cilium/extended-protocol
              protocol: VRRP
            - port: "1"
#                   ^^^ error cilium/extended-protocol
              protocol: IGMP
`,
  },
  {
    n: 26,
    what: '41 ICMP fields in one icmps entry, allow and deny',
    codes: ['schema/limit'],
    yaml: `${CNP}spec:
  endpointSelector: {}
  egress:
    - icmps:
${flowList('        - ', 'fields', 41, field, 'schema/limit')}  egressDeny:
    - icmps:
${flowList('        - ', 'fields', 41, field, 'schema/limit')}`,
  },
  {
    n: 27,
    what: 'ICMP family hoge',
    codes: ['schema/enum'],
    yaml: `${CNP}spec:
  endpointSelector: {}
  ingress:
    - icmps:
        - fields:
            - family: hoge
#                     ^^^^ error schema/enum
              type: 8
`,
  },
  {
    n: 28,
    what: 'icmps and toPorts in one item, in every section',
    codes: ['cilium/icmps-with-to-ports'],
    yaml: `${CNP}spec:
  endpointSelector: {}
  ingress:
    - icmps: [{ fields: [{ type: 8 }] }]
#     ^^^^^ error cilium/icmps-with-to-ports
      toPorts: [{ ports: [{ port: "80", protocol: TCP }] }]
  ingressDeny:
    - icmps: [{ fields: [{ type: 8 }] }]
#     ^^^^^ error cilium/icmps-with-to-ports
      toPorts: [{ ports: [{ port: "80", protocol: TCP }] }]
  egress:
    - icmps: [{ fields: [{ type: 8 }] }]
#     ^^^^^ error cilium/icmps-with-to-ports
      toPorts: [{ ports: [{ port: "80", protocol: TCP }] }]
  egressDeny:
    - icmps: [{ fields: [{ type: 8 }] }]
#     ^^^^^ error cilium/icmps-with-to-ports
      toPorts: [{ ports: [{ port: "80", protocol: TCP }] }]
`,
  },
  {
    n: 29,
    what: 'family IPv4 with an IPv6-only type name',
    codes: ['cilium/icmp-type-family'],
    yaml: `${CNP}spec:
  endpointSelector: {}
  ingress:
    - icmps:
        - fields:
            - family: IPv4
              type: ICMPNodeInformationQuery
#                   ^^^^^^^^^^^^^^^^^^^^^^^^ error cilium/icmp-type-family
`,
  },
  {
    n: 34,
    what: 'protocol strings TCP2, t and foo2',
    codes: ['schema/enum'],
    yaml: `${CNP}spec:
  endpointSelector: {}
  egress:
    - toPorts:
        - ports:
            - port: "80"
              protocol: TCP2
#                       ^^^^ error schema/enum
            - port: "81"
              protocol: t
#                       ^ error schema/enum
            - port: "82"
              protocol: foo2
#                       ^^^^ error schema/enum
`,
  },
  {
    n: 37,
    what: "a CNP endpointSelector naming another namespace than the policy's",
    codes: ['cilium/foreign-namespace-selector'],
    yaml: `${CNP}spec:
  endpointSelector:
    matchLabels:
      k8s:io.kubernetes.pod.namespace: other
#     ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ warning cilium/foreign-namespace-selector
  ingress:
    - fromEntities: [cluster]
`,
  },
];

let flagged = 0;

for (const c of CASES) {
  test(`Part C #${c.n}: ${c.what}`, () => {
    checkAnnotated(c.yaml, c.codes);
    flagged++;
  });
}

test('Part C (group A) summary', () => {
  console.log(`Part C (group A): ${flagged}/${CASES.length} flagged`);
  assert.equal(flagged, CASES.length);
});
