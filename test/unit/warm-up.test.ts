// SPDX-License-Identifier: Apache-2.0
/**
 * The language server's warm-up sample (`server/src/lsp/warm-up.ts`) exercises what a first file
 * exercises: a document of each Cilium and Tetragon kind we validate, read as that kind, and
 * findings (the paths that build messages and fixes), with no internal error or skipped file.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { parseFile } from '../../server/src/core/document.js';
import { isValidated, KINDS } from '../../server/src/core/kinds.js';
import { lintForTest } from '../support/annotations.js';
import { WARM_UP_SAMPLE } from '../../server/src/lsp/warm-up.js';

test('the warm-up sample holds one document of each Cilium and Tetragon kind we validate', () => {
  const file = parseFile(WARM_UP_SAMPLE);
  assert.equal(file.skipped, undefined);
  const kinds = file.documents.map((d) => d.kind?.kind);
  const policyKinds = KINDS.filter((k) => isValidated(k) && (k.family === 'cilium' || k.family === 'tetragon'));
  assert.deepEqual([...kinds].sort(), policyKinds.map((k) => k.kind).sort());
});

test('the warm-up sample lints to schema and rule findings, none of them internal', () => {
  const findings = lintForTest(WARM_UP_SAMPLE);
  const codes = new Set(findings.map((f) => f.code));
  assert.ok(
    [...codes].some((c) => c.startsWith('schema/')),
    `no schema finding: ${[...codes].join(', ')}`,
  );
  assert.ok(
    [...codes].some((c) => c.startsWith('cilium/')),
    `no Cilium rule finding: ${[...codes].join(', ')}`,
  );
  assert.ok(
    [...codes].some((c) => c.startsWith('tetragon/')),
    `no Tetragon rule finding: ${[...codes].join(', ')}`,
  );
  const internal = findings.filter((f) => /internal/i.test(f.code));
  assert.deepEqual(internal, []);
});
