// SPDX-License-Identifier: Apache-2.0
/**
 * Progress and cancellation of the big-log requests over real JSON-RPC, against the bundled server:
 * `ciliumPolicy/loadFlows` and `ciliumPolicy/dryRun` with a work-done token report `$/progress`
 * (begin, cancellable; reports with the lines read; end) while they read a large generated log; a
 * cancelled request stops the read early (fewer lines read than the file has), is answered with
 * `RequestCancelled` saying how far it got, leaves what was loaded before in place, and the server
 * keeps answering; the same file then loads whole. Line counts come from the generated files.
 */
import { test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  CancellationTokenSource,
  LSPErrorCodes,
  ResponseError,
  WorkDoneProgress,
  type WorkDoneProgressBegin,
  type WorkDoneProgressEnd,
  type WorkDoneProgressReport,
} from 'vscode-languageserver-protocol';
import type { DryRunReport, FlowLogStatus, ReadCancelled, ReplayResult } from '../../server/src/protocol.js';
import { LspClient, testUri } from '../support/lsp-client.js';
import { REPO_ROOT } from '../support/paths.js';

const FLOWS = path.join(REPO_ROOT, 'examples', 'shop', 'flows', 'hubble-flows.jsonl');
const EVENTS = path.join(REPO_ROOT, 'examples', 'tetragon-events.jsonl');
const POLICY = fs.readFileSync(path.join(REPO_ROOT, 'examples', 'tracingpolicy-block-readers.yaml'), 'utf8');

let tmp: string;
let client: LspClient;

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cilium-policy-read-cancel-'));
  client = await LspClient.start();
});

