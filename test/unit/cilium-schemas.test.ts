// SPDX-License-Identifier: Apache-2.0
/**
 * Our CiliumNetworkPolicy / CiliumClusterwideNetworkPolicy schemas on hand-made documents: each
 * invalid fixture must give the expected finding code on the expected (1-based) line, the valid ones
 * none at all, and the fields removed in Cilium 1.20 must depend on the target release.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse, stringify } from 'yaml';
import { parseFile } from '../../server/src/core/document.js';
import { lintFile } from '../../server/src/lint/lint.js';
import { LineIndex } from '../../server/src/core/line-index.js';
import { SchemaValidator } from '../../server/src/core/schema-validation.js';
import { DEFAULT_SETTINGS } from '../../server/src/settings.js';
import { loadSchemaFiles } from '../../server/src/io/schema-files.js';
import { REPO_ROOT } from '../support/paths.js';

const files = loadSchemaFiles();
const validator = new SchemaValidator(files);

interface Seen {
  code: string;
  severity: string;
  line: number;
  message: string;
  text: string;
}

/** Every finding of a text. */
function lintAll(text: string, ciliumVersion = '1.20'): Seen[] {
  const lines = new LineIndex(text);
  return lintFile(parseFile(text), { validator, settings: { ...DEFAULT_SETTINGS, ciliumVersion } }).map((f) => ({
    code: f.code,
    severity: f.severity,
    line: lines.positionAt(f.span.start).line + 1,
    message: f.message,
    text: text.slice(f.span.start, f.span.end),
  }));
}

/**
 * The schema and release findings of a text. Lint rules (other files) may add their own findings to
 * these fixtures; what is checked here is what the schemas say.
 */
