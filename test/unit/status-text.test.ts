// SPDX-License-Identifier: Apache-2.0
/** The status bar wording, checked without an editor (the item itself is a thin wrapper). */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { kindSummary, statusView } from '../../client/src/status-text.js';
import type { DocumentStatusNotification, PolicyDocumentStatus } from '../../server/src/protocol.js';

function policy(
  kind: string,
  errors = 0,
  warnings = 0,
  extra: Partial<PolicyDocumentStatus> = {},
): PolicyDocumentStatus {
  const range = { start: { line: 0, character: 0 }, end: { line: 5, character: 0 } };
  return { kind, range, errors, warnings, skipped: false, ...extra };
}

function params(policies: PolicyDocumentStatus[], skippedReason?: string): DocumentStatusNotification.Params {
  return { uri: 'file:///p.yaml', version: 1, policies, ...(skippedReason ? { skippedReason } : {}) };
}

test('hidden when the file holds no policy', () => {
  assert.equal(statusView(undefined), undefined);
  assert.equal(statusView(params([])), undefined);
});

test('kinds are abbreviated, counted and kept in file order', () => {
  assert.equal(kindSummary([policy('CiliumNetworkPolicy')]), 'CNP');
  assert.equal(
    kindSummary([policy('CiliumNetworkPolicy'), policy('CiliumEnvoyConfig'), policy('CiliumNetworkPolicy')]),
    'CNP ×2, CEC',
  );
  assert.equal(kindSummary([policy('TracingPolicyNamespaced'), policy('Unknown')]), 'TPN, Unknown');
});

test('the verdict shows errors first, then skipped, then warnings, else a check', () => {
  assert.equal(statusView(params([policy('CiliumNetworkPolicy')]))?.text, '$(shield) CNP $(check)');
  const bad = statusView(params([policy('CiliumNetworkPolicy', 1, 3), policy('CiliumNetworkPolicy', 1)]));
  assert.equal(bad?.text, '$(shield) CNP ×2 $(error) 2');
  assert.equal(bad?.level, 'error');
  assert.equal(statusView(params([policy('TracingPolicy', 0, 2)]))?.text, '$(shield) TP $(warning) 2');
  const skipped = statusView(params([policy('CiliumNetworkPolicy', 0, 0, { skipped: true })]));
  assert.equal(skipped?.level, 'skipped');
  assert.match(skipped?.tooltip ?? '', /not validated/);
});

test('the tooltip lists each document with its name, line and verdict', () => {
  const view = statusView(
    params([
      policy('CiliumNetworkPolicy', 0, 0, { name: 'allow_web', namespace: 'prod' }),
      policy('CiliumEnvoyConfig', 2, 1, {
        range: { start: { line: 9, character: 0 }, end: { line: 20, character: 0 } },
      }),
    ]),
  );
  const tooltip = view?.tooltip ?? '';
  assert.match(tooltip, /2 policy documents/);
  assert.match(tooltip, /\*\*CiliumNetworkPolicy\*\* `prod\/allow_web` \(line 1\): \$\(check\) valid/);
  assert.match(tooltip, /\*\*CiliumEnvoyConfig\*\* \(line 10\): \$\(error\) 2 errors, 1 warning/);
  assert.match(view?.accessibilityLabel ?? '', /CNP, CEC, 2 errors/);
});
