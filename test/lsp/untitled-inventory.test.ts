// SPDX-License-Identifier: Apache-2.0
/**
 * The walkthrough's sample (an untitled editor holding a policy and the two Deployments it talks
 * about) over LSP: its workloads are seen from the sample itself (its preview, its lint, its
 * CodeLenses) and never join the user's inventory (the inventory listing and status, the lint of
 * the workspace's own files). Also the inventory status from start-up on: until the first walk of
 * the workspace ends, the server says it is loading, never that there is no inventory.
 */
import { test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { LspClient, positionOf, WAIT_MS } from '../support/lsp-client.js';
import { REPO_ROOT } from '../support/paths.js';
import type {
  ConnectivityMatrixRequest,
  EndpointPreview,
  InventoryRequest,
  InventoryStatus,
} from '../../server/src/protocol.js';
import { inventoryStatusView } from '../../client/src/inventory-text.js';

const SAMPLE = fs.readFileSync(path.join(REPO_ROOT, 'media', 'walkthrough', 'sample-policy.yaml'), 'utf8');
const WORKSPACE = path.join(REPO_ROOT, 'test', 'fixtures', 'preview', 'workspace');
const SELECTS_NOTHING = 'cilium/selects-nothing';

let tmp: string;
before(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cilium-policy-untitled-'));
});
after(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** The names of the sample's workloads, read from the sample itself. */
const sampleWorkloads = [...SAMPLE.matchAll(/^kind: Deployment\nmetadata:\n {2}name: (\S+)/gm)].map((m) => m[1]!);

async function inventory(client: LspClient): Promise<InventoryRequest.Result> {
  return (await client.request('ciliumPolicy/inventory', {})) as InventoryRequest.Result;
}

/** True when the status bar would say "no inventory" for this status. */
const saysNoInventory = (s: InventoryStatus): boolean => /no inventory/.test(inventoryStatusView(s).text);

test('the sample: its workloads count for its own preview and lint, never for the inventory or other files', async () => {
  assert.deepEqual(sampleWorkloads, ['backend', 'frontend'], 'the sample still holds its two Deployments');
  const dir = path.join(tmp, 'ws');
  fs.cpSync(WORKSPACE, dir, { recursive: true });
  const client = await LspClient.start({ workspaceFolder: pathToFileURL(dir).href });
  try {
    const statuses: InventoryStatus[] = [];
    client.connection.onNotification('ciliumPolicy/inventoryChanged', (s: InventoryStatus) => statuses.push(s));
    // Right after start-up: loading (or already the workspace), never "no inventory".
    const first = await inventory(client);
    assert.ok(!saysNoInventory(first.status), `start-up status ${JSON.stringify(first.status)}`);
    const deadline = Date.now() + WAIT_MS;
    let ready = first;
    while (ready.status.origin !== 'workspace' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      ready = await inventory(client);
    }
    assert.equal(ready.status.origin, 'workspace', JSON.stringify(ready.status));
    const before = ready.endpoints.map((e) => `${e.namespace}/${e.name}`).sort();
    assert.ok(before.length > 0, 'the fixture workspace has workloads');
    for (const name of sampleWorkloads)
      assert.ok(!before.includes(`shop/${name}`), `${name} is not a workspace workload`);

    // The walkthrough's sample, as `openTextDocument({ content })` opens it.
    const sample = 'untitled:Untitled-1';
    await client.open(sample, SAMPLE);
    const diags = await client.waitForDiagnostics(sample);
    const codes = diags.diagnostics.map((d) => String(d.code));
    assert.ok(!codes.includes(SELECTS_NOTHING), `the sample's selectors select its own workloads: ${codes.join(', ')}`);
    assert.ok(diags.diagnostics.length > 0, 'the sample keeps its deliberate mistake');

    // Its preview sees its workloads…
    const p = (await client.request('ciliumPolicy/endpointPreview', {
      textDocument: { uri: sample },
      position: positionOf(SAMPLE, 'app: backend'),
    })) as EndpointPreview | null;
    assert.ok(p);
    // Its header counts what the sample sees: the workspace's workloads and its own two.
    assert.equal(p.inventory.origin, 'workspace');
    assert.equal(p.inventory.endpoints, ready.status.endpoints + sampleWorkloads.length, JSON.stringify(p.inventory));
    assert.match(p.inventory.description, /this editor/);
    const entry = p.policies[0]!;
    assert.deepEqual(
      entry.preview.subjects.map((e) => e.name),
      ['backend'],
    );
    const lenses = (await client.request('textDocument/codeLens', { textDocument: { uri: sample } })) as {
      command?: { title: string };
    }[];
    assert.ok(
      lenses.length > 0 && lenses.every((l) => !/no workload/i.test(l.command?.title ?? '')),
      JSON.stringify(lenses),
    );

    // Completion of a label value in the sample offers its own workloads' values.
    const valueAt = positionOf(SAMPLE, 'app: frontend');
    const items = await client.completion(sample, {
      line: valueAt.line,
      character: valueAt.character + 'app: '.length,
    });
    for (const name of sampleWorkloads)
      assert.ok(
        items.some((i) => i.label === name),
        `${name} offered in the sample: ${JSON.stringify(items.map((i) => i.label))}`,
      );

    // The connectivity grid of the sample is drawn over them too.
    const matrix = (await client.request('ciliumPolicy/connectivityMatrix', {
      textDocument: { uri: sample },
    })) as ConnectivityMatrixRequest.Result;
    assert.ok(matrix);
    for (const name of sampleWorkloads)
      assert.ok(
        matrix.endpoints.some((e) => e.name === name),
        `${name} in the sample's grid: ${JSON.stringify(matrix.endpoints.map((e) => e.name))}`,
      );

    // …but the inventory does not change: the listing, its status, and what the server announced.
    const after = await inventory(client);
    assert.deepEqual(after.endpoints.map((e) => `${e.namespace}/${e.name}`).sort(), before);
    assert.equal(after.status.endpoints, ready.status.endpoints);
    for (const s of statuses) assert.ok(s.endpoints <= ready.status.endpoints, JSON.stringify(s));

    // A workspace file selecting the sample's backend gets no help from the sample.
    const other = pathToFileURL(path.join(dir, 'policies', 'mine.yaml')).href;
    const mine = SAMPLE.split('\n---')[0]!.replace('backend-from-frontend', 'mine').replace('toPort:', 'toPorts:');
    await client.open(other, mine);
    const otherDiags = await client.waitForDiagnostics(other);
    assert.ok(
      otherDiags.diagnostics.some((d) => d.code === SELECTS_NOTHING),
      `app=backend selects nothing in the workspace: ${JSON.stringify(otherDiags.diagnostics.map((d) => d.code))}`,
    );

    // Closing the sample forgets its workloads; nothing was ever shared, so nothing changes.
    await client.close(sample);
    assert.deepEqual((await inventory(client)).endpoints.map((e) => `${e.namespace}/${e.name}`).sort(), before);
  } finally {
    await client.stop();
  }
});

test('start-up: every inventory status before the first walk ends says loading, never "no inventory"', async () => {
  // A workspace big enough that the walk takes a while: statuses arrive while it runs.
  const dir = path.join(tmp, 'big');
  fs.mkdirSync(dir, { recursive: true });
  for (let i = 0; i < 300; i++)
    fs.writeFileSync(
      path.join(dir, `app-${i}.yaml`),
      `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: app-${i}, namespace: ns}\nspec:\n  template:\n    metadata:\n      labels: {app: a${i}}\n`,
    );
  const client = await LspClient.start({ workspaceFolder: pathToFileURL(dir).href });
  try {
    const seen: InventoryStatus[] = [];
    client.connection.onNotification('ciliumPolicy/inventoryChanged', (s: InventoryStatus) => seen.push(s));
    // An open document with a workload while the walk runs: the partial inventory is announced.
    await client.open('untitled:Untitled-2', SAMPLE);
    const asked: InventoryStatus[] = [];
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      const s = (await inventory(client)).status;
      asked.push(s);
      if ((s.origin === 'workspace' && s.endpoints === 300) || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const last = asked[asked.length - 1]!;
    assert.equal(last.endpoints, 300, JSON.stringify(last));
    for (const s of [...asked, ...seen]) assert.ok(!saysNoInventory(s), `flashed: ${JSON.stringify(s)}`);
    assert.ok(
      asked.some((s) => s.loading === true),
      'the walk was observed while it ran (else this test proves nothing)',
    );
  } finally {
    await client.stop();
  }
});
