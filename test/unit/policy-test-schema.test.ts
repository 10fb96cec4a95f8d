// SPDX-License-Identifier: Apache-2.0
/**
 * The PolicyTest kind in the registry and its bundled schema: every PolicyTest of `examples/`
 * validates without a finding, the schema refuses what `readPolicyTest` refuses where a schema can
 * say it (an unknown field, a wrong type, an expect that is neither allow nor deny), and it accepts
 * both spellings of the agent options, as the engine does.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseFile } from '../../server/src/core/document.js';
import { outlineFile } from '../../server/src/core/outline.js';
import { SchemaValidator } from '../../server/src/core/schema-validation.js';
import { lintFile } from '../../server/src/lint/lint.js';
import { loadSchemaFiles } from '../../server/src/io/schema-files.js';
import { AGENT_KEYS } from '../../server/src/semantics/agent.js';
import { readPolicyTest } from '../../server/src/semantics/policy-test.js';
import { DEFAULT_SETTINGS } from '../../server/src/settings.js';
import { REPO_ROOT } from '../support/paths.js';

const validator = new SchemaValidator(loadSchemaFiles());
const lint = (text: string) => lintFile(parseFile(text), { validator, settings: DEFAULT_SETTINGS });

const BASE = `apiVersion: cilium-policy.io/v1alpha1
kind: PolicyTest
metadata:
  name: t
spec:
  cases:
    - name: a
      from: {workload: shop/web}
      to: {workload: shop/api}
      port: 8080
      expect: allow
`;

function policyTestFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...policyTestFiles(p));
    else if (/\.ya?ml$/.test(e.name) && /kind:\s*PolicyTest/.test(fs.readFileSync(p, 'utf8'))) out.push(p);
  }
  return out;
}

test('every PolicyTest of examples/ validates without a finding', () => {
  const files = policyTestFiles(path.join(REPO_ROOT, 'examples'));
  assert.ok(files.length >= 2, `found ${files.length}`);
  for (const f of files) {
    const text = fs.readFileSync(f, 'utf8');
    assert.deepEqual(
      lint(text).map((x) => `${x.code}: ${x.message}`),
      [],
      f,
    );
    // The model reads them without a problem either: the schema and the reader agree on them.
    for (const doc of parseFile(text).documents) {
      const t = readPolicyTest(doc, f, text);
      if (t) assert.deepEqual([...t.problems, ...t.cases.flatMap((c) => c.problems)], [], f);
    }
  }
});

test('the schema refuses what the reader refuses, at the same place', () => {
  const cases: [string, string, RegExp][] = [
    ['expect: allow', 'expect: maybe', /expect/],
    ['port: 8080', 'port: 70000', /65535|port/],
    ['port: 8080', 'port: 8080\n      colour: red', /colour/],
    ['from: {workload: shop/web}', 'from: {workload: web}', /workload|pattern|match/i],
    ['from: {workload: shop/web}', 'from: {entity: moon}', /entity|moon|allowed/i],
  ];
  for (const [from, to, mentions] of cases) {
    const text = BASE.replace(from, to);
    assert.notEqual(text, BASE);
    const findings = lint(text).filter((f) => f.severity === 'error');
    assert.ok(findings.length > 0, `${to}: the schema finds it`);
    const doc = parseFile(text).documents[0]!;
    const t = readPolicyTest(doc, 't.yaml', text)!;
    const problems = t.cases.flatMap((c) => c.problems);
    assert.ok(problems.length > 0, `${to}: the reader finds it too`);
    // Both point at the same line.
    const line = (offset: number): number => text.slice(0, offset).split('\n').length;
    assert.ok(
      findings.some((f) => problems.some((p) => line(f.span.start) === p.line)),
      `${to}: same line (${findings.map((f) => line(f.span.start)).join(',')} vs ${problems.map((p) => p.line).join(',')})`,
    );
    assert.ok(
      findings.some((f) => mentions.test(f.message)),
      `${to}: ${findings.map((f) => f.message).join(' | ')}`,
    );
  }
});

test('the agent options are accepted in both spellings, and an unknown one is refused', () => {
  const names = [...AGENT_KEYS];
  const cm = ['enable-policy', 'enable-host-firewall', 'cluster-name'];
  for (const k of [...names, ...cm]) {
    const value =
      k === 'policyEnforcementMode' || k === 'enable-policy'
        ? 'always'
        : k.includes('luster')
          ? 'c1'
          : k === 'policyCIDRMatchMode'
            ? '[nodes]'
            : k === 'allowLocalhost'
              ? 'policy'
              : 'true';
    const text = BASE.replace('spec:\n', `spec:\n  agent:\n    ${k}: ${value}\n`);
    assert.deepEqual(
      lint(text).map((f) => f.message),
      [],
      k,
    );
  }
  const unknown = lint(BASE.replace('spec:\n', 'spec:\n  agent:\n    enableTimeTravel: true\n'));
  assert.ok(unknown.some((f) => f.message.includes('enableTimeTravel')));
});

test('the outline lists a PolicyTest’s cases with their flow and expectation', () => {
  const [node] = outlineFile(parseFile(BASE));
  assert.equal(node?.name, 'PolicyTest t');
  assert.equal(node?.children[0]?.name, 'a');
  assert.equal(node?.children[0]?.detail, 'workload shop/web → workload shop/api · 8080 · expect allow');
});