function lint(text: string, ciliumVersion = '1.20'): Seen[] {
  return lintAll(text, ciliumVersion).filter((f) => /^(schema|version)\//.test(f.code));
}

/** The only schema or release finding of a text; fails when there are none or several. */
function only(text: string, ciliumVersion?: string): Seen {
  const all = lint(text, ciliumVersion);
  assert.equal(all.length, 1, `expected one finding, got: ${JSON.stringify(all, null, 1)}`);
  return all[0]!;
}

/** A CNP whose `spec` starts at line 5, so the first line of `body` is line 6. */
const cnp = (body: string): string => `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: demo
spec:
${body}`;

const fixture = (name: string): string =>
  fs.readFileSync(path.join(REPO_ROOT, 'test', 'fixtures', 'cilium', name), 'utf8');

test('the valid fixtures lint without a finding', () => {
  for (const name of ['valid-cnp.yaml', 'valid-ccnp.yaml']) {
    const text = fixture(name);
    assert.deepEqual(lint(text), [], name);
    // The same documents are also fine for the previous release.
    assert.deepEqual(lint(text, '1.19'), [], `${name} for 1.19`);
    // Lint rules may add advice (e.g. about agent options), but nothing calls these documents wrong.
    assert.deepEqual(
      lintAll(text).filter((f) => f.severity === 'error'),
      [],
      `${name}: no errors at all`,
    );
  }
});

test('a typo in a key is an unknown field, with the right name suggested', () => {
  const f = only(
    cnp(`  endpointSelector: {}
  ingress:
    - fromEndpoint:
        - matchLabels:
            app: web
`),
  );
  assert.equal(f.code, 'schema/unknown-field');
  assert.equal(f.line, 8);
  assert.equal(f.text, 'fromEndpoint');
  assert.match(f.message, /Did you mean `fromEndpoints`/);
});

test('a typo in a top-level key of a clusterwide policy is an unknown field too', () => {
  const f = only(`apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata:
  name: demo
specs: []
spce: {}
`);
  assert.equal(f.code, 'schema/unknown-field');
  assert.equal(f.line, 6);
});

test('an unquoted port number is the wrong type (the CRD wants a string)', () => {
  const f = only(
    cnp(`  endpointSelector: {}
  egress:
    - toPorts:
        - ports:
            - port: 443
              protocol: TCP
`),
  );
  assert.equal(f.code, 'schema/type');
  assert.equal(f.line, 10);
  assert.equal(f.text, '443');
  assert.match(f.message, /must be a string/);
});

test('a protocol outside the enum is flagged, with the upper-case spelling suggested', () => {
  const f = only(
    cnp(`  endpointSelector: {}
  ingress:
    - toPorts:
        - ports:
            - port: "80"
              protocol: tcp
`),
  );
  assert.equal(f.code, 'schema/enum');
  assert.equal(f.line, 11);
  assert.match(f.message, /`TCP`/);
});

test('an unknown entity is flagged', () => {
  const f = only(cnp(`  endpointSelector: {}\n  egress:\n    - toEntities: [world, wrold]\n`));
  assert.equal(f.code, 'schema/enum');
  assert.equal(f.line, 8);
  assert.equal(f.text, 'wrold');
});

test('a missing required field is blamed on the object that lacks it', () => {
  const f = only(
    cnp(`  endpointSelector: {}
  ingress:
    - fromEntities: [cluster]
      authentication: {}
`),
  );
  assert.equal(f.code, 'schema/required');
  assert.equal(f.line, 9);
  assert.equal(f.text, 'authentication');
  assert.match(f.message, /`mode`/);
});

test('a header match without a name is missing a required field', () => {
  const f = only(
    cnp(`  endpointSelector: {}
  ingress:
    - toPorts:
        - ports: [{ port: "80", protocol: TCP }]
          rules:
            http:
              - headerMatches:
                  - value: x
`),
  );
  assert.equal(f.code, 'schema/required');
  assert.equal(f.line, 13);
  assert.match(f.message, /`name`/);
});

test('a CIDR with a prefix too long, or without a prefix, is a format error', () => {
  const findings = lint(
    cnp(
      `  endpointSelector: {}\n  egress:\n    - toCIDR:\n        - 10.0.0.0/33\n        - 10.1.2.3\n        - 2001:db8::/32\n`,
    ),
  );
  assert.deepEqual(
    findings.map((f) => [f.code, f.line, f.text]),
    [
      ['schema/format', 9, '10.0.0.0/33'],
      ['schema/format', 10, '10.1.2.3'],
    ],
  );
});

test('a placeholder where a CIDR goes is a note, not an error', () => {
  const f = only(cnp(`  endpointSelector: {}\n  ingress:\n    - fromCIDR:\n        - NODE_IP/32\n`));
  assert.equal(f.code, 'schema/format');
  assert.equal(f.severity, 'information');
  assert.equal(f.line, 9);
});

test('log.value accepts printable text in any script and rejects control characters and long text', () => {
  const withLog = (value: string): string =>
    cnp(`  endpointSelector: {}\n  ingress: [{}]\n  log:\n    value: ${value}\n`);
  assert.deepEqual(lint(withLog('"Zugriff für Ærø, café ✓"')), []);
  assert.deepEqual(lint(withLog('"访问 разрешён"')), []);
  const ctl = only(withLog('"bell\\u0007here"'));
  assert.equal(ctl.code, 'schema/pattern');
  assert.equal(ctl.line, 9);
  assert.match(ctl.message, /control/);
  const tab = only(withLog('"a\\tb"'));
  assert.equal(tab.code, 'schema/pattern');
  const long = only(withLog('"' + 'x'.repeat(33) + '"'));
  assert.equal(long.code, 'schema/limit');
  assert.equal(long.line, 9);
});

test('a rule needs exactly one of endpointSelector and nodeSelector', () => {
  // A clusterwide policy, since a namespaced one with nodeSelector is also reported by a lint rule.
  const ccnp = (body: string): string =>
    cnp(body).replace('kind: CiliumNetworkPolicy', 'kind: CiliumClusterwideNetworkPolicy');
  const both = only(ccnp(`  endpointSelector: {}\n  nodeSelector: {}\n  ingress: [{}]\n`));
  assert.equal(both.code, 'schema/one-of');
  // On the second selector key: that is the one to remove (or the first, the user decides), not `spec`.
  assert.equal(both.line, 7);
  assert.equal(both.text, 'nodeSelector');
  const reversed = only(ccnp(`  nodeSelector: {}\n  ingress: [{}]\n  endpointSelector: {}\n`));
  assert.equal(reversed.line, 8);
  assert.equal(reversed.text, 'endpointSelector');
  assert.match(both.message, /only one of `endpointSelector` or `nodeSelector`/);
  const neither = only(ccnp(`  description: nothing selected\n  ingress: [{}]\n`));
  assert.equal(neither.code, 'schema/one-of');
  assert.equal(neither.line, 5);
  assert.match(neither.message, /exactly one of `endpointSelector` or `nodeSelector`/);
});

test('a rule needs at least one of ingress, ingressDeny, egress and egressDeny', () => {
  const f = only(cnp(`  endpointSelector: {}\n`));
  assert.equal(f.code, 'schema/one-of');
  assert.equal(f.line, 5);
  assert.match(f.message, /`ingress`, `ingressDeny`, `egress` or `egressDeny`/);
});

test('a policy needs spec or specs', () => {
  const f = only(`apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: demo\n`);
  assert.equal(f.code, 'schema/one-of');
  assert.equal(f.line, 2);
  assert.match(f.message, /`spec` or `specs`/);
});

test('a toFQDNs entry needs exactly one of matchName and matchPattern', () => {
  const none = only(cnp(`  endpointSelector: {}\n  egress:\n    - toFQDNs:\n        - {}\n`));
  assert.equal(none.code, 'schema/one-of');
  assert.equal(none.line, 9);
  assert.match(none.message, /exactly one of `matchName` or `matchPattern`/);
  const both = only(
    cnp(
      `  endpointSelector: {}\n  egress:\n    - toFQDNs:\n        - matchName: a.example.com\n          matchPattern: "*.example.com"\n`,
    ),
  );
  assert.equal(both.code, 'schema/one-of');
  assert.equal(both.line, 10);
  assert.equal(both.text, 'matchPattern');
  const bad = only(
    cnp(`  endpointSelector: {}\n  egress:\n    - toFQDNs:\n        - matchPattern: "[a-z]+.example.com"\n`),
  );
  assert.equal(bad.code, 'schema/pattern');
  assert.equal(bad.line, 9);
});

test('a CIDR set entry takes exactly one of cidr, cidrGroupRef and cidrGroupSelector', () => {
  const f = only(
    cnp(
      `  endpointSelector: {}\n  egress:\n    - toCIDRSet:\n        - cidr: 10.0.0.0/8\n          cidrGroupRef: office\n`,
    ),
  );
  assert.equal(f.code, 'schema/one-of');
  assert.equal(f.line, 10);
  assert.equal(f.text, 'cidrGroupRef');
});

test('ICMP types are numbers 0-255 or names, and ports are limited to 40 per entry', () => {
  const icmp = lint(
    cnp(
      `  endpointSelector: {}\n  ingress:\n    - icmps:\n        - fields:\n            - type: 300\n            - type: Echo Request\n            - type: 8\n`,
    ),
  );
  assert.deepEqual(
    icmp.map((f) => [f.code, f.line]),
    [
      ['schema/limit', 10],
      ['schema/pattern', 11],
    ],
  );
  const ports = Array.from({ length: 41 }, (_, i) => `            - port: "${1000 + i}"`).join('\n');
  const f = only(cnp(`  endpointSelector: {}\n  ingress:\n    - toPorts:\n        - ports:\n${ports}\n`));
  assert.equal(f.code, 'schema/limit');
  assert.equal(f.line, 10);
});

test('one rules object holds one L7 protocol; for 1.20 the message names only http and dns', () => {
  const both = cnp(`  endpointSelector: {}
  egress:
    - toPorts:
        - ports: [{ port: "53", protocol: ANY }]
          rules:
            dns: [{ matchPattern: "*" }]
            http: [{}]
`);
  const f = only(both);
  assert.equal(f.code, 'schema/one-of');
  assert.equal(f.line, 12);
  assert.equal(f.text, 'http');
  assert.match(f.message, /only one of `http` or `dns`\./);
  const empty = cnp(
    `  endpointSelector: {}\n  egress:\n    - toPorts:\n        - ports: [{ port: "80", protocol: TCP }]\n          rules: {}\n`,
  );
  assert.match(only(empty).message, /exactly one of `http` or `dns`\./);
  // For 1.19 the removed protocols are still choices.
  assert.match(only(empty, '1.19').message, /`http`, `dns`, `kafka` or `l7proto`/);
});

test('kafka rules are accepted for Cilium 1.19 and reported, naming both releases, for 1.20', () => {
  const text = cnp(`  endpointSelector:
    matchLabels:
      app: kafka
  ingress:
    - toPorts:
        - ports: [{ port: "9092", protocol: TCP }]
          rules:
            kafka:
              - role: produce
                topic: orders
              - apiKey: fetch
                apiVersion: "11"
                clientID: billing-1
`);
  assert.deepEqual(lint(text, '1.19'), []);
  const f = only(text);
  assert.equal(f.code, 'version/removed');
  assert.equal(f.line, 13);
  assert.equal(f.text, 'kafka');
  assert.match(f.message, /removed in Cilium 1\.20.*up to Cilium 1\.19/);
  // The 1.19 shape is still checked for 1.19.
  const bad = only(text.replace('role: produce', 'role: write'), '1.19');
  assert.equal(bad.code, 'schema/enum');
  assert.equal(bad.line, 14);
});

test('l7proto and l7 are accepted for Cilium 1.19 and reported for 1.20', () => {
  const text = cnp(`  endpointSelector: {}
  ingress:
    - toPorts:
        - ports: [{ port: "1234", protocol: TCP }]
          rules:
            l7proto: r2d2
            l7:
              - cmd: READ
                file: "/public/.*"
`);
  assert.deepEqual(lint(text, '1.19'), []);
  assert.deepEqual(
    lint(text).map((f) => [f.code, f.line, f.text]),
    [
      ['version/removed', 11, 'l7proto'],
      ['version/removed', 12, 'l7'],
    ],
  );
});

test('fromRequires and toRequires: an empty list is fine, entries are accepted up to 1.18', () => {
  const text = cnp(`  endpointSelector: {}
  ingress:
    - fromRequires:
        - matchLabels:
            env: prod
  egress:
    - toRequires: []
`);
  assert.deepEqual(lint(text, '1.18'), []);
  // The 1.19.0 CRD already limits the list to 0 items (of strings), as 1.20 does.
  for (const target of ['1.19', '1.20']) {
    const f = only(text, target);
    assert.equal(f.code, 'version/removed');
    assert.equal(f.line, 8);
    assert.match(
      f.message,
      new RegExp(
        `\`fromRequires\` was removed in Cilium 1\\.19 .*1\\.18.*target is Cilium ${target.replace('.', '\\.')}`,
      ),
    );
  }
});

test('deny rules take only ports in toPorts, and egressDeny has no toFQDNs', () => {
  const findings = lint(
    cnp(`  endpointSelector: {}
  egressDeny:
    - toFQDNs: [{ matchName: a.example.com }]
    - toPorts:
        - ports: [{ port: "80" }]
          rules:
            http: [{}]
`),
  );
  assert.deepEqual(
    findings.map((f) => [f.code, f.line, f.text]),
    [
      ['schema/unknown-field', 8, 'toFQDNs'],
      ['schema/unknown-field', 11, 'rules'],
    ],
  );
});

/** Fills `${1:default}` with its default and `${1}` with `x`, as an editor would on accepting a snippet. */
function expandSnippet(value: unknown): unknown {
  if (typeof value === 'string') {
    const text = value.replace(/\$\{\d+:([^}]*)\}/g, '$1').replace(/\$\{\d+\}|\$\d+/g, 'x');
    // yaml-language-server inserts a value that starts with `^` as written (a quoted port stays quoted).
    return text.startsWith('^') ? (parse(text.slice(1)) as unknown) : text;
  }
  if (Array.isArray(value)) return value.map(expandSnippet);
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [expandSnippet(k) as string, expandSnippet(v)]));
  return value;
}

