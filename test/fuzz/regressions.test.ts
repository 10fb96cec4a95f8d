// SPDX-License-Identifier: Apache-2.0
// Minimal reproductions of the failures the hostile inputs and the fuzzer found, each fixed; they
// stay here so the failures cannot come back. The big end-to-end versions are in test/hostile/.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseFile, splitDocuments } from '../../server/src/core/document.js';
import { lintForTest } from '../support/annotations.js';
import { LspClient, testUri } from '../support/lsp-client.js';
import { httpPolicy, TYPO_CNP, VALID_CNP } from '../hostile/catalogue.js';
import { lineStarts, positionAt } from '../hostile/text-lines.js';

describe('regressions (in process)', () => {
  it('U+2028 and U+2029 do not start a line: `---` after them inside a string is not a document marker', () => {
    // Found by the hostile catalogue: the `m` flag of a JavaScript regex starts lines after U+2028,
    // so the file was cut inside the string and got a false "Missing closing quote".
    const text = `${VALID_CNP}  description: "one\u2028--- two\u2029... three"\n`;
    assert.equal(splitDocuments(text).length, 1);
    assert.deepEqual(lintForTest(text), []);
    assert.equal(parseFile(text).documents.length, 1);
  });

  it('a lone CR ends a line, as in YAML and LSP', () => {
    // Found by the hostile catalogue: the yaml package only breaks at LF, so a CR-only file was one
    // long line with a syntax error, and a CRLF file's last line kept its CR in the value.
    const cr = VALID_CNP.replace(/\n/g, '\r');
    assert.deepEqual(lintForTest(cr), []);
    const typo = `${VALID_CNP.replace(/\n/g, '\r')}    toPort: []\r`;
    const findings = lintForTest(typo);
    assert.deepEqual(
      findings.map((f) => [f.code, typo.slice(f.span.start, f.span.end)]),
      [['schema/unknown-field', 'toPort']],
    );
    // A CRLF file whose last line has no LF: the CR is a line break, not part of `client`.
    assert.deepEqual(lintForTest(VALID_CNP.replace(/\n/g, '\r\n').replace(/\r\n$/, '\r')), []);
    // A `---` after a lone CR separates documents; a `...` line ending in CR ends one.
    assert.equal(splitDocuments('a: 1\r---\rb: 2\r...\rc: 3\r').length, 3);
  });

  it('an incremental parse of a CR-only file gives what a fresh parse gives', () => {
    const one = `---\r${VALID_CNP.replace(/\n/g, '\r')}`;
    const before = parseFile(one + one);
    const edited = one + one.replace('app: client', 'app: server');
    const incremental = parseFile(edited, before);
    const fresh = parseFile(edited);
    assert.deepEqual(
      incremental.documents.map((d) => [d.span, d.data]),
      fresh.documents.map((d) => [d.span, d.data]),
    );
  });

  it('deep nesting is reported as too deep, not as a raw stack overflow', () => {
    // Found by the hostile catalogue: the message was "Maximum call stack size exceeded".
    for (const text of [
      `${VALID_CNP}  description: ${'['.repeat(10_000)}1${']'.repeat(10_000)}\n`,
      `${VALID_CNP}  description:\n    ${'- '.repeat(10_000)}x\n`,
    ]) {
      const findings = lintForTest(text);
      assert.equal(findings.length, 1, JSON.stringify(findings.map((f) => f.message)));
      assert.equal(findings[0]!.code, 'yaml/syntax');
      assert.match(findings[0]!.message, /nested too deeply/);
      assert.doesNotMatch(findings[0]!.message, /call stack/);
    }
  });
});

