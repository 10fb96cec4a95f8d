// SPDX-License-Identifier: Apache-2.0
/**
 * Workspace trust and `.cilium-policy.yaml`: the file's `tetragon.binaryRoot` makes the server read
 * binaries below a folder the workspace chooses. Through the real server: the key counts only when
 * the client says the workspace is trusted (at `initialize` or later with
 * `ciliumPolicy/workspaceTrust`), and never turns reading back on when the user's setting is off.
 * The CLI, trusted by definition, reads it.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { LspClient } from '../support/lsp-client.js';
import { runJson } from '../cli/run-cli.js';
import { buildElf, SHT_STRTAB, SHT_SYMTAB, symbolTable } from '../support/hostile-elf.js';

/** A path no machine running the tests has, so only the workspace's folder can supply it. */
const BINARY = '/opt/cilium-policy-trust-test/bin/shop';
const POLICY = `apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: orders
spec:
  uprobes:
    - path: ${BINARY}
      symbols:
        - place_ordr
`;
const CODE = 'tetragon/uprobe-symbol';
const binaryFinding = (ds: Diagnostic[]): Diagnostic | undefined => ds.find((d) => d.code === CODE);

describe('workspace trust and the project file', () => {
  let workspace: string;
  let policyUri: string;
  before(() => {
    workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'cilium-policy-trust-'));
    const binary = path.join(workspace, 'rootfs', BINARY);
    fs.mkdirSync(path.dirname(binary), { recursive: true });
    const strtab = Buffer.from('\0place_order\0');
    fs.writeFileSync(
      binary,
      buildElf([
        { name: '.symtab', type: SHT_SYMTAB, bytes: symbolTable(1, () => 1), link: 2 },
        { name: '.strtab', type: SHT_STRTAB, bytes: strtab },
      ]),
    );
    fs.writeFileSync(path.join(workspace, '.cilium-policy.yaml'), 'tetragon:\n  binaryRoot: ./rootfs\n');
    fs.writeFileSync(path.join(workspace, 'policy.yaml'), POLICY);
    policyUri = pathToFileURL(path.join(workspace, 'policy.yaml')).toString();
  });
  after(() => fs.rmSync(workspace, { recursive: true, force: true }));

  const start = (initializationOptions: unknown, settings: unknown = {}): Promise<LspClient> =>
    LspClient.start({
      workspaceFolder: pathToFileURL(workspace).toString(),
      settings,
      ...(initializationOptions !== undefined ? { initializationOptions } : {}),
    });

  it('the CLI (trusted by definition) reads the binary below the folder the file names', () => {
    const r = runJson(['policy.yaml'], { cwd: workspace });
    const found = r.findings.filter((f) => f.code === CODE);
    assert.equal(found.length, 1, JSON.stringify(r.findings));
    assert.match(found[0]!.message, /has no function `place_ordr`.*Did you mean `place_order`/);
  });

  it('a trusted workspace: the file sets binaryRoot (positive control)', async () => {
    const client = await start({ workspaceTrusted: true });
    try {
      const v = await client.open(policyUri, POLICY);
      const { diagnostics } = await client.waitForDiagnostics(policyUri, v);
      assert.match(binaryFinding(diagnostics)?.message ?? '', /has no function `place_ordr`/);
    } finally {
      await client.stop();
    }
  });

  for (const [what, init] of [
    ['a client that says nothing', undefined],
    ['an untrusted workspace', { workspaceTrusted: false }],
  ] as const) {
    it(`${what}: the file cannot set binaryRoot, and the log says why`, async () => {
      const client = await start(init);
      try {
        const v = await client.open(policyUri, POLICY);
        const { diagnostics } = await client.waitForDiagnostics(policyUri, v);
        assert.equal(binaryFinding(diagnostics), undefined, JSON.stringify(diagnostics));
        assert.match(client.stderr, /`tetragon\.binaryRoot` is ignored: the workspace is not trusted/);
      } finally {
        await client.stop();
      }
    });
  }

  it('trust granted later (ciliumPolicy/workspaceTrust): the file counts from then on', async () => {
    const client = await start({ workspaceTrusted: false });
    try {
      const v = await client.open(policyUri, POLICY);
      const first = await client.waitForDiagnostics(policyUri, v);
      assert.equal(binaryFinding(first.diagnostics), undefined);
      const next = client.nextDiagnostics(policyUri, (ds) => binaryFinding(ds) !== undefined, 'the binary finding');
      await client.notify('ciliumPolicy/workspaceTrust', { trusted: true });
      assert.match(binaryFinding((await next).diagnostics)!.message, /has no function `place_ordr`/);
    } finally {
      await client.stop();
    }
  });

  it('trusted, but the user turned binary reading off: the file does not turn it back on', async () => {
    const client = await start({ workspaceTrusted: true }, { tetragon: { binaryRoot: '' } });
    try {
      const v = await client.open(policyUri, POLICY);
      const { diagnostics } = await client.waitForDiagnostics(policyUri, v);
      assert.equal(binaryFinding(diagnostics), undefined, JSON.stringify(diagnostics));
    } finally {
      await client.stop();
    }
  });
});