/** Where each definition with snippets sits in a document, so that a snippet can be checked in place. */
const SNIPPET_HOSTS: Record<string, (body: unknown) => unknown> = {
  rule: (b) => b,
  endpointSelector: (b) => ({ endpointSelector: b, ingress: [{}] }),
  ingressRule: (b) => ({ endpointSelector: {}, ingress: [b] }),
  egressRule: (b) => ({ endpointSelector: {}, egress: [b] }),
  cidrRule: (b) => ({ endpointSelector: {}, egress: [{ toCIDRSet: [b] }] }),
  fqdnSelector: (b) => ({ endpointSelector: {}, egress: [{ toFQDNs: [b] }] }),
  service: (b) => ({ endpointSelector: {}, egress: [{ toServices: [b] }] }),
  portProtocol: (b) => ({ endpointSelector: {}, egress: [{ toPorts: [{ ports: [b] }] }] }),
  portRule: (b) => ({ endpointSelector: {}, ingress: [{ toPorts: [b] }] }),
  portDenyRule: (b) => ({ endpointSelector: {}, ingressDeny: [{ toPorts: [b] }] }),
  l7Rules: (b) => ({
    endpointSelector: {},
    egress: [{ toPorts: [{ ports: [{ port: '53', protocol: 'TCP' }], rules: b }] }],
  }),
  httpRule: (b) => ({
    endpointSelector: {},
    ingress: [{ toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }], rules: { http: [b] } }] }],
  }),
  icmpRule: (b) => ({ endpointSelector: {}, ingress: [{ icmps: [b] }] }),
};

