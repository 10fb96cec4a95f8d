// SPDX-License-Identifier: Apache-2.0
/**
 * Parse and lint in steps (what the language server spreads over several turns of its event loop):
 * the same result as in one go, pauses where a long input needs them, and an abandoned parse
 * leaves the previous one usable.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseFile, parseFileSteps, type PolicyFile } from '../../server/src/core/document.js';
import { LintCache, lintFile, lintFileSteps } from '../../server/src/lint/lint.js';
import { DEFAULT_SETTINGS } from '../../server/src/settings.js';
import { testValidator } from '../support/annotations.js';
import { REPO_ROOT } from '../support/paths.js';

/** Runs steps to the end, counting the pauses. */
function drain<T>(steps: Generator<void, T, void>): { value: T; pauses: number } {
  let pauses = 0;
  for (;;) {
    const r = steps.next();
    if (r.done) return { value: r.value, pauses };
    pauses++;
  }
}

/** What a parse says, without the `yaml` trees (compared as data). */
function summary(file: PolicyFile): unknown {
  return {
    skipped: file.skipped,
    documents: file.documents.map((d) => ({
      span: d.span,
      kind: d.kind?.kind,
      name: d.name,
      namespace: d.namespace,
      data: d.data,
      syntaxErrors: d.syntaxErrors,
      templated: d.templated,
    })),
  };
}

const examples = fs
  .readdirSync(path.join(REPO_ROOT, 'examples'))
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => fs.readFileSync(path.join(REPO_ROOT, 'examples', f), 'utf8'));

/** A long single document, like a generated allow-list. */
function allowList(entries: number): string {
  const cidrs = Array.from({ length: entries }, (_, i) => `        - 10.${(i >> 8) & 255}.${i & 255}.0/24\n`).join('');
  return `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: allow-list
spec:
  endpointSelector: {}
  egress:
    - toCIDR:
${cidrs}`;
}

test('a parse in steps gives what parseFile gives, for every example and a long allow-list', () => {
  for (const text of [...examples, allowList(3000), examples.join('\n---\n')]) {
    const stepped = drain(parseFileSteps(text));
    assert.deepEqual(summary(stepped.value), summary(parseFile(text)));
  }
});

test('a long document pauses while it is parsed, not only between documents', () => {
  const { pauses } = drain(parseFileSteps(allowList(5000)));
  // One document: every pause but the one after it falls inside its parse.
  assert.ok(pauses > 3, `only ${pauses} pauses`);
});

test('an abandoned parse leaves the previous parse as it was, and usable for the next one', () => {
  const a = examples.join('\n---\n');
  const b = `# an edit at the top\n${a}`;
  const previous = parseFile(a);
  const before = summary(previous);
  const steps = parseFileSteps(b, previous);
  for (let i = 0; i < 3; i++) steps.next(); // begun, then dropped
  assert.deepEqual(summary(previous), before, 'nothing of the previous parse moved');
  const next = parseFile(b, previous);
  assert.deepEqual(summary(next), summary(parseFile(b)));
});

test('a lint in steps gives what lintFile gives, with and without a cache, and pauses between rules', () => {
  const text = [...examples, allowList(200)].join('\n---\n');
  const file = parseFile(text);
  const ctx = { validator: testValidator(), settings: DEFAULT_SETTINGS };
  const stepped = drain(lintFileSteps(file, ctx));
  assert.deepEqual(stepped.value, lintFile(file, ctx));
  assert.ok(stepped.pauses > file.documents.length, 'pauses inside documents too');
  const cache = new LintCache();
  const warm = drain(lintFileSteps(file, { ...ctx, cache }));
  const again = drain(lintFileSteps(parseFile(`# top\n${text}`, file), { ...ctx, cache }));
  assert.deepEqual(warm.value, stepped.value);
  assert.deepEqual(again.value, lintFile(parseFile(`# top\n${text}`), ctx));
});
