// SPDX-License-Identifier: Apache-2.0
/**
 * The Cilium agent's own unit tests as the oracle: the policies they accept and reject, transcribed
 * as data under test/fixtures/cilium/pkg-*.yaml (each case naming the upstream file and test
 * function), linted here with the release they were written for. A case the agent (or the API
 * server) rejects must get at least one error finding; a case it accepts must get none.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from '../support/paths.js';
import { lintForTest } from '../support/annotations.js';
import { DEFAULT_SETTINGS, normalizeSettings } from '../../server/src/settings.js';

interface FixtureCase {
  readonly test: string;
  readonly case: string;
  readonly verdict: 'accepted' | 'rejected';
  readonly ciliumVersion?: string;
  readonly policy: string;
}

interface FixtureFile {
  readonly upstream: { readonly repo: string; readonly file: string };
  readonly cases: readonly FixtureCase[];
}

const DIR = path.join(REPO_ROOT, 'test', 'fixtures', 'cilium');
const FILES = fs
  .readdirSync(DIR)
  .filter((f) => f.startsWith('pkg-') && f.endsWith('.yaml'))
  .sort();

function load(name: string): FixtureFile {
  const data = parse(fs.readFileSync(path.join(DIR, name), 'utf8')) as FixtureFile;
  assert.ok(data?.upstream?.file && data.upstream.repo, `${name}: names its upstream file`);
  const cases: readonly FixtureCase[] = data.cases;
  assert.ok(Array.isArray(cases) && cases.length > 0, `${name}: has cases`);
  for (const c of data.cases) {
    assert.ok(/^(Test|Benchmark)\w+$/.test(c.test), `${name}: "${c.case}" names its upstream test function`);
    assert.ok(c.verdict === 'accepted' || c.verdict === 'rejected', `${name}: "${c.case}" has a verdict`);
    assert.equal(typeof c.policy, 'string', `${name}: "${c.case}" has a policy`);
  }
  return data;
}

test('the fixtures cover the upstream test files, with accepted and rejected cases', (t) => {
  assert.ok(FILES.length >= 8, `fixture files: ${FILES.join(', ')}`);
  let total = 0;
  for (const name of FILES) {
    const { upstream, cases } = load(name);
    const accepted = cases.filter((c) => c.verdict === 'accepted').length;
    total += cases.length;
    t.diagnostic(`${upstream.file}: ${cases.length} cases (${accepted} accepted, ${cases.length - accepted} rejected)`);
  }
  t.diagnostic(`${total} cases in ${FILES.length} files`);
});

for (const name of FILES) {
  test(`the verdicts of ${name} are the agent's`, () => {
    const { upstream, cases } = load(name);
    const wrong: string[] = [];
    for (const c of cases) {
      const settings = c.ciliumVersion ? normalizeSettings({ ciliumVersion: c.ciliumVersion }) : DEFAULT_SETTINGS;
      const errors = lintForTest(c.policy, settings).filter((f) => f.severity === 'error');
      if (c.verdict === 'rejected' && errors.length === 0) {
        wrong.push(`${c.test} / ${c.case}: rejected upstream, but no error was reported`);
      }
      if (c.verdict === 'accepted' && errors.length > 0) {
        wrong.push(
          `${c.test} / ${c.case}: accepted upstream, but got ${errors.map((e) => `${e.code} (${e.message})`).join('; ')}`,
        );
      }
    }
    assert.deepEqual(wrong, [], `${upstream.file}:\n${wrong.join('\n')}`);
  });
}
