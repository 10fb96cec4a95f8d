// SPDX-License-Identifier: Apache-2.0
/** How schema errors become findings: codes, messages and the smallest useful span. */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { parseFile } from '../../server/src/core/document.js';
import { lintFile } from '../../server/src/lint/lint.js';
import { SchemaValidator, isCidr } from '../../server/src/core/schema-validation.js';
import { compareVersions, versionProblem } from '../../server/src/core/versions.js';
import { closest } from '../../server/src/core/text-distance.js';
import { DEFAULT_SETTINGS, normalizeSettings } from '../../server/src/settings.js';
import { loadSchemaFiles } from '../../server/src/io/schema-files.js';

const validator = new SchemaValidator(loadSchemaFiles());

function lint(text: string, settings = DEFAULT_SETTINGS) {
  return lintFile(parseFile(text), { validator, settings }).map((f) => ({
    ...f,
    text: text.slice(f.span.start, f.span.end),
  }));
}

const CEC = (spec: string) => `apiVersion: cilium.io/v2
kind: CiliumEnvoyConfig
metadata:
  name: demo
spec:
${spec}`;

test('a valid document has no findings', () => {
  assert.deepEqual(lint(CEC('  services:\n    - name: web\n      ports: [80]\n  resources: []\n')), []);
});

test('an unknown field is blamed on its key, with a suggestion', () => {
  const [f, ...rest] = lint(CEC('  servces:\n    - name: web\n  resources: []\n'));
  assert.equal(rest.length, 0);
  assert.equal(f!.code, 'schema/unknown-field');
  assert.equal(f!.text, 'servces');
  assert.match(f!.message, /Did you mean `services`/);
});

test('a missing required field is blamed on the key of the object that lacks it', () => {
  const [f] = lint(CEC('  services:\n    - name: web\n'));
  assert.equal(f!.code, 'schema/required');
  assert.equal(f!.text, 'spec');
  assert.match(f!.message, /`resources`/);
});

test('a wrong type is blamed on the value', () => {
  const [f] = lint(CEC('  services:\n    - name: web\n      ports: eighty\n  resources: []\n'));
  assert.equal(f!.code, 'schema/type');
  assert.equal(f!.text, 'eighty');
  assert.match(f!.message, /must be a list/);
});

test('an enum mismatch names the closest value', () => {
  const text = CEC(
    '  resources: []\n  nodeSelector:\n    matchExpressions:\n      - key: a\n        operator: Exist\n',
  );
  const [f] = lint(text);
  assert.equal(f!.code, 'schema/enum');
  assert.equal(f!.text, 'Exist');
  assert.match(f!.message, /Did you mean `Exists`/);
});

test('documents of other kinds get nothing, and a wrong apiVersion gets one finding', () => {
  assert.deepEqual(lint('apiVersion: apps/v1\nkind: Deployment\nspec: {bogus: 1}\n'), []);
  const [f] = lint('apiVersion: cilium.io/v1\nkind: CiliumEnvoyConfig\nmetadata: {name: x}\n');
  assert.equal(f!.code, 'document/api-version');
  assert.equal(f!.text, 'cilium.io/v1');
});

test('a syntax error is one finding, not a cascade', () => {
  const found = lint(CEC('  resources: [\n  services: {\n'));
  assert.equal(found.length, 1);
  assert.equal(found[0]!.code, 'yaml/syntax');
});

test('a templated document is skipped with one information finding', () => {
  const found = lint(CEC('  resources: {{ .Values.resources }}\n'));
  assert.equal(found.length, 1);
  assert.equal(found[0]!.severity, 'information');
  assert.equal(found[0]!.code, 'document/templated');
});

test('severity overrides turn a code off or change its severity', () => {
  const text = CEC('  servces: []\n  resources: []\n');
  assert.equal(lint(text, normalizeSettings({ rules: { 'schema/unknown-field': 'off' } })).length, 0);
  assert.equal(lint(text, normalizeSettings({ rules: { 'schema/unknown-field': 'warning' } }))[0]!.severity, 'warning');
  assert.equal(lint(text, normalizeSettings({ validate: { enable: false } })).length, 0);
});

test('CIDR format follows Go net.ParseCIDR', () => {
  for (const ok of ['10.0.0.0/8', '0.0.0.0/0', '2001:db8::/32', '::/0', '::ffff:10.0.0.1/128'])
    assert.ok(isCidr(ok), ok);
  for (const bad of [
    '10.0.0.0',
    '10.0.0.0/33',
    '256.0.0.0/8',
    '10.0.0/8',
    '2001:db8::/129',
    'fe80::1%eth0/64',
    '01.0.0.0/8',
  ])
    assert.ok(!isCidr(bad), bad);
});

