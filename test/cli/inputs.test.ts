// SPDX-License-Identifier: Apache-2.0
/** What the CLI reads: stdin, folders, globs, multi-document files, and files it must skip. */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FIXTURES, parseSummary, positionOf, runCli, runJson, tempTree } from './run-cli.js';

/** A policy with one unknown field, so every file that is linted shows up in the output. */
function brokenPolicy(name: string): string {
  return `apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: ${name}\nspec:\n  endpointSelector: {}\n  ingress:\n    - fromEntities: [cluster]\n  descripton: typo\n`;
}

const validPolicy = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: allow-dns
spec:
  endpointSelector: {}
  egress:
    - toEntities:
        - cluster
      toPorts:
        - ports:
            - port: "53"
              protocol: UDP
`;

function filesIn(findings: { file: string }[]): string[] {
  return [...new Set(findings.map((f) => f.file))].sort();
}

test('stdin: `-` is read and reported as <stdin>, with the same findings as the file', () => {
  const text = fs.readFileSync(path.join(FIXTURES, 'three-problems.yaml'), 'utf8');
  const fromFile = runJson(['test/cli/fixtures/three-problems.yaml']);
  const fromStdin = runJson(['-'], { input: text });
  assert.equal(fromStdin.status, 1);
  assert.ok(fromStdin.findings.length > 0);
  assert.ok(fromStdin.findings.every((f) => f.file === '<stdin>'));
  assert.deepEqual(
    fromStdin.findings.map((f) => ({ ...f, file: '' })),
    fromFile.findings.map((f) => ({ ...f, file: '' })),
  );
  const clean = runCli(['lint', '-'], { input: validPolicy });
  assert.equal(clean.status, 0, clean.stdout);
  assert.equal(parseSummary(clean.stderr).documents, 1);
});

test('a folder is walked recursively for .yaml/.yml, skipping other files, node_modules and .git', () => {
  const dir = tempTree({
    'top.yaml': brokenPolicy('top'),
    'a/b/deep.yml': brokenPolicy('deep'),
    'a/UPPER.YAML': brokenPolicy('upper'),
    'a/notes.txt': brokenPolicy('not-yaml'),
    'a/policy.json': '{"apiVersion": "cilium.io/v2"}',
    'node_modules/pkg/dep.yaml': brokenPolicy('dependency'),
    '.git/hooks/x.yaml': brokenPolicy('git'),
  });
  try {
    const r = runJson(['.'], { cwd: dir });
    assert.equal(r.status, 1);
    assert.deepEqual(filesIn(r.findings), ['a/UPPER.YAML', 'a/b/deep.yml', 'top.yaml']);
    // The folder as given is kept in front of the paths found below it.
    const named = runJson([path.join(dir, 'a')]);
    assert.deepEqual(filesIn(named.findings), [
      path.join(dir, 'a', 'UPPER.YAML'),
      path.join(dir, 'a', 'b', 'deep.yml'),
    ]);
    const text = runCli(['lint', 'a'], { cwd: dir });
    assert.deepEqual(parseSummary(text.stderr).files, 2);
    // A file named explicitly is read whatever its extension.
    const explicit = runJson(['a/notes.txt'], { cwd: dir });
    assert.deepEqual(filesIn(explicit.findings), ['a/notes.txt']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('globs: *, **, ? and {a,b}, expanded by the CLI when quoted', () => {
  const dir = tempTree({
    'one.yaml': brokenPolicy('one'),
    'two.yml': brokenPolicy('two'),
    'team-a/p1.yaml': brokenPolicy('p1'),
    'team-a/sub/p2.yaml': brokenPolicy('p2'),
    'team-b/p3.yaml': brokenPolicy('p3'),
    'team-c/p4.yaml': brokenPolicy('p4'),
    'node_modules/x.yaml': brokenPolicy('dep'),
  });
  try {
    const cases: [string, string[]][] = [
      ['*.yaml', ['one.yaml']],
      ['*.{yaml,yml}', ['one.yaml', 'two.yml']],
      ['**/*.yaml', ['one.yaml', 'team-a/p1.yaml', 'team-a/sub/p2.yaml', 'team-b/p3.yaml', 'team-c/p4.yaml']],
      ['team-?/p?.yaml', ['team-a/p1.yaml', 'team-b/p3.yaml', 'team-c/p4.yaml']],
      ['team-{a,b}/**/*.yaml', ['team-a/p1.yaml', 'team-a/sub/p2.yaml', 'team-b/p3.yaml']],
    ];
    for (const [pattern, want] of cases) {
      const r = runJson([pattern], { cwd: dir });
      assert.equal(r.status, 1, `${pattern}: ${r.stderr}`);
      assert.deepEqual(filesIn(r.findings), want, pattern);
    }
    const none = runCli(['lint', 'nothing-*.yaml'], { cwd: dir });
    assert.equal(none.status, 2);
    assert.match(none.stderr, /no files match nothing-\*\.yaml/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a multi-document file: the Deployment and Service are left alone, the policy is checked', () => {
  const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  notAPolicyField: true
  template:
    spec:
      containers:
        - name: web
          image: nginx
`;
  const service = `apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  ports:\n    - port: 80\n`;
  const clean = runCli(['lint', '-'], { input: [deployment, service, validPolicy].join('---\n') });
  assert.equal(clean.status, 0, clean.stdout);
  assert.equal(clean.stdout, '');
  assert.equal(parseSummary(clean.stderr).documents, 1, 'only the policy counts as a policy document');

  const text = [deployment, brokenPolicy('second')].join('---\n');
  const broken = runJson(['-'], { input: text });
  assert.equal(broken.status, 1);
  assert.deepEqual(
    broken.findings.map((f) => [f.code, f.line, f.column]),
    [['schema/unknown-field', positionOf(text, 'descripton:').line, positionOf(text, 'descripton:').column]],
    'one finding, in the policy, none in the Deployment',
  );
});

