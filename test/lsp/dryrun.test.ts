// SPDX-License-Identifier: Apache-2.0
/**
 * The Tetragon dry run and the kernel targets matrix over LSP, against the bundled server:
 * `ciliumPolicy/dryRun` on the example events and policy (the expected tallies are computed with
 * the dry-run engine itself on the same files, so the test checks the service's grouping, not the
 * engine twice), re-running after an edit, the selector CodeLenses, event details, completion of
 * values seen in the events, unreadable event files, and `ciliumPolicy/kernelTargets` with
 * declared targets.
 */
import { test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CodeLens, CompletionList } from 'vscode-languageserver-protocol';
import { parseFile } from '../../server/src/core/document.js';
import { DryRun, type DryRunResult } from '../../server/src/dryrun/index.js';
import type { DryRunEventRequest, DryRunReport, KernelTargetsRequest } from '../../server/src/protocol.js';
import { LspClient, positionOf, testUri } from '../support/lsp-client.js';
import { REPO_ROOT } from '../support/paths.js';

const EVENTS = path.join(REPO_ROOT, 'examples', 'tetragon-events.jsonl');
const POLICY = fs.readFileSync(path.join(REPO_ROOT, 'examples', 'tracingpolicy-block-readers.yaml'), 'utf8');

/** The engine's results on the example, one per (event, hook) pair. */
function engineResults(text: string): DryRunResult[] {
  const file = parseFile(text);
  const dr = new DryRun(file.documents.map((doc) => ({ file: 'policy.yaml', text, doc })));
  const out: DryRunResult[] = [];
  fs.readFileSync(EVENTS, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      if (line.trim()) out.push(...dr.feedLine(line, i + 1));
    });
  return out;
}

let client: LspClient;
let tmp: string;

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cilium-policy-dryrun-'));
  client = await LspClient.start({
    settings: { tetragon: { targets: [{ name: 'edge-arm', arch: 'arm64', kernel: '5.4.0' }] } },
  });
});

