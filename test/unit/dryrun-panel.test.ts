// SPDX-License-Identifier: Apache-2.0
/**
 * The bodies of the preview panel's dry-run and kernel-targets sections (`client/src/dryrun-model.ts`,
 * `client/src/kernel-targets-model.ts`): every id maps to the range it stands for, counts come from
 * the report, hostile strings are bounded and stripped of control characters, and the status bar
 * text sums the targets.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { buildDryRunBody, EVENT_ACTION, headlineOf, noEventsBody } from '../../client/src/dryrun-model.js';
import { buildKernelTargetsBody, kernelStatusText, NO_TARGETS } from '../../client/src/kernel-targets-model.js';
import type { DryRunReport, KernelTargetsRequest } from '../../server/src/protocol.js';

const r = (line: number) => ({ start: { line, character: 4 }, end: { line: line + 3, character: 0 } });

function report(over: Partial<DryRunReport> = {}): DryRunReport {
  const hostile = `/bin/${'x'.repeat(5000)}\u001b[31m\u202e`;
  return {
    uri: 'file:///w/p.yaml',
    documentVersion: 4,
    events: '/w/logs/events.jsonl',
    reading: {
      lines: 10,
      events: 9,
      hookEvents: 6,
      otherType: 3,
      unknownType: 0,
      unparsable: 1,
      problems: { 'nul-byte': 1 },
      grew: false,
    },
    matches: 5,
    unknown: 1,
    noMatch: 2,
    enforcing: 3,
    selectors: [
      {
        policy: { kind: 'TracingPolicy', name: 'block' },
        hook: 'kprobe `sys_openat`',
        hookRange: r(10),
        selector: 0,
        range: r(16),
        actions: [{ action: 'Sigkill', enforcing: true, performed: true }],
        enforcing: true,
        matches: 3,
        unknown: 0,
        summary: 'Sigkill would hit 3 events from 2 binaries in 2 pods',
        binaries: [
          { value: '/usr/bin/cat', count: 2 },
          { value: hostile, count: 1 },
        ],
        distinctBinaries: 2,
        pods: [{ value: 'shop/api', count: 3 }],
        distinctPods: 1,
        hostProcesses: 0,
        rows: [
          {
            id: 7,
            line: 2,
            match: 'match',
            binary: '/usr/bin/cat',
            arguments: '/etc/shadow',
            pod: 'shop/api',
            reason: 'r',
          },
          { id: 8, line: 5, match: 'match', binary: hostile, reason: hostile },
        ],
        moreRows: 1,
      },
      {
        policy: { kind: 'TracingPolicy', name: 'block' },
        hook: 'kprobe `sys_openat`',
        hookRange: r(10),
        selector: 1,
        range: r(24),
        actions: [{ action: 'Post', enforcing: false, performed: true }],
        enforcing: false,
        matches: 2,
        unknown: 1,
        summary: 'Post would report 2 events from 1 binary and 2 host processes',
        binaries: [{ value: '/usr/local/bin/x', count: 2 }],
        distinctBinaries: 1,
        pods: [],
        distinctPods: 0,
        hostProcesses: 2,
        rows: [],
        moreRows: 3,
      },
    ],
    notes: ['block: tracepoint `a/b` is skipped: no such event'],
    ...over,
  };
}

test('the dry-run body: ids stand for the selector and hook ranges, rows act on their event', () => {
  const rep = report();
  const { body, targets } = buildDryRunBody(rep, 's1-');
  assert.equal(body.groups.length, rep.selectors.length);
  body.groups.forEach((g, i) => {
    const sel = rep.selectors[i]!;
    assert.deepEqual(targets.get(g.target), { uri: rep.uri, range: sel.range });
    assert.deepEqual(targets.get(g.hookTarget), { uri: rep.uri, range: sel.hookRange });
    assert.ok(g.target.startsWith('s1-') && g.hookTarget.startsWith('s1-'));
    assert.deepEqual(
      g.rows.map((x) => x.action),
      sel.rows.map((x) => `${EVENT_ACTION}${x.id}`),
    );
    assert.equal(g.more, sel.moreRows ? `… and ${sel.moreRows} more event${sel.moreRows === 1 ? '' : 's'}` : '');
    assert.equal(g.enforcing, sel.enforcing);
  });
  assert.equal(new Set(targets.keys()).size, 4);
  assert.match(body.headline, /^3 matches would meet an enforcing action, 5 matches in all, 1 result undecided\.$/);
  assert.match(body.reading, /9 events read, 6 hook events; skipped 3 of other types, 1 unreadable \(nul-byte 1\)/);
  assert.equal(body.source, 'Events: events.jsonl');
  assert.match(body.groups[1]!.pods, /2 host processes/);
  // Hostile values are cut and lose their control characters.
  for (const text of [body.groups[0]!.rows[1]!.text, body.groups[0]!.rows[1]!.title, body.groups[0]!.binaries]) {
    assert.ok(text.length <= 401, `bounded: ${text.length}`);
    assert.doesNotMatch(text, /[\u001b\u202e]/);
  }
});

test('the dry-run body for an unreadable file, no enforcing match and no events chosen', () => {
  const failed = buildDryRunBody(report({ error: 'cannot read /w/x: no such file', selectors: [] }), 'p');
  assert.equal(failed.body.error, 'cannot read /w/x: no such file');
  assert.equal(failed.body.message, undefined);
  assert.equal(
    headlineOf(report({ enforcing: 0, unknown: 0 })),
    'No event would meet an enforcing action, 5 matches in all.',
  );
  const none = buildDryRunBody(report({ selectors: [] }), 'p').body;
  assert.match(none.message ?? '', /No selector/);
  assert.equal(noEventsBody().clearAction, '');
  assert.ok(noEventsBody().pickAction);
});

const matrix: NonNullable<KernelTargetsRequest.Result> = {
  uri: 'file:///w/p.yaml',
  documentVersion: 2,
  targets: 2,
  policies: [
    {
      kind: 'TracingPolicy',
      name: 'lsm',
      range: r(0),
      hooks: [
        { label: 'LSM hook `file_open`', range: r(6) },
        { label: 'kprobe `sys_openat`', range: r(12) },
      ],
      targets: [
        { name: 'arm64-5.4', description: 'pool arm64-5.4 (3 nodes)', nodes: 3, state: 'no' },
        { name: 'amd64-6.1', description: 'pool amd64-6.1 (2 nodes)', nodes: 2, state: 'depends' },
      ],
      cells: [
        [
          { state: 'no', reasons: ['BPF LSM programs need 5.7'] },
          { state: 'loads', reasons: [] },
        ],
        [
          { state: 'depends', reasons: ['lsm=bpf'] },
          { state: 'loads', reasons: [] },
        ],
      ],
    },
  ],
};

test('the kernel-targets body: one row per target, one cell per hook, reasons in the title', () => {
  const { body, targets } = buildKernelTargetsBody(matrix, 'k-');
  const p = body.policies[0]!;
  assert.deepEqual(
    p.hooks.map((h) => targets.get(h.target)?.range),
    matrix.policies[0]!.hooks.map((h) => h.range),
  );
  assert.deepEqual(
    p.rows.map((row) => row.cells.map((c) => c.state)),
    matrix.policies[0]!.cells.map((row) => row.map((c) => c.state)),
  );
  assert.match(p.rows[0]!.cells[0]!.title, /file_open.* on arm64-5\.4: does not load: BPF LSM programs need 5\.7/);
  assert.equal(p.summary, 'loads fully on 0 of 2 targets; does not load on arm64-5.4 (3 nodes)');
  assert.deepEqual(buildKernelTargetsBody({ ...matrix, targets: 0, policies: [] }, 'k').body.message, NO_TARGETS);
});

test('the status bar counts the targets the policy loads on', () => {
  const v = kernelStatusText(matrix)!;
  assert.equal(v.text, '$(error) Tetragon 0/2 targets');
  assert.equal(v.worst, 'no');
  assert.match(v.tooltip, /arm64-5\.4: does not load\namd64-6\.1: depends on the node configuration/);
  const fine = structuredClone(matrix);
  fine.policies[0]!.targets.forEach((t) => (t.state = 'loads'));
  assert.equal(kernelStatusText(fine)!.text, '$(check) Tetragon 2/2 targets');
  assert.equal(kernelStatusText(null), undefined);
  assert.equal(kernelStatusText({ ...matrix, targets: 0, policies: [] }), undefined);
});