test('release checks compare major.minor and name the versions', () => {
  assert.ok(compareVersions('1.19', '1.20') < 0);
  assert.ok(compareVersions('v1.20.3', '1.20') === 0);
  const msg = versionProblem({ product: 'cilium', removedIn: '1.20' }, { cilium: '1.20', tetragon: '1.8' }, 'kafka');
  assert.match(msg ?? '', /removed in Cilium 1\.20 \(accepted up to Cilium 1\.19\); the target is Cilium 1\.20/);
  assert.equal(
    versionProblem({ product: 'cilium', removedIn: '1.20' }, { cilium: '1.19', tetragon: '1.8' }, 'kafka'),
    undefined,
  );
  assert.match(
    versionProblem({ product: 'tetragon', addedIn: '1.5' }, { cilium: '1.20', tetragon: '1.4' }, 'x') ?? '',
    /`x` was added in Tetragon 1\.5; the target is Tetragon 1\.4/,
  );
});

test('settings are normalised tolerantly', () => {
  const s = normalizeSettings({
    ciliumVersion: 1.19,
    tetragonVersion: 'v1.7.2',
    rules: { a: 'warn', b: 'bogus', c: 'off' },
    lint: { delay: -1 },
  });
  assert.equal(s.ciliumVersion, '1.19');
  assert.equal(s.tetragonVersion, '1.7');
  assert.deepEqual(s.rules, { a: 'warning', c: 'off' });
  assert.equal(s.lintDelayMs, DEFAULT_SETTINGS.lintDelayMs);
  assert.deepEqual(normalizeSettings(null), DEFAULT_SETTINGS);
});

test('did-you-mean suggestions', () => {
  assert.equal(closest('egres', ['ingress', 'egress', 'egressDeny']), 'egress');
  assert.equal(closest('zzzzzz', ['ingress', 'egress']), undefined);
  assert.equal(closest('TPC', ['TCP', 'UDP', 'SCTP']), 'TCP');
});

test('CRD patterns run on an RE2 engine: a near-miss on a nested-quantifier pattern stays fast', () => {
  const text = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: slow
  namespace: a
spec:
  endpointSelector: {}
  egress:
    - toFQDNs:
        - matchName: "${'a'.repeat(5000)}!"
`;
  const started = performance.now();
  const found = lint(text).filter((f) => f.code === 'schema/pattern');
  const ms = performance.now() - started;
  assert.equal(found.length, 1);
  assert.ok(ms < 2000, `validated in ${ms.toFixed(0)} ms`);
});

test('release annotations: a field added later is reported against an older target', () => {
  const files = {
    'cilium.io/ciliumnetworkpolicy_v2.json': {
      $id: 'cilium-policy:///cilium.io/ciliumnetworkpolicy_v2.json',
      type: 'object',
      properties: {
        spec: {
          type: 'object',
          properties: {
            newThing: { type: 'string', 'x-cilium-policy-versions': { product: 'cilium', addedIn: '1.19' } },
          },
        },
      },
    },
  };
  const custom = new SchemaValidator(files);
  const text = 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nspec:\n  newThing: x\n';
  const old = lintFile(parseFile(text), {
    validator: custom,
    settings: normalizeSettings({ ciliumVersion: '1.18' }),
    rules: [],
  });
  assert.equal(old.length, 1);
  assert.equal(old[0]!.code, 'version/not-yet-available');
  assert.match(old[0]!.message, /was added in Cilium 1\.19; the target is Cilium 1\.18/);
  assert.equal(text.slice(old[0]!.span.start, old[0]!.span.end), 'newThing');
  assert.deepEqual(
    lintFile(parseFile(text), { validator: custom, settings: normalizeSettings({ ciliumVersion: '1.19' }), rules: [] }),
    [],
  );
});

test('a key still waiting for its value gets one finding (the API server drops it), not also an enum finding', () => {
  const text = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: typing
  namespace: shop
spec:
  endpointSelector: {}
  egress:
    - toPorts:
        - ports:
            - port: "80"
              protocol:
`;
  const found = lint(text).filter((f) => f.code.startsWith('schema/'));
  assert.deepEqual(
    found.map((f) => [f.code, f.severity]),
    [['schema/null-value', 'warning']],
  );
  assert.equal(found[0]!.text, 'protocol');
  // With a value of the wrong type it is one type error.
  const wrong = lint(text.replace('protocol:\n', 'protocol: 6\n')).filter((f) => f.code.startsWith('schema/'));
  assert.deepEqual(
    wrong.map((f) => f.code),
    ['schema/type'],
  );
});

