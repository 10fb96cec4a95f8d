// SPDX-License-Identifier: Apache-2.0
// Every hostile input goes through the real CLI (as a file on disk) and the real language server
// (over JSON-RPC). Each must end in a clear finding or a clean skip within its time bound, with
// ranges inside the document, and the server must answer hover and completion afterwards.
// A table of timings is printed at the end (it is copied into docs/reliability.md).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { LspClient, testUri } from '../support/lsp-client.js';
import { runJson, type JsonFinding } from '../cli/run-cli.js';
import { CATALOGUE, type ExpectedFinding, type HostileInput } from './catalogue.js';
import { lineLengths, lineStarts, positionAt, rangeProblem, type Pos } from './text-lines.js';

interface Row {
  input: string;
  cliMs: number;
  serverMs: number;
  outcome: string;
}

/** Where the needle of an expectation is: its start and end position in the text. */
function needleAt(text: string, e: ExpectedFinding): { start: Pos; end: Pos } | undefined {
  if (e.needle === undefined) return undefined;
  const at = text.indexOf(e.needle);
  if (at < 0) throw new Error(`catalogue error: needle ${JSON.stringify(e.needle.slice(0, 40))} is not in the input`);
  const starts = lineStarts(text);
  return { start: positionAt(starts, at), end: positionAt(starts, at + e.needle.length) };
}

/** True when a position lies where the expectation wants the range to start. */
function startsWhereExpected(start: Pos, want: { start: Pos; end: Pos }, inside: boolean): boolean {
  if (!inside) return start.line === want.start.line && start.character === want.start.character;
  const after =
    start.line > want.start.line || (start.line === want.start.line && start.character >= want.start.character);
  const before = start.line < want.end.line || (start.line === want.end.line && start.character < want.end.character);
  return after && before;
}

/** A short description of findings for assertion messages (huge inputs make huge messages). */
function brief(items: readonly { code?: unknown; message: string }[]): string {
  return (
    JSON.stringify(items.slice(0, 5).map((f) => `${String(f.code)}: ${f.message.slice(0, 120)}`)) +
    (items.length > 5 ? ` … ${items.length} in all` : '')
  );
}

function checkCli(input: HostileInput, bytes: Buffer, dir: string): { ms: number; findings: JsonFinding[] } {
  const file = path.join(dir, 'input.yaml');
  fs.writeFileSync(file, bytes);
  const r = runJson([file], { cwd: dir });
  assert.notEqual(r.status, 2, `CLI failed as if on a usage error: ${r.stderr}`);
  assert.equal(
    r.status,
    input.exit,
    `CLI exit status; stderr: ${r.stderr.slice(0, 500)}; findings: ${brief(r.findings)}`,
  );
  assert.doesNotMatch(r.stderr, /^\s+at /m, 'no stack trace on stderr');
  assert.ok(r.ms < input.boundMs, `CLI took ${Math.round(r.ms)} ms (bound ${input.boundMs} ms)`);
  // The CLI decodes like this (a byte-order mark is dropped, bad bytes become U+FFFD).
  const text = new TextDecoder('utf-8').decode(bytes);
  const lengths = lineLengths(text);
  for (const f of r.findings) {
    const problem = rangeProblem(lengths, {
      start: { line: f.line - 1, character: f.column - 1 },
      end: { line: f.endLine - 1, character: f.endColumn - 1 },
    });
    assert.equal(
      problem,
      undefined,
      `CLI finding out of the document: ${problem} in ${JSON.stringify(f).slice(0, 300)}`,
    );
    assert.equal(f.source, 'cilium-policy');
  }
  if (input.clean) assert.deepEqual(r.findings, [], `no finding expected: ${brief(r.findings)}`);
  for (const e of input.expect) {
    const want = needleAt(text, e);
    const hit = r.findings.find(
      (f) =>
        f.code === e.code &&
        (!e.message || e.message.test(f.message)) &&
        (!want || startsWhereExpected({ line: f.line - 1, character: f.column - 1 }, want, e.inside === true)),
    );
    assert.ok(
      hit,
      `CLI: no ${e.code}${want ? ` at ${want.start.line + 1}:${want.start.character + 1}` : ''}; got ${brief(r.findings)}`,
    );
  }
  return { ms: r.ms, findings: r.findings };
}

