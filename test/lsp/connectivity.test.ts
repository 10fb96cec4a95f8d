// SPDX-License-Identifier: Apache-2.0
/**
 * Connectivity over LSP, against the bundled server with a copy of `examples/shop` as the
 * workspace: listing and running PolicyTests, judging one flow, the pickers' endpoints, adding a
 * case, the matrix of a policy (and that it follows an edit), a workload's effective policy and
 * coverage, the PolicyTest diagnostics that need the inventory, completion and hover inside a
 * PolicyTest, the effective-policy hover over a manifest, and the agent-option layers (setting,
 * `.cilium-policy.yaml`, `spec.agent`). Expectations come from the engine run in process on the
 * same files, or from reading the files.
 */
import { test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseFile } from '../../server/src/core/document.js';
import { inventoryFromManifests, type Inventory } from '../../server/src/core/inventory.js';
import { applyEdits } from '../../server/src/core/yaml-edits.js';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { agentOptionsFromConfigMap, resolveAgent } from '../../server/src/semantics/agent.js';
import { VerdictEngine } from '../../server/src/semantics/engine.js';
import { portsOf } from '../../server/src/semantics/matrix.js';
import { readPolicyTest, runPolicyTest } from '../../server/src/semantics/policy-test.js';
import type {
  AddTestCaseRequest,
  CheckFlowRequest,
  ConnectivityEndpointsRequest,
  ConnectivityMatrixRequest,
  CoverageRequest,
  EffectivePolicyRequest,
  InventoryRequest,
  PolicyTestsRequest,
  RunPolicyTestsRequest,
} from '../../server/src/protocol.js';
import { LspClient, positionOf, WAIT_MS } from '../support/lsp-client.js';
import { REPO_ROOT } from '../support/paths.js';

const SHOP = path.join(REPO_ROOT, 'examples', 'shop');
let tmp: string;

before(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cilium-policy-connectivity-'));
});
after(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

function workspaceCopy(name: string): string {
  const dir = path.join(tmp, name);
  // `proposed/` holds a change not yet applied (another version of shop/api, for replay): not part of the cluster.
  fs.cpSync(SHOP, dir, { recursive: true, filter: (src) => path.relative(SHOP, src) !== 'proposed' });
  return dir;
}

const uriOf = (file: string): string => pathToFileURL(file).href;

/** Applies LSP edits (ranges) to a text. */
function applyWire(text: string, edits: NonNullable<AddTestCaseRequest.Result>['edits']): string {
  const doc = TextDocument.create('file:///x.yaml', 'yaml', 1, text);
  return applyEdits(
    text,
    edits.map((e) => ({ start: doc.offsetAt(e.range.start), end: doc.offsetAt(e.range.end), newText: e.newText })),
  );
}
const read = (file: string): string => fs.readFileSync(file, 'utf8');

function yamlFiles(dir: string): string[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => path.join(dir, f));
}

/** The shop's inventory and an engine over its policies, in process, as the CLI builds them. */
function shopEngine(
  dir: string,
  testAgent: Record<string, unknown> = {},
): { engine: VerdictEngine; inventory: Inventory } {
  const inventory = inventoryFromManifests(
    yamlFiles(path.join(dir, 'inventory')).map((f) => ({ uri: f, text: read(f) })),
  );
  const cm = agentOptionsFromConfigMap(inventory.ciliumConfig!.data).values;
  const agent = resolveAgent([
    { origin: 'cm', values: cm },
    { origin: 'test', values: testAgent },
  ]);
  const engine = new VerdictEngine({ inventory, agent });
  for (const f of yamlFiles(path.join(dir, 'policies')))
    engine.setFile(`policies/${path.basename(f)}`, parseFile(read(f)));
  return { engine, inventory };
}

