// SPDX-License-Identifier: Apache-2.0
/**
 * The endpoint preview over LSP, against the bundled server: the inventory built from a workspace
 * folder (copied to a temporary folder so tests can edit it), from a kubectl snapshot, or handed
 * over as cluster JSON; the preview, inventory and reverse-lookup requests; CodeLenses; and the
 * `cilium/selects-nothing` diagnostic, which needs an inventory. The expected workloads were worked
 * out by reading `test/fixtures/preview/` (labels of each workload against each selector).
 */
import { test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { LspClient, positionOf, testUri, WAIT_MS } from '../support/lsp-client.js';
import { REPO_ROOT } from '../support/paths.js';
import type {
  EndpointPoliciesRequest,
  EndpointPreview,
  InventoryRequest,
  InventoryStatus,
} from '../../server/src/protocol.js';

const FIXTURES = path.join(REPO_ROOT, 'test', 'fixtures', 'preview');
const SELECTS_NOTHING = 'cilium/selects-nothing';

let tmp: string;

before(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cilium-policy-preview-'));
});

after(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** A fresh copy of the fixture workspace; returns its folder. */
function workspaceCopy(name: string): string {
  const dir = path.join(tmp, name);
  fs.cpSync(path.join(FIXTURES, 'workspace'), dir, { recursive: true });
  return dir;
}

const uriOf = (file: string): string => pathToFileURL(file).href;

/** Records `ciliumPolicy/inventoryChanged` and waits on the inventory state without sleeping. */
class InventoryWatch {
  readonly seen: InventoryStatus[] = [];
  private waiters: { pred: (s: InventoryStatus) => boolean; resolve: (s: InventoryStatus) => void }[] = [];

  constructor(private readonly client: LspClient) {
    client.connection.onNotification('ciliumPolicy/inventoryChanged', (s: InventoryStatus) => {
      this.seen.push(s);
      const ready = this.waiters.filter((w) => w.pred(s));
      this.waiters = this.waiters.filter((w) => !ready.includes(w));
      for (const w of ready) w.resolve(s);
    });
  }

  /** Resolves once the status satisfies `pred`: now (asked with `ciliumPolicy/inventory`) or at a later change. */
  async until(pred: (s: InventoryStatus) => boolean, what: string): Promise<InventoryStatus> {
    const later = new Promise<InventoryStatus>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`timed out waiting for inventory: ${what}; seen ${JSON.stringify(this.seen)}`)),
        WAIT_MS,
      );
      this.waiters.push({ pred, resolve: (s) => (clearTimeout(timer), resolve(s)) });
    });
    const now = ((await this.client.request('ciliumPolicy/inventory', {})) as InventoryRequest.Result).status;
    if (pred(now)) {
      this.waiters = this.waiters.filter((w) => w.pred !== pred);
      later.catch(() => undefined);
      return now;
    }
    return later;
  }
}

async function preview(
  client: LspClient,
  uri: string,
  position?: { line: number; character: number },
): Promise<EndpointPreview | null> {
  return (await client.request('ciliumPolicy/endpointPreview', {
    textDocument: { uri },
    ...(position ? { position } : {}),
  })) as EndpointPreview | null;
}

const names = (list: readonly { name: string }[]): string[] => list.map((e) => e.name);

/** Each rule as `direction[index]: peer names | ports`. */
function rulesOf(p: EndpointPreview): string[] {
  const entry = p.policies[0];
  assert.ok(entry, 'a policy was previewed');
  return entry.preview.rules.map((r) => {
    const peers = r.peers.map((x) => {
      const e = (x as Record<string, unknown>)['endpoint'] as { name: string } | undefined;
      return e ? e.name : JSON.stringify(x);
    });
    const ports = r.ports.map((pt: Record<string, unknown>) => `${String(pt['port'])}/${String(pt['protocol'])}`);
    return `${r.direction}[${r.index}]: ${peers.join(' ') || '-'} | ${ports.join(' ') || '-'}`;
  });
}