test('a key with no value is dropped by the API server: a warning that says so, not a type error', () => {
  const text = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: nulls
  namespace: shop
spec:
  endpointSelector:
    matchLabels:
      app: web
      tier:
  egress:
    - toEndpoints:
      toPorts:
        - ports:
            - port: "80"
`;
  const found = lint(text).filter((f) => f.code.startsWith('schema/'));
  assert.deepEqual(
    found.map((f) => [f.code, f.severity, f.text]),
    [
      ['schema/null-value', 'warning', 'tier'],
      ['schema/null-value', 'warning', 'toEndpoints'],
    ],
  );
  assert.match(found[0]!.message, /this key is dropped/);
  assert.match(found[0]!.message, /no longer requires the label `tier`/);
  assert.match(found[1]!.message, /as if .* not there|without it/);
});

test('a null where the CRD has a default gets the default (information); a null list item stays an error', () => {
  const tp = `apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: nulls
spec:
  kprobes:
    - call: sys_write
      args:
        - index: 0
          type:
`;
  const found = lint(tp).filter((f) => f.code.startsWith('schema/'));
  assert.deepEqual(
    found.map((f) => [f.code, f.severity, f.text]),
    [['schema/null-value', 'information', 'type']],
  );
  assert.match(found[0]!.message, /default `auto`/);
  // An empty hook list is dropped: a policy without kprobes, which the schema accepts.
  const empty = lint('apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: e\nspec:\n  kprobes:\n');
  assert.deepEqual(
    empty.filter((f) => f.code.startsWith('schema/')).map((f) => [f.code, f.severity, f.text]),
    [['schema/null-value', 'warning', 'kprobes']],
  );
  // The API server only drops null map values; a null list item is validated and rejected.
  const item = lint(CEC('  services:\n    -\n  resources: []\n')).filter((f) => f.code.startsWith('schema/'));
  assert.deepEqual(
    item.map((f) => [f.code, f.severity]),
    [['schema/type', 'error']],
  );
  // A dropped required field is then missing, as on the cluster.
  const spec = lint('apiVersion: cilium.io/v2\nkind: CiliumEnvoyConfig\nmetadata:\n  name: x\nspec:\n  resources:\n');
  assert.deepEqual(
    spec.filter((f) => f.code.startsWith('schema/')).map((f) => [f.code, f.severity, f.text]),
    [
      ['schema/null-value', 'warning', 'resources'],
      ['schema/required', 'error', 'spec'],
    ],
  );
});

test('an unknown field says who turns it away: the API server under strict field validation, or pruning', () => {
  const [spec] = lint(CEC('  servces:\n    - name: web\n  resources: []\n'));
  assert.match(spec!.message, /API server rejects it under strict field validation \(kubectl's default\)/);
  assert.match(spec!.message, /otherwise drops it/);
  assert.doesNotMatch(spec!.message, /agent rejects/);
  const meta = lint(
    'apiVersion: cilium.io/v2\nkind: CiliumEnvoyConfig\nmetadata:\n  name: demo\n  lables: {a: b}\nspec:\n  resources: []\n',
  );
  assert.deepEqual(
    meta.map((f) => [f.code, f.text]),
    [['schema/unknown-field', 'lables']],
  );
  assert.match(meta[0]!.message, /strict field validation/);
  const status = lint(`apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: demo
  namespace: a
spec:
  endpointSelector: {}
  ingress: [{}]
status:
  bogus: 1
`).filter((f) => f.code === 'schema/unknown-field');
  assert.equal(status.length, 1);
  assert.match(status[0]!.message, /`status` is written by Cilium/);
});

test('a policy kind without apiVersion is told which apiVersion it needs, on its kind, with a fix', () => {
  const text = 'kind: CiliumNetworkPolicy\nmetadata:\n  name: x\nspec:\n  endpointSelector: {}\n';
  const [f, ...rest] = lint(text);
  assert.equal(rest.length, 0);
  assert.equal(f!.code, 'document/api-version');
  assert.equal(f!.text, 'kind');
  assert.doesNotMatch(f!.message, /not ``/);
  assert.match(f!.message, /no `apiVersion`/);
  assert.match(f!.message, /`apiVersion: cilium\.io\/v2`/);
  const fix = f!.fixes?.[0];
  assert.ok(fix, 'a quick fix');
  const fixed = fix.edits.reduce((t, e) => t.slice(0, e.start) + e.newText + t.slice(e.end), text);
  assert.equal(fixed, `apiVersion: cilium.io/v2\n${text}`);
  // A wrong one is replaced in place.
  const wrong = 'apiVersion: cilium.io/v1alpha1\nkind: CiliumNetworkPolicy\nmetadata:\n  name: x\n';
  const [g] = lint(wrong);
  assert.match(g!.message, /not `cilium\.io\/v1alpha1`/);
  const edit = g!.fixes![0]!.edits[0]!;
  assert.equal(wrong.slice(0, edit.start) + edit.newText + wrong.slice(edit.end), wrong.replace('v1alpha1', 'v2'));
});