async function start(dir: string, settings: unknown = {}): Promise<LspClient> {
  const client = await LspClient.start({
    workspaceFolder: uriOf(dir),
    settings,
    initializationOptions: { workspaceTrusted: true },
  });
  // The workspace is indexed in the background: wait until its workloads are in.
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const r = (await client.request('ciliumPolicy/inventory', {})) as InventoryRequest.Result;
    const tests = (await client.request('ciliumPolicy/policyTests', {})) as PolicyTestsRequest.Result;
    if (r.status.endpoints >= 5 && tests.files.length >= 2) break;
    if (Date.now() > deadline) throw new Error(`the workspace was not indexed: ${JSON.stringify(r.status)}`);
    await new Promise((res) => setTimeout(res, 100));
  }
  return client;
}

test('the PolicyTests of the workspace are listed with their cases and lines, and run as the engine runs them', async () => {
  const dir = workspaceCopy('run');
  const client = await start(dir);
  try {
    const listed = (await client.request('ciliumPolicy/policyTests', {})) as PolicyTestsRequest.Result;
    const testFile = path.join(dir, 'tests', 'shop-connectivity.yaml');
    const failing = path.join(dir, 'failing', 'shop-regressions.yaml');
    assert.deepEqual(listed.files.map((f) => f.uri).sort(), [uriOf(failing), uriOf(testFile)].sort());
    for (const f of [testFile, failing]) {
      const text = read(f);
      const doc = parseFile(text).documents.find((d) => d.kind?.kind === 'PolicyTest')!;
      const expected = readPolicyTest(doc, f, text)!;
      const got = listed.files.find((x) => x.uri === uriOf(f))!.tests[0]!;
      assert.equal(got.name, expected.name);
      assert.deepEqual(
        got.cases.map((c) => [c.name, c.line]),
        expected.cases.map((c) => [c.name, c.line]),
      );
      // The case's range starts on its `- name:` line.
      for (const c of got.cases) assert.equal(c.range.start.line + 1, c.line);
    }

    // One file, read from disk (it is not open).
    const one = (await client.request('ciliumPolicy/policyTests', {
      textDocument: { uri: uriOf(failing) },
    })) as PolicyTestsRequest.Result;
    assert.deepEqual(
      one.files.map((f) => f.tests.map((t) => t.name)),
      [['shop-regressions']],
    );

    const { engine } = shopEngine(dir, { policyCIDRMatchMode: [] });
    const text = read(testFile);
    const doc = parseFile(text).documents.find((d) => d.kind?.kind === 'PolicyTest')!;
    const expected = runPolicyTest(readPolicyTest(doc, testFile, text)!, engine, text);
    const run = (await client.request('ciliumPolicy/runPolicyTests', {
      textDocument: { uri: uriOf(testFile) },
    })) as RunPolicyTestsRequest.Result;
    assert.equal(run.version, null, 'read from disk');
    const cases = run.tests[0]!.cases;
    assert.deepEqual(
      cases.map((c) => [c.name, c.outcome, c.pass]),
      expected.map((r) => [r.case.name, r.outcome, r.pass]),
    );
    assert.ok(cases.every((c) => c.pass));
    assert.match(run.tests[0]!.context.policies, /\.\.\/policies\/ \(5 files\)/);
    // Deciding rules are located: the location's line is the rule's line, in the file it names.
    let located = 0;
    for (const c of cases)
      for (const d of [c.verdict!.egress, c.verdict!.ingress])
        for (const r of d.by) {
          assert.ok(r.location, `${c.name}: ${r.file}:${r.line} located`);
          assert.equal(r.location.uri, uriOf(path.join(dir, r.file)));
          assert.equal(r.location.range.start.line + 1, r.line);
          const lineText = read(path.join(dir, r.file)).split('\n')[r.line - 1]!;
          assert.match(lineText, /^\s*- /, `${r.file}:${r.line} is a rule item`);
          located++;
        }
    assert.ok(located >= 8, `${located} deciding rules`);

    // The failing example: its first case fails with a verdict, its second is unknown.
    const failed = (await client.request('ciliumPolicy/runPolicyTests', {
      textDocument: { uri: uriOf(failing) },
    })) as RunPolicyTestsRequest.Result;
    const [wrong, undecidable] = failed.tests[0]!.cases;
    assert.deepEqual([wrong!.pass, wrong!.outcome, wrong!.expect], [false, 'deny', 'allow']);
    assert.equal(wrong!.verdict!.ingress.verdict, 'deny');
    assert.ok(
      wrong!.verdict!.ingress.defaultDenyBy.some(
        (p) => p.location?.uri === uriOf(path.join(dir, 'policies', 'orders-db.yaml')),
      ),
    );
    assert.deepEqual([undecidable!.pass, undecidable!.outcome], [false, 'unknown']);
    assert.ok(undecidable!.verdict!.unknowns.some((u) => u.code === 'fqdn-without-address'));

    // Only one case of one test.
    const only = (await client.request('ciliumPolicy/runPolicyTests', {
      textDocument: { uri: uriOf(testFile) },
      only: [{ test: 'shop-connectivity', cases: ['the internet does not reach the API'] }],
    })) as RunPolicyTestsRequest.Result;
    assert.deepEqual(
      only.tests.map((t) => t.cases.map((c) => c.name)),
      [['the internet does not reach the API']],
    );
    const none = (await client.request('ciliumPolicy/runPolicyTests', {
      textDocument: { uri: uriOf(testFile) },
      only: [{ test: 'no-such-test' }],
    })) as RunPolicyTestsRequest.Result;
    assert.deepEqual(none.tests, []);

    // An open document runs with its unsaved text, and says which version.
    const edited = text.replace('expect: allow', 'expect: deny');
    const version = await client.open(uriOf(testFile), edited);
    const unsaved = (await client.request('ciliumPolicy/runPolicyTests', {
      textDocument: { uri: uriOf(testFile) },
    })) as RunPolicyTestsRequest.Result;
    assert.equal(unsaved.version, version);
    assert.equal(unsaved.tests[0]!.cases[0]!.pass, false);
  } finally {
    await client.stop();
  }
});