test('every completion snippet of the network-policy schema is valid where it is offered', () => {
  const defs = (
    files['cilium.io/_defs/network-policy.json'] as {
      definitions: Record<string, { defaultSnippets?: { label: string; body: unknown }[] }>;
    }
  ).definitions;
  const withSnippets = Object.entries(defs).filter(([, d]) => d.defaultSnippets?.length);
  // The snippets people use most are there: a peer rule, a toPorts block, an HTTP rule, a DNS rule.
  for (const name of ['ingressRule', 'portRule', 'httpRule', 'fqdnSelector', 'l7Rules']) {
    assert.ok(defs[name]?.defaultSnippets?.length, `${name} has snippets`);
  }
  let checked = 0;
  for (const [name, def] of withSnippets) {
    const host = SNIPPET_HOSTS[name];
    assert.ok(host, `no host document for the snippets of ${name}`);
    for (const s of def.defaultSnippets!) {
      const doc = {
        apiVersion: 'cilium.io/v2',
        kind: 'CiliumNetworkPolicy',
        metadata: { name: 'demo' },
        spec: host(expandSnippet(s.body)),
      };
      const text = stringify(doc);
      assert.deepEqual(lint(text), [], `snippet "${s.label}" of ${name}:\n${text}`);
      checked++;
    }
  }
  assert.ok(checked >= 15, `checked ${checked} snippets`);
});

