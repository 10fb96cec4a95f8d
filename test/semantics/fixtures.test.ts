// SPDX-License-Identifier: Apache-2.0
/**
 * The engine against the oracle: every flow of every fixture (facts transcribed from Cilium's unit
 * tests and documentation examples) gets the verdict upstream expects. Expectations are written
 * in the fixture files, never computed by the engine.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { NO_SHARED } from '../support/paths.js';
import {
  decidingRules,
  fixtureEngine,
  flowOf,
  flowText,
  loadFixtureFiles,
  needsMissingShared,
} from './fixture-runner.js';

const files = loadFixtureFiles();

test('the fixture files name their upstream source and hold fixtures', () => {
  assert.ok(files.length >= 8, `found ${files.length} fixture files`);
  for (const f of files) {
    assert.match(f.upstream, /\S/, `${f.file} names its upstream file`);
    assert.ok(f.fixtures.length > 0, `${f.file} holds fixtures`);
    for (const fx of f.fixtures) {
      assert.match(fx.test, /^(Test|Case |Example|Documentation)/, `${f.file}: "${fx.test}" names an upstream test`);
      assert.ok(fx.flows.length > 0, `${f.file}: ${fx.test} has flows`);
    }
  }
});

for (const file of files) {
  for (const fx of file.fixtures) {
    const skip = needsMissingShared(fx) ? NO_SHARED : false;
    test(`${file.upstream} ${fx.test}: ${fx.about}`, { skip }, () => {
      const engine = fixtureEngine(file, fx);
      const rejected = engine.rejected();
      assert.deepEqual(
        rejected.map((r) => `${r.policy.name}: ${r.reason}`),
        [],
        'every policy of a fixture is one the agent accepts',
      );
      for (const flow of fx.flows) {
        const v = engine.evaluate(flowOf(flow));
        assert.equal(v.verdict, flow.expect, `${flowText(flow)}\n  got ${v.verdict}: ${v.reason}`);
        if (flow.code !== undefined) {
          assert.ok(
            v.unknowns.some((u) => u.code === flow.code),
            `${flowText(flow)}: reasons ${JSON.stringify(v.unknowns.map((u) => u.code))} lack ${flow.code}`,
          );
        }
        for (const want of flow.by ?? []) {
          assert.ok(
            decidingRules(v).includes(want),
            `${flowText(flow)}: deciding rules ${JSON.stringify(decidingRules(v))} lack ${want}`,
          );
        }
      }
    });
  }
}