test('one flow is judged as the engine judges it, and a flow that cannot be judged says why', async () => {
  const dir = workspaceCopy('flow');
  const client = await start(dir);
  try {
    const { engine } = shopEngine(dir);
    const flows: CheckFlowRequest.Params['flow'][] = [
      { from: { workload: 'shop/frontend' }, to: { workload: 'shop/api' }, port: 8080 },
      { from: { workload: 'shop/frontend' }, to: { workload: 'shop/orders-db' }, port: 'postgres' },
      { from: { entity: 'world' }, to: { workload: 'shop/api' }, port: 9090 },
      { from: { workload: 'shop/api' }, to: { service: 'shop/api' }, port: 80 },
    ];
    for (const flow of flows) {
      const r = (await client.request('ciliumPolicy/checkFlow', { flow })) as CheckFlowRequest.Result;
      const want = engine.evaluate(flow as never);
      assert.equal(r.verdict?.verdict, want.verdict, JSON.stringify(flow));
      assert.equal(r.verdict?.reason, want.reason.replaceAll('policies/', 'policies/'));
      assert.deepEqual(
        r.verdict?.ingress.by.map((b) => `${b.file}:${b.line}`),
        want.ingress.by.map((b) => `${b.file}:${b.line}`),
      );
    }
    const missing = (await client.request('ciliumPolicy/checkFlow', {
      flow: { from: { workload: 'shop/nope' }, to: { workload: 'shop/api' }, port: 8080 },
    })) as CheckFlowRequest.Result;
    assert.equal(missing.verdict, null);
    assert.match(missing.problem ?? '', /shop\/nope/);
    const badPort = (await client.request('ciliumPolicy/checkFlow', {
      flow: { from: { workload: 'shop/frontend' }, to: { workload: 'shop/api' }, port: 'grpc' },
    })) as CheckFlowRequest.Result;
    assert.match(badPort.problem ?? '', /grpc/);
    await assert.rejects(
      client.request('ciliumPolicy/checkFlow', { flow: { from: 'shop/a' } }),
      (e: { code?: number }) => {
        assert.equal(e.code, -32602, 'InvalidParams');
        return true;
      },
    );

    const ep = (await client.request('ciliumPolicy/connectivityEndpoints', {})) as ConnectivityEndpointsRequest.Result;
    const inventory = shopEngine(dir).inventory;
    assert.deepEqual(
      ep.workloads.map((w) => w.ref).sort(),
      inventory.endpoints.map((e) => `${e.namespace}/${e.name}`).sort(),
    );
    for (const w of ep.workloads) {
      const e = inventory.endpoints.find((x) => x.namespace === w.namespace && x.name === w.name)!;
      assert.deepEqual(
        w.ports.map((p) => `${p.port}/${p.protocol}/${p.name ?? ''}`),
        portsOf(engine.resolver.podOf(e)).map((p) => `${p.port}/${p.protocol}/${p.name ?? ''}`),
      );
    }
    assert.deepEqual(
      ep.services.map((s) => s.ref).sort(),
      inventory.services.map((s) => `${s.namespace}/${s.name}`).sort(),
    );
    assert.ok(ep.namespaces.includes('shop') && ep.namespaces.includes('kube-system'));
    assert.ok(ep.entities.some((e) => e.name === 'world' && e.meaning.length > 5));
  } finally {
    await client.stop();
  }
});

