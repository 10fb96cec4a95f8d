// SPDX-License-Identifier: Apache-2.0
/** `--cilium-version`: a Kafka rule is accepted by Cilium 1.19 and rejected by 1.20, which the message names. */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { NO_SHARED, shared } from '../support/paths.js';
import { runCli, runJson } from './run-cli.js';

const kafka = shared('upstream', 'examples', 'cilium-removed-kafka', 'policies', 'l7', 'kafka', 'kafka.yaml');

test('--cilium-version 1.19 accepts a kafka rule that 1.20 rejects, naming the version', (t) => {
  if (!kafka || !fs.existsSync(kafka)) {
    t.skip(NO_SHARED);
    return;
  }
  const old = runJson(['--cilium-version', '1.19', kafka]);
  assert.equal(old.status, 0, JSON.stringify(old.findings));
  assert.deepEqual(
    old.findings.filter((f) => f.severity === 'error'),
    [],
  );
  // The `=` form and a patch release work the same.
  assert.equal(runCli(['lint', '--cilium-version=1.19.4', kafka]).status, 0);

  const now = runJson([kafka]);
  assert.equal(now.status, 1);
  const kafkaFindings = now.findings.filter((f) => f.severity === 'error' && /kafka/.test(f.message));
  assert.ok(kafkaFindings.length > 0, JSON.stringify(now.findings));
  assert.ok(
    kafkaFindings.some((f) => /1\.20/.test(f.message) && /1\.19/.test(f.message)),
    `the message names the versions: ${kafkaFindings.map((f) => f.message).join(' | ')}`,
  );
  const explicit = runJson(['--cilium-version', '1.20', kafka]);
  assert.deepEqual(explicit.findings, now.findings, '1.20 is the default');
});