test('a file over 5 MB and a binary file are skipped with an information finding, not a crash', () => {
  const big = `${validPolicy}# ${'padding '.repeat(80)}\n`.repeat(Math.ceil((5.2 * 1024 * 1024) / 700));
  assert.ok(big.length > 5 * 1024 * 1024);
  const binary = Buffer.concat([
    Buffer.from('apiVersion: cilium.io/v2\n'),
    crypto.randomBytes(4096),
    Buffer.from([0, 0, 0]),
  ]);
  const dir = tempTree({ 'big.yaml': big, 'image.yaml': binary, 'ok.yaml': validPolicy });
  try {
    const r = runJson(['.'], { cwd: dir });
    assert.equal(r.status, 0, 'information findings do not fail the run');
    assert.deepEqual(
      r.findings.map((f) => [f.file, f.severity, f.code, f.line, f.column]),
      [
        ['big.yaml', 'information', 'file/skipped', 1, 1],
        ['image.yaml', 'information', 'file/skipped', 1, 1],
      ],
    );
    assert.match(r.findings[0]!.message, /5 MB/);
    assert.match(r.findings[1]!.message, /binary/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a Helm-templated document gets one information finding and no schema errors', () => {
  const text = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: {{ .Release.Name }}-policy
spec:
  endpointSelector:
    matchLabels: {{- toYaml .Values.selector | nindent 6 }}
  bogusField: {{ .Values.x }}
`;
  const r = runJson(['-'], { input: text });
  assert.equal(r.status, 0);
  assert.deepEqual(
    r.findings.map((f) => [f.severity, f.code]),
    [['information', 'document/templated']],
  );
  assert.equal(r.findings[0]!.line, positionOf(text, 'kind:').line);
});

test('a YAML syntax error is one finding at its position', () => {
  const text = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: web: frontend
spec:
  endpointSelector: {}
  ingres: []
`;
  const r = runJson(['-'], { input: text });
  assert.equal(r.status, 1);
  assert.equal(r.findings.length, 1, JSON.stringify(r.findings));
  const at = positionOf(text, 'web: frontend');
  assert.deepEqual(
    [r.findings[0]!.code, r.findings[0]!.line, r.findings[0]!.column],
    ['yaml/syntax', at.line, at.column],
  );
});

test('a file named twice is linted once', () => {
  const r = runJson(['test/cli/fixtures/three-problems.yaml', 'test/cli/fixtures/../fixtures/three-problems.yaml']);
  const single = runJson(['test/cli/fixtures/three-problems.yaml']);
  assert.equal(r.findings.length, single.findings.length);
});
