// SPDX-License-Identifier: Apache-2.0
/** Every registered rule is well-formed, documented, tested, and its examples behave as documented. */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RULES } from '../../server/src/lint/registry.js';
import { rulesMarkdown } from '../../server/src/lint/docs.js';
import { REPO_ROOT } from '../support/paths.js';
import { lintForTest, testValidator } from '../support/annotations.js';
import type { Rule } from '../../server/src/lint/rule.js';
import { parseFile } from '../../server/src/core/document.js';
import { lintFile } from '../../server/src/lint/lint.js';
import { EndpointIndex } from '../../server/src/core/preview.js';
import { inventoryFromManifests } from '../../server/src/core/inventory.js';
import { DEFAULT_SETTINGS, normalizeSettings } from '../../server/src/settings.js';
import { describedBinaries } from '../support/usdt-binary.js';

/**
 * Lints a documented example; rules about what selectors match get the example's own workloads as
 * inventory, rules about binaries the binary their documentation describes.
 */
function lintExample(r: Rule, text: string) {
  const settings = r.exampleSettings ? normalizeSettings(r.exampleSettings) : DEFAULT_SETTINGS;
  if (r.exampleBinary) return lintForTest(text, settings, { binaries: describedBinaries(r.exampleBinary) });
  if (!r.requiresInventory) return lintForTest(text, settings);
  const inventory = new EndpointIndex(inventoryFromManifests([{ uri: 'example.yaml', text }]));
  return lintFile(parseFile(text), { validator: testValidator(), settings, inventory });
}

/**
 * The severity contract (docs/rules.md): an `error` promises that the API server or the agent
 * refuses the policy, so every error rule names the code path that does, and the releases.
 */
test('each error rule names the code path that rejects what it reports', () => {
  const errorRules = RULES.filter((r) => r.defaultSeverity === 'error');
  assert.ok(errorRules.length > 30, `error rules: ${errorRules.length}`);
  for (const r of errorRules) {
    assert.ok(r.rejectedBy?.length, `${r.id}: name the agent code path in rejectedBy`);
    for (const s of r.rejectedBy ?? []) {
      assert.match(s.repo, /^[a-z0-9-]+\/[a-z0-9-]+$/, `${r.id}: repository`);
      assert.ok(s.file.length > 3 && s.func.length > 1, `${r.id}: file and function`);
      assert.match(s.releases, /^(Cilium|Tetragon|Kubernetes) \d+\.\d+/, `${r.id}: release range`);
    }
  }
});

test('rule ids are unique, prefixed, kebab-case and sorted', () => {
  const ids = RULES.map((r) => r.id);
  assert.equal(new Set(ids).size, ids.length);
  for (const id of ids) assert.match(id, /^(cilium|tetragon)\/[a-z0-9]+(-[a-z0-9]+)*$/);
  assert.deepEqual(ids, [...ids].sort());
});

test('each rule has its own source file and test file', () => {
  for (const r of RULES) {
    const base = r.id.replace('/', '-');
    assert.ok(
      fs.existsSync(path.join(REPO_ROOT, 'server/src/lint/rules', `${base}.ts`)),
      `server/src/lint/rules/${base}.ts`,
    );
    assert.ok(fs.existsSync(path.join(REPO_ROOT, 'test/rules', `${base}.test.ts`)), `test/rules/${base}.test.ts`);
  }
});

test('each rule documents itself', () => {
  for (const r of RULES) {
    assert.ok(r.summary.length > 20 && r.summary.endsWith('.'), `${r.id}: summary is a sentence`);
    assert.ok(r.rationale.length > 40, `${r.id}: rationale`);
    assert.ok(r.kinds.length > 0, `${r.id}: kinds`);
  }
});

test("each rule's documented bad example triggers it and the good one does not", () => {
  for (const r of RULES) {
    const bad = lintExample(r, r.example.bad).filter((f) => f.code === r.id);
    assert.ok(bad.length > 0, `${r.id}: the bad example is flagged`);
    const good = lintExample(r, r.example.good);
    assert.deepEqual(
      good.filter((f) => f.code === r.id || f.severity === 'error').map((f) => `${f.code}: ${f.message}`),
      [],
      `${r.id}: the good example is clean`,
    );
  }
});

test('docs/rules.md is up to date (run `npm run docs:rules`)', () => {
  const file = path.join(REPO_ROOT, 'docs/rules.md');
  const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  assert.equal(current, rulesMarkdown(RULES), 'docs/rules.md is stale: run `npm run docs:rules`');
});