test('every property of the network-policy schemas has a description of our own', () => {
  const missing: string[] = [];
  const visit = (node: unknown, where: string): void => {
    if (!node || typeof node !== 'object') return;
    const n = node as Record<string, unknown>;
    const props = n['properties'] as Record<string, Record<string, unknown>> | undefined;
    for (const [k, p] of Object.entries(props ?? {})) {
      // A bare `$ref` takes the description of the definition it points to.
      const described = typeof p['description'] === 'string' && (p['description'] as string).length > 0;
      if (!described && !(typeof p['$ref'] === 'string' && p['$ref'].includes('#/definitions/')))
        missing.push(`${where}.${k}`);
    }
    for (const [k, v] of Object.entries(n)) if (typeof v === 'object') visit(v, `${where}/${k}`);
  };
  for (const f of [
    'cilium.io/_defs/network-policy.json',
    'cilium.io/ciliumnetworkpolicy_v2.json',
    'cilium.io/ciliumclusterwidenetworkpolicy_v2.json',
  ]) {
    const schema = files[f];
    assert.ok(schema, `${f} is loaded`);
    visit(schema, f);
  }
  assert.deepEqual(missing, []);
});

test('the clusterwide schema is the namespaced one apart from kind and wording', () => {
  const strip = (s: unknown): unknown => {
    const o = parse(JSON.stringify(s)) as Record<string, unknown>;
    for (const k of ['$id', 'title', 'description', 'markdownDescription']) delete o[k];
    const props = o['properties'] as Record<string, Record<string, unknown>>;
    delete props['kind']!['enum'];
    delete props['spec']!['description'];
    return o;
  };
  assert.deepEqual(
    strip(files['cilium.io/ciliumclusterwidenetworkpolicy_v2.json']),
    strip(files['cilium.io/ciliumnetworkpolicy_v2.json']),
  );
});

test('L7 rules in a deny section get an explanation, not just "unknown field"', () => {
  const text = cnp(
    `  endpointSelector: {}\n  ingressDeny:\n    - toPorts:\n        - ports:\n            - port: "80"\n              protocol: TCP\n          rules:\n            http:\n              - method: GET\n`,
  );
  const f = only(text);
  assert.equal(f.code, 'schema/unknown-field');
  assert.match(f.message, /Deny sections match ports only: L7 rules cannot deny a request/);
});
