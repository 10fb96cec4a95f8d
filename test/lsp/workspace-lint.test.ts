// SPDX-License-Identifier: Apache-2.0
/**
 * `ciliumPolicy/lintFiles` against the bundled server: closed policy files get their diagnostics
 * published (the same findings as the CLI's lint of the same text), files without a policy get
 * nothing, open documents are left to the scheduler, unreadable files are reported.
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
import { LintFilesRequest } from '../../server/src/protocol.js';
import { DEFAULT_SETTINGS } from '../../server/src/settings.js';
import { LspClient } from '../support/lsp-client.js';

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