test('a case is added to a PolicyTest with its comments kept, or as a new PolicyTest', async () => {
  const dir = workspaceCopy('add');
  const client = await start(dir);
  try {
    const testFile = path.join(dir, 'tests', 'shop-connectivity.yaml');
    const before = read(testFile);
    const add = async (uri: string, name: string): Promise<NonNullable<AddTestCaseRequest.Result>> => {
      const r = (await client.request('ciliumPolicy/addTestCase', {
        textDocument: { uri },
        case: {
          name,
          from: { workload: 'shop/frontend' },
          to: { namespace: 'shop', labels: { app: 'a b', 'x/y': 'yes' } },
          port: 'http',
          protocol: 'TCP',
          http: { method: 'GET', path: '/v1/x y' },
          expect: 'deny',
        },
      })) as AddTestCaseRequest.Result;
      assert.ok(r);
      return r;
    };
    const r = await add(uriOf(testFile), 'frontend: talks to "a b" # not a comment');
    const after = applyWire(before, r.edits);
    assert.ok(after.startsWith(before.trimEnd()), 'nothing before the new case changed, comments included');
    const doc = parseFile(after).documents.find((d) => d.kind?.kind === 'PolicyTest')!;
    const t = readPolicyTest(doc, testFile, after)!;
    const last = t.cases[t.cases.length - 1]!;
    assert.deepEqual(last.problems, [], 'the new case reads back without a problem');
    assert.equal(last.name, 'frontend: talks to "a b" # not a comment');
    assert.deepEqual(last.to, { namespace: 'shop', labels: { app: 'a b', 'x/y': 'yes' } });
    assert.deepEqual(last.http, { method: 'GET', path: '/v1/x y' });
    assert.equal(last.port, 'http');
    assert.equal(last.line, r.line);

    // A file without a PolicyTest gets one, after a document marker.
    const other = path.join(dir, 'policies', 'api.yaml');
    const r2 = await add(uriOf(other), 'second');
    const text2 = applyWire(read(other), r2.edits);
    const docs = parseFile(text2).documents;
    assert.deepEqual(
      docs.map((d) => d.kind?.kind),
      ['CiliumNetworkPolicy', 'PolicyTest'],
    );
    assert.equal(readPolicyTest(docs[1]!, other, text2)!.cases[0]!.line, r2.line);
    // An empty (new) file gets the document alone.
    const fresh = path.join(dir, 'tests', 'new.yaml');
    fs.writeFileSync(fresh, '');
    const r3 = await add(uriOf(fresh), 'third');
    assert.ok(r3.edits[0]!.newText.startsWith('apiVersion: cilium-policy.io/v1alpha1'));
  } finally {
    await client.stop();
  }
});

