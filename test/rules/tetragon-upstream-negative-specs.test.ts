// SPDX-License-Identifier: Apache-2.0
/**
 * Tetragon's own test suite has specs that must fail to load on a real kernel (wrong argument
 * index or type, no such call, not a syscall). Each must be flagged on the line that is wrong.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { lintForTest } from '../support/annotations.js';
import { LineIndex } from '../../server/src/core/line-index.js';
import { NO_SHARED, shared } from '../support/paths.js';
import type { Finding } from '../../server/src/core/findings.js';

/** Spec → the 1-based line that must carry a finding, and the rules allowed to flag it. */
const EXPECTED: Readonly<Record<string, { line: number; codes: readonly string[] }>> = {
  nosuchcall: { line: 7, codes: ['tetragon/unknown-syscall'] },
  notasyscall: { line: 7, codes: ['tetragon/unknown-syscall'] },
  // Index 100: refused as above 4 (arg-limits), whatever the function's arity.
  wrongargindex: { line: 10, codes: ['tetragon/arg-limits'] },
  wrongargtype: { line: 11, codes: ['tetragon/kernel-arg-type'] },
  syswrongargindex: { line: 10, codes: ['tetragon/arg-limits'] },
  syswrongargtype: { line: 11, codes: ['tetragon/kernel-arg-type'] },
};

test('every negative upstream spec is flagged at the right line', (t) => {
  const dir = shared('upstream', 'examples', 'tetragon-other', 'testdata', 'specs');
  if (!dir || !fs.existsSync(dir)) {
    t.skip(NO_SHARED);
    return;
  }
  let flagged = 0;
  const misses: string[] = [];
  for (const [name, want] of Object.entries(EXPECTED)) {
    const text = fs.readFileSync(`${dir}/${name}.yaml`, 'utf8');
    const lines = new LineIndex(text);
    const found = lintForTest(text).filter(
      (f) => want.codes.includes(f.code) && (f.severity === 'error' || f.severity === 'warning'),
    );
    if (found.some((f) => lines.positionAt(f.span.start).line + 1 === want.line)) flagged++;
    else
      misses.push(
        `${name}: ${found.map((f) => `${lines.positionAt(f.span.start).line + 1} ${f.code}`).join(', ') || 'nothing found'}`,
      );
  }
  console.log(`negative specs: ${flagged}/${Object.keys(EXPECTED).length} flagged`);
  assert.deepEqual(misses, []);
});

test('their positive counterparts stay clean of these rules', (t) => {
  const dir = shared('upstream', 'examples', 'tetragon-other', 'testdata', 'specs');
  if (!dir || !fs.existsSync(dir)) {
    t.skip(NO_SHARED);
    return;
  }
  for (const name of ['lseek', 'syslseek']) {
    const text: string = fs.readFileSync(`${dir}/${name}.yaml`, 'utf8');
    const mine: Finding[] = lintForTest(text).filter((f: Finding) => /^tetragon\/(unknown-|kernel-)/.test(f.code));
    assert.deepEqual(
      mine.map((f: Finding) => f.message),
      [],
      name,
    );
  }
});
