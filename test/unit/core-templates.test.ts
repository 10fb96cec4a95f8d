// SPDX-License-Identifier: Apache-2.0
/**
 * Templated policies: Helm/Go templates (`{{ … }}`) and `${VAR}` placeholders (envsubst, Terraform
 * `.tpl`) get one information finding instead of errors, wherever the markers are; a `${…}` that is
 * part of a real value (an Envoy setting, a regex) does not stop the policy from being checked.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { parseFile } from '../../server/src/core/document.js';
import { lintFile } from '../../server/src/lint/lint.js';
import { SchemaValidator } from '../../server/src/core/schema-validation.js';
import { DEFAULT_SETTINGS } from '../../server/src/settings.js';
import { loadSchemaFiles } from '../../server/src/io/schema-files.js';

const validator = new SchemaValidator(loadSchemaFiles());

function lint(text: string) {
  return lintFile(parseFile(text), { validator, settings: DEFAULT_SETTINGS }).map((f) => ({
    code: f.code,
    severity: f.severity,
    message: f.message,
    text: text.slice(f.span.start, f.span.end),
  }));
}

const POLICY = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: allow
  namespace: shop
spec:
  endpointSelector: {}
  ingress:
    - fromEndpoints:
        - matchLabels:
            app: web
`;

test('a Helm document wrapped in if/end gets the templated note, not a syntax error', () => {
  for (const [open, close] of [
    ['{{- if .Values.enabled }}\n', '{{- end }}\n'],
    ['{{ if .Values.enabled }}\n', '{{ end }}\n'],
    ['{{- if .Values.enabled -}}\n', '  {{- end }}\n'],
    ['', '  {{- end }}\n'],
  ]) {
    const found = lint(`${open}${POLICY}${close}`);
    assert.deepEqual(
      found.map((f) => [f.code, f.severity, f.text]),
      [['document/templated', 'information', 'kind']],
      JSON.stringify([open, close]),
    );
  }
  // Not our kind: nothing, as before.
  assert.deepEqual(lint('{{ if .Values.x }}\napiVersion: v1\nkind: ConfigMap\n{{ end }}\n'), []);
});

test('${VAR} placeholders (envsubst, Terraform) give one information finding instead of schema errors', () => {
  const text = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: allow
  namespace: \${NAMESPACE}
spec:
  endpointSelector:
    matchLabels:
      app: \${APP:=web}
  egress:
    - toCIDR:
        - \${NODE_IP}/32
      toPorts:
        - ports:
            - port: "\${PORT}"
              protocol: TCP
`;
  const found = lint(text);
  assert.deepEqual(
    found.map((f) => [f.code, f.severity]),
    [['document/templated', 'information']],
    JSON.stringify(found, null, 1),
  );
  assert.match(found[0]!.message, /\$\{NAMESPACE\}/);
  assert.match(found[0]!.message, /envsubst/);
  // A real mistake elsewhere in the same document is still reported.
  const typo = lint(text.replace('egress:', 'egres:'));
  assert.ok(
    typo.some((f) => f.code === 'schema/unknown-field' && f.text === 'egres'),
    JSON.stringify(typo),
  );
  assert.ok(typo.some((f) => f.code === 'document/templated'));
});

test('a ${…} inside a value that is valid as written is not a template: the policy is checked as usual', () => {
  // An HTTP path regex where `${id}` is part of the value (RE2 compiles it); the policy is valid.
  const http = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: http
  namespace: shop
spec:
  endpointSelector: {}
  ingress:
    - toPorts:
        - ports:
            - port: "80"
              protocol: TCP
          rules:
            http:
              - path: "/api/v1/items/\${id}"
`;
  assert.deepEqual(lint(http), []);
  // An Envoy Lua filter whose code holds `${…}`: checked as usual, no note.
  const cec = `apiVersion: cilium.io/v2
kind: CiliumEnvoyConfig
metadata:
  name: lua
  namespace: shop
spec:
  services:
    - name: web
      namespace: shop
  resources:
    - "@type": type.googleapis.com/envoy.config.listener.v3.Listener
      name: web-listener
      filter_chains:
        - filters:
            - name: envoy.filters.network.http_connection_manager
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                stat_prefix: web
                rds:
                  route_config_name: shop/web-routes
                http_filters:
                  - name: envoy.filters.http.lua
                    typed_config:
                      "@type": type.googleapis.com/envoy.extensions.filters.http.lua.v3.Lua
                      default_source_code:
                        inline_string: "function envoy_on_request(h) h:logInfo('\${user} asked') end"
                  - name: envoy.filters.http.router
                    typed_config:
                      "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router
`;
  const withoutPlaceholder = lint(cec.replace('${user}', 'someone'));
  assert.deepEqual(lint(cec), withoutPlaceholder);
  assert.ok(!withoutPlaceholder.some((f) => f.code === 'document/templated'));
  // Where the placeholder makes a value invalid as written, that finding gives way to the note.
  const fqdn = lint(
    POLICY.replace(
      '  ingress:\n    - fromEndpoints:\n        - matchLabels:\n            app: web\n',
      '  egress:\n    - toFQDNs:\n        - matchName: "${HOST}.example.com"\n',
    ),
  );
  assert.deepEqual(
    fqdn.filter((f) => f.code.startsWith('schema/') || f.code === 'document/templated').map((f) => [f.code, f.text]),
    [['document/templated', '"${HOST}.example.com"']],
  );
  assert.match(fqdn.find((f) => f.code === 'document/templated')!.message, /1 finding left out/);
  // A `${` that is not a placeholder (no closing brace) is an ordinary character: its error stays.
  const bad = lint(POLICY.replace('app: web', 'app: "web${x"'));
  assert.ok(
    bad.some((f) => f.code === 'schema/pattern'),
    JSON.stringify(bad),
  );
});