test('the matrix of a policy: its namespace’s workloads and the peers it names, as the engine answers; it follows edits', async () => {
  const dir = workspaceCopy('matrix');
  const client = await start(dir);
  try {
    const file = path.join(dir, 'policies', 'api.yaml');
    const uri = uriOf(file);
    await client.open(uri, read(file));
    const m = (await client.request('ciliumPolicy/connectivityMatrix', {
      textDocument: { uri },
    })) as NonNullable<ConnectivityMatrixRequest.Result>;
    assert.equal(m.policy.name, 'api');
    const { engine, inventory } = shopEngine(dir);
    // The shop namespace's workloads (the policy names no peer elsewhere).
    assert.deepEqual(
      m.endpoints.map((e) => e.ref),
      inventory.endpoints
        .filter((e) => e.namespace === 'shop')
        .map((e) => `${e.namespace}/${e.name}`)
        .sort(),
    );
    const ends = m.endpoints.map((e) => engine.resolve({ workload: e.ref }));
    let expectedCells = 0;
    for (let i = 0; i < ends.length; i++)
      for (let j = 0; j < ends.length; j++) {
        if (i === j) continue;
        const dst = ends[j]!;
        assert.ok(dst.ok && ends[i]!.ok);
        for (const p of portsOf(dst.end)) {
          expectedCells++;
          const cell = m.cells.find((c) => c.from === i && c.to === j && c.port === p.port)!;
          const src = ends[i]!;
          assert.ok(src.ok);
          assert.equal(cell.verdict, engine.verdictOf(src.end, dst.end, p.port, p.protocol), `${i}->${j}:${p.port}`);
        }
      }
    assert.equal(m.cells.length, expectedCells);
    const api = m.endpoints.findIndex((e) => e.name === 'api');
    const frontend = m.endpoints.findIndex((e) => e.name === 'frontend');
    const cell = (): string | undefined =>
      m.cells.find((c) => c.from === frontend && c.to === api && c.port === 8080)?.verdict;
    assert.equal(cell(), 'allow');

    // Remove the ingress rule: frontend → api:8080 is denied now.
    const edited = read(file).replace('app: frontend', 'app: nobody');
    await client.change(uri, edited);
    const m2 = (await client.request('ciliumPolicy/connectivityMatrix', {
      textDocument: { uri },
    })) as NonNullable<ConnectivityMatrixRequest.Result>;
    assert.equal(m2.cells.find((c) => c.from === frontend && c.to === api && c.port === 8080)?.verdict, 'deny');
    const explained = (await client.request('ciliumPolicy/checkFlow', {
      flow: { from: { workload: m2.endpoints[frontend]!.ref }, to: { workload: m2.endpoints[api]!.ref }, port: 8080 },
      textDocument: { uri },
    })) as CheckFlowRequest.Result;
    assert.equal(explained.verdict?.verdict, 'deny');
    assert.equal(explained.verdict?.ingress.state, 'default-deny');
    assert.equal(
      await client.request('ciliumPolicy/connectivityMatrix', {
        textDocument: { uri: uriOf(path.join(dir, 'none.yaml')) },
      }),
      null,
    );
  } finally {
    await client.stop();
  }
});

test('effective policy and coverage of the workloads, as the engine says', async () => {
  const dir = workspaceCopy('effective');
  const client = await start(dir);
  try {
    const { engine, inventory } = shopEngine(dir);
    for (const e of inventory.endpoints) {
      const r = (await client.request('ciliumPolicy/effectivePolicy', {
        endpoint: { kind: e.kind, namespace: e.namespace, name: e.name },
      })) as EffectivePolicyRequest.Result;
      const res = engine.resolve({ workload: `${e.kind}/${e.namespace}/${e.name}` });
      assert.ok(res.ok && r);
      const want = engine.effectivePolicy(res.end);
      assert.equal(r.ingress.state, want.ingress.state, e.name);
      assert.equal(r.egress.state, want.egress.state, e.name);
      assert.deepEqual(
        r.ingress.defaultDenyBy.map((p) => `${p.kind} ${p.name} ${p.file}:${p.line}`),
        want.ingress.defaultDenyBy.map((p) => `${p.kind} ${p.name} ${p.file}:${p.line}`),
      );
      for (const p of r.ingress.defaultDenyBy)
        assert.equal(p.location?.range.start.line !== undefined ? p.location.range.start.line + 1 : 0, p.line);
    }
    assert.equal(
      await client.request('ciliumPolicy/effectivePolicy', {
        endpoint: { kind: 'Deployment', namespace: 'shop', name: 'ghost' },
      }),
      null,
    );
    const cov = (await client.request('ciliumPolicy/coverage', {})) as CoverageRequest.Result;
    const unprotected = cov.workloads.filter((w) => w.unprotected).map((w) => `${w.namespace}/${w.name}`);
    // coredns is selected by no shop policy; every shop workload is default-deny somewhere.
    assert.deepEqual(unprotected, ['kube-system/coredns']);
  } finally {
    await client.stop();
  }
});

