// SPDX-License-Identifier: Apache-2.0
/**
 * `cilium-policy test` and `cilium-policy coverage` over real files, spawning the bundled CLI:
 * exit statuses, the JSON shapes of the issue, lines computed from the files, JUnit and SARIF,
 * inventories from the command line, and inputs that cannot be read.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv-draft-04';
import { REPO_ROOT } from '../support/paths.js';
import { positionOf, runCli, tempTree } from './run-cli.js';

interface RefJson {
  kind: string;
  namespace: string | null;
  name: string;
  file: string;
  line: number;
  direction: string;
  rule: number;
}
interface CaseJson {
  name: string;
  line: number;
  expect: string;
  verdict: string;
  pass: boolean;
  egress: { verdict: string; by: RefJson[] };
  ingress: { verdict: string; by: RefJson[] };
  reason: string;
}
interface TestJson {
  file: string;
  name: string;
  cases: CaseJson[];
}

function runTestJson(
  args: readonly string[],
  cwd?: string,
): { status: number | null; stderr: string; runs: TestJson[] } {
  const r = runCli(['test', '--format', 'json', ...args], cwd ? { cwd } : {});
  let runs: TestJson[];
  try {
    runs = JSON.parse(r.stdout) as TestJson[];
  } catch (e) {
    throw new Error(`stdout is not JSON (status ${r.status}): ${(e as Error).message}\n${r.stdout}\n${r.stderr}`, {
      cause: e,
    });
  }
  return { status: r.status, stderr: r.stderr, runs };
}

const read = (rel: string, cwd = REPO_ROOT): string => fs.readFileSync(path.join(cwd, rel), 'utf8');

test('the shop example passes: exit 0, and the JSON has exactly the keys the issue prints', () => {
  const r = runTestJson(['examples/shop/tests']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /\d+ cases in 1 test: \d+ passed, 0 failed/);
  assert.equal(r.runs.length, 1);
  const run = r.runs[0]!;
  assert.deepEqual(Object.keys(run), ['file', 'name', 'cases']);
  assert.equal(run.file, 'examples/shop/tests/shop-connectivity.yaml');
  const text = read(run.file);
  assert.ok(run.cases.length >= 10);
  for (const c of run.cases) {
    assert.deepEqual(Object.keys(c), ['name', 'line', 'expect', 'verdict', 'pass', 'egress', 'ingress', 'reason']);
    assert.equal(c.line, positionOf(text, `- name: ${c.name}`).line, `line of ${c.name}`);
    assert.equal(c.pass, true, c.name);
    assert.equal(c.verdict, c.expect);
    assert.ok(c.reason.length > 0 && !c.reason.includes('\n'), 'one sentence');
    for (const d of [c.egress, c.ingress]) {
      assert.deepEqual(Object.keys(d), ['verdict', 'by']);
      for (const by of d.by) {
        assert.deepEqual(Object.keys(by), ['kind', 'namespace', 'name', 'file', 'line', 'direction', 'rule']);
        // The line is the rule's list item in the policy file.
        const lines = read(by.file).split('\n');
        assert.match(lines[by.line - 1] ?? '', /^\s*- /, `${by.file}:${by.line} is a rule item`);
      }
    }
  }
  // A flow with deciding rules in both directions names them.
  const first = run.cases.find((c) => c.name === 'frontend reaches the API on 8080');
  assert.ok(first);
  assert.equal(first.egress.by[0]?.name, 'frontend');
  assert.equal(first.egress.by[0]?.direction, 'egress');
  assert.equal(first.ingress.by[0]?.name, 'api');
  // A denial by default names no rule, and its reason names the policy that made the direction default-deny.
  const denied = run.cases.find((c) => c.verdict === 'deny' && c.egress.verdict === 'deny' && c.egress.by.length === 0);
  assert.ok(denied, 'the shop test holds a default-deny case');
  assert.match(denied.reason, /denied by default: .*Cilium/);
  // A deny rule is named when it decided.
  const byDeny = run.cases.find((c) => c.ingress.by.some((b) => b.direction === 'ingressDeny'));
  assert.ok(byDeny, 'the shop test holds a case decided by an ingressDeny rule');
  assert.equal(byDeny.verdict, 'deny');
});

test('the deliberately failing example fails with exit 1 and says why, in text', () => {
  const r = runCli(['test', 'examples/shop/failing']);
  assert.equal(r.status, 1, r.stderr);
  assert.match(
    r.stdout,
    /FAIL the frontend reads the database directly \(wrong on purpose\) \(line \d+\): expected allow, got deny/,
  );
  assert.match(r.stdout, /egress: deny - denied by default/);
  assert.match(r.stdout, /FAIL payments .*: expected allow, got unknown/);
  assert.match(r.stdout, /cannot be decided: api\.stripe\.com has no address/);
  assert.match(r.stderr, /2 cases in 1 test: 0 passed, 2 failed \(1 unknown\)/);
});

test('JUnit XML: a suite per test, a testcase per case with its line, failures for the failing ones', () => {
  const r = runCli(['test', '--format', 'junit', 'examples/shop/tests', 'examples/shop/failing']);
  assert.equal(r.status, 1);
  assert.match(r.stdout, /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<testsuites /);
  const suites = [...r.stdout.matchAll(/<testsuite name="([^"]+)" tests="(\d+)" failures="(\d+)"/g)].map((m) => [
    m[1],
    Number(m[3]),
  ]);
  assert.deepEqual(suites, [
    ['shop-connectivity', 0],
    ['shop-regressions', 2],
  ]);
  const failing = read('examples/shop/failing/shop-regressions.yaml');
  const line = positionOf(failing, '- name: the frontend reads').line;
  assert.match(
    r.stdout,
    new RegExp(`<testcase name="the frontend reads the database directly \\(wrong on purpose\\)"[^>]* line="${line}">`),
  );
  assert.equal((r.stdout.match(/<failure /g) ?? []).length, 2);
  assert.ok(!/<(?!\/?(testsuites|testsuite|testcase|failure)\b|\?xml)/.test(r.stdout), 'only JUnit elements');
});

test('SARIF: valid against the official 2.1.0 schema, a result per failing case at its line', () => {
  const schema = JSON.parse(read('test/fixtures/sarif/sarif-2.1.0-rtm.5.json')) as object;
  const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
  ajv.addFormat('uri', (s: string) => /^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(s) && !/\s/.test(s));
  ajv.addFormat('uri-reference', (s: string) => !/\s/.test(s));
  const validate = ajv.compile(schema);
  const r = runCli(['test', '--format', 'sarif', 'examples/shop']);
  assert.equal(r.status, 1);
  const log = JSON.parse(r.stdout) as {
    runs: {
      tool: { driver: { rules: { id: string }[] } };
      results: {
        ruleId: string;
        ruleIndex: number;
        locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[];
      }[];
    }[];
  };
  assert.ok(validate(log), JSON.stringify(validate.errors?.slice(0, 5), null, 2));
  const run = log.runs[0]!;
  assert.deepEqual(
    run.results.map((x) => [x.ruleId, x.locations[0]?.physicalLocation.region.startLine]),
    [
      [
        'policy-test/failed',
        positionOf(read('examples/shop/failing/shop-regressions.yaml'), '- name: the frontend').line,
      ],
      ['policy-test/unknown', positionOf(read('examples/shop/failing/shop-regressions.yaml'), '- name: payments').line],
    ],
  );
  for (const x of run.results) assert.equal(run.tool.driver.rules[x.ruleIndex]?.id, x.ruleId);
});

const POLICY = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: server, namespace: demo}
spec:
  endpointSelector: {matchLabels: {app: server}}
  ingress:
    - fromEndpoints: [{matchLabels: {app: client}}]
      toPorts: [{ports: [{port: "8080", protocol: TCP}]}]
`;
const INVENTORY = `apiVersion: v1
kind: Pod
metadata: {name: client, namespace: demo, labels: {app: client}}
spec: {containers: [{name: c}]}
---
apiVersion: v1
kind: Pod
metadata: {name: server, namespace: demo, labels: {app: server}}
spec: {containers: [{name: c, ports: [{name: web, containerPort: 8080}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: stranger, namespace: demo, labels: {app: stranger}}
spec: {containers: [{name: c}]}
`;
const CASES = `    - name: client reaches the server by port name
      from: {workload: demo/client}
      to: {workload: demo/server}
      port: web
      expect: allow
    - name: a stranger is denied
      from: {workload: demo/stranger}
      to: {workload: demo/server}
      port: 8080
      expect: deny
`;
const testDoc = (spec: string, cases = CASES): string => `apiVersion: cilium-policy.io/v1alpha1
kind: PolicyTest
metadata: {name: demo}
spec:
${spec}  cases:
${cases}`;

test('--inventory serves tests without spec.inventory; spec.policies paths are relative to the test', () => {
  const dir = tempTree({
    'policies/server.yaml': POLICY,
    'cluster/pods.yaml': INVENTORY,
    'tests/demo.yaml': testDoc('  policies: [../policies]\n'),
  });
  const without = runCli(['test', 'tests'], { cwd: dir });
  assert.equal(without.status, 1, 'without an inventory the workloads are missing');
  assert.match(without.stdout, /workload demo\/client is not in the inventory/);
  const r = runTestJson(['--inventory', 'cluster', 'tests'], dir);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(
    r.runs[0]?.cases.map((c) => [c.name, c.verdict, c.ingress.by.map((b) => `${b.file}:${b.line}`)]),
    [
      ['client reaches the server by port name', 'allow', ['policies/server.yaml:7']],
      ['a stranger is denied', 'deny', []],
    ],
  );
  assert.match(r.runs[0]?.cases[1]?.reason ?? '', /CiliumNetworkPolicy demo\/server/);
});

test('without spec.policies and spec.inventory, the policies and manifests among the inputs are used', () => {
  const dir = tempTree({ 'server.yaml': POLICY, 'pods.yaml': INVENTORY, 'demo-test.yaml': testDoc('') });
  const r = runTestJson(['.'], dir);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.runs[0]?.file, 'demo-test.yaml');
});

test('spec.agent changes the verdict: enforcement never allows what default would deny', () => {
  const dir = tempTree({
    'server.yaml': POLICY,
    'pods.yaml': INVENTORY,
    'demo-test.yaml': testDoc(
      '  agent: {policyEnforcementMode: never}\n',
      CASES.replace('expect: deny', 'expect: allow'),
    ),
  });
  const r = runTestJson(['.'], dir);
  assert.equal(r.status, 0, JSON.stringify(r.runs, null, 2));
});

test('.cilium-policy.yaml agent options apply to every test; spec.agent overrides them', () => {
  const dir = tempTree({
    '.cilium-policy.yaml': 'agent:\n  policyEnforcementMode: never\n',
    'server.yaml': POLICY,
    'pods.yaml': INVENTORY,
    'a-test.yaml': testDoc('', CASES.replace('expect: deny', 'expect: allow')),
    'b-test.yaml': testDoc('  agent: {policyEnforcementMode: default}\n').replace('name: demo', 'name: demo-b'),
  });
  const r = runTestJson(['.'], dir);
  assert.equal(r.status, 0, JSON.stringify(r.runs, null, 2));
  assert.equal(r.runs.length, 2);
});

test('a case whose endpoint does not exist fails at its line; the others still run', () => {
  const text = testDoc(
    '',
    `${CASES}    - name: ghost\n      from: {workload: demo/ghost}\n      to: {workload: demo/server}\n      port: 8080\n      expect: deny\n`,
  );
  const dir = tempTree({ 'server.yaml': POLICY, 'pods.yaml': INVENTORY, 'demo-test.yaml': text });
  const r = runTestJson(['.'], dir);
  assert.equal(r.status, 1);
  const ghost = r.runs[0]?.cases.find((c) => c.name === 'ghost');
  assert.equal(ghost?.verdict, 'unknown');
  assert.equal(ghost?.pass, false);
  assert.equal(ghost?.line, positionOf(text, '- name: ghost').line);
  assert.match(ghost?.reason ?? '', /demo\/ghost is not in the inventory/);
  const plain = runCli(['test', '.'], { cwd: dir });
  assert.match(
    plain.stdout,
    new RegExp(`demo-test\\.yaml:${positionOf(text, 'demo/ghost').line}: workload demo/ghost`),
  );
  assert.equal(r.runs[0]?.cases.filter((c) => c.pass).length, 2);
});

test('exit 2: usage errors, no PolicyTest, a spec.policies path that does not exist', () => {
  for (const args of [
    ['test', '--format', 'xml'],
    ['test', '--inventory'],
    ['test', '--bogus'],
    ['coverage', '--format', 'junit'],
    ['coverage', '--require-policy'],
  ]) {
    const r = runCli(args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /cilium-policy: .*\nRun "cilium-policy --help" for usage\./);
  }
  const empty = tempTree({ 'server.yaml': POLICY });
  const none = runCli(['test', '.'], { cwd: empty });
  assert.equal(none.status, 2);
  assert.match(none.stderr, /no PolicyTest/);
  const text = testDoc('  policies:\n    - ./server.yaml\n    - ./missing/\n');
  const dir = tempTree({ 'server.yaml': POLICY, 'pods.yaml': INVENTORY, 'demo-test.yaml': text });
  const missing = runCli(['test', 'demo-test.yaml'], { cwd: dir });
  assert.equal(missing.status, 2, missing.stdout);
  assert.match(missing.stderr, new RegExp(`demo-test\\.yaml:${positionOf(text, './missing/').line}: spec\\.policies`));
  const nothing = runCli(['test', 'nowhere.yaml'], { cwd: dir });
  assert.equal(nothing.status, 2);
});

test('test --help and coverage --help print their usage', () => {
  for (const command of ['test', 'coverage']) {
    const r = runCli([command, '--help']);
    assert.equal(r.status, 0);
    assert.match(r.stdout, new RegExp(`^cilium-policy ${command} `));
    assert.match(r.stdout, /Exit status/);
  }
  const main = runCli(['--help']).stdout;
  assert.match(main, /cilium-policy test /);
  assert.match(main, /cilium-policy coverage /);
});

interface CoverageJson {
  namespace: string;
  kind: string;
  name: string;
  ingress: string;
  egress: string;
  policies: { kind: string; namespace: string | null; name: string }[];
}

test("coverage: every workload with its ingress and egress state, in the issue's JSON shape", () => {
  const r = runCli([
    'coverage',
    '--format',
    'json',
    '--inventory',
    'examples/shop/inventory',
    'examples/shop/policies',
  ]);
  assert.equal(r.status, 0, r.stderr);
  const entries = JSON.parse(r.stdout) as CoverageJson[];
  for (const e of entries) {
    assert.deepEqual(Object.keys(e), ['namespace', 'kind', 'name', 'ingress', 'egress', 'policies']);
    assert.ok(['default-deny', 'allow-all', 'audit'].includes(e.ingress));
    assert.ok(['default-deny', 'allow-all', 'audit'].includes(e.egress));
    for (const p of e.policies) assert.deepEqual(Object.keys(p), ['kind', 'namespace', 'name']);
  }
  const db = entries.find((e) => e.name === 'orders-db');
  assert.equal(db?.kind, 'StatefulSet');
  assert.equal(db?.ingress, 'default-deny');
  assert.ok(db?.policies.some((p) => p.kind === 'NetworkPolicy'));
  const dns = entries.find((e) => e.namespace === 'kube-system');
  assert.deepEqual([dns?.ingress, dns?.egress, dns?.policies], ['allow-all', 'allow-all', []]);
});

test('coverage --require-policy: exit 1 when a workload of the namespace is unprotected', () => {
  const args = ['coverage', '--inventory', 'examples/shop/inventory', 'examples/shop/policies'];
  assert.equal(runCli([...args, '--require-policy', 'shop']).status, 0);
  const r = runCli([...args, '--require-policy', 'shop', '--require-policy', 'kube-system']);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /kube-system\/coredns \(Deployment\) is not protected by any policy/);
  assert.equal(runCli([...args, '--require-policy', 'shop,kube-system']).status, 1, 'a comma list works too');
  const text = runCli(args).stdout;
  assert.match(text, /coredns \(Deployment\)\s+\(unprotected\)/);
  assert.match(text, /orders-db \(StatefulSet\)\n\s+ingress: default-deny - selected by NetworkPolicy shop\/orders-db/);
});

test('coverage with audit mode reports audit, which does not protect', () => {
  const dir = tempTree({
    'server.yaml': POLICY,
    'pods.yaml': INVENTORY,
    'cilium-config.yaml':
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cilium-config, namespace: kube-system}\ndata:\n  policy-audit-mode: "true"\n',
  });
  const r = runCli(['coverage', '--format', 'json', '--inventory', '.', '--require-policy', 'demo', 'server.yaml'], {
    cwd: dir,
  });
  assert.equal(r.status, 1, r.stderr);
  const server = (JSON.parse(r.stdout) as CoverageJson[]).find((e) => e.name === 'server');
  assert.equal(server?.ingress, 'audit');
});
