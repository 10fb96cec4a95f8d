// SPDX-License-Identifier: Apache-2.0
/**
 * `cilium-policy diff` through the bundled CLI, in scratch git repositories: no change (exit 0),
 * the shop example's proposed change against HEAD and between two commits (exit 1), the JSON shape
 * of the issue, Markdown for a pull-request comment (capped), refused revisions, git missing or not
 * a repository (exit 2), and a repository that is only read.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from '../support/paths.js';
import { runCli, tempTree } from './run-cli.js';

type Json = Record<string, unknown>;

function git(cwd: string, ...args: string[]): string {
  const r = spawnSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], {
    cwd,
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, `git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

function repository(files: Readonly<Record<string, string>>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cilium-policy-diff-'));
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  git(dir, 'init', '-q');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-qm', 'base');
  return dir;
}

function shopRepository(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cilium-policy-diff-'));
  fs.cpSync(path.join(REPO_ROOT, 'examples', 'shop'), path.join(dir, 'shop'), { recursive: true });
  git(dir, 'init', '-q');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-qm', 'base');
  return dir;
}

/** Everything git keeps about the working tree and refs, to show nothing was written. */
function gitState(dir: string): string {
  const index = fs.readFileSync(path.join(dir, '.git', 'index'));
  return `${git(dir, 'status', '--porcelain')}\n${git(dir, 'rev-parse', 'HEAD')}\n${index.toString('base64')}\n${fs.readdirSync(path.join(dir, '.git')).sort().join(',')}`;
}

test('the proposed shop change: the one cell it closes, in text, JSON and Markdown; HEAD~1 HEAD says the same', () => {
  const repo = shopRepository();
  try {
    const cwd = path.join(repo, 'shop', 'policies');
    const same = runCli(['diff', '--inventory', '../inventory', 'HEAD'], { cwd });
    assert.equal(same.status, 0, same.stderr);
    assert.match(same.stdout, /no change/);

    fs.copyFileSync(path.join(repo, 'shop', 'proposed', 'api.yaml'), path.join(cwd, 'api.yaml'));
    const before = gitState(repo);
    const text = runCli(['diff', '--inventory', '../inventory', 'HEAD'], { cwd });
    assert.equal(text.status, 1, text.stderr);
    assert.match(text.stdout, /shop\/api -> shop\/payments TCP\/8443: allow -> deny/);

    const json = runCli(['diff', '--inventory', '../inventory', '--format', 'json', 'HEAD'], { cwd });
    assert.equal(json.status, 1);
    const out = JSON.parse(json.stdout) as { changes: Json[] } & Json;
    assert.deepEqual(out.changes.length, 1);
    const c = out.changes[0]!;
    for (const key of ['source', 'destination', 'port', 'protocol', 'before', 'after', 'egress', 'ingress'])
      assert.ok(key in c, `a change has ${key}`);
    assert.deepEqual(c['source'], { namespace: 'shop', kind: 'Deployment', name: 'api' });
    assert.deepEqual(c['destination'], { namespace: 'shop', kind: 'Deployment', name: 'payments' });
    assert.deepEqual([c['port'], c['protocol'], c['before'], c['after']], [8443, 'TCP', 'allow', 'deny']);
    assert.deepEqual(c['egress'], { verdict: 'deny', by: [] });
    assert.deepEqual(out['newlyDefaultDeny'], []);
    assert.deepEqual(out['newlyUnprotected'], []);

    const md = runCli(['diff', '--inventory', '../inventory', '--format', 'markdown', 'HEAD'], { cwd });
    assert.equal(md.status, 1);
    assert.match(
      md.stdout,
      /^\*\*Connectivity\*\* from `HEAD \([0-9a-f]{12}\)` to `the working tree`: 1 flow newly denied/,
    );
    assert.match(md.stdout, /\| `shop\/api` \| `shop\/payments` \| TCP\/8443 \| ✅ allow \| ⛔ deny \|/);
    assert.equal(gitState(repo), before, 'the repository is only read');

    git(repo, 'commit', '-qam', 'tighten the api');
    const commits = runCli(['diff', '--inventory', '../inventory', '--format', 'json', 'HEAD~1', 'HEAD'], { cwd });
    assert.equal(commits.status, 1, commits.stderr);
    const between = JSON.parse(commits.stdout) as { changes: Json[] } & Json;
    assert.deepEqual(
      between.changes.map((x) => [x['source'], x['destination'], x['after']]),
      out.changes.map((x) => [x['source'], x['destination'], x['after']]),
    );
    assert.match(String((between['head'] as Json)['commit']), /^[0-9a-f]{40}$/);
  } finally {
    fs.rmSync(repo, { recursive: true, force: true });
  }
});