test('workspace inventory: capabilities, preview with manifest locations, CodeLenses, inventory listing and diagnostics', async () => {
  const dir = workspaceCopy('ws1');
  const client = await LspClient.start({ workspaceFolder: uriOf(dir) });
  try {
    const caps = client.initializeResult?.capabilities as {
      experimental?: { endpointPreviewProvider?: boolean };
      codeLensProvider?: unknown;
    };
    assert.equal(caps.experimental?.endpointPreviewProvider, true);
    assert.ok(caps.codeLensProvider, 'CodeLens is offered');
    const watch = new InventoryWatch(client);
    // web, api, worker (Deployments) and db (StatefulSet) in apps.yaml.
    const status = await watch.until(
      (s) => s.origin === 'workspace' && s.endpoints === 4,
      'the workspace manifests are indexed',
    );
    assert.match(status.description, /4 workloads/);

    const policyFile = path.join(dir, 'policies', 'backend.yaml');
    const text = fs.readFileSync(policyFile, 'utf8');
    const uri = uriOf(policyFile);
    await client.open(uri, text);

    const p = await preview(client, uri, positionOf(text, 'tier: back'));
    assert.ok(p);
    assert.equal(p.inventory.origin, 'workspace');
    assert.equal(p.documentVersion, 1);
    assert.equal(p.policies.length, 1);
    const entry = p.policies[0]!;
    assert.equal(entry.preview.name, 'backend');
    assert.equal(entry.preview.namespace, 'shop');
    // tier=back: api and worker; web is tier=front and db has no tier.
    assert.deepEqual(names(entry.preview.subjects), ['api', 'worker']);
    assert.deepEqual(rulesOf(p), ['ingress[0]: web | 8080/TCP', 'egress[0]: db | -', 'egress[1]: - | -']);
    assert.deepEqual(entry.range.start, { line: 0, character: 0 });
    assert.equal(entry.rules.length, 3);
    assert.deepEqual(entry.rules[0]!.range.start, positionOf(text, '- fromEndpoints', 2));

    // Each subject points at its manifest: the name of the document that declares it in apps.yaml.
    const apps = fs.readFileSync(path.join(dir, 'apps.yaml'), 'utf8');
    const subjectSel = entry.selections.find((s) => s.role === 'endpointSelector');
    assert.ok(subjectSel);
    assert.deepEqual(subjectSel.range.start, positionOf(text, 'endpointSelector'));
    const api = subjectSel.endpoints.find((e) => e.name === 'api');
    assert.equal(api?.location?.uri, uriOf(path.join(dir, 'apps.yaml')));
    assert.deepEqual(
      api!.location!.range,
      { start: positionOf(apps, 'name: api', 'name: '.length), end: positionOf(apps, 'name: api', 'name: api'.length) },
      "the location is the workload's metadata.name",
    );

    // A position outside any policy, and a file without policy.
    const none = await client.request('ciliumPolicy/endpointPreview', {
      textDocument: { uri: testUri('nothing.yaml') },
    });
    assert.equal(none, null);

    // CodeLenses: one per selector, titled with what it selects.
    const lenses = (await client.request('textDocument/codeLens', { textDocument: { uri } })) as {
      range: { start: { line: number } };
      command: { title: string; command: string; arguments: unknown[] };
    }[];
    assert.deepEqual(
      lenses.map((l) => l.command.title),
      ['selects 2 workloads: api, worker', 'matches 1 workload: web', 'matches 1 workload: db', 'matches no workloads'],
    );
    assert.equal(lenses[0]!.command.command, 'ciliumPolicy.showPreview');
    assert.equal(lenses[0]!.command.arguments[0], uri);
    assert.deepEqual(lenses[0]!.command.arguments[1], positionOf(text, 'endpointSelector'));
    assert.equal(lenses[3]!.range.start.line, positionOf(text, 'app: cache').line - 1);

    // The `cache` peer selects nothing: a warning once the inventory is there.
    const diags = await client.waitForDiagnostics(uri, 1, (d) => d.some((x) => x.code === SELECTS_NOTHING));
    const found = diags.diagnostics.filter((d) => d.code === SELECTS_NOTHING);
    assert.equal(found.length, 1, JSON.stringify(found));
    assert.equal(found[0]!.severity, 2);
    assert.equal(found[0]!.range.start.line, positionOf(text, 'app: cache').line - 1);
    assert.match(found[0]!.message, /toEndpoints/);

    // The inventory listing.
    const inv = (await client.request('ciliumPolicy/inventory', {})) as InventoryRequest.Result;
    assert.deepEqual(inv.endpoints.map((e) => `${e.kind}/${e.namespace}/${e.name}`).sort(), [
      'Deployment/shop/api',
      'Deployment/shop/web',
      'Deployment/shop/worker',
      'StatefulSet/shop/db',
    ]);
    assert.equal(inv.status.endpoints, 4);
  } finally {
    await client.stop();
  }
});

