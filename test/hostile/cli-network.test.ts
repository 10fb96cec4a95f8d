// SPDX-License-Identifier: Apache-2.0
// The CLI never touches the network: `lint` and `preview` run over the examples with the network
// trap preloaded (every connection and name lookup is recorded and refused). The positive control
// preloads, after the trap, a script that does try to connect, and expects exactly that attempt in
// the log while the CLI still does its work.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CLI } from '../cli/run-cli.js';
import { REPO_ROOT, shared } from '../support/paths.js';
import { TRAP_LOG_ENV, type TrapRecord } from '../support/network-trap.js';

const TRAP = path.join(__dirname, '..', 'support', 'network-trap.js');
const EXAMPLES = path.join(REPO_ROOT, 'examples');
const PREVIEW = path.join(REPO_ROOT, 'test', 'fixtures', 'preview');

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly attempts: TrapRecord[];
}

describe('CLI under the network trap', () => {
  let dir: string;
  let run: (args: readonly string[], extraRequire?: string, input?: string) => Run;
  before(() => {
    if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first`);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cilium-policy-cli-trap-'));
    let n = 0;
    run = (args, extraRequire, input) => {
      const log = path.join(dir, `log-${++n}.jsonl`);
      const requires = ['--require', TRAP, ...(extraRequire ? ['--require', extraRequire] : [])];
      const r = spawnSync(process.execPath, [...requires, CLI, ...args], {
        cwd: REPO_ROOT,
        encoding: 'utf8',
        input: input ?? '',
        env: { ...process.env, [TRAP_LOG_ENV]: log },
        timeout: 120_000,
        maxBuffer: 64 * 1024 * 1024,
      });
      if (r.error) throw r.error;
      const attempts = fs.existsSync(log)
        ? fs
            .readFileSync(log, 'utf8')
            .split('\n')
            .filter(Boolean)
            .map((l) => JSON.parse(l) as TrapRecord)
        : [];
      return { status: r.status, stdout: r.stdout, stderr: r.stderr, attempts };
    };
  });
  after(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const noNetwork = (r: Run, what: string): void => {
    assert.deepEqual(r.attempts, [], `${what}: network attempts`);
    assert.doesNotMatch(r.stderr, /network-trap/, `${what}: ${r.stderr.slice(0, 500)}`);
  };

  it('lint over examples/ (text and JSON), with a modeline naming a remote schema on stdin', () => {
    const text = run(['lint', EXAMPLES]);
    assert.equal(text.status, 1, `the examples hold deliberate errors: ${text.stderr}`);
    assert.match(text.stdout, /schema\/unknown-field/);
    noNetwork(text, 'lint text');
    const json = run(['lint', '--format', 'json', EXAMPLES]);
    assert.ok((JSON.parse(json.stdout) as unknown[]).length > 0);
    noNetwork(json, 'lint json');
    const stdin = run(
      ['lint', '-'],
      undefined,
      `# yaml-language-server: $schema=https://example.invalid/schema.json\n${fs.readFileSync(path.join(EXAMPLES, 'broken-typo-key.yaml'), 'utf8')}`,
    );
    assert.equal(stdin.status, 1);
    noNetwork(stdin, 'lint stdin');
  });

  it('lint over the upstream examples, when ../shared is there', (t) => {
    const upstream = shared('upstream', 'examples');
    if (!upstream || !fs.existsSync(upstream)) return t.skip('../shared/upstream/examples is absent');
    const r = run(['lint', '--format', 'json', upstream]);
    assert.notEqual(r.status, 2, r.stderr);
    assert.ok(Array.isArray(JSON.parse(r.stdout)));
    noNetwork(r, 'lint upstream');
  });

  it('preview with the default inventory, a manifest folder and a kubectl snapshot', () => {
    const policies = path.join(PREVIEW, 'workspace', 'policies');
    const byDefault = run(['preview', policies]);
    assert.equal(byDefault.status, 0, byDefault.stderr);
    assert.match(byDefault.stderr, /inventory:/);
    noNetwork(byDefault, 'preview default');
    const manifests = run(['preview', '--format', 'json', '--inventory', path.join(PREVIEW, 'workspace'), policies]);
    assert.equal(manifests.status, 0, manifests.stderr);
    assert.ok((JSON.parse(manifests.stdout) as unknown[]).length > 0);
    noNetwork(manifests, 'preview manifests');
    const snapshot = run([
      'preview',
      '--inventory',
      path.join(PREVIEW, 'snapshot.json'),
      path.join(EXAMPLES, 'cnp-frontend-to-api.yaml'),
    ]);
    assert.equal(snapshot.status, 0, snapshot.stderr);
    assert.match(snapshot.stderr, /snapshot/);
    noNetwork(snapshot, 'preview snapshot');
  });

  it('positive control: an attempt made inside the CLI process is recorded and refused', () => {
    const attempt = path.join(dir, 'attempt.js');
    fs.writeFileSync(
      attempt,
      "let refused = false; try { require('node:https').get('https://example.invalid/'); } catch { refused = true; } if (!refused) process.exit(99);\n",
    );
    const r = run(['lint', path.join(EXAMPLES, 'broken-typo-key.yaml')], attempt);
    assert.equal(r.status, 1, `the CLI still ran: ${r.stderr}`);
    assert.match(r.stdout, /schema\/unknown-field/);
    assert.deepEqual(
      r.attempts.map((a) => a.api),
      ['https.get'],
    );
  });
});
