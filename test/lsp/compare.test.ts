// SPDX-License-Identifier: Apache-2.0
/**
 * "Compare Connectivity with…" and "Generate Policy from Flows…" over LSP, against the bundled
 * server. The comparison runs in a git repository made here with the real `git` (the shop example,
 * committed): the revisions are listed, the working tree equals HEAD until an unsaved edit (the
 * proposed tightening of the API's policy) changes what it allows, and the diff is the one the
 * engine computes from the same inputs (`connectivityDiff`); nothing in the repository is written.
 * An untrusted workspace, a folder outside git, git missing and refused revisions each get a
 * message. The generated policy of a workload of the shop's flow log lints clean in an untitled
 * document and its PolicyTest passes through `ciliumPolicy/runPolicyTests`, decided by its rules.
 */
import { test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseFile } from '../../server/src/core/document.js';
import { inventoryFromManifests } from '../../server/src/core/inventory.js';
import { agentOptionsFromConfigMap, resolveAgent } from '../../server/src/semantics/agent.js';
import { VerdictEngine } from '../../server/src/semantics/engine.js';
import { connectivityDiff, type ConnectivityDiff } from '../../server/src/semantics/replay/diff.js';
import { FlowReplay } from '../../server/src/semantics/replay/replay.js';
import { flowWorkloads } from '../../server/src/semantics/replay/generate.js';
import type {
  CompareResult,
  FlowLogStatus,
  FlowWorkloadsRequest,
  GenerateFromFlowsRequest,
  GitRevisionsRequest,
  RunPolicyTestsRequest,
} from '../../server/src/protocol.js';
import { LspClient } from '../support/lsp-client.js';
import { deploymentManifest } from '../support/lsp-samples.js';
import { REPO_ROOT } from '../support/paths.js';

const SHOP = path.join(REPO_ROOT, 'examples', 'shop');
let tmp: string;

before(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cilium-policy-compare-'));
});

