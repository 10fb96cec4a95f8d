// SPDX-License-Identifier: Apache-2.0
// A failing request is answered with an error and the server keeps serving; odd input does not
// crash it; the command line prints version and help.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { ResponseError } from 'vscode-languageserver-protocol';
import { SAMPLES } from '../support/lsp-samples.js';
import { LspClient, positionOf, SERVER_JS, testUri } from '../support/lsp-client.js';

describe('language server robustness', () => {
  let client: LspClient;
  before(async () => {
    client = await LspClient.start();
  });
  after(async () => {
    await client?.stop();
  });

  it('answers a malformed request with an error and keeps serving', async () => {
    await assert.rejects(client.request('textDocument/hover', { textDocument: null, position: null }), (e: unknown) => {
      assert.ok(e instanceof ResponseError, String(e));
      // The client's mistake, not the server's: InvalidParams, naming the request and the field.
      assert.equal(e.code, -32602);
      assert.match(e.message, /textDocument\/hover: params\.textDocument must be an object/);
      return true;
    });
    await assert.rejects(client.request('textDocument/documentSymbol', {}), ResponseError);
    await assert.rejects(client.request('textDocument/completion', { position: 3 }), ResponseError);
    assert.ok(client.alive);
    assert.doesNotMatch(client.stderr, /textDocument\/hover failed/, 'nothing failed in the server');
    const sample = SAMPLES[0]!;
    const uri = testUri('after-failure.yaml');
    const v = await client.open(uri, sample.text);
    assert.ok((await client.waitForDiagnostics(uri, v)).diagnostics.length > 0);
    assert.ok(await client.hover(uri, positionOf(sample.text, sample.hoverKey, 1)));
  });

  it('survives binary, huge-line, alias-bomb and empty documents', async () => {
    const bomb =
      'a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n';
    const inputs: Record<string, string> = {
      'binary.yaml': '\u0000\u0001\u0002binary',
      'empty.yaml': '',
      'only-separators.yaml': '---\n---\n---\n',
      'bomb.yaml': `apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: x\nspec:\n  endpointSelector: {}\n  ${bomb.replace(/\n/g, '\n  ')}`,
      'long-line.yaml': `apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: ${'x'.repeat(200_000)}\n`,
      'not-a-map.yaml': '- apiVersion: cilium.io/v2\n- kind: CiliumNetworkPolicy\n',
    };
    for (const [name, text] of Object.entries(inputs)) {
      const uri = testUri(name);
      const v = await client.open(uri, text);
      await client.waitForDiagnostics(uri, v);
      await client.completion(uri, { line: 0, character: 0 });
      await client.hover(uri, { line: 0, character: 1 });
      await client.symbols(uri);
      await client.completion(uri, { line: 99, character: 99 });
      await client.close(uri);
    }
    assert.ok(client.alive);
  });

  it('returns nothing for documents it was never sent', async () => {
    const uri = testUri('never-opened.yaml');
    assert.equal(await client.hover(uri, { line: 0, character: 0 }), null);
    assert.deepEqual(await client.completion(uri, { line: 0, character: 0 }), []);
  });
});

describe('language server command line', () => {
  it('prints its version', () => {
    const out = execFileSync(process.execPath, [SERVER_JS, '--version'], { encoding: 'utf8' });
    assert.match(out, /^cilium-policy-language-server \d+\.\d+\.\d+\n$/);
  });

  it('prints help, and exits non-zero without a transport', () => {
    assert.match(execFileSync(process.execPath, [SERVER_JS, '--help'], { encoding: 'utf8' }), /--stdio/);
    const r = spawnSync(process.execPath, [SERVER_JS], { encoding: 'utf8' });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--stdio/);
  });
});