after(async () => {
  await client.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** A log of at least `bytes` bytes made of the example's lines, repeated; returns its path and line count. */
function bigLog(example: string, name: string, bytes: number): { file: string; lines: number } {
  const lines = fs
    .readFileSync(example, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
  const block = `${lines.join('\n')}\n`;
  const copies = Math.ceil(bytes / Buffer.byteLength(block));
  const file = path.join(tmp, name);
  const fd = fs.openSync(file, 'w');
  for (let i = 0; i < copies; i++) fs.writeSync(fd, block);
  fs.closeSync(fd);
  return { file, lines: copies * lines.length };
}

type Progress = WorkDoneProgressBegin | WorkDoneProgressReport | WorkDoneProgressEnd;

/**
 * Sends a request with a work-done token and cancels it at the first progress report that says
 * lines were read; resolves with the error the server answered and the progress seen.
 */
async function cancelledRead(
  method: string,
  params: Record<string, unknown>,
  token: string,
): Promise<{ error: ResponseError<ReadCancelled>; progress: Progress[] }> {
  const progress: Progress[] = [];
  const source = new CancellationTokenSource();
  const sub = client.connection.onProgress(WorkDoneProgress.type, token, (p) => {
    progress.push(p);
    if (p.kind === 'report' && /^[1-9][\d,]* lines?/.test(p.message ?? '')) source.cancel();
  });
  try {
    await client.connection.sendRequest(method, { ...params, workDoneToken: token }, source.token);
  } catch (e) {
    assert.ok(e instanceof ResponseError, `${method}: ${String(e)}`);
    return { error: e as ResponseError<ReadCancelled>, progress };
  } finally {
    sub.dispose();
  }
  assert.fail(`${method} was not cancelled (progress seen: ${JSON.stringify(progress)})`);
}

function checkProgress(progress: readonly Progress[], what: string): void {
  const begin = progress[0];
  assert.equal(begin?.kind, 'begin', `${what}: progress begins`);
  assert.equal((begin as WorkDoneProgressBegin).cancellable, true, `${what}: the progress is cancellable`);
  assert.ok(
    progress.some((p) => p.kind === 'report' && /MB/.test(p.message ?? '')),
    `${what}: reports lines and bytes`,
  );
  assert.equal(progress.at(-1)?.kind, 'end', `${what}: progress ends`);
}

test('a cancelled loadFlows stops early, keeps the loaded log, and the next load reads the whole file', async () => {
  const small = (await client.request('ciliumPolicy/loadFlows', { path: FLOWS })) as FlowLogStatus;
  assert.equal(small.error, undefined);
  assert.ok(small.flows > 0);
  const big = bigLog(FLOWS, 'big-flows.jsonl', 80 * 1024 * 1024);

  const { error, progress } = await cancelledRead('ciliumPolicy/loadFlows', { path: big.file }, 'load-flows-1');
  assert.equal(error.code, LSPErrorCodes.RequestCancelled);
  assert.match(error.message, /cancelled after .* lines/);
  assert.match(error.message, /hubble-flows\.jsonl stays loaded/);
  const read = error.data!;
  assert.ok(read.lines > 0, 'some lines were read');
  assert.ok(read.lines < big.lines, `stopped early: ${read.lines} of ${big.lines} lines read`);
  assert.ok(read.bytesRead < fs.statSync(big.file).size);
  checkProgress(progress, 'loadFlows');
  console.log(`loadFlows cancelled after ${read.lines} of ${big.lines} lines (${read.bytesRead} bytes)`);

  // The server answers, and the log loaded before is the one replayed.
  const replay = (await client.request('ciliumPolicy/replay', {})) as ReplayResult | null;
  assert.equal(replay?.log.path, FLOWS, 'the previous log stays loaded');
  assert.equal(replay?.log.flows, small.flows);

  // Loaded again without cancelling: every line is accounted for.
  const whole = (await client.request('ciliumPolicy/loadFlows', { path: big.file })) as FlowLogStatus;
  assert.equal(whole.error, undefined);
  const skipped = Object.values(whole.skipped).reduce((n, x) => n + x, 0);
  assert.equal(whole.flows + skipped, big.lines, 'flows and skipped lines add up to the file');
  assert.equal(whole.flows, small.flows * (big.lines / countLines(FLOWS)));
  const after = (await client.request('ciliumPolicy/replay', {})) as ReplayResult;
  assert.equal(after.log.path, big.file);
});

/** Non-blank lines of a file. */
function countLines(file: string): number {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '').length;
}

test('a cancelled dry run stops early and keeps the previous dry run', async () => {
  const uri = testUri('read-cancel-policy.yaml');
  await client.open(uri, POLICY);
  const first = (await client.request('ciliumPolicy/dryRun', {
    textDocument: { uri },
    events: EVENTS,
  })) as DryRunReport;
  assert.ok(first && first.error === undefined && first.matches > 0, 'the example dry run matches');
  const big = bigLog(EVENTS, 'big-events.jsonl', 40 * 1024 * 1024);

  const { error, progress } = await cancelledRead(
    'ciliumPolicy/dryRun',
    { textDocument: { uri }, events: big.file },
    'dry-run-1',
  );
  assert.equal(error.code, LSPErrorCodes.RequestCancelled);
  assert.match(error.message, /the previous dry run stays/);
  const read = error.data!;
  assert.ok(read.lines > 0 && read.lines < big.lines, `stopped early: ${read.lines} of ${big.lines} lines read`);
  checkProgress(progress, 'dryRun');
  console.log(`dryRun cancelled after ${read.lines} of ${big.lines} lines`);

  // The previous run answers as it was (same counts), and a full run of the big file completes.
  const again = (await client.request('ciliumPolicy/dryRun', {
    textDocument: { uri },
    events: EVENTS,
  })) as DryRunReport;
  assert.equal(again.events, first.events);
  assert.deepEqual(again.reading, first.reading);
  assert.equal(again.matches, first.matches);
  const whole = (await client.request('ciliumPolicy/dryRun', {
    textDocument: { uri },
    events: big.file,
  })) as DryRunReport;
  assert.equal(whole.aborted, undefined);
  assert.equal(whole.reading.lines, big.lines);
  assert.equal(whole.matches, (first.matches * big.lines) / countLines(EVENTS));
});