test('endpointPolicies finds policies in open documents and in workspace files', async () => {
  const dir = workspaceCopy('ws2');
  const client = await LspClient.start({ workspaceFolder: uriOf(dir) });
  try {
    const watch = new InventoryWatch(client);
    await watch.until((s) => s.endpoints === 4, 'indexed');
    // frontend.yaml is never opened: it is found on disk.
    const web = (await client.request('ciliumPolicy/endpointPolicies', {
      endpoint: { kind: 'Deployment', namespace: 'shop', name: 'web' },
    })) as EndpointPoliciesRequest.Result;
    assert.deepEqual(
      web.policies.map((p) => p.name),
      ['frontend'],
    );
    assert.equal(web.policies[0]!.uri, uriOf(path.join(dir, 'policies', 'frontend.yaml')));
    const frontendText = fs.readFileSync(path.join(dir, 'policies', 'frontend.yaml'), 'utf8');
    assert.deepEqual(web.policies[0]!.range.start, positionOf(frontendText, 'endpointSelector'));
    assert.deepEqual(web.defaultDeny, { ingress: true, egress: false });

    // backend.yaml opened with an edit that is not on disk: the open text wins.
    const backend = path.join(dir, 'policies', 'backend.yaml');
    const edited = fs.readFileSync(backend, 'utf8').replace('tier: back', 'app: worker');
    await client.open(uriOf(backend), edited);
    const worker = (await client.request('ciliumPolicy/endpointPolicies', {
      endpoint: { kind: 'Deployment', namespace: 'shop', name: 'worker' },
    })) as EndpointPoliciesRequest.Result;
    assert.deepEqual(
      worker.policies.map((p) => [p.name, p.ingress, p.egress]),
      [['backend', true, true]],
    );
    assert.deepEqual(worker.defaultDeny, { ingress: true, egress: true });
    const api = (await client.request('ciliumPolicy/endpointPolicies', {
      endpoint: { kind: 'Deployment', namespace: 'shop', name: 'api' },
    })) as EndpointPoliciesRequest.Result;
    assert.deepEqual(api.policies, [], 'the edited selector no longer selects api');
    const unknown = (await client.request('ciliumPolicy/endpointPolicies', {
      endpoint: { kind: 'Pod', namespace: 'shop', name: 'ghost' },
    })) as EndpointPoliciesRequest.Result;
    assert.deepEqual(unknown, { policies: [], defaultDeny: { ingress: false, egress: false } });
  } finally {
    await client.stop();
  }
});

