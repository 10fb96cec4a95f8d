// SPDX-License-Identifier: Apache-2.0
/**
 * `cilium-policy replay` through the bundled CLI: the shop example's flow log against its policies
 * and against the proposed change (with `--base` in a scratch git repository), the JSON shape of
 * the issue, text and SARIF output, `--agent` and `.cilium-policy.yaml`, bad lines counted with
 * their numbers, and exit statuses. Expected numbers are computed from the flow file itself.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from '../support/paths.js';
import { hubbleRecord, podLabels } from '../support/hubble.js';
import { runCli, tempTree } from './run-cli.js';

const SHOP = path.join(REPO_ROOT, 'examples', 'shop');
const FLOWS = path.join(SHOP, 'flows', 'hubble-flows.jsonl');

type Json = Record<string, unknown>;

/** The records of the example file, read here independently of the tool. */
const RECORDS: Json[] = fs
  .readFileSync(FLOWS, 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => JSON.parse(l) as Json);
const FLOW_RECORDS = RECORDS.filter((r) => r['flow'] !== undefined).map((r) => r['flow'] as Json);
const REPLIES = FLOW_RECORDS.filter((f) => f['is_reply'] === true).length;
const JUDGED = FLOW_RECORDS.length - REPLIES;
const NOT_FLOWS = RECORDS.length - FLOW_RECORDS.length;