test('PolicyTest diagnostics: a missing endpoint, an unknown port name, a duplicate case and a path naming nothing, each at its line, once', async () => {
  const dir = workspaceCopy('diagnostics');
  const client = await start(dir);
  try {
    const file = path.join(dir, 'tests', 'shop-connectivity.yaml');
    const uri = uriOf(file);
    let text = read(file)
      .replace(
        'to: {workload: shop/api}\n      port: 8080\n      expect: allow',
        'to: {workload: shop/apix}\n      port: 8080\n      expect: allow',
      )
      .replace('port: postgres\n      expect: deny', 'port: mysql\n      expect: deny')
      .replace('- name: the API stores orders', '- name: frontend reaches the API on 8080')
      .replace('inventory: ["../inventory/"]', 'inventory: ["../inventory/", "../nowhere/"]');
    await client.open(uri, text);
    const diags = (await client.waitForDiagnostics(uri, undefined, (d) => d.length >= 4)).diagnostics.map(
      (d) => [d.code, d.range.start.line + 1, d.message] as const,
    );
    const lineAt = (offset: number): number => text.slice(0, offset).split('\n').length;
    const lineOf = (needle: string): number => lineAt(text.indexOf(needle));
    const codes = diags.map(([c, l]) => `${String(c)}@${l}`).sort();
    assert.deepEqual(
      codes,
      [
        `policy-test/duplicate@${lineAt(text.lastIndexOf('- name: frontend reaches the API on 8080'))}`,
        `policy-test/endpoint-not-found@${lineOf('to: {workload: shop/apix}')}`,
        `policy-test/invalid-case@${lineAt(text.lastIndexOf('- name:', text.indexOf('port: mysql')))}`,
        `policy-test/path@${lineOf('"../nowhere/"')}`,
      ].sort(),
      JSON.stringify(diags),
    );
    assert.ok(diags.some(([, , m]) => m.includes('mysql')));

    // A field the schema refuses is reported once (by the schema), not again by the reader.
    text = read(file).replace('port: 8080\n      expect: allow', 'port: 8080\n      colour: red\n      expect: allow');
    await client.change(uri, text);
    const again = (
      await client.nextDiagnostics(uri, (d) => d.some((x) => String(x.message).includes('colour')), 'colour')
    ).diagnostics;
    assert.equal(again.filter((d) => d.message.includes('colour')).length, 1, JSON.stringify(again));
  } finally {
    await client.stop();
  }
});

