// SPDX-License-Identifier: Apache-2.0
/**
 * The CLI's output formats and exit statuses, which users' scripts rely on:
 * text lines `path:line:column: severity code message`, the JSON records, and 0/1/2.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from '../support/paths.js';
import { FIXTURES, parseSummary, positionOf, runCli, runJson, TEXT_LINE } from './run-cli.js';

/** The conventional uid of `nobody`. */
const NOBODY = 65534;

const FIXTURE_REL = 'test/cli/fixtures/three-problems.yaml';
const fixtureText = fs.readFileSync(path.join(FIXTURES, 'three-problems.yaml'), 'utf8');

/** The three problems of the fixture, placed by searching its text (never by copying CLI output). */
const expected = [
  { code: 'schema/type', ...positionOf(fixtureText, '3}', 'replicas:'), length: 1 },
  { code: 'schema/unknown-field', ...positionOf(fixtureText, 'fromEndpoint:'), length: 'fromEndpoint'.length },
  { code: 'schema/type', ...positionOf(fixtureText, 'maybe'), length: 'maybe'.length },
];

test('text output: one line per finding with 1-based positions, summary on stderr, exit 1', () => {
  const r = runCli(['lint', FIXTURE_REL]);
  assert.equal(r.status, 1, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  assert.equal(lines.length, expected.length, r.stdout);
  const got = lines.map((l) => {
    const m = TEXT_LINE.exec(l);
    assert.ok(m, `not a finding line: ${l}`);
    return { file: m[1], line: Number(m[2]), column: Number(m[3]), severity: m[4], code: m[5], message: m[6] };
  });
  for (const [i, want] of expected.entries()) {
    assert.equal(got[i]!.file, FIXTURE_REL, 'the path is shown as given');
    assert.deepEqual([got[i]!.line, got[i]!.column, got[i]!.code], [want.line, want.column, want.code], lines[i]);
    assert.equal(got[i]!.severity, 'error');
  }
  assert.match(got[1]!.message, /fromEndpoints/, 'the typo gets a suggestion');
  const summary = parseSummary(r.stderr);
  assert.deepEqual(summary, { errors: 3, warnings: 0, filesWithFindings: 1, files: 1, documents: 2 });
  assert.match(r.stderr, /^3 errors, 0 warnings in 1 file \(1 file, 2 policy documents checked\)\n$/);
});

test('JSON output: exactly the documented keys and types, 1-based, nothing else on stdout or stderr', () => {
  const r = runJson([FIXTURE_REL]);
  assert.equal(r.status, 1);
  assert.equal(r.stderr, '', 'JSON mode writes no summary');
  assert.ok(Array.isArray(r.findings));
  assert.equal(r.findings.length, expected.length);
  const keys = ['file', 'line', 'column', 'endLine', 'endColumn', 'severity', 'code', 'source', 'message'];
  for (const [i, f] of r.findings.entries()) {
    assert.deepEqual(Object.keys(f), keys, 'keys in the documented order');
    assert.equal(typeof f.file, 'string');
    for (const k of ['line', 'column', 'endLine', 'endColumn'] as const) {
      assert.ok(Number.isInteger(f[k]) && f[k] >= 1, `${k} is a 1-based integer: ${f[k]}`);
    }
    assert.ok(['error', 'warning', 'information', 'hint'].includes(f.severity));
    assert.equal(f.source, 'cilium-policy');
    assert.equal(typeof f.message, 'string');
    assert.ok(f.message.length > 0);
    const want = expected[i]!;
    assert.deepEqual(
      { file: f.file, line: f.line, column: f.column, endLine: f.endLine, endColumn: f.endColumn, code: f.code },
      {
        file: FIXTURE_REL,
        line: want.line,
        column: want.column,
        endLine: want.line,
        endColumn: want.column + want.length,
        code: want.code,
      },
    );
  }
});

test('JSON output of a clean run is an empty array and exit 0', () => {
  const r = runJson(['examples/cnp-frontend-to-api.yaml']);
  assert.equal(r.status, 0, r.stdout);
  assert.deepEqual(r.findings, []);
});

test('exit 0 for valid files, with a summary that counts them', () => {
  const files = [
    'examples/cnp-frontend-to-api.yaml',
    'examples/ccnp-host-ssh.yaml',
    'examples/tracingpolicy-watch-shadow.yaml',
  ];
  const r = runCli(['lint', ...files]);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.equal(r.stdout, '');
  assert.deepEqual(parseSummary(r.stderr), { errors: 0, warnings: 0, filesWithFindings: 0, files: 3, documents: 3 });
});

test('exit 2 with a clear message on usage errors', () => {
  const cases: { args: string[]; message: RegExp }[] = [
    { args: [], message: /no command/ },
    { args: ['check', 'x.yaml'], message: /unknown command "check"/ },
    { args: ['lint'], message: /no input/ },
    { args: ['lint', '--format', 'xml', 'examples'], message: /--format must be text, json or sarif/ },
    { args: ['lint', '--cilium-version', 'latest', 'examples'], message: /not a release number/ },
    { args: ['lint', '--tetragon-version'], message: /needs a value/ },
    { args: ['lint', '--fix', 'examples'], message: /unknown option --fix/ },
  ];
  for (const c of cases) {
    const r = runCli(c.args);
    assert.equal(r.status, 2, `${c.args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, c.message, c.args.join(' '));
    assert.match(r.stderr, /--help/, 'points at --help');
    assert.equal(r.stdout, '');
  }
});

test('exit 2 on I/O failure: a missing file is named, and nothing is linted', () => {
  const r = runCli(['lint', FIXTURE_REL, 'does/not/exist.yaml']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /cannot read does\/not\/exist\.yaml: no such file or directory/);
  assert.equal(r.stdout, '');
});

test('exit 2 on an unreadable directory', (t) => {
  // Root reads everything, so as root the CLI is run as the unprivileged user `nobody` instead.
  const asRoot = process.getuid?.() === 0;
  if (asRoot && runCli(['--version'], { uid: NOBODY, cwd: os.tmpdir() }).status !== 0) {
    t.skip('running as root in a checkout the user nobody cannot read: no way to make a directory unreadable');
    return;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cilium-policy-unreadable-'));
  fs.chmodSync(dir, 0o755);
  fs.writeFileSync(path.join(dir, 'ok.yaml'), 'kind: ConfigMap\n');
  fs.mkdirSync(path.join(dir, 'locked'));
  fs.chmodSync(path.join(dir, 'locked'), 0o000);
  try {
    const r = runCli(['lint', dir], asRoot ? { uid: NOBODY, cwd: dir } : { cwd: dir });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /cannot read directory .*locked: permission denied/);
  } finally {
    fs.chmodSync(path.join(dir, 'locked'), 0o700);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('--help and --version', () => {
  const help = runCli(['--help']);
  assert.equal(help.status, 0);
  for (const word of ['lint', '--format', '--cilium-version', '--tetragon-version', '<stdin>', 'node_modules']) {
    assert.ok(help.stdout.includes(word), `help mentions ${word}`);
  }
  assert.equal(runCli(['lint', '--help']).stdout, help.stdout);
  const version = runCli(['--version']);
  assert.equal(version.status, 0);
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
  assert.equal(version.stdout.trim(), pkg.version);
});