describe('regressions (language server)', () => {
  let client: LspClient;
  before(async () => {
    client = await LspClient.start({ settings: { lint: { delay: 0 } } });
  });
  after(async () => {
    await client?.stop();
  });

  it('hover over a map with an empty key is answered, not failed', async () => {
    // Found by the fuzzer (seed 3): yaml-language-server throws while formatting its message for
    // the key `:`; the request was answered with an internal error.
    const uri = testUri('regression-empty-key.yaml');
    const text = 'apiVersion: "cilium.io/v2"\nkind: CiliumNetworkPolicy\n:';
    const v = await client.open(uri, text);
    await client.waitForDiagnostics(uri, v);
    for (const position of [
      { line: 0, character: 0 },
      { line: 1, character: 3 },
      { line: 2, character: 0 },
      { line: 2, character: 1 },
    ]) {
      await client.hover(uri, position);
      await client.completion(uri, position);
    }
    assert.ok(client.alive);
    assert.doesNotMatch(client.stderr, /failed/);
    await client.close(uri);
  });

  it('an edit that joins CR and LF into one line break keeps positions right', async () => {
    // Found by the fuzzer (seed 102): vscode-languageserver-textdocument counted a `\r` typed before
    // an existing `\n` as a line break of its own, so every diagnostic below it was a line off (the
    // last one past the end of the document).
    const uri = testUri('regression-crlf-join.yaml');
    let text = TYPO_CNP;
    const v1 = await client.open(uri, text);
    await client.waitForDiagnostics(uri, v1);
    // A CR at the end of each of the first three lines (before their LF), one edit at a time.
    for (let line = 0; line < 3; line++) {
      const end = text.indexOf('\n', lineStarts(text)[line]!);
      await client.edit(
        uri,
        { start: positionAt(lineStarts(text), end), end: positionAt(lineStarts(text), end) },
        '\r',
      );
      text = `${text.slice(0, end)}\r${text.slice(end)}`;
    }
    // And a deletion that leaves a CR and an LF side by side: `x` between them goes.
    const x = text.indexOf('namespace: shop') + 'namespace: shop'.length;
    await client.edit(uri, positionRange(text, x, x), '\rx');
    text = `${text.slice(0, x)}\rx${text.slice(x)}`;
    const v = await client.edit(uri, positionRange(text, x + 1, x + 2), '');
    text = `${text.slice(0, x + 1)}${text.slice(x + 2)}`;
    const published = await client.waitForDiagnostics(uri, v);
    const want = positionAt(lineStarts(text), text.indexOf('toPort:'));
    assert.deepEqual(
      published.diagnostics.map((d) => [d.code, d.range.start]),
      [['schema/unknown-field', want]],
    );
    const hover = await client.hover(uri, positionAt(lineStarts(text), text.indexOf('endpointSelector') + 2));
    assert.match(
      JSON.stringify(hover),
      /endpointSelector|workloads|endpoints/i,
      'the hover is about the key under the cursor',
    );
    await client.close(uri);
  });

  it('re-linting after a keystroke does not compile expensive regexes again', async () => {
    // Found by the hostile catalogue: each `a{1000}` repeat is a thousand RE2 instructions; the
    // check took ~0.5 s per pattern on every lint, so typing anywhere in the file stalled the server.
    const hosts = Array.from({ length: 6 }, (_, i) => `h${i}${'a{1000}'.repeat(100)}`);
    const text =
      httpPolicy({ path: '/x', host: hosts[0]! }) +
      hosts
        .slice(1)
        .map((h) => `        - host: ${JSON.stringify(h)}\n`)
        .join('');
    const uri = testUri('regression-heavy-regex.yaml');
    const first = Date.now();
    const v1 = await client.open(uri, text);
    const d1 = await client.waitForDiagnostics(uri, v1);
    const firstMs = Date.now() - first;
    assert.ok(!d1.diagnostics.some((d) => d.code === 'cilium/http-regex'), JSON.stringify(d1.diagnostics));
    const started = Date.now();
    const v2 = await client.edit(
      uri,
      { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      '# edited\n',
    );
    await client.waitForDiagnostics(uri, v2);
    await client.hover(uri, { line: 1, character: 1 });
    const againMs = Date.now() - started;
    assert.ok(againMs < 1000, `the lint after an edit took ${againMs} ms (the first took ${firstMs} ms)`);
    await client.close(uri);
  });
});

function positionRange(
  text: string,
  start: number,
  end: number,
): { start: { line: number; character: number }; end: { line: number; character: number } } {
  const starts = lineStarts(text);
  return { start: positionAt(starts, start), end: positionAt(starts, end) };
}