test('a new default-deny policy: newly default-deny workloads, and Markdown capped with a count of the rest', () => {
  const workloads = Array.from(
    { length: 9 },
    (_, i) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: w${i}, namespace: team}
spec:
  template:
    metadata: {labels: {app: w${i}}}
    spec: {containers: [{name: c, ports: [{containerPort: 80}, {containerPort: 443}]}]}
`,
  ).join('---\n');
  const repo = repository({ 'inventory.yaml': workloads, 'README.md': 'no policies yet\n' });
  try {
    fs.writeFileSync(
      path.join(repo, 'baseline.yaml'),
      'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: baseline, namespace: team}\nspec:\n  endpointSelector: {}\n  ingress: [{}]\n',
    );
    const json = runCli(['diff', '--format', 'json', 'HEAD'], { cwd: repo });
    assert.equal(json.status, 1, json.stderr);
    const out = JSON.parse(json.stdout) as { changes: Json[]; newlyDefaultDeny: Json[] };
    assert.equal(out.changes.length, 9 * 9 * 2, 'every pair on both ports is now denied');
    assert.equal(out.newlyDefaultDeny.length, 9);
    assert.deepEqual(out.newlyDefaultDeny[0], {
      namespace: 'team',
      kind: 'Deployment',
      name: 'w0',
      directions: ['ingress'],
    });
    const md = runCli(['diff', '--format', 'markdown', 'HEAD'], { cwd: repo });
    const rows = md.stdout.split('\n').filter((l) => l.startsWith('| `'));
    assert.equal(rows.length, 50);
    assert.match(md.stdout, new RegExp(`…and ${9 * 9 * 2 - 50} more changes`));
    assert.match(md.stdout, /\*\*Newly default-deny:\*\*/);
  } finally {
    fs.rmSync(repo, { recursive: true, force: true });
  }
});

test('hostile names stay text: escaped in text output, code spans in Markdown', () => {
  const repo = repository({
    'inventory.yaml':
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: "evil\\e]8;;https://x/\\e\\\\|`x`", namespace: team}\nspec:\n  template:\n    metadata: {labels: {app: evil}}\n    spec: {containers: [{name: c, ports: [{containerPort: 80}]}]}\n',
  });
  try {
    fs.writeFileSync(
      path.join(repo, 'p.yaml'),
      'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: p, namespace: team}\nspec:\n  endpointSelector: {}\n  ingress: [{}]\n',
    );
    const text = runCli(['diff', 'HEAD'], { cwd: repo });
    assert.equal(text.status, 1, text.stderr);
    assert.ok(!text.stdout.includes('\x1b'), 'no raw escape');
    assert.match(text.stdout, /evil\\x1b\]8;;https:\/\/x\/\\x1b\\/);
    const md = runCli(['diff', '--format', 'markdown', 'HEAD'], { cwd: repo });
    assert.ok(!md.stdout.includes('\x1b'));
    const row = md.stdout.split('\n').find((l) => l.startsWith('| `'))!;
    assert.ok(row.includes('\\|'), 'a pipe in a name cannot end the table cell');
  } finally {
    fs.rmSync(repo, { recursive: true, force: true });
  }
});

test('exit 2: not a repository, git missing, refused and unknown revisions, usage errors', () => {
  const plain = tempTree({ 'p.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n' });
  try {
    const r = runCli(['diff', 'HEAD'], { cwd: plain });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /is not in a git repository/);
  } finally {
    fs.rmSync(plain, { recursive: true, force: true });
  }
  const repo = repository({ 'p.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n' });
  try {
    for (const [rev, message] of [
      ['HEAD..HEAD', /is a range/],
      [':/base', /holds ":"/],
      ['HEAD^@', /names a range/],
      ['nope', /is not a commit/],
    ] as const) {
      const r = runCli(['diff', rev], { cwd: repo });
      assert.equal(r.status, 2, `${rev}: ${r.stderr}`);
      assert.match(r.stderr, message);
    }
    const noGit = spawnSync(process.execPath, [path.join(REPO_ROOT, 'dist', 'cli.js'), 'diff', 'HEAD'], {
      cwd: repo,
      encoding: 'utf8',
      env: { ...process.env, PATH: '/nonexistent' },
    });
    assert.equal(noGit.status, 2);
    assert.match(noGit.stderr, /git is not installed/);
  } finally {
    fs.rmSync(repo, { recursive: true, force: true });
  }
  for (const [args, message] of [
    [['diff'], /diff needs a BASE revision/],
    [['diff', 'a', 'b', 'c'], /at most two revisions/],
    [['diff', '--format', 'html', 'HEAD'], /--format must be text, json or markdown, not "html"/],
    [['diff', '--upload-pack=evil', 'HEAD'], /unknown option --upload-pack for diff/],
  ] as const) {
    const r = runCli(args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
  }
  const help = runCli(['diff', '--help']);
  assert.equal(help.status, 0);
  assert.match(help.stdout, /^cilium-policy diff \[--inventory PATH\]/);
});
