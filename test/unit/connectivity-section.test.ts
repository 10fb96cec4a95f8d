// SPDX-License-Identifier: Apache-2.0
/**
 * The connectivity section's body (`client/src/connectivity-section-model.ts`): one column per
 * destination port, one row per source, each cell the server's verdict with the action that
 * explains it (and none for a workload and itself), the counts, target ids that all start with the
 * section's prefix, and the explanation of a clicked cell with its rules as targets.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { buildConnectivitySection, cellAction, parseCellAction } from '../../client/src/connectivity-section-model.js';
import type { ConnectivityMatrixRequest, WireFlowVerdict } from '../../server/src/protocol.js';

const loc = (file: string, line: number) => ({
  uri: `file:///w/${file}`,
  range: { start: { line, character: 0 }, end: { line, character: 5 } },
});

const matrix: NonNullable<ConnectivityMatrixRequest.Result> = {
  uri: 'file:///w/policies/api.yaml',
  documentVersion: 3,
  policy: { kind: 'CiliumNetworkPolicy', namespace: 'shop', name: 'api', range: loc('policies/api.yaml', 2).range },
  endpoints: [
    {
      ref: 'shop/api',
      kind: 'Deployment',
      namespace: 'shop',
      name: 'api',
      local: true,
      location: loc('w.yaml', 10),
      ports: [
        { port: 8080, protocol: 'TCP', name: 'http' },
        { port: 9090, protocol: 'TCP' },
      ],
    },
    { ref: 'shop/web', kind: 'Deployment', namespace: 'shop', name: 'web', local: true, ports: [] },
    {
      ref: 'ops/mon',
      kind: 'Deployment',
      namespace: 'ops',
      name: 'mon\u202e<b>x</b>',
      local: false,
      ports: [{ port: 53, protocol: 'UDP' }],
    },
  ],
  cells: [
    { from: 1, to: 0, port: 8080, protocol: 'TCP', verdict: 'allow' },
    { from: 1, to: 0, port: 9090, protocol: 'TCP', verdict: 'deny' },
    { from: 2, to: 0, port: 8080, protocol: 'TCP', verdict: 'unknown' },
    { from: 2, to: 0, port: 9090, protocol: 'TCP', verdict: 'deny' },
    { from: 0, to: 2, port: 53, protocol: 'UDP', verdict: 'allow' },
    { from: 1, to: 2, port: 53, protocol: 'UDP', verdict: 'deny' },
  ],
  context: { policies: 'the workspace (5 files)', inventory: 'workspace', agent: "Cilium's defaults" },
};

test('the grid: a column per destination port, a row per source, the verdicts and their counts', () => {
  const { body, targets } = buildConnectivitySection(matrix, 's1:');
  assert.deepEqual(
    body.destinations.map((d) => [d.text, d.span, d.local]),
    [
      ['api', 2, true],
      ['ops/mon <b>x</b>', 1, false],
    ],
  );
  assert.deepEqual(
    body.ports.map((p) => p.text),
    ['http', '9090', '53'],
  );
  assert.deepEqual(
    body.rows.map((r) => r.cells.map((c) => c.verdict)),
    [
      ['self', 'self', 'allow'],
      ['allow', 'deny', 'deny'],
      ['unknown', 'deny', 'self'],
    ],
  );
  assert.deepEqual(body.counts, { allow: 2, deny: 3, unknown: 1 });
  assert.equal(body.rows[0]!.cells[0]!.action, undefined, 'a workload and itself: no action');
  const a = body.rows[1]!.cells[1]!.action!;
  assert.deepEqual(parseCellAction(a), { from: 1, to: 0, port: 9090, protocol: 'TCP' });
  assert.ok(a.length <= 64, 'action ids fit the webview message limit');
  for (const id of targets.keys()) assert.ok(id.startsWith('s1:'), id);
  assert.equal(targets.get(body.rows[0]!.target!)?.uri, 'file:///w/w.yaml');
  assert.match(body.summary, /2 workloads of shop and 1 peer/);
  assert.equal(body.detail, undefined);
  assert.equal(parseCellAction('cell:1:2:x:TCP'), undefined);
  assert.equal(parseCellAction(cellAction({ from: 3, to: 4, port: 53, protocol: 'UDP' }))?.port, 53);
});

test('a clicked cell is explained: both directions and its rules as targets', () => {
  const verdict: WireFlowVerdict = {
    verdict: 'deny',
    reason: 'web cannot reach api on TCP/9090',
    source: 'shop/web',
    destination: 'shop/api',
    port: 'TCP/9090',
    egress: {
      verdict: 'allow',
      state: 'not-enforced',
      reason: 'nothing selects it',
      by: [],
      defaultDenyBy: [],
      unknowns: [],
    },
    ingress: {
      verdict: 'deny',
      state: 'default-deny',
      reason: 'no rule allows it',
      by: [],
      defaultDenyBy: [
        {
          kind: 'CiliumNetworkPolicy',
          namespace: 'shop',
          name: 'api',
          file: 'policies/api.yaml',
          line: 10,
          location: loc('policies/api.yaml', 9),
        },
      ],
      unknowns: [],
    },
    unknowns: [],
  };
  const { body, targets } = buildConnectivitySection(matrix, 's1:', {
    key: { from: 1, to: 0, port: 9090, protocol: 'TCP' },
    verdict,
  });
  assert.equal(body.rows[1]!.cells[1]!.selected, true);
  assert.equal(body.detail?.verdict, 'deny');
  assert.equal(body.detail?.heading, 'web → api on 9090/TCP');
  const rule = body.detail!.lines.find((l) => l.rule)!;
  assert.match(rule.text, /default-deny by CiliumNetworkPolicy shop\/api \(policies\/api\.yaml:10\)/);
  assert.equal(targets.get(rule.target!)?.range.start.line, 9);
  const notJudged = buildConnectivitySection(matrix, 's1:', {
    key: { from: 1, to: 0, port: 9090, protocol: 'TCP' },
    verdict: null,
    problem: 'workload gone',
  });
  assert.equal(notJudged.body.detail?.reason, 'workload gone');
});