test('editing a manifest changes the preview; a watched file is re-read on its own', async () => {
  const dir = workspaceCopy('ws3');
  const client = await LspClient.start({ workspaceFolder: uriOf(dir) });
  try {
    const watch = new InventoryWatch(client);
    await watch.until((s) => s.endpoints === 4, 'indexed');
    const policyText = fs.readFileSync(path.join(dir, 'policies', 'backend.yaml'), 'utf8');
    const policyUri = uriOf(path.join(dir, 'policies', 'backend.yaml'));
    await client.open(policyUri, policyText);
    assert.deepEqual(names((await preview(client, policyUri))!.policies[0]!.preview.subjects), ['api', 'worker']);

    // The worker becomes a front-end workload in the editor (not saved): it leaves the selection.
    const appsFile = path.join(dir, 'apps.yaml');
    const appsUri = uriOf(appsFile);
    const apps = fs.readFileSync(appsFile, 'utf8');
    await client.open(appsUri, apps);
    const lines = apps.split('\n');
    const workerTier = lines.findIndex(
      (l, i) => l.trim() === 'tier: back' && lines.slice(0, i).some((x) => x.includes('name: worker')),
    );
    assert.ok(workerTier > 0);
    lines[workerTier] = lines[workerTier]!.replace('back', 'front');
    await client.change(appsUri, lines.join('\n'));
    assert.deepEqual(names((await preview(client, policyUri))!.policies[0]!.preview.subjects), ['api']);
    await watch.until((s) => s.endpoints === 4 && watch.seen.length > 0, 'a change was announced');

    // A new manifest appears on disk: only that file is read, on the watcher's event.
    fs.writeFileSync(
      path.join(dir, 'cache.yaml'),
      'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: cache\n  namespace: shop\nspec:\n  template:\n    metadata:\n      labels:\n        app: cache\n',
    );
    const mark = client.diagnostics.all.length;
    await client.connection.sendNotification('workspace/didChangeWatchedFiles', {
      changes: [{ uri: uriOf(path.join(dir, 'cache.yaml')), type: 1 }],
    });
    await watch.until((s) => s.endpoints === 5, 'the new manifest is indexed');
    const p = (await preview(client, policyUri))!;
    assert.deepEqual(rulesOf(p), ['ingress[0]: web | 8080/TCP', 'egress[0]: db | -', 'egress[1]: cache | -']);
    // …and the open policy is linted again, now without the selects-nothing warning.
    await client.diagnostics.wait(
      (d) => d.uri === policyUri && !d.diagnostics.some((x) => x.code === SELECTS_NOTHING),
      're-lint after the change',
      mark,
    );

    fs.rmSync(path.join(dir, 'cache.yaml'));
    await client.connection.sendNotification('workspace/didChangeWatchedFiles', {
      changes: [{ uri: uriOf(path.join(dir, 'cache.yaml')), type: 3 }],
    });
    await watch.until((s) => s.endpoints === 4, 'the deleted manifest is forgotten');
  } finally {
    await client.stop();
  }
});

test('selects-nothing appears only once an inventory exists; no CodeLenses before', async () => {
  const client = await LspClient.start();
  try {
    const watch = new InventoryWatch(client);
    const text = fs.readFileSync(path.join(FIXTURES, 'workspace', 'policies', 'backend.yaml'), 'utf8');
    const uri = testUri('preview/backend.yaml');
    await client.open(uri, text);
    const first = await client.waitForDiagnostics(uri, 1);
    assert.deepEqual(
      first.diagnostics.filter((d) => d.code === SELECTS_NOTHING),
      [],
    );
    assert.equal((await watch.until(() => true, 'status')).origin, 'none');
    assert.deepEqual(await client.request('textDocument/codeLens', { textDocument: { uri } }), []);
    const p = await preview(client, uri);
    assert.equal(p?.inventory.origin, 'none');
    assert.deepEqual(p?.policies[0]?.preview.subjects, []);

    // The manifests are opened in the editor: now there is an inventory.
    await client.open(
      testUri('preview/apps.yaml'),
      fs.readFileSync(path.join(FIXTURES, 'workspace', 'apps.yaml'), 'utf8'),
    );
    await watch.until((s) => s.origin === 'workspace' && s.endpoints === 4, 'the open manifest is indexed');
    const later = await client.waitForDiagnostics(uri, 1, (d) => d.some((x) => x.code === SELECTS_NOTHING));
    assert.equal(later.diagnostics.filter((d) => d.code === SELECTS_NOTHING).length, 1);
    const lenses = (await client.request('textDocument/codeLens', { textDocument: { uri } })) as unknown[];
    assert.equal(lenses.length, 4);
  } finally {
    await client.stop();
  }
});