test('completion and hover inside a PolicyTest come from the inventory; a manifest shows its effective policy on hover', async () => {
  const dir = workspaceCopy('assist');
  const client = await start(dir);
  try {
    const file = path.join(dir, 'tests', 'shop-connectivity.yaml');
    const uri = uriOf(file);
    const text = read(file);
    await client.open(uri, text);
    const workloads = await client.completion(uri, positionOf(text, 'shop/api}', 0));
    assert.deepEqual(
      workloads.map((i) => i.label).sort(),
      shopEngine(dir)
        .inventory.endpoints.map((e) => `${e.namespace}/${e.name}`)
        .sort(),
    );
    const services = await client.completion(uri, positionOf(text, 'service: shop/api', 9));
    assert.deepEqual(
      services.map((i) => i.label).sort(),
      shopEngine(dir)
        .inventory.services.map((x) => `${x.namespace}/${x.name}`)
        .sort(),
    );
    const entities = await client.completion(uri, positionOf(text, 'entity: world', 8));
    assert.ok(entities.some((i) => i.label === 'kube-apiserver') && entities.some((i) => i.label === 'remote-node'));
    // The port of a case whose destination is shop/orders-db: its port names and numbers.
    const ports = await client.completion(uri, positionOf(text, 'port: postgres', 6));
    assert.deepEqual(
      ports.map((i) => i.label),
      ['postgres', '5432'],
    );
    const hover = await client.hover(uri, positionOf(text, 'shop/orders-db}', 2));
    const value = (hover?.contents as { value: string }).value;
    assert.match(value, /StatefulSet/);
    assert.match(value, /postgres/);
    const missing = text.replace('to: {workload: shop/api}', 'to: {workload: shop/zzz}');
    await client.change(uri, missing);
    const h2 = await client.hover(uri, positionOf(missing, 'shop/zzz', 2));
    assert.match((h2?.contents as { value: string }).value, /Not found/);

    // Hover over a Deployment's name: its effective policy, with links to the policies.
    const workloads2 = path.join(dir, 'inventory', 'workloads.yaml');
    const wtext = read(workloads2);
    await client.open(uriOf(workloads2), wtext);
    const at = positionOf(wtext, 'name: api', 7);
    const eff = await client.hover(uriOf(workloads2), at);
    const md = (eff?.contents as { value: string }).value;
    assert.match(md, /Ingress: \*\*default-deny\*\*, because of \[CiliumNetworkPolicy shop\/api\]\(file:/);
    assert.ok(md.includes(`${uriOf(path.join(dir, 'policies', 'api.yaml'))}#L`), md);
    const dns = await client.hover(uriOf(workloads2), positionOf(wtext, 'name: coredns', 7));
    assert.match((dns?.contents as { value: string }).value, /No policy protects it/);
  } finally {
    await client.stop();
  }
});

test('agent options: the setting, then .cilium-policy.yaml, then the PolicyTest, each wins over the one before', async () => {
  const dir = workspaceCopy('agent');
  // Enforcement never: nothing is denied.
  const flow = { from: { workload: 'shop/frontend' }, to: { workload: 'shop/orders-db' }, port: 5432 };
  const client = await start(dir, { agent: { policyEnforcementMode: 'never' } });
  try {
    const r = (await client.request('ciliumPolicy/checkFlow', { flow })) as CheckFlowRequest.Result;
    assert.equal(r.verdict?.verdict, 'allow');
    assert.match(r.context.agent, /policyEnforcementMode="never" \(ciliumPolicy\.agent\)/);
  } finally {
    await client.stop();
  }
  fs.writeFileSync(path.join(dir, '.cilium-policy.yaml'), 'agent:\n  policyEnforcementMode: default\n');
  const client2 = await start(dir, { agent: { policyEnforcementMode: 'never' } });
  try {
    const r = (await client2.request('ciliumPolicy/checkFlow', { flow })) as CheckFlowRequest.Result;
    assert.equal(r.verdict?.verdict, 'deny');
    assert.match(r.context.agent, /policyEnforcementMode="default" \(\.cilium-policy\.yaml\)/);
    // The test's own spec.agent wins over both.
    const file = path.join(dir, 'failing', 'shop-regressions.yaml');
    const text = read(file).replace(
      'inventory: ["../inventory/"]',
      'inventory: ["../inventory/"]\n  agent: {policyEnforcementMode: never}',
    );
    fs.writeFileSync(file, text);
    const run = (await client2.request('ciliumPolicy/runPolicyTests', {
      textDocument: { uri: uriOf(file) },
    })) as RunPolicyTestsRequest.Result;
    assert.equal(run.tests[0]!.cases[0]!.outcome, 'allow');
    assert.match(run.tests[0]!.context.agent, /policyEnforcementMode="never" \(failing\/shop-regressions\.yaml\)/);
  } finally {
    await client2.stop();
  }
});
