// SPDX-License-Identifier: Apache-2.0
/**
 * The editor-free half of the "New policy…" wizard (pickers, insertion into an existing file) and
 * the walkthrough's sample policy (one mistake, fixed by its quick fix).
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  insertionPrefix,
  insertionSuffix,
  kindChoices,
  labelSummary,
  templateWantsWorkload,
  workloadChoices,
  type EndpointLike,
} from '../../client/src/new-policy-model.js';
import { parseFile } from '../../server/src/core/document.js';
import { lintFile } from '../../server/src/lint/lint.js';
import { SchemaValidator } from '../../server/src/core/schema-validation.js';
import {
  buildPolicy,
  expandSnippet,
  templatesFromSnippets,
  type SnippetEntry,
} from '../../server/src/core/templates.js';
import { loadSchemaFiles } from '../../server/src/io/schema-files.js';
import { DEFAULT_SETTINGS } from '../../server/src/settings.js';
import { REPO_ROOT } from '../support/paths.js';

const templates = templatesFromSnippets(
  ['cilium.json', 'tetragon.json'].map(
    (f) => JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'snippets', f), 'utf8')) as Record<string, SnippetEntry>,
  ),
);
const validator = new SchemaValidator(loadSchemaFiles());
const lint = (text: string) => lintFile(parseFile(text), { validator, settings: DEFAULT_SETTINGS });

test('the kind picker lists each kind that has templates once, with all its templates', () => {
  const kinds = kindChoices(templates);
  assert.equal(new Set(kinds.map((k) => k.kind)).size, kinds.length);
  assert.equal(
    kinds.reduce((n, k) => n + k.templates.length, 0),
    templates.length,
  );
  for (const k of kinds) {
    assert.ok(k.templates.every((t) => t.kind === k.kind));
    assert.match(k.description, new RegExp(`${k.templates.length} templates?$`));
  }
});

test('the workload picker skips agent-only endpoints, and unlabelled workloads when labels are needed', () => {
  const selecting = templates.find((t) => t.selector === 'endpointSelector')!;
  const namespaceOnly = templates.find((t) => t.selector === undefined && t.namespaced)!;
  assert.ok(templateWantsWorkload(selecting) && templateWantsWorkload(namespaceOnly));
  assert.ok(
    !templateWantsWorkload(templates.find((t) => !t.namespaced && t.selector === undefined)!),
    'cluster-wide templates without a selector ask for no workload',
  );
  const endpoints: EndpointLike[] = [
    { kind: 'Deployment', namespace: 'shop', name: 'web', labels: { app: 'web', 'pod-template-hash': 'x' } },
    { kind: 'Pod', namespace: 'ops', name: 'bare', labels: { 'pod-template-hash': 'x' } },
    { kind: 'CiliumEndpoint', namespace: 'shop', name: 'ep-1', labels: { app: 'web' } },
    { kind: 'StatefulSet', namespace: 'db', name: 'pg', labels: { app: 'pg' } },
  ];
  const forSelector = workloadChoices(endpoints, selecting);
  assert.deepEqual(
    forSelector.map((c) => `${c.workload.namespace}/${c.label}`),
    ['db/pg', 'shop/web'],
    'sorted by namespace, no CiliumEndpoint, no unlabelled pod',
  );
  assert.equal(forSelector[1]!.detail, 'app=web', 'per-rollout labels are not shown');
  assert.equal(forSelector[1]!.description, 'Deployment in shop');
  assert.deepEqual(
    workloadChoices(endpoints, namespaceOnly).map((c) => c.label),
    ['pg', 'bare', 'web'],
    'a namespace-only template takes unlabelled workloads too',
  );
  // What the picker hands on builds a clean policy.
  assert.deepEqual(
    lint(buildPolicy(selecting, { workload: forSelector[0]!.workload }).text).filter(
      (f) => f.severity !== 'information',
    ),
    [],
  );
});

test("the workload picker shows and hands on the workload's selector labels and ports", () => {
  const selecting = templates.find((t) => t.id === 'cnp-allow-from-pods')!;
  const endpoints: EndpointLike[] = [
    {
      kind: 'Deployment',
      namespace: 'shop',
      name: 'api',
      labels: { app: 'api', version: 'v3', team: 'x' },
      selector: { app: 'api' },
      ports: [
        { port: 8080, protocol: 'TCP', name: 'http' },
        { port: 9090, protocol: 'TCP' },
      ],
    },
    // Only a release label: nothing stable to select it by.
    { kind: 'Deployment', namespace: 'shop', name: 'old', labels: { version: 'v1' } },
  ];
  const choices = workloadChoices(endpoints, selecting);
  assert.deepEqual(
    choices.map((c) => c.label),
    ['api'],
  );
  assert.equal(choices[0]!.detail, 'app=api · 8080/TCP (http), 9090/TCP');
  assert.deepEqual(choices[0]!.workload.selector, { app: 'api' });
  assert.deepEqual(
    choices[0]!.workload.ports?.map((p) => p.port),
    [8080, 9090],
  );
  const built = buildPolicy(selecting, { workload: choices[0]!.workload });
  assert.match(built.text, /port: "8080"/);
  assert.doesNotMatch(built.text, /version|team/);
});

test('label summaries are shortened for the picker', () => {
  assert.equal(labelSummary({ a: '1', b: '2' }), 'a=1, b=2');
  const long = labelSummary({ k: 'v'.repeat(500) }, 40);
  assert.equal(long.length, 40);
  assert.ok(long.endsWith('…'));
});

test('inserting into a file adds document separators only where needed', () => {
  assert.equal(insertionPrefix('', 0), '');
  assert.equal(insertionPrefix('\n\n', 2), '', 'blank text before the cursor needs no separator');
  assert.equal(insertionPrefix('a: 1\n', 5), '---\n');
  assert.equal(insertionPrefix('a: 1', 4), '\n---\n', 'the cursor at the end of a line');
  assert.equal(insertionPrefix('a: 1\n---\n', 9), '', 'an existing separator is reused');
  assert.equal(insertionSuffix('a: 1\n', 5), '');
  assert.equal(insertionSuffix('a: 1\nb: 2\n', 5), '---\n', 'text after the cursor becomes its own document');
  assert.equal(insertionSuffix('a: 1\n---\nb: 2\n', 5), '');

  // End to end: a policy inserted between two documents leaves three valid documents.
  const t = templates.find((x) => x.id === 'cnp-allow-from-pods')!;
  const file =
    'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: ops\n';
  const at = file.indexOf('apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ops');
  const text = expandSnippet(t.body);
  const merged = file.slice(0, at) + insertionPrefix(file, at) + text + insertionSuffix(file, at) + file.slice(at);
  const parsed = parseFile(merged);
  assert.deepEqual(
    parsed.documents.map((d) => d.kindName),
    ['Namespace', 'CiliumNetworkPolicy', 'Namespace'],
    merged,
  );
  assert.deepEqual(lint(merged), []);
});

test('the walkthrough sample has exactly one mistake, and its quick fix makes it clean', () => {
  const sample = fs.readFileSync(path.join(REPO_ROOT, 'media', 'walkthrough', 'sample-policy.yaml'), 'utf8');
  const findings = lint(sample);
  assert.equal(findings.length, 1, JSON.stringify(findings));
  const [f] = findings;
  assert.equal(f!.severity, 'error');
  const fix = f!.fixes?.find((x) => x.preferred);
  assert.ok(fix, 'a preferred quick fix');
  // The walkthrough text names the fix; keep the two in step.
  assert.ok(
    fs.readFileSync(path.join(REPO_ROOT, 'media', 'walkthrough', 'quick-fix.md'), 'utf8').includes(fix.title),
    `quick-fix.md mentions "${fix.title}"`,
  );
  let fixed = sample;
  for (const e of [...fix.edits].sort((a, b) => b.start - a.start))
    fixed = fixed.slice(0, e.start) + e.newText + fixed.slice(e.end);
  assert.deepEqual(lint(fixed), []);
  assert.ok(
    parseFile(sample).documents.some((d) => d.kindName === 'Deployment'),
    'workloads for the preview',
  );
});