async function checkServer(
  client: LspClient,
  input: HostileInput,
  text: string,
  name: string,
): Promise<{ ms: number; diagnostics: Diagnostic[] }> {
  const uri = testUri(`hostile-${name}.yaml`);
  const started = process.hrtime.bigint();
  const v = await client.open(uri, text);
  const published = await client.waitForDiagnostics(uri, v);
  // Hover and completion must be answered afterwards (any answer, null included): the server is not stuck.
  await client.hover(uri, { line: 0, character: 1 });
  await client.completion(uri, { line: 1, character: 0 });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  await client.close(uri);
  assert.ok(client.alive, 'the server exited');
  assert.ok(ms < input.boundMs, `server took ${Math.round(ms)} ms (bound ${input.boundMs} ms)`);
  const diagnostics = published.diagnostics;
  const lengths = lineLengths(text);
  for (const d of diagnostics) {
    const problem = rangeProblem(lengths, d.range);
    assert.equal(
      problem,
      undefined,
      `diagnostic out of the document: ${problem} in ${JSON.stringify(d).slice(0, 300)}`,
    );
    assert.equal(d.source, 'cilium-policy');
  }
  if (input.clean) assert.deepEqual(diagnostics, [], `no diagnostic expected: ${brief(diagnostics)}`);
  for (const e of input.expect) {
    const want = needleAt(text, e);
    const hit = diagnostics.find(
      (d) =>
        d.code === e.code &&
        (!e.message || e.message.test(d.message)) &&
        (!want || startsWhereExpected(d.range.start, want, e.inside === true)),
    );
    assert.ok(
      hit,
      `server: no ${e.code}${want ? ` at ${want.start.line}:${want.start.character}` : ''}; got ${brief(diagnostics)}`,
    );
  }
  return { ms, diagnostics };
}

function outcome(findings: readonly { code?: unknown }[], exit: number): string {
  if (findings.length === 0) return `exit ${exit}, clean`;
  const codes = [...new Set(findings.map((f) => String(f.code)))];
  return `exit ${exit}, ${findings.length} finding${findings.length === 1 ? '' : 's'} (${codes.slice(0, 3).join(', ')}${codes.length > 3 ? ', …' : ''})`;
}

describe('hostile inputs through the CLI and the language server', () => {
  let client: LspClient;
  let dir: string;
  const rows: Row[] = [];
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cilium-policy-hostile-'));
    client = await LspClient.start({ settings: { lint: { delay: 0 } } });
  });
  after(async () => {
    await client?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    const table = [
      '| input | CLI ms | server ms | outcome |',
      '| --- | ---: | ---: | --- |',
      ...rows.map((r) => `| ${r.input} | ${Math.round(r.cliMs)} | ${Math.round(r.serverMs)} | ${r.outcome} |`),
    ];
    console.log(`\n${table.join('\n')}\n`);
  });

  it('has at least 30 inputs', () => {
    assert.ok(CATALOGUE.length >= 30, `${CATALOGUE.length} inputs`);
  });

  CATALOGUE.forEach((input, i) => {
    it(input.name, async () => {
      const { bytes, text } = input.build();
      const cli = checkCli(input, bytes, dir);
      const server = await checkServer(client, input, text, String(i));
      rows.push({ input: input.name, cliMs: cli.ms, serverMs: server.ms, outcome: outcome(cli.findings, input.exit) });
      // The next request after a hostile input is answered promptly (the server is not wedged).
      const uri = testUri(`hostile-after-${i}.yaml`);
      const v = await client.open(
        uri,
        'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: after\nspec:\n  endpointSelectr: {}\n',
      );
      const next = await client.waitForDiagnostics(uri, v);
      assert.ok(
        next.diagnostics.some((d) => d.code === 'schema/unknown-field'),
        `the next document is linted normally: ${brief(next.diagnostics)}`,
      );
      await client.close(uri);
    });
  });
});
