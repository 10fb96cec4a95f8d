// SPDX-License-Identifier: Apache-2.0
/** Incremental linting: a lint that reuses cached per-document results gives exactly what a fresh lint gives. */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { parseFile, type PolicyFile } from '../../server/src/core/document.js';
import { applySuppressions, LintCache, lintFile, type LintContext } from '../../server/src/lint/lint.js';
import { DEFAULT_SETTINGS, type Settings } from '../../server/src/settings.js';
import { RULES } from '../../server/src/lint/registry.js';
import { testValidator } from '../support/annotations.js';

/** A CNP with an FQDN rule; with `dns`, it has its own DNS rule (so `cilium/fqdn-without-dns-rule` stays quiet). */
const CNP = (name: string, app: string, dns: boolean, protocol = 'TCP') => `---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: ${name}
  namespace: shop
spec:
  endpointSelector:
    matchLabels:
      app: ${app}
  egress:
    - toFQDNs:
        - matchName: api.example.com
      toPorts:
        - ports:
            - port: "443"
              protocol: ${protocol}
${
  dns
    ? `    - toEndpoints:
        - matchLabels:
            k8s-app: kube-dns
      toPorts:
        - ports:
            - port: "53"
              protocol: ANY
          rules:
            dns:
              - matchPattern: "*"
`
    : ''
}`;

const TP = (name: string, field = 'syscall') => `---
apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: ${name}
spec:
  kprobes:
    - call: security_file_permission
      ${field}: false
      args:
        - index: 0
          type: file
`;

function ctx(settings: Settings = DEFAULT_SETTINGS, cache?: LintCache): LintContext {
  return { validator: testValidator(), settings, ...(cache ? { cache } : {}) };
}

/** Lints a sequence of texts as an editor would (previous parse and cache handed over) and checks each against a fresh lint. */
function checkSequence(
  texts: readonly string[],
  settings: readonly Settings[] = texts.map(() => DEFAULT_SETTINGS),
): void {
  const cache = new LintCache();
  let previous: PolicyFile | undefined;
  texts.forEach((text, i) => {
    const file = parseFile(text, previous);
    previous = file;
    const incremental = lintFile(file, ctx(settings[i], cache));
    const fresh = lintFile(parseFile(text), ctx(settings[i]));
    assert.deepEqual(incremental, fresh, `step ${i}`);
  });
}

test('edits above, inside and below documents give the findings of a fresh lint', () => {
  const a = CNP('a', 'web', false, 'TCPP');
  const b = TP('b', 'syscal');
  const c = CNP('c', 'web', true);
  const d = TP('d');
  checkSequence([
    a + b + c + d,
    `# a comment above\n${a}${b}${c}${d}`,
    `# a comment above\n${a}${TP('b', 'syscall')}${c}${d}`,
    `# a comment above\n${a}${TP('b', 'syscall')}${c}${d}${CNP('e', 'other', false)}`,
    `${a}${b}${c}${d}`,
  ]);
});

test('a cross-document rule sees changes in other documents even when its own document is cached', () => {
  // `a` has no DNS rule; `c` (same labels, same namespace) provides one; removing it must bring the warning back.
  const a = CNP('a', 'web', false);
  const withProvider = a + CNP('c', 'web', true);
  const withoutProvider = a + CNP('c', 'web', false);
  const cache = new LintCache();
  const f1 = parseFile(withProvider);
  const before = lintFile(f1, ctx(DEFAULT_SETTINGS, cache)).filter((f) => f.code === 'cilium/fqdn-without-dns-rule');
  const f2 = parseFile(withoutProvider, f1);
  const after = lintFile(f2, ctx(DEFAULT_SETTINGS, cache)).filter((f) => f.code === 'cilium/fqdn-without-dns-rule');
  assert.equal(before.length, 0);
  assert.ok(after.length >= 2, 'both policies lack a DNS rule now');
  checkSequence([withProvider, withoutProvider, withProvider]);
});

test('cached results are not reused across target versions or line endings', () => {
  const text = CNP('a', 'web', true) + TP('b');
  const old = { ...DEFAULT_SETTINGS, ciliumVersion: '1.14', tetragonVersion: '1.0' };
  checkSequence([text, text, text], [DEFAULT_SETTINGS, old, DEFAULT_SETTINGS]);
  checkSequence([text, text.replace(/\n/g, '\r\n'), text]);
});

test('document-local rules are the ones cached; cross-document rules say so', () => {
  const crossDocument = RULES.filter((r) => r.crossDocument)
    .map((r) => r.id)
    .sort();
  assert.deepEqual(crossDocument, [
    'cilium/envoy-unresolved-reference',
    'cilium/fqdn-without-dns-rule',
    'cilium/listener-reference',
  ]);
});

test('suppression comments target their line and the next one, with LF, CRLF and lone CR line ends', () => {
  for (const eol of ['\n', '\r\n', '\r']) {
    const lines = [
      'a: 1',
      '# cilium-policy disable-next-line x/one',
      'b: 2',
      'c: 3 # cilium-policy disable-line',
      'd: 4',
    ];
    const text = lines.join(eol);
    const at = (line: number): number => lines.slice(0, line).reduce((n, l) => n + l.length + eol.length, 0);
    const finding = (code: string, line: number) => ({
      code,
      severity: 'error' as const,
      message: code,
      span: { start: at(line) + 1, end: at(line) + 2 },
    });
    const all = [
      finding('x/one', 0),
      finding('x/one', 2),
      finding('x/two', 2),
      finding('x/one', 3),
      finding('x/two', 3),
      finding('x/one', 4),
    ];
    const kept = applySuppressions(text, all).map(
      (f) => `${f.code}@${lines.findIndex((_, i) => at(i) <= f.span.start && f.span.start < at(i + 1))}`,
    );
    assert.deepEqual(kept, ['x/one@0', 'x/two@2', 'x/one@4'], JSON.stringify(eol));
  }
});

test('a re-parse of a file with directives keeps all its documents', () => {
  // Such a file is one chunk holding several documents; reusing the chunk would keep only one of them.
  const text = '%YAML 1.2\n---\na: 1\n---\nb: 2\n';
  const first = parseFile(text);
  assert.equal(first.documents.length, 2);
  const again = parseFile(text, first);
  assert.deepEqual(
    again.documents.map((d) => d.data),
    [{ a: 1 }, { b: 2 }],
  );
});