function git(cwd: string, ...args: string[]): string {
  const r = spawnSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], {
    cwd,
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, `git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** A scratch repository holding a copy of the shop example, committed. */
function shopRepository(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cilium-policy-replay-'));
  fs.cpSync(SHOP, path.join(dir, 'shop'), { recursive: true });
  git(dir, 'init', '-q');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-qm', 'base');
  return dir;
}

function parseJson(stdout: string): { results: Json[] } & Json {
  return JSON.parse(stdout) as { results: Json[] } & Json;
}

/** Records that ask a question the proposed change denies: POST /v1/orders requests, API → payments connections. */
function deniedByProposal(): number {
  return FLOW_RECORDS.filter((f) => {
    if (f['is_reply'] === true) return false;
    const http = (f['l7'] as Json | undefined)?.['http'] as Json | undefined;
    if (http) return http['method'] === 'POST';
    const src = f['source'] as Json;
    const dst = f['destination'] as Json;
    return src['pod_name']?.toString().startsWith('api-') && dst['pod_name']?.toString().startsWith('payments-');
  }).length;
}

test('the shop example: every recorded flow keeps its verdict, exit 0, and the JSON shape of the issue', () => {
  const r = runCli([
    'replay',
    '--flows',
    FLOWS,
    '--inventory',
    'examples/shop/inventory',
    '--format',
    'json',
    'examples/shop/policies',
  ]);
  assert.equal(r.status, 0, r.stderr);
  const out = parseJson(r.stdout);
  assert.equal(out['flows'], JUDGED);
  assert.deepEqual(out['skipped'], { reply: REPLIES, notFlow: NOT_FLOWS, unparsable: 0 });
  assert.equal(out.results.length, JUDGED);
  const first = out.results[0]!;
  for (const key of [
    'line',
    'time',
    'source',
    'destination',
    'port',
    'protocol',
    'http',
    'recorded',
    'verdict',
    'egress',
    'ingress',
    'reason',
  ])
    assert.ok(key in first, `a result has ${key}`);
  assert.ok(!('base' in first) && !('change' in first), 'base and change only with --base');
  assert.deepEqual(Object.keys(first['source'] as Json), ['namespace', 'labels', 'pod']);
  assert.deepEqual(Object.keys(first['destination'] as Json), ['namespace', 'labels', 'pod', 'ip', 'names']);
  assert.deepEqual(Object.keys(first['egress'] as Json), ['verdict', 'by']);
  // Lines are the file's: the first judged result is the first non-reply flow line.
  const lines = fs.readFileSync(FLOWS, 'utf8').split('\n');
  const firstFlowLine = lines.findIndex((l) => l.includes('"flow"') && l.includes('"is_reply":false')) + 1;
  assert.equal(first['line'], firstFlowLine);
  // The recorded drops stay drops; everything forwarded stays allowed.
  for (const res of out.results) {
    const recorded = res['recorded'];
    if (recorded === 'DROPPED') assert.equal(res['verdict'], 'deny', JSON.stringify(res));
    else assert.equal(res['verdict'], 'allow', `line ${String(res['line'])}: ${String(res['reason'])}`);
  }
  const post = out.results.find((x) => (x['http'] as Json | null)?.['method'] === 'POST')!;
  assert.deepEqual(post['http'], { method: 'POST', path: '/v1/orders' });
});

test('the proposed change drops recorded flows: exit 1, grouped in text, with --base in JSON', () => {
  const repo = shopRepository();
  try {
    const cwd = path.join(repo, 'shop');
    fs.copyFileSync(path.join(cwd, 'proposed', 'api.yaml'), path.join(cwd, 'policies', 'api.yaml'));
    const expected = deniedByProposal();
    assert.ok(expected >= 4, `the example has flows the proposal drops (${expected})`);
    const text = runCli(['replay', '--flows', 'flows/hubble-flows.jsonl', '--inventory', 'inventory', 'policies'], {
      cwd,
    });
    assert.equal(text.status, 1, text.stderr);
    assert.match(text.stdout, new RegExp(`Newly denied than recorded: ${expected} flows in 2 groups`));
    assert.match(text.stdout, /shop\/frontend -> shop\/api TCP\/8080/);
    assert.match(text.stdout, /POST \/v1\/orders/);
    assert.match(text.stdout, /shop\/api -> shop\/payments TCP\/8443/);
    assert.match(text.stdout, /denied by CiliumNetworkPolicy shop\/api ingress\[0\] \(policies\/api\.yaml:\d+\)/);
    // Biggest groups first.
    const counts = [...text.stdout.matchAll(/^ +(\d+) {2}\S/gm)].map((m) => Number(m[1]));
    assert.deepEqual(
      counts,
      [...counts].sort((a, b) => b - a),
    );
    assert.match(text.stderr, new RegExp(`${expected} forwarded flows would now be denied`));

    const based = runCli(
      [
        'replay',
        '--base',
        'HEAD',
        '--flows',
        'flows/hubble-flows.jsonl',
        '--inventory',
        'inventory',
        '--format',
        'json',
        'policies',
      ],
      { cwd },
    );
    assert.equal(based.status, 1, based.stderr);
    const out = parseJson(based.stdout);
    const changed = out.results.filter((x) => x['change'] === 'newly-denied');
    assert.equal(changed.length, expected);
    for (const c of changed) assert.deepEqual([c['base'], c['verdict']], ['allow', 'deny']);
    assert.ok(out.results.every((x) => 'base' in x && 'change' in x));
    assert.equal(out.results.filter((x) => x['change'] === 'newly-allowed').length, 0);
    assert.equal((out['base'] as Json)['rev'], 'HEAD');
    assert.match(String((out['base'] as Json)['commit']), /^[0-9a-f]{40}$/);

    const sarif = runCli(
      ['replay', '--flows', 'flows/hubble-flows.jsonl', '--inventory', 'inventory', '--format', 'sarif', 'policies'],
      { cwd },
    );
    assert.equal(sarif.status, 1);
    const log = JSON.parse(sarif.stdout) as {
      runs: {
        results: {
          ruleId: string;
          locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[];
        }[];
      }[];
    };
    const results = log.runs[0]!.results;
    assert.equal(results.length, 2);
    const apiText = fs.readFileSync(path.join(cwd, 'policies', 'api.yaml'), 'utf8').split('\n');
    for (const res of results) {
      assert.equal(res.ruleId, 'replay/newly-denied');
      const loc = res.locations[0]!.physicalLocation;
      assert.equal(loc.artifactLocation.uri, 'policies/api.yaml');
      assert.match(
        apiText[loc.region.startLine - 1] ?? '',
        /- fromEndpoints|endpointSelector|matchLabels/,
        'at the rule or the selector',
      );
    }
    // The repository was only read.
    assert.equal(git(repo, 'status', '--porcelain'), ' M shop/policies/api.yaml\n');
  } finally {
    fs.rmSync(repo, { recursive: true, force: true });
  }
});

test('--agent and .cilium-policy.yaml set the agent profile', () => {
  const repo = shopRepository();
  try {
    const cwd = path.join(repo, 'shop');
    fs.copyFileSync(path.join(cwd, 'proposed', 'api.yaml'), path.join(cwd, 'policies', 'api.yaml'));
    const args = ['replay', '--flows', 'flows/hubble-flows.jsonl', '--inventory', 'inventory', 'policies'];
    assert.equal(runCli(args, { cwd }).status, 1);
    const never = runCli([...args, '--agent', 'policyEnforcementMode=never'], { cwd });
    assert.equal(never.status, 0, 'nothing is enforced');
    assert.match(never.stderr, /0 denied/);
    const other = runCli([...args, '--agent', 'cluster-name=east', '--format', 'json'], { cwd });
    assert.equal(other.status, 0, 'flows of another cluster are unknown, not denied');
    const res = parseJson(other.stdout).results.find((x) => (x['source'] as Json)['pod'] !== '')!;
    assert.equal(res['verdict'], 'unknown');
    assert.match(String(res['reason']), /cluster default, not east/);
    fs.writeFileSync(path.join(cwd, '.cilium-policy.yaml'), 'agent:\n  policyEnforcementMode: never\n');
    assert.equal(runCli(args, { cwd }).status, 0, 'the project file holds the profile');
    assert.equal(runCli([...args, '--agent', 'policyEnforcementMode=default'], { cwd }).status, 1, '--agent wins');
  } finally {
    fs.rmSync(repo, { recursive: true, force: true });
  }
});

test('bad lines are counted by kind and reported with their numbers; the run goes on', () => {
  const frontend = { labels: podLabels('shop', { app: 'frontend' }), namespace: 'shop', pod: 'frontend-1' };
  const api = { labels: podLabels('shop', { app: 'api' }), namespace: 'shop', pod: 'api-1' };
  const good = JSON.stringify(hubbleRecord({ from: frontend, to: api, port: 8080 }));
  const lines = [
    good,
    '{"flow": {"source": ', // truncated
    '',
    JSON.stringify({ node_status: { state_change: 'NODE_CONNECTED' } }),
    'not json at all',
    `${good.slice(0, 20)}\u0000${good.slice(20)}`,
    '['.repeat(500) + ']'.repeat(500),
    JSON.stringify({ lost_events: { num_events_lost: '1' } }),
    JSON.stringify(hubbleRecord({ from: api, to: frontend, port: 40000, reply: true })),
    good,
  ];
  const dir = tempTree({
    'flows.jsonl': `${lines.join('\n')}\n`,
    'policy.yaml':
      'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: a, namespace: shop}\nspec:\n  endpointSelector: {matchLabels: {app: api}}\n  ingress: [{fromEndpoints: [{matchLabels: {app: frontend}}]}]\n',
  });
  try {
    const r = runCli(['replay', '--flows', 'flows.jsonl', '--format', 'json', 'policy.yaml'], { cwd: dir });
    assert.equal(r.status, 0, r.stderr);
    const out = parseJson(r.stdout);
    assert.equal(out['flows'], 2);
    assert.deepEqual(out['skipped'], { reply: 1, notFlow: 3, unparsable: 2, nulByte: 1, tooDeep: 1 });
    assert.match(r.stderr, /flows\.jsonl:2: line 2 is not JSON/);
    assert.match(r.stderr, /flows\.jsonl:5: line 5 is not JSON/);
    assert.match(r.stderr, /flows\.jsonl:6: line 6 holds a NUL byte/);
    assert.match(r.stderr, /flows\.jsonl:7: line 7 nests/);
    assert.deepEqual(
      out.results.map((x) => x['line']),
      [1, 10],
    );
    // The same from standard input.
    const stdin = runCli(['replay', '--flows', '-', '--format', 'json', 'policy.yaml'], {
      cwd: dir,
      input: fs.readFileSync(path.join(dir, 'flows.jsonl')),
    });
    assert.equal(stdin.status, 0, stdin.stderr);
    assert.deepEqual(parseJson(stdin.stdout)['skipped'], out['skipped']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('exit 2: usage errors, an unreadable flow file, --base outside a repository or with an unsafe revision, git missing', () => {
  const usage: [string[], RegExp][] = [
    [['replay', 'examples/shop/policies'], /replay needs --flows FILE/],
    [['replay', '--flows', FLOWS, '--format', 'xml'], /--format must be text, json or sarif, not "xml"/],
    [['replay', '--flows', FLOWS, '--agent', 'bogus=1'], /unknown agent option "bogus"/],
    [['replay', '--flows', FLOWS, '--agent', 'enableHostFirewall'], /--agent needs KEY=VALUE/],
    [['replay', '--flows', FLOWS, '--agent', 'enableHostFirewall=maybe'], /enableHostFirewall must be true or false/],
    [['replay', '--flows', FLOWS, '--frobnicate'], /unknown option --frobnicate for replay/],
    [['replay', '--flows', '-', '-'], /standard input cannot hold both/],
  ];
  for (const [args, message] of usage) {
    const r = runCli(args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.match(r.stderr, /Run "cilium-policy --help" for usage\./);
  }
  const missing = runCli(['replay', '--flows', 'no/such/flows.jsonl', 'examples/shop/policies']);
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /cannot read no\/such\/flows\.jsonl: no such file or directory/);

  const outside = tempTree({ 'p.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n' });
  try {
    const r = runCli(['replay', '--base', 'HEAD', '--flows', FLOWS, 'p.yaml'], { cwd: outside });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /is not in a git repository/);
  } finally {
    fs.rmSync(outside, { recursive: true, force: true });
  }
  const repo = shopRepository();
  try {
    const cwd = path.join(repo, 'shop');
    for (const rev of ['HEAD..HEAD~1', ':/base', 'HEAD^!', 'no-such-branch']) {
      const r = runCli(['replay', '--base', rev, '--flows', 'flows/hubble-flows.jsonl', 'policies'], { cwd });
      assert.equal(r.status, 2, `${rev}: ${r.stderr}`);
      assert.match(r.stderr, rev === 'no-such-branch' ? /is not a commit/ : /cannot use revision/);
    }
    const noGit = spawnSync(
      process.execPath,
      [
        path.join(REPO_ROOT, 'dist', 'cli.js'),
        'replay',
        '--base',
        'HEAD',
        '--flows',
        'flows/hubble-flows.jsonl',
        'policies',
      ],
      {
        cwd,
        encoding: 'utf8',
        env: { ...process.env, PATH: '/nonexistent' },
      },
    );
    assert.equal(noGit.status, 2, noGit.stderr);
    assert.match(noGit.stderr, /git is not installed/);
  } finally {
    fs.rmSync(repo, { recursive: true, force: true });
  }
});

test('replay --help prints its usage; the main help names replay and diff', () => {
  const r = runCli(['replay', '--help']);
  assert.equal(r.status, 0);
  assert.match(r.stdout, /^cilium-policy replay --flows FILE/);
  const main = runCli(['--help']);
  assert.match(main.stdout, /cilium-policy replay --flows FILE/);
  assert.match(main.stdout, /cilium-policy diff \[--inventory PATH\]/);
});
