// SPDX-License-Identifier: Apache-2.0
/**
 * Runs the dry-run fixtures transcribed from Tetragon's own tests (test/fixtures/dryrun/*.yaml)
 * through the engine, in both JSON spellings of the events, and counts them per upstream file.
 * Every event must get the fixture's answer (`unknown` only where the fixture says so).
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { parseFile } from '../../server/src/core/document.js';
import { lowerCamel } from '../../server/src/core/tetragon/events.js';
import { DryRun, type AgentOptions, type DryRunResult } from '../../server/src/dryrun/index.js';
import { REPO_ROOT } from '../support/paths.js';

interface FixtureEvent {
  expect: 'match' | 'no-match' | 'unknown';
  asserted: boolean;
  event: unknown;
  selector?: number;
  actions?: string[];
  rateLimited?: boolean;
  why?: string;
}

interface FixtureCase {
  test: string;
  does: string;
  policy: string;
  agent?: AgentOptions;
  refused?: boolean;
  longPath?: boolean;
  events?: FixtureEvent[];
}

interface FixtureFile {
  upstream: string;
  commit: string;
  cases: FixtureCase[];
}

const DIR = path.join(REPO_ROOT, 'test/fixtures/dryrun');
const FILES = fs
  .readdirSync(DIR)
  .filter((f) => f.endsWith('.yaml'))
  .sort()
  .map((f) => ({
    name: f,
    data: parse(fs.readFileSync(path.join(DIR, f), 'utf8'), { merge: true, maxAliasCount: -1 }) as FixtureFile,
  }));

/** A path of about 3,840 characters, as TestKprobeMatchBinariesLargePath builds one. */
const LONG = Array.from({ length: 15 }, () => 'a'.repeat(255)).join('/');

/** Maps whose keys are data (labels), not field names. */
const DATA_MAPS = new Set(['pod_labels', 'pod_annotations', 'node_labels']);

/** The same event with every field name in protobuf's lowerCamelCase JSON spelling. */
function camel(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(camel);
  if (v === null || typeof v !== 'object') return v;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [lowerCamel(k), DATA_MAPS.has(k) ? x : camel(x)]));
}

function run(c: FixtureCase, lines: string[]): { dr: DryRun; results: DryRunResult[][] } {
  const file = parseFile(c.policy);
  const dr = new DryRun(
    file.documents.map((doc) => ({ file: c.test, text: c.policy, doc })),
    c.agent ?? {},
  );
  return { dr, results: lines.map((l, i) => dr.feedLine(l, i + 1)) };
}

const counts = new Map<string, { cases: number; events: number; asserted: number; decided: number }>();

for (const { name, data } of FILES) {
  test(`fixtures of ${data.upstream} (${name})`, () => {
    assert.match(data.commit, /^[0-9a-f]{40}$/);
    // Several fixture files may transcribe one upstream file: their counts add up.
    const tally = counts.get(data.upstream) ?? { cases: 0, events: 0, asserted: 0, decided: 0 };
    counts.set(data.upstream, tally);
    for (const c of data.cases) {
      tally.cases++;
      const events = c.events ?? [];
      const lines = events.map((e) => JSON.stringify(e.event).replaceAll('{LONG}', LONG));
      const snake = run(c, lines);
      assert.equal(snake.dr.policies.length, 1, `${c.test}: the policy compiles`);
      if (c.refused) assert.ok(snake.dr.policies[0]!.refused.length > 0, `${c.test}: the agent refuses this policy`);
      else assert.deepEqual(snake.dr.policies[0]!.refused, [], `${c.test}: the agent accepts this policy`);
      // The same events in lowerCamelCase give the same answers.
      const camelRun = run(
        c,
        events.map((e) => JSON.stringify(camel(e.event)).replaceAll('{LONG}', LONG)),
      );
      const plain = (rs: DryRunResult[][]) => rs.map((r) => r.map((x) => ({ ...x, reason: x.reason })));
      assert.deepEqual(plain(camelRun.results), plain(snake.results), `${c.test}: both JSON spellings read alike`);
      events.forEach((e, i) => {
        tally.events++;
        if (e.asserted) tally.asserted++;
        const rs = snake.results[i]!;
        const where = `${c.test}, event ${i + 1}${e.why ? ` (${e.why})` : ''}`;
        assert.equal(rs.length, 1, `${where}: one candidate hook`);
        const r = rs[0]!;
        assert.equal(r.match, e.expect, `${where}: ${r.reason}`);
        tally.decided++;
        if (e.selector !== undefined) assert.equal(r.selector, e.selector, `${where}: selector`);
        if (e.actions)
          assert.deepEqual(
            r.actions.map((a) => a.action),
            e.actions,
            `${where}: actions`,
          );
        if (e.rateLimited !== undefined)
          assert.equal(r.actions.find((a) => a.action === 'Post')?.rateLimited, e.rateLimited, `${where}: rateLimited`);
        if (r.match === 'match') {
          assert.equal(typeof r.selectorLine === 'number' || r.selector === undefined, true);
        }
      });
    }
  });
}

test('fixture counts per upstream test file', (t) => {
  assert.ok(FILES.length >= 13, `${FILES.length} fixture files`);
  let cases = 0;
  let events = 0;
  for (const [file, c] of counts) {
    cases += c.cases;
    events += c.events;
    t.diagnostic(
      `${file}: ${c.cases} tests, ${c.events} events (${c.asserted} checked by the upstream test), ${c.decided} decided`,
    );
  }
  assert.ok(cases >= 150, `${cases} cases`);
  assert.ok(events >= 320, `${events} events`);
});
