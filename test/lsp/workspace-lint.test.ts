// SPDX-License-Identifier: Apache-2.0
/**
 * `ciliumPolicy/lintFiles` against the bundled server: closed policy files get their diagnostics
 * published (the same findings as the CLI's lint of the same text), files without a policy get
 * nothing, open documents are left to the scheduler, unreadable files are reported; then the
 * results follow the files on disk (changed, deleted, closed after an edit) until they are cleared.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseFile } from '../../server/src/core/document.js';
import { SchemaValidator } from '../../server/src/core/schema-validation.js';
import { loadSchemaFiles } from '../../server/src/io/schema-files.js';
import { lintFile } from '../../server/src/lint/lint.js';
import { ClearLintFilesRequest, LintFilesRequest } from '../../server/src/protocol.js';
import { DEFAULT_SETTINGS } from '../../server/src/settings.js';
import { LspClient } from '../support/lsp-client.js';
import { deploymentManifest } from '../support/lsp-samples.js';

const BAD = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: bad, namespace: shop}
spec:
  endpointSelector: {matchLabels: {app: api}}
  ingress:
  - toPorts: [{ports: [{port: "80-90", protocol: TCP}]}]
`;
const GOOD = BAD.replace('"80-90"', '"80"').replace('name: bad', 'name: good');
const OTHER = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: {a: b}\n';

test('Lint Workspace publishes the diagnostics of closed policy files, and only theirs', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cp-wslint-'));
  const write = (name: string, text: string): string => {
    fs.writeFileSync(path.join(dir, name), text);
    return pathToFileURL(path.join(dir, name)).href;
  };
  const bad = write('bad.yaml', BAD);
  const good = write('good.yaml', GOOD);
  const other = write('configmap.yaml', OTHER);
  const opened = write('open.yaml', BAD);
  const missing = pathToFileURL(path.join(dir, 'missing.yaml')).href;
  const client = await LspClient.start({ workspaceFolder: pathToFileURL(dir).href });
  try {
    await client.open(opened, BAD);
    await client.waitForDiagnostics(opened);
    const before = client.diagnostics.all.length;
    const result = await client.connection.sendRequest(LintFilesRequest.type, {
      uris: [bad, good, other, opened, missing, 'untitled:x'],
    });
    const expected = lintFile(parseFile(BAD), {
      validator: new SchemaValidator(loadSchemaFiles()),
      settings: DEFAULT_SETTINGS,
    });
    const errors = expected.filter((f) => f.severity === 'error').length;
    assert.ok(errors > 0, 'the bad policy has errors');
    assert.deepEqual(
      result.files.map((f) => [path.basename(new URL(f.uri).pathname), f.errors]),
      [
        ['bad.yaml', errors],
        ['good.yaml', 0],
      ],
    );
    assert.deepEqual(result.unreadable, [missing, 'untitled:x']);
    const published = client.diagnostics.all.slice(before);
    const badDiagnostics = published.find((p) => p.uri === bad)?.diagnostics ?? [];
    assert.deepEqual(
      badDiagnostics.map((d) => d.code).sort(),
      expected.map((f) => f.code).sort(),
      'the same findings as a lint of the text',
    );
    assert.ok(
      published.some((p) => p.uri === good && p.diagnostics.every((d) => d.severity !== 1)),
      'a clean file is published too (clears older results)',
    );
    assert.ok(!published.some((p) => p.uri === other), 'a file without a policy gets nothing');
    // The scheduler may lint the open document again meanwhile (the inventory scan finishing): its
    // publications carry the document's version; Lint Workspace's, of files on disk, carry none.
    assert.ok(
      !published.some((p) => p.uri === opened && p.version === undefined),
      'an open document is left to the scheduler',
    );
  } finally {
    await client.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('Lint Workspace results follow the files on disk until they are cleared', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cp-wslint-follow-'));
  const write = (name: string, text: string): string => {
    fs.writeFileSync(path.join(dir, name), text);
    return pathToFileURL(path.join(dir, name)).href;
  };
  const validator = new SchemaValidator(loadSchemaFiles());
  const errorsOf = (text: string): number =>
    lintFile(parseFile(text), { validator, settings: DEFAULT_SETTINGS }).filter((f) => f.severity === 'error').length;
  assert.ok(errorsOf(BAD) > 0 && errorsOf(GOOD) === 0, 'BAD has errors, GOOD none');
  const errors = (d: { severity?: number }[]): number => d.filter((x) => x.severity === 1).length;
  const bad = write('bad.yaml', BAD);
  const good = write('good.yaml', GOOD);
  const plain = write('configmap.yaml', OTHER);
  const opened = write('open.yaml', BAD);
  const client = await LspClient.start({ workspaceFolder: pathToFileURL(dir).href });
  const changed = (uri: string, type: 1 | 2 | 3): Promise<void> =>
    client.notify('workspace/didChangeWatchedFiles', { changes: [{ uri, type }] });
  try {
    await client.open(opened, GOOD);
    await client.waitForDiagnostics(opened);
    await client.connection.sendRequest(LintFilesRequest.type, { uris: [bad, good, plain, opened] });
    await client.waitForDiagnostics(bad, undefined, (d) => errors(d) === errorsOf(BAD));

    // Changed on disk: linted again.
    let next = client.nextDiagnostics(good, (d) => errors(d) === errorsOf(BAD), 'good.yaml now bad');
    write('good.yaml', BAD);
    await changed(good, 2);
    await next;
    next = client.nextDiagnostics(bad, (d) => errors(d) === 0, 'bad.yaml fixed');
    write('bad.yaml', GOOD);
    await changed(bad, 2);
    await next;
    // A covered file without a policy that gets one.
    next = client.nextDiagnostics(plain, (d) => errors(d) === errorsOf(BAD), 'configmap.yaml now a bad policy');
    write('configmap.yaml', BAD);
    await changed(plain, 2);
    await next;

    // Deleted: its results go.
    next = client.nextDiagnostics(plain, (d) => d.length === 0, 'configmap.yaml deleted');
    fs.rmSync(path.join(dir, 'configmap.yaml'));
    await changed(plain, 3);
    await next;

    // A covered document closed: the scheduler clears it, then the disk's version (BAD) is published.
    next = client.nextDiagnostics(opened, (d) => errors(d) === errorsOf(BAD), 'open.yaml closed: its disk text');
    await client.close(opened);
    await next;

    // Cleared: every covered file's results go, and changes are no longer followed.
    const clearedAt = client.diagnostics.all.length;
    const result = await client.connection.sendRequest(ClearLintFilesRequest.type, {});
    assert.equal(result.cleared, 3, 'bad.yaml, good.yaml and open.yaml had results');
    for (const uri of [bad, good, opened])
      assert.ok(
        client.diagnostics.all.slice(clearedAt).some((p) => p.uri === uri && p.diagnostics.length === 0),
        `${uri} cleared`,
      );
    assert.deepEqual(await client.connection.sendRequest(ClearLintFilesRequest.type, { uris: [good] }), {
      cleared: 0,
    });
  } finally {
    await client.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('Lint Workspace results follow a change of the settings', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cp-wslint-settings-'));
  // Kafka rules: refused by Cilium 1.20 (no `kafka` in its CRD), accepted by 1.19.
  const kafka = BAD.replace('"80-90"', '"9092"').replace(
    'protocol: TCP}]}]',
    'protocol: TCP}], rules: {kafka: [{topic: orders}]}}]',
  );
  const validator = new SchemaValidator(loadSchemaFiles());
  const errorsAt = (version: string): number =>
    lintFile(parseFile(kafka), { validator, settings: { ...DEFAULT_SETTINGS, ciliumVersion: version } }).filter(
      (f) => f.severity === 'error',
    ).length;
  assert.ok(errorsAt('1.20') > 0 && errorsAt('1.19') === 0, 'the policy is refused by 1.20 only');
  fs.writeFileSync(path.join(dir, 'kafka.yaml'), kafka);
  const uri = pathToFileURL(path.join(dir, 'kafka.yaml')).href;
  const client = await LspClient.start({
    workspaceFolder: pathToFileURL(dir).href,
    settings: { ciliumVersion: '1.20' },
  });
  const errors = (d: { severity?: number }[]): number => d.filter((x) => x.severity === 1).length;
  try {
    await client.connection.sendRequest(LintFilesRequest.type, { uris: [uri] });
    await client.waitForDiagnostics(uri, undefined, (d) => errors(d) === errorsAt('1.20'));
    const next = client.nextDiagnostics(uri, (d) => errors(d) === 0, 'kafka.yaml linted again for 1.19');
    await client.setSettings({ ciliumVersion: '1.19' });
    await next;
  } finally {
    await client.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('Lint Workspace results follow the inventory: a manifest opened with the missing workload clears `selects-nothing`', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cp-wslint-inventory-'));
  const deployment = (app: string): string => deploymentManifest(app, 'shop');
  // The policy selects `app: web`; the workspace only runs `app: api`.
  fs.writeFileSync(path.join(dir, 'api.yaml'), deployment('api'));
  const policy = GOOD.replace('app: api', 'app: web');
  fs.writeFileSync(path.join(dir, 'policy.yaml'), policy);
  const uri = pathToFileURL(path.join(dir, 'policy.yaml')).href;
  const web = pathToFileURL(path.join(dir, 'web.yaml')).href;
  const client = await LspClient.start({ workspaceFolder: pathToFileURL(dir).href });
  const selectsNothing = (d: { code?: unknown }[]): boolean => d.some((x) => x.code === 'cilium/selects-nothing');
  try {
    // The workspace scan loads the inventory in the background: lint until the rule sees it.
    for (let attempt = 0; ; attempt++) {
      const next = client.nextDiagnostics(uri, () => true, 'policy.yaml linted');
      await client.connection.sendRequest(LintFilesRequest.type, { uris: [uri] });
      if (selectsNothing((await next).diagnostics)) break;
      assert.ok(attempt < 50, 'the inventory never loaded');
      await new Promise((r) => setTimeout(r, 100));
    }
    // An editor opens a manifest (not saved yet) that runs `app: web`: the closed policy's
    // warning goes without another Lint Workspace.
    const cleared = client.nextDiagnostics(uri, (d) => !selectsNothing(d), 'policy.yaml linted with web running');
    await client.open(web, deployment('web'));
    await cleared;
    // Closing it (still not on disk) takes the workload away again.
    const back = client.nextDiagnostics(uri, (d) => selectsNothing(d), 'policy.yaml linted without web');
    await client.close(web);
    await back;
  } finally {
    await client.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