after(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

const uriOf = (file: string): string => pathToFileURL(file).href;

/** Runs the real git in `cwd`, without the user's or the system's configuration. */
function git(cwd: string, ...args: string[]): string {
  const r = spawnSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', ...args], {
    cwd,
    encoding: 'utf8',
    // No index refresh by our own `git status`: the state compared must move only on a write.
    env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1', GIT_OPTIONAL_LOCKS: '0' },
  });
  assert.equal(r.status, 0, `git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** A copy of the shop without the proposed change and the failing tests, committed on `main`. */
function shopRepository(name: string): string {
  const dir = path.join(tmp, name);
  fs.cpSync(SHOP, dir, { recursive: true });
  fs.rmSync(path.join(dir, 'proposed'), { recursive: true });
  fs.rmSync(path.join(dir, 'failing'), { recursive: true });
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'add', '.');
  git(dir, 'commit', '-q', '-m', 'The shop as deployed');
  return dir;
}

/** Every YAML text below `dir`, by path. */
function yamlTexts(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile() || !/\.ya?ml$/.test(e.name) || e.parentPath.includes(`${path.sep}.git`)) continue;
    const file = path.join(e.parentPath, e.name);
    out.set(file, fs.readFileSync(file, 'utf8'));
  }
  return out;
}

/** The diff the engine gives between two sets of files (path → text) over the manifests of `after`. */
function expectedDiff(beforeFiles: Map<string, string>, afterFiles: Map<string, string>): ConnectivityDiff {
  const inventory = inventoryFromManifests([...afterFiles].map(([uri, text]) => ({ uri, text })));
  const cm = inventory.ciliumConfig;
  const agent = resolveAgent(
    cm ? [{ origin: 'cilium-config', values: agentOptionsFromConfigMap(cm.data).values }] : [],
  );
  const engineOf = (files: Map<string, string>): VerdictEngine => {
    const engine = new VerdictEngine({ inventory, agent });
    for (const [file, text] of files) engine.setFile(file, parseFile(text));
    return engine;
  };
  return connectivityDiff(engineOf(beforeFiles), engineOf(afterFiles));
}

function changeKeys(r: CompareResult): string[] {
  return r.namespaces
    .flatMap((n) => n.changes.map((c) => `${c.source} -> ${c.destination} ${c.port}: ${c.before} -> ${c.after}`))
    .sort();
}

function expectedKeys(d: ConnectivityDiff): string[] {
  return d.changes
    .map((c) => `${c.sourceText} -> ${c.destinationText} ${c.protocol}/${c.port}: ${c.before} -> ${c.after}`)
    .sort();
}

async function compareWhen(
  client: LspClient,
  params: { revision: string; limit?: number },
  pred: (r: CompareResult) => boolean,
): Promise<CompareResult> {
  // The workspace is indexed in the background: ask until the answer reflects it.
  const deadline = Date.now() + 15_000;
  for (;;) {
    const r = (await client.request('ciliumPolicy/compareConnectivity', params)) as CompareResult;
    if (pred(r) || Date.now() > deadline) return r;
    await new Promise((res) => setTimeout(res, 150));
  }
}

/** What git keeps that a write would change: the index, HEAD, the refs and the object count. */
function repositoryState(dir: string): string {
  const stat = (p: string): string => {
    try {
      return String(fs.statSync(path.join(dir, '.git', p)).mtimeMs);
    } catch {
      return 'absent';
    }
  };
  return JSON.stringify({
    index: stat('index'),
    head: fs.readFileSync(path.join(dir, '.git', 'HEAD'), 'utf8'),
    refs: git(dir, 'for-each-ref'),
    objects: git(dir, 'count-objects', '-v'),
    status: git(dir, 'status', '--porcelain'),
  });
}

test('compare over LSP: revisions, no change at HEAD, an unsaved tightening as the engine diffs it, nothing written', async () => {
  const dir = shopRepository('repo');
  const client = await LspClient.start({
    workspaceFolder: uriOf(dir),
    initializationOptions: { workspaceTrusted: true },
  });
  try {
    const state = repositoryState(dir);
    const revs = (await client.request('ciliumPolicy/gitRevisions', {})) as GitRevisionsRequest.Result;
    assert.equal(revs.error, undefined);
    assert.equal(revs.revisions[0]?.rev, 'HEAD');
    assert.match(revs.revisions[0]!.description, /main · [0-9a-f]{7} The shop as deployed/);
    assert.ok(revs.revisions.some((r) => r.rev === 'main' && r.kind === 'branch' && r.current === true));

    // The working tree is the commit: nothing changes (once the workspace is indexed).
    const files = yamlTexts(dir);
    const same = expectedDiff(files, files);
    assert.ok(same.cells > 0 && same.changes.length === 0);
    const clean = await compareWhen(
      client,
      { revision: 'HEAD' },
      (r) => r.cells === same.cells && r.newlyAllowed + r.newlyDenied + r.otherChanges === 0,
    );
    assert.equal(clean.error, undefined);
    assert.match(clean.commit, /^[0-9a-f]{40}$/);
    assert.equal(clean.commit, git(dir, 'rev-parse', 'HEAD').trim());
    assert.equal(clean.cells, same.cells);
    assert.deepEqual([clean.newlyAllowed, clean.newlyDenied, clean.namespaces.length], [0, 0, 0]);

    // The proposed change, typed into the open API policy and not saved.
    const apiFile = path.join(dir, 'policies', 'api.yaml');
    const apiUri = uriOf(apiFile);
    const proposed = fs.readFileSync(path.join(SHOP, 'proposed', 'api.yaml'), 'utf8');
    const changedFiles = new Map(files);
    changedFiles.set(apiFile, proposed);
    const want = expectedDiff(files, changedFiles);
    const denied = want.changes.filter((c) => c.after === 'deny').length;
    const allowed = want.changes.filter((c) => c.after === 'allow').length;
    assert.ok(denied > 0, 'the proposed change denies something');
    await client.open(apiUri, fs.readFileSync(apiFile, 'utf8'));
    await client.change(apiUri, proposed);
    const edited = await compareWhen(client, { revision: 'HEAD' }, (r) => r.newlyDenied === denied);
    assert.equal(edited.newlyDenied, denied);
    assert.equal(edited.newlyAllowed, allowed);
    assert.deepEqual(changeKeys(edited), expectedKeys(want));
    assert.deepEqual(
      edited.newlyDefaultDeny.map((w) => `${w.namespace}/${w.name} ${w.directions.join(',')}`),
      want.newlyDefaultDeny.map((w) => `${w.namespace}/${w.name} ${w.directions.join(',')}`),
    );
    // Grouped by namespace, sorted; within one, newly denied first.
    const names = edited.namespaces.map((n) => n.namespace);
    assert.deepEqual(
      names,
      [...names].sort((a, b) => a.localeCompare(b)),
    );
    for (const n of edited.namespaces) {
      const order = n.changes.map((c) => (c.after === 'deny' ? 0 : c.after === 'allow' ? 1 : 2));
      assert.deepEqual(order, [...order].sort(), n.namespace);
    }
    // Each newly denied change names what decides it, placed in the edited text.
    for (const c of edited.namespaces.flatMap((n) => n.changes).filter((x) => x.after === 'deny')) {
      const deciding = [c.egress, c.ingress].filter((d) => d.verdict === 'deny');
      assert.ok(deciding.length > 0, `${c.source} -> ${c.destination}`);
      for (const d of deciding) {
        assert.ok(d.text !== '', 'in words');
        for (const place of d.decidedBy) {
          const text = place.uri === apiUri ? proposed : (files.get(new URL(place.uri).pathname) ?? '');
          assert.ok(place.range.start.line < text.split('\n').length, `${place.text} in range`);
        }
      }
    }
    assert.ok(
      edited.namespaces
        .flatMap((n) => n.changes)
        .some((c) => c.egress.decidedBy.concat(c.ingress.decidedBy).some((p) => p.uri === apiUri)),
      'the edited policy decides some change',
    );

    // limit: the rest is counted.
    const limited = (await client.request('ciliumPolicy/compareConnectivity', {
      revision: 'HEAD',
      limit: 1,
    })) as CompareResult;
    assert.equal(limited.namespaces.flatMap((n) => n.changes).length, 1);
    assert.equal(limited.more, want.changes.length - 1);

    // Saved and committed, HEAD equals the working tree again, and HEAD~1 shows the change.
    fs.writeFileSync(apiFile, proposed);
    git(dir, 'commit', '-q', '-am', 'Tighten the API');
    const committed = (await client.request('ciliumPolicy/compareConnectivity', { revision: 'HEAD' })) as CompareResult;
    assert.deepEqual([committed.newlyAllowed, committed.newlyDenied], [0, 0]);
    const previous = (await client.request('ciliumPolicy/compareConnectivity', {
      revision: 'HEAD~1',
    })) as CompareResult;
    assert.deepEqual(changeKeys(previous), expectedKeys(want));
    const revs2 = (await client.request('ciliumPolicy/gitRevisions', {})) as GitRevisionsRequest.Result;
    assert.ok(revs2.revisions.some((r) => r.kind === 'commit' && r.description === 'The shop as deployed'));

    // Revisions that are not one, or that git would read as an option: a message, nothing run.
    const option = (await client.request('ciliumPolicy/compareConnectivity', {
      revision: '--output=/tmp/x',
    })) as CompareResult;
    assert.match(option.error ?? '', /starts with "-"/);
    const range = (await client.request('ciliumPolicy/compareConnectivity', {
      revision: 'HEAD~1..HEAD',
    })) as CompareResult;
    assert.match(range.error ?? '', /range/);
    const unknown = (await client.request('ciliumPolicy/compareConnectivity', {
      revision: 'no-such-branch',
    })) as CompareResult;
    assert.match(unknown.error ?? '', /not a commit/);
    // Without a revision the request itself is malformed (InvalidParams, naming the field).
    await assert.rejects(client.request('ciliumPolicy/compareConnectivity', {}), /params\.revision must be a string/);

    // Nothing was written by the server (the commit above is ours: compare from after it).
    const stateAfterCommit = repositoryState(dir);
    await client.request('ciliumPolicy/compareConnectivity', { revision: 'main~1' });
    await client.request('ciliumPolicy/gitRevisions', {});
    assert.equal(repositoryState(dir), stateAfterCommit);
    assert.notEqual(state, stateAfterCommit, 'the state sees a commit (else it could not see a write)');
  } finally {
    await client.stop();
  }
});

test('compare over LSP: an untrusted workspace, a folder outside git and git missing each say why', async () => {
  const dir = shopRepository('untrusted');
  const state = repositoryState(dir);
  const untrusted = await LspClient.start({ workspaceFolder: uriOf(dir) });
  try {
    const revs = (await untrusted.request('ciliumPolicy/gitRevisions', {})) as GitRevisionsRequest.Result;
    assert.deepEqual(revs.revisions, []);
    assert.match(revs.error ?? '', /not trusted/);
    const r = (await untrusted.request('ciliumPolicy/compareConnectivity', { revision: 'HEAD' })) as CompareResult;
    assert.match(r.error ?? '', /not trusted/);
    // Trust granted later: the same requests work.
    await untrusted.notify('ciliumPolicy/workspaceTrust', { trusted: true });
    const now = (await untrusted.request('ciliumPolicy/gitRevisions', {})) as GitRevisionsRequest.Result;
    assert.equal(now.error, undefined);
    assert.equal(now.revisions[0]?.rev, 'HEAD');
  } finally {
    await untrusted.stop();
  }
  assert.equal(repositoryState(dir), state);

  const plain = path.join(tmp, 'plain');
  fs.mkdirSync(plain);
  fs.copyFileSync(path.join(SHOP, 'policies', 'api.yaml'), path.join(plain, 'api.yaml'));
  const outside = await LspClient.start({
    workspaceFolder: uriOf(plain),
    initializationOptions: { workspaceTrusted: true },
    // A repository above the temporary folder (the machine's own) must not be found.
    env: { GIT_CEILING_DIRECTORIES: tmp },
  });
  try {
    const r = (await outside.request('ciliumPolicy/compareConnectivity', { revision: 'HEAD' })) as CompareResult;
    assert.match(r.error ?? '', /is not in a git repository/);
    const revs = (await outside.request('ciliumPolicy/gitRevisions', {})) as GitRevisionsRequest.Result;
    assert.match(revs.error ?? '', /is not in a git repository/);
  } finally {
    await outside.stop();
  }
  assert.ok(!fs.existsSync(path.join(plain, '.git')), 'no repository was made');

  const noGit = await LspClient.start({
    workspaceFolder: uriOf(dir),
    initializationOptions: { workspaceTrusted: true },
    env: { PATH: path.join(tmp, 'empty-path') },
  });
  try {
    const r = (await noGit.request('ciliumPolicy/compareConnectivity', { revision: 'HEAD' })) as CompareResult;
    assert.match(r.error ?? '', /git is not installed/);
  } finally {
    await noGit.stop();
  }
});

test('generate from flows over LSP: the policy of a recorded workload lints clean and its PolicyTest passes', async () => {
  // Only the inventory and the flows: the generated policy is the only one, so it decides.
  const dir = path.join(tmp, 'generate');
  fs.mkdirSync(dir);
  fs.cpSync(path.join(SHOP, 'inventory'), path.join(dir, 'inventory'), { recursive: true });
  fs.cpSync(path.join(SHOP, 'flows'), path.join(dir, 'flows'), { recursive: true });
  const client = await LspClient.start({ workspaceFolder: uriOf(dir) });
  try {
    assert.equal(await client.request('ciliumPolicy/flowWorkloads', {}), null, 'no log loaded yet');
    const none = (await client.request('ciliumPolicy/generateFromFlows', {
      namespace: 'shop',
      labels: { app: 'api' },
    })) as GenerateFromFlowsRequest.Result;
    assert.match(none.error ?? '', /no flow log is loaded/);

    const flowFile = path.join(dir, 'flows', 'hubble-flows.jsonl');
    const status = (await client.request('ciliumPolicy/loadFlows', { path: flowFile })) as FlowLogStatus;
    assert.equal(status.error, undefined);
    const replay = new FlowReplay({
      head: new VerdictEngine({ inventory: inventoryFromManifests([]), agent: resolveAgent([]) }),
    });
    fs.readFileSync(flowFile, 'utf8')
      .split('\n')
      .forEach((l, i) => {
        if (l.trim() !== '') replay.add(JSON.parse(l), i + 1);
      });
    const known = flowWorkloads(replay.groups());
    const listed = (await client.request('ciliumPolicy/flowWorkloads', {})) as NonNullable<FlowWorkloadsRequest.Result>;
    assert.deepEqual(
      listed.workloads.map((w) => `${w.namespace}/${w.name} ${w.flows}`),
      known.map((w) => `${w.namespace}/${w.name} ${w.flows}`),
    );
    assert.ok(listed.workloads.length > 1);

    // Two workloads: the busiest, and one that talks to the outside (FQDNs need DNS rules).
    const busiest = [...listed.workloads].sort((a, b) => b.flows - a.flows)[0]!;
    for (const [i, w] of [busiest, listed.workloads.find((x) => x !== busiest)!].entries()) {
      const g = (await client.request('ciliumPolicy/generateFromFlows', {
        namespace: w.namespace,
        labels: w.labels,
      })) as GenerateFromFlowsRequest.Result;
      assert.equal(g.error, undefined);
      assert.ok(g.cases > 0 && g.flows > 0, `${w.name}: cases and flows`);
      assert.match(g.yaml, /kind: CiliumNetworkPolicy/);
      assert.match(g.yaml, /kind: PolicyTest/);
      assert.equal(g.name, `${w.name.toLowerCase().replace(/[^a-z0-9-]+/g, '-')}-from-flows`);

      const uri = `untitled:Untitled-${i + 1}`;
      const version = await client.open(uri, g.yaml);
      const diags = await client.waitForDiagnostics(uri, version);
      assert.deepEqual(
        diags.diagnostics.map((d) => `${d.code}: ${d.message}`),
        [],
        `${w.name}: the generated file lints clean\n${g.yaml}`,
      );
      const run = (await client.request('ciliumPolicy/runPolicyTests', {
        textDocument: { uri },
      })) as RunPolicyTestsRequest.Result;
      const cases = run.tests.flatMap((t) => t.cases);
      assert.equal(cases.length, g.cases);
      for (const c of cases) {
        assert.equal(c.pass, true, `${c.name}: ${c.verdict?.reason ?? c.problems.map((p) => p.message).join('; ')}`);
        // Decided by the generated policy: the workload's directions are default-deny without it.
        const by = [...(c.verdict?.egress.by ?? []), ...(c.verdict?.ingress.by ?? [])];
        assert.ok(
          by.some((r) => r.name === g.name),
          `${c.name}: allowed by ${g.name} (${by.map((r) => r.name).join(', ')})`,
        );
      }
      await client.close(uri);
    }
    // A workload the log does not know.
    const other = (await client.request('ciliumPolicy/generateFromFlows', {
      namespace: 'nowhere',
      labels: { app: 'x' },
    })) as GenerateFromFlowsRequest.Result;
    assert.match(other.error ?? '', /no workload in namespace "nowhere"/);
  } finally {
    await client.stop();
  }
});

test('compare over LSP: a hover is answered while a large comparison runs', async () => {
  // 300 workloads: the comparison asks every pair twice, for about a second of CPU.
  const dir = path.join(tmp, 'large');
  fs.mkdirSync(dir);
  const workloads = Array.from({ length: 300 }, (_, i) =>
    deploymentManifest(`w${i}`, 'big', { tier: `t${i % 3}` }, 8080),
  ).join('---\n');
  fs.writeFileSync(path.join(dir, 'workloads.yaml'), workloads);
  const policy = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: tier0, namespace: big}
spec:
  endpointSelector: {matchLabels: {tier: t0}}
  ingress:
  - fromEndpoints: [{matchLabels: {tier: t1}}]
`;
  const policyFile = path.join(dir, 'policy.yaml');
  fs.writeFileSync(policyFile, policy);
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'add', '.');
  git(dir, 'commit', '-q', '-m', 'big');
  const client = await LspClient.start({
    workspaceFolder: uriOf(dir),
    initializationOptions: { workspaceTrusted: true },
  });
  try {
    await compareWhen(client, { revision: 'HEAD' }, (r) => r.cells >= 300 * 300);
    const uri = uriOf(policyFile);
    await client.open(uri, policy);
    // Admitting tier t2 too: a change the diff has to find among all pairs.
    await client.change(uri, policy.replace('{tier: t1}', '{tier: t2}'));
    const finished: string[] = [];
    const compare = (
      client.request('ciliumPolicy/compareConnectivity', { revision: 'HEAD' }) as Promise<CompareResult>
    ).then((r) => {
      finished.push('compare');
      return r;
    });
    // Sent once the comparison is under way (it reads git first).
    await new Promise((r) => setTimeout(r, 300));
    const hover = await client.hover(uri, { line: 4, character: 4 });
    finished.push('hover');
    const result = await compare;
    assert.match(JSON.stringify(hover?.contents ?? ''), /endpoint/i, 'the hover on `endpointSelector`');
    assert.ok(result.newlyAllowed > 0 && result.newlyDenied > 0, JSON.stringify(result).slice(0, 300));
    assert.deepEqual(finished, ['hover', 'compare'], 'the hover did not wait for the comparison');
  } finally {
    await client.stop();
  }
});
