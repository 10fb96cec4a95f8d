// SPDX-License-Identifier: Apache-2.0
/**
 * The summary line counts every document the run reported on as a policy: one of our kinds, also
 * when its `apiVersion` is missing or wrong (it gets a finding, so it was checked), and a templated one.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { parseSummary, runCli } from './run-cli.js';

test('a policy without apiVersion, with a wrong one, or as an unreadable template counts as a checked policy document', () => {
  const input = [
    'kind: CiliumNetworkPolicy\nmetadata:\n  name: a\nspec:\n  endpointSelector: {}\n',
    'apiVersion: cilium.io/v1\nkind: TracingPolicy\nmetadata:\n  name: b\nspec: {}\n',
    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n',
    '{{ if .Values.on }}\napiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: d\n{{ end }}\n',
  ].join('---\n');
  const r = runCli(['lint', '-'], { input });
  const summary = parseSummary(r.stderr);
  assert.equal(summary.errors, 2, r.stdout + r.stderr);
  assert.equal(summary.documents, 3, 'the three policies were reported on, the ConfigMap is not a policy');
  assert.match(r.stdout, /document\/templated/);
});