after(async () => {
  await client.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('ciliumPolicy/dryRun sums up the engine results per selector, enforcing first', async () => {
  const uri = testUri('dryrun-example.yaml');
  const version = await client.open(uri, POLICY);
  const report = (await client.request('ciliumPolicy/dryRun', {
    textDocument: { uri },
    events: EVENTS,
  })) as DryRunReport;
  assert.equal(report.documentVersion, version);
  assert.equal(report.error, undefined);
  const expected = engineResults(POLICY);
  const matched = expected.filter((r) => r.match === 'match');
  assert.ok(matched.length > 0, 'the example matches some events');
  assert.equal(report.matches, matched.length);
  assert.equal(report.noMatch, expected.filter((r) => r.match === 'no-match').length);
  assert.equal(report.reading.lines, fs.readFileSync(EVENTS, 'utf8').trim().split('\n').length);

  const bySelector = new Map<number, DryRunResult[]>();
  for (const r of matched) bySelector.set(r.selector!, [...(bySelector.get(r.selector!) ?? []), r]);
  assert.deepEqual(
    report.selectors.map((s) => s.selector).sort(),
    [...bySelector.keys()].sort(),
    'one entry per matching selector',
  );
  for (const s of report.selectors) {
    const rs = bySelector.get(s.selector)!;
    assert.equal(s.matches, rs.length, `selector ${s.selector} count`);
    assert.equal(s.distinctBinaries, new Set(rs.map((r) => r.process.binary)).size);
    assert.equal(s.distinctPods, new Set(rs.map((r) => r.process.pod).filter(Boolean)).size);
    assert.deepEqual(
      s.rows.map((r) => r.line),
      rs.map((r) => r.eventLine),
    );
    // The selector's range starts on the line the engine names (1-based there, 0-based here).
    assert.equal(s.range.start.line, rs[0]!.selectorLine! - 1);
    assert.match(s.summary, new RegExp(`^${s.actions.find((a) => a.enforcing)?.action ?? '\\w+'} would`));
  }
  const firstNonEnforcing = report.selectors.findIndex((s) => !s.enforcing);
  const lastEnforcing = report.selectors.map((s) => s.enforcing).lastIndexOf(true);
  assert.ok(firstNonEnforcing === -1 || lastEnforcing < firstNonEnforcing, 'enforcing selectors come first');
  const sigkill = report.selectors.find((s) => s.actions.some((a) => a.action === 'Sigkill'))!;
  const kills = bySelector.get(sigkill.selector)!;
  assert.equal(
    sigkill.summary,
    `Sigkill would hit ${kills.length} events from ${new Set(kills.map((r) => r.process.binary)).size} binaries in ${new Set(kills.map((r) => r.process.pod)).size} pods`,
  );

  // Event details: the recorded line, as JSON.
  const row = sigkill.rows[0]!;
  const details = (await client.request('ciliumPolicy/dryRunEvent', {
    textDocument: { uri },
    id: row.id,
  })) as DryRunEventRequest.Result;
  const line = fs.readFileSync(EVENTS, 'utf8').split('\n')[row.line - 1]!;
  assert.deepEqual(JSON.parse(details!.text), JSON.parse(line));
  assert.equal(
    await client.request('ciliumPolicy/dryRunEvent', { textDocument: { uri }, id: 999_999 }),
    null,
    'an unknown row id answers null',
  );

  // CodeLenses: one per tallied selector, on its line.
  const lenses = (await client.request('textDocument/codeLens', { textDocument: { uri } })) as CodeLens[];
  const dry = lenses.filter((l) => l.command?.title.startsWith('Dry run:'));
  assert.deepEqual(dry.map((l) => l.range.start.line).sort(), report.selectors.map((s) => s.range.start.line).sort());
  assert.ok(dry.some((l) => l.command!.title === `Dry run: ${kills.length} matches (Sigkill)`));
});

test('the dry run runs again after an edit, and lenses follow the new text', async () => {
  const uri = testUri('dryrun-edit.yaml');
  await client.open(uri, POLICY);
  await client.request('ciliumPolicy/dryRun', { textDocument: { uri }, events: EVENTS });
  // Drop /usr/bin/less from the Sigkill selector: its matches shrink to cat's.
  const edited = POLICY.replace('                - /usr/bin/less\n', '');
  assert.notEqual(edited, POLICY);
  const v2 = await client.change(uri, edited);
  const expected = engineResults(edited).filter((r) => r.match === 'match' && r.selector === 0).length;
  // A request for the new version answers from the re-run (no events path is needed to know it).
  const report = (await client.request('ciliumPolicy/dryRun', {
    textDocument: { uri },
    events: EVENTS,
  })) as DryRunReport;
  assert.equal(report.documentVersion, v2);
  assert.equal(report.selectors.find((s) => s.selector === 0)?.matches, expected);
  const lenses = (await client.request('textDocument/codeLens', { textDocument: { uri } })) as CodeLens[];
  assert.ok(
    lenses.some((l) => l.command?.title === `Dry run: ${expected} match${expected === 1 ? '' : 'es'} (Sigkill)`),
  );
});

test('completion offers the binaries and argument values seen in the events', async () => {
  const uri = testUri('dryrun-complete.yaml');
  await client.open(uri, POLICY);
  await client.request('ciliumPolicy/dryRun', { textDocument: { uri }, events: EVENTS });
  const events = fs
    .readFileSync(EVENTS, 'utf8')
    .trim()
    .split('\n')
    .map(
      (l) => JSON.parse(l) as { process_kprobe?: { process?: { binary?: string }; args?: { string_arg?: string }[] } },
    )
    .filter((e) => e.process_kprobe);
  const binaries = new Set(events.map((e) => e.process_kprobe!.process?.binary));
  const paths = new Set(events.map((e) => e.process_kprobe!.args?.[1]?.string_arg).filter(Boolean));

  const atBinary = positionOf(POLICY, '/usr/bin/cat');
  const list = (await client.request('textDocument/completion', {
    textDocument: { uri },
    position: atBinary,
  })) as CompletionList;
  const seen = list.items.filter((i) => String(i.detail).startsWith('seen '));
  assert.deepEqual(new Set(seen.map((i) => i.label)), binaries);

  const atArg = positionOf(POLICY, '/etc/');
  const args = (await client.request('textDocument/completion', {
    textDocument: { uri },
    position: atArg,
  })) as CompletionList;
  assert.deepEqual(new Set(args.items.filter((i) => String(i.detail).startsWith('seen ')).map((i) => i.label)), paths);
});

test('an unreadable events file is a report with an error, and a document without a TracingPolicy is null', async () => {
  const uri = testUri('dryrun-missing.yaml');
  await client.open(uri, POLICY);
  const missing = path.join(tmp, 'nope.jsonl');
  const report = (await client.request('ciliumPolicy/dryRun', {
    textDocument: { uri },
    events: missing,
  })) as DryRunReport;
  assert.match(report.error ?? '', /no such file/);
  assert.equal(report.selectors.length, 0);

  const bad = path.join(tmp, 'bad.jsonl');
  fs.writeFileSync(bad, `{"process_kprobe": \n\u0000\u0000\n${fs.readFileSync(EVENTS, 'utf8')}`);
  const mixed = (await client.request('ciliumPolicy/dryRun', { textDocument: { uri }, events: bad })) as DryRunReport;
  assert.equal(mixed.error, undefined);
  assert.equal(mixed.matches, engineResults(POLICY).filter((r) => r.match === 'match').length);
  // One line cut short, one of NUL bytes: both unparsable, the second counted by the reader as such.
  assert.equal(mixed.reading.unparsable, 2);
  assert.equal(mixed.reading.problems['nul-byte'], 1);

  const other = testUri('dryrun-cnp.yaml');
  await client.open(other, 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: x\n');
  assert.equal(await client.request('ciliumPolicy/dryRun', { textDocument: { uri: other }, events: EVENTS }), null);
});

test('ciliumPolicy/kernelTargets: the declared targets × hooks', async () => {
  const uri = testUri('kernel-targets.yaml');
  const text = POLICY.replace(
    '  kprobes:\n',
    '  lsmhooks:\n    - hook: file_open\n      args:\n        - index: 0\n          type: file\n  kprobes:\n',
  );
  await client.open(uri, text);
  const m = (await client.request('ciliumPolicy/kernelTargets', {
    textDocument: { uri },
  })) as KernelTargetsRequest.Result;
  assert.equal(m!.targets, 1);
  const p = m!.policies[0]!;
  assert.deepEqual(
    p.targets.map((t) => t.name),
    ['edge-arm'],
  );
  assert.equal(p.hooks.length, 2);
  const lsm = p.hooks.findIndex((h) => h.label.includes('file_open'));
  assert.ok(lsm >= 0, JSON.stringify(p.hooks));
  // BPF LSM programs need 5.7 at least: a 5.4 kernel refuses the LSM hook, so the policy.
  assert.equal(p.cells[0]![lsm]!.state, 'no');
  assert.ok(p.cells[0]![lsm]!.reasons.length > 0);
  assert.equal(p.targets[0]!.state, 'no');
  assert.equal(p.hooks[lsm]!.range.start.line, positionOf(text, 'hook: file_open').line);

  const cnp = testUri('kernel-targets-cnp.yaml');
  await client.open(cnp, 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: x\n');
  assert.equal(await client.request('ciliumPolicy/kernelTargets', { textDocument: { uri: cnp } }), null);
});

test('hostile event values come back bounded, and completion quotes them', async () => {
  const uri = testUri('dryrun-hostile.yaml');
  await client.open(uri, POLICY);
  const line = fs.readFileSync(EVENTS, 'utf8').split('\n')[1]!;
  const event = JSON.parse(line) as { process_kprobe: { process: { binary: string; arguments: string } } };
  const huge = `/usr/bin/cat${'\u001b[2J\u202e'.repeat(20_000)}`;
  event.process_kprobe.process.arguments = huge;
  const other = structuredClone(event);
  other.process_kprobe.process.binary = `/tmp/x: y\u0007${'z'.repeat(1000)}`;
  const third = structuredClone(event);
  third.process_kprobe.process.binary = `/tmp/long${'z'.repeat(100_000)}`;
  const file = path.join(tmp, 'hostile.jsonl');
  fs.writeFileSync(file, [event, other, third].map((e) => JSON.stringify(e)).join('\n'));
  const report = (await client.request('ciliumPolicy/dryRun', { textDocument: { uri }, events: file })) as DryRunReport;
  assert.equal(report.matches, 1, 'the cat event still matches the Sigkill selector');
  const strings: string[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === 'string') strings.push(v);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(report);
  for (const s of strings) assert.ok(s.length <= 500, `a ${s.length}-character string in the report`);
  const list = (await client.request('textDocument/completion', {
    textDocument: { uri },
    position: positionOf(POLICY, '/usr/bin/cat'),
  })) as CompletionList;
  const seen = list.items.filter((i) => String(i.detail).startsWith('seen '));
  const odd = seen.find((i) => i.label.startsWith('/tmp/x'));
  assert.ok(odd, JSON.stringify(seen.map((i) => i.label.slice(0, 20))));
  assert.doesNotMatch(odd.label, /[\u0000-\u001f]/, 'the label shows control characters escaped');
  const insert = (odd.textEdit as { newText: string } | undefined)?.newText ?? odd.insertText ?? '';
  assert.ok(insert.startsWith('"'), 'a value YAML would misread is inserted quoted');
  assert.equal(JSON.parse(insert), other.process_kprobe.process.binary, 'inserted whole');
  assert.ok(odd.label.length <= 300, 'the label is cut');
  assert.ok(!seen.some((i) => i.label.startsWith('/tmp/long')), 'a value longer than PATH_MAX is not offered');
});

test('every selector gets a lens: its count, "no match", or no recorded event on its hook', async () => {
  const uri = testUri('dryrun-lenses.yaml');
  const text = `${POLICY}        - matchBinaries:
            - operator: In
              values:
                - /nowhere/to-be-seen
          matchActions:
            - action: Sigkill
    - call: security_bprm_check
      syscall: false
      selectors:
        - matchActions:
            - action: Post
`;
  await client.open(uri, text);
  const report = (await client.request('ciliumPolicy/dryRun', {
    textDocument: { uri },
    events: EVENTS,
  })) as DryRunReport;
  const lenses = (await client.request('textDocument/codeLens', { textDocument: { uri } })) as CodeLens[];
  const byLine = new Map(
    lenses.filter((l) => l.command?.title.startsWith('Dry run:')).map((l) => [l.range.start.line, l.command!.title]),
  );
  const nowhere = positionOf(text, '- matchBinaries:', 2, 3).line;
  assert.equal(byLine.get(nowhere), 'Dry run: no match');
  const bprm = positionOf(text, '- matchActions:\n            - action: Post').line;
  assert.equal(byLine.get(bprm), 'Dry run: no recorded event on this hook');
  assert.equal(byLine.size, report.selectors.length + 2);
});

test('event details past the in-memory budget are read again from the file', async () => {
  const uri = testUri('dryrun-details.yaml');
  await client.open(uri, POLICY);
  const line = fs.readFileSync(EVENTS, 'utf8').split('\n')[1]!;
  const lines: string[] = [];
  for (let i = 0; i < 60; i++) {
    const e = JSON.parse(line) as { process_kprobe: { process: { arguments: string; pid: number } } };
    e.process_kprobe.process.arguments = `${i} ${'a'.repeat(70_000)}`;
    e.process_kprobe.process.pid = 10_000 + i;
    lines.push(JSON.stringify(e));
  }
  const file = path.join(tmp, 'big-details.jsonl');
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  const report = (await client.request('ciliumPolicy/dryRun', { textDocument: { uri }, events: file })) as DryRunReport;
  const rows = report.selectors.find((s) => s.selector === 0)!.rows;
  assert.equal(rows.length, 50, 'the first 50 events are rows');
  for (const row of [rows[0]!, rows[49]!]) {
    const d = (await client.request('ciliumPolicy/dryRunEvent', {
      textDocument: { uri },
      id: row.id,
    })) as DryRunEventRequest.Result;
    assert.equal(d?.line, row.line);
    assert.ok(d!.text.includes(`"pid": ${10_000 + row.line - 1}`), `the details of line ${row.line}`);
    assert.ok(d!.text.length <= 64 * 1024 + 100, 'details are cut');
  }
  // Once the file changes, what was not kept is gone rather than another line.
  fs.appendFileSync(file, `${lines[0]}\n`);
  assert.equal(await client.request('ciliumPolicy/dryRunEvent', { textDocument: { uri }, id: rows[49]!.id }), null);
});
