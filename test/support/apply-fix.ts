// SPDX-License-Identifier: Apache-2.0
/** Applies a rule's quick fix to a fixture, so tests can compare the whole resulting file. */
import * as assert from 'node:assert/strict';
import { applyEdits } from '../../server/src/core/yaml-edits.js';
import { lintForTest } from './annotations.js';

/**
 * Lints `text`, takes the `nth` finding with `code` (0 by default), and applies its fix whose title
 * contains `title` (or its only fix). Fails when there is no such finding or fix.
 */
export function applyFix(text: string, code: string, title?: string, nth = 0): string {
  const findings = lintForTest(text).filter((f) => f.code === code);
  const finding = findings[nth];
  assert.ok(finding, `a ${code} finding #${nth} (found ${findings.length})`);
  const fixes = finding.fixes ?? [];
  const fix = title === undefined ? fixes[0] : fixes.find((f) => f.title.includes(title));
  assert.ok(
    fix,
    `a fix${title ? ` titled "${title}"` : ''} among: ${fixes.map((f) => f.title).join('; ') || '(none)'}`,
  );
  if (title === undefined) assert.equal(fixes.length, 1, 'exactly one fix');
  return applyEdits(text, fix.edits);
}

/** The titles of the fixes of every finding with `code`. */
export function fixTitles(text: string, code: string): string[][] {
  return lintForTest(text)
    .filter((f) => f.code === code)
    .map((f) => (f.fixes ?? []).map((x) => x.title));
}
