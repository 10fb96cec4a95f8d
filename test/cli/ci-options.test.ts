// SPDX-License-Identifier: Apache-2.0
/** The options CI jobs use: `--max-warnings N`, `--quiet` and `--config <file>`. */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseSummary, runCli, runJson, tempTree, TEXT_LINE } from './run-cli.js';

/** Two typos: `schema/unknown-field` findings whose severity the configuration decides. */
const policy = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: web
  namespace: shop
spec:
  endpointSelector: {}
  descripton: a typo
  ingress:
    - fromEntities: [cluster]
      toPort: []
`;

/** Makes the typos warnings, so a run has warnings and no error. */
const WARN = 'rules:\n  schema/unknown-field: warning\n';

function withTree<T>(files: Record<string, string>, f: (dir: string) => T): T {
  const dir = tempTree(files);
  try {
    return f(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test('--max-warnings N fails the run only when there are more than N warnings', () => {
  withTree({ '.cilium-policy.yaml': WARN, 'p.yaml': policy }, (cwd) => {
    const base = runJson(['p.yaml'], { cwd });
    const warnings = base.findings.filter((f) => f.severity === 'warning').length;
    assert.equal(warnings, 2, JSON.stringify(base.findings));
    assert.equal(base.status, 0, 'warnings alone do not fail');

    const within = runCli(['lint', '--max-warnings', String(warnings), 'p.yaml'], { cwd });
    assert.equal(within.status, 0, within.stderr);
    const over = runCli(['lint', `--max-warnings=${warnings - 1}`, 'p.yaml'], { cwd });
    assert.equal(over.status, 1);
    assert.match(
      over.stderr,
      new RegExp(`${warnings} warnings found, more than --max-warnings ${warnings - 1} allows`),
    );
    const zero = runJson(['--max-warnings', '0', 'p.yaml'], { cwd });
    assert.equal(zero.status, 1);
    assert.equal(zero.findings.length, warnings, 'the JSON report is unchanged');
  });
});

test('--max-warnings rejects values that are not whole numbers', () => {
  for (const bad of [
    ['--max-warnings'],
    ['--max-warnings', '-1'],
    ['--max-warnings', 'many'],
    ['--max-warnings=1.5'],
  ]) {
    const r = runCli(['lint', ...bad, '-'], { input: policy });
    assert.equal(r.status, 2, bad.join(' '));
    assert.match(r.stderr, /--max-warnings needs a whole number/);
  }
});

test('--quiet reports errors only; warnings still count for --max-warnings', () => {
  const mixed = `${policy.replace('toPort: []', 'toPorts: [{ ports: [{ port: "80", protocol: TPC }] }]')}`;
  withTree({ '.cilium-policy.yaml': WARN, 'p.yaml': mixed }, (cwd) => {
    const loud = runJson(['p.yaml'], { cwd });
    const severities = new Set(loud.findings.map((f) => f.severity));
    assert.ok(severities.has('error') && severities.has('warning'), JSON.stringify(loud.findings));

    const quiet = runJson(['--quiet', 'p.yaml'], { cwd });
    assert.deepEqual(
      quiet.findings,
      loud.findings.filter((f) => f.severity === 'error'),
    );
    assert.equal(quiet.status, 1);

    const text = runCli(['lint', '--quiet', 'p.yaml'], { cwd });
    const lines = text.stdout.trim().split('\n');
    assert.ok(lines.length > 0 && lines.every((l) => TEXT_LINE.exec(l)?.[4] === 'error'), text.stdout);
    assert.equal(parseSummary(text.stderr).warnings, 0, 'the summary counts what was reported');

    const sarif = JSON.parse(runCli(['lint', '--quiet', '--format', 'sarif', 'p.yaml'], { cwd }).stdout) as {
      runs: { results: { level: string }[] }[];
    };
    assert.ok(sarif.runs[0]!.results.every((r) => r.level === 'error'));

    const gate = runCli(['lint', '--quiet', '--max-warnings', '0', 'p.yaml'], { cwd });
    assert.equal(gate.status, 1);
    assert.match(gate.stderr, /\d+ warnings? found, more than --max-warnings 0 allows/);
  });
  assert.equal(runCli(['lint', '--quiet=yes', '-']).status, 2, '--quiet takes no value');
});

test('--config names the configuration file instead of the nearest .cilium-policy.yaml', () => {
  withTree(
    {
      '.cilium-policy.yaml': 'rules:\n  schema/unknown-field: "off"\n',
      'ci/strict.yaml': 'rules:\n  schema/unknown-field: error\n',
      'ci/lenient.yaml': WARN,
      'ci/typo.yaml': 'ciliumVerison: "1.19"\n',
      'p.yaml': policy,
    },
    (cwd) => {
      assert.deepEqual(runJson(['p.yaml'], { cwd }).findings, [], 'the nearest file turns the typos off');
      const strict = runJson(['--config', 'ci/strict.yaml', 'p.yaml'], { cwd });
      assert.deepEqual(
        strict.findings.map((f) => f.severity),
        ['error', 'error'],
        'the named file wins, the nearest one is not read',
      );
      assert.equal(strict.status, 1);
      const lenient = runJson([`--config=${path.join(cwd, 'ci', 'lenient.yaml')}`, '../p.yaml'], {
        cwd: path.join(cwd, 'ci'),
      });
      assert.deepEqual(
        lenient.findings.map((f) => f.severity),
        ['warning', 'warning'],
        'absolute paths work from anywhere',
      );

      const typo = runJson(['--config', 'ci/typo.yaml', 'p.yaml'], { cwd });
      assert.match(typo.stderr, /warning: ci\/typo\.yaml: .*ciliumVerison/);

      const missing = runCli(['lint', '--config', 'ci/none.yaml', 'p.yaml'], { cwd });
      assert.equal(missing.status, 2, 'a named file that cannot be read stops the run');
      assert.match(missing.stderr, /cannot read --config ci\/none\.yaml: no such file or directory/);
      assert.equal(missing.stdout, '');
      assert.equal(runCli(['lint', '--config', '', 'p.yaml'], { cwd }).status, 2);
    },
  );
});
