// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { checkAnnotated } from '../support/annotations.js';
import { applyFix } from '../support/apply-fix.js';

const ID = 'cilium/http-regex';

const HEAD = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: web
  namespace: shop
spec:
  endpointSelector: {}
`;

test('path and method that do not compile are rejected; host goes unchecked to Envoy (warning)', () => {
  checkAnnotated(
    `${HEAD}  ingress:
    - toPorts:
        - ports:
            - port: "80"
              protocol: TCP
          rules:
            http:
              - method: "*"
#                        ^ error cilium/http-regex missing argument to repetition operator
                path: /api/(v1|v2
#                     ^^^^^^^^^^^ error cilium/http-regex missing closing )
              - path: "/files/[a-z"
#                             ^^^^ error cilium/http-regex missing closing ]
                host: '(?=api)\\.example\\.com'
#                      ^^^ warning cilium/http-regex does not check \`host\`
              - method: GET|HEAD
                path: "/api/v[0-9]+/.*"
                host: "^api\\\\.example\\\\.com$"
`,
    [ID],
  );
});

test('a value with escapes is underlined as a whole', () => {
  checkAnnotated(
    `${HEAD}  egress:
    - toPorts:
        - ports:
            - port: "80"
              protocol: TCP
          rules:
            http:
              - path: "\\t(x"
#                     ^^^^^^ error cilium/http-regex
`,
    [ID],
  );
});

test('warns about a glob-like trailing /*, and fixes it', () => {
  const text = `${HEAD}  egress:
    - toPorts:
        - ports:
            - port: "80"
              protocol: TCP
          rules:
            http:
              - path: "/api/*"
#                     ^^^^^^^^ warning cilium/http-regex Did you mean \`/api/.*\`
`;
  checkAnnotated(text, [ID]);
  assert.equal(applyFix(text, ID), text.replace('"/api/*"', '"/api/.*"'));
});

test('the fix for a bare * is .*, keeping the quotes', () => {
  const text = `${HEAD}  egress:
    - toPorts:
        - ports:
            - port: "80"
              protocol: TCP
          rules:
            http:
              - method: '*'
`;
  assert.equal(applyFix(text, ID), text.replace("method: '*'", "method: '.*'"));
});