test('setInventory: a snapshot file, a truncated one (error, previous kept), cluster JSON, back to the workspace', async () => {
  const dir = workspaceCopy('ws4');
  const client = await LspClient.start({ workspaceFolder: uriOf(dir) });
  try {
    const watch = new InventoryWatch(client);
    await watch.until((s) => s.endpoints === 4, 'indexed');
    const policyFile = path.join(dir, 'policies', 'backend.yaml');
    const policyUri = uriOf(policyFile);
    await client.open(policyUri, fs.readFileSync(policyFile, 'utf8'));

    const snapshot = path.join(FIXTURES, 'snapshot.json');
    const s1 = (await client.request('ciliumPolicy/setInventory', {
      source: 'snapshot',
      path: snapshot,
    })) as InventoryStatus;
    // Pods of web (two, one Deployment), api and the cache StatefulSet.
    assert.equal(s1.origin, 'snapshot');
    assert.equal(s1.endpoints, 3);
    assert.equal(s1.error, undefined);
    const p = (await preview(client, policyUri))!;
    assert.equal(p.inventory.origin, 'snapshot');
    assert.deepEqual(names(p.policies[0]!.preview.subjects), ['api']);
    assert.deepEqual(rulesOf(p), ['ingress[0]: web | 8080/TCP', 'egress[0]: - | -', 'egress[1]: cache | -']);
    assert.equal(
      p.policies[0]!.selections[0]!.endpoints[0]!.location,
      undefined,
      'snapshot endpoints have no manifest',
    );

    const cut = path.join(tmp, 'truncated.json');
    const full = fs.readFileSync(snapshot, 'utf8');
    fs.writeFileSync(cut, full.slice(0, Math.floor(full.length / 2)));
    const s2 = (await client.request('ciliumPolicy/setInventory', {
      source: 'snapshot',
      path: cut,
    })) as InventoryStatus;
    assert.equal(s2.origin, 'snapshot', 'the previous inventory stays');
    assert.equal(s2.endpoints, 3);
    assert.match(s2.error ?? '', /cut off|not valid JSON/);
    const missing = (await client.request('ciliumPolicy/setInventory', {
      source: 'snapshot',
      path: path.join(tmp, 'absent.json'),
    })) as InventoryStatus;
    assert.match(missing.error ?? '', /does not exist/);

    const s3 = (await client.request('ciliumPolicy/setInventory', {
      source: 'cluster',
      json: full,
      context: 'kind-test',
    })) as InventoryStatus;
    assert.equal(s3.origin, 'cluster');
    assert.equal(s3.error, undefined);
    assert.match(s3.description, /kind-test/);
    await watch.until((s) => s.origin === 'cluster', 'the cluster inventory is announced');

    const s4 = (await client.request('ciliumPolicy/setInventory', { source: 'workspace' })) as InventoryStatus;
    assert.equal(s4.origin, 'workspace');
    assert.equal(s4.endpoints, 4);
    assert.deepEqual(names((await preview(client, policyUri))!.policies[0]!.preview.subjects), ['api', 'worker']);
  } finally {
    await client.stop();
  }
});

test('the snapshotFile setting loads a snapshot at start; codeLens: false turns the lenses off', async () => {
  const client = await LspClient.start({
    settings: { preview: { snapshotFile: path.join(FIXTURES, 'snapshot.json'), codeLens: false } },
  });
  try {
    const watch = new InventoryWatch(client);
    const s = await watch.until((x) => x.origin === 'snapshot', 'the snapshot from the setting');
    assert.equal(s.endpoints, 3);
    assert.match(s.description, /snapshot\.json/);
    const uri = testUri('preview/lensless.yaml');
    await client.open(uri, fs.readFileSync(path.join(FIXTURES, 'workspace', 'policies', 'backend.yaml'), 'utf8'));
    assert.deepEqual(await client.request('textDocument/codeLens', { textDocument: { uri } }), []);
    assert.deepEqual(
      names((await preview(client, uri))!.policies[0]!.preview.subjects),
      ['api'],
      'the preview itself still works',
    );
  } finally {
    await client.stop();
  }
});
