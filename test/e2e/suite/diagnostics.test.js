// SPDX-License-Identifier: Apache-2.0
// @ts-check
// Diagnostics in a real VS Code: one broken policy of each of the six kinds gets its finding at
// the offending token, from our source, with our code; a Deployment next to policies gets none.
'use strict';

const assert = require('node:assert/strict');
const vscode = require('vscode');
const { BROKEN, MIXED, locate } = require('../lib/expectations.js');
const h = require('./helpers.js');

describe('diagnostics', () => {
  for (const fx of BROKEN) {
    it(`reports ${fx.code} on \`${fx.bad}\` in a ${fx.kind}`, async () => {
      const { doc } = await h.openFixture(fx.file);
      const all = await h.waitForCode(doc.uri, fx.code);
      const start = locate(doc.getText(), fx.needle, fx.bad);
      const hit = all.find(
        (d) => d.source === h.SOURCE && h.codeOf(d) === fx.code && d.range.start.line === start.line,
      );
      assert.ok(hit, `no ${fx.code} on line ${start.line}: ${h.describeDiagnostics(all)}`);
      assert.deepEqual(h.pos(hit.range.start), start);
      assert.deepEqual(h.pos(hit.range.end), { line: start.line, character: start.character + fx.bad.length });
      assert.equal(hit.severity, vscode.DiagnosticSeverity.Error);
      assert.ok(hit.message.length > 0);
    });
  }

  it('leaves the Deployment of a multi-document file alone and reports on the policies after it', async () => {
    const { doc } = await h.openFixture(MIXED.file);
    const text = doc.getText();
    const all = await h.waitForDiagnostics(
      doc.uri,
      (ds) =>
        MIXED.expected.every((e) =>
          ds.some((d) => h.codeOf(d) === e.code && d.range.start.line === locate(text, e.needle, e.bad).line),
        ),
      'the findings of both policies',
    );
    // The Deployment ends at the first document marker.
    const firstMarker = text.split('\n').indexOf('---');
    assert.ok(firstMarker > 0, 'the fixture starts with a Deployment');
    const inDeployment = all.filter((d) => d.range.start.line < firstMarker);
    assert.deepEqual(inDeployment, [], `diagnostics inside the Deployment: ${h.describeDiagnostics(inDeployment)}`);
    for (const e of MIXED.expected) {
      const at = locate(text, e.needle, e.bad);
      const hit = all.find((d) => h.codeOf(d) === e.code && d.range.start.line === at.line);
      assert.ok(hit, `${e.code} at line ${at.line}`);
      assert.equal(hit.source, h.SOURCE);
      assert.deepEqual(h.pos(hit.range.start), at);
    }
  });
});
