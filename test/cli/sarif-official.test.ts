// SPDX-License-Identifier: Apache-2.0
/**
 * `lint --format sarif` validated against the official SARIF 2.1.0 JSON Schema (kept as test data
 * in test/fixtures/sarif, see its README), on our examples, on standard input and, when present,
 * on the upstream corpus, so the output is what GitHub code scanning's validator expects.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv-draft-04';
import { REPO_ROOT, shared } from '../support/paths.js';
import { runCli } from './run-cli.js';

const schema = JSON.parse(
  fs.readFileSync(path.join(REPO_ROOT, 'test/fixtures/sarif/sarif-2.1.0-rtm.5.json'), 'utf8'),
) as object;
// The schema's `language` pattern has a stray `]` that only non-Unicode regular expressions accept.
const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
// The schema's formats, checked the way SARIF consumers parse them.
ajv.addFormat('uri', (s: string) => /^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(s) && !/\s/.test(s));
ajv.addFormat('uri-reference', (s: string) => !/\s/.test(s));
ajv.addFormat('date-time', (s: string) => !Number.isNaN(Date.parse(s)));
const validate = ajv.compile(schema);

function check(args: readonly string[], input?: string): number {
  const r = runCli(['lint', '--format', 'sarif', ...args], input === undefined ? {} : { input });
  assert.ok(r.status === 0 || r.status === 1, `exit ${r.status}: ${r.stderr}`);
  const log = JSON.parse(r.stdout) as { runs: { results: unknown[] }[] };
  const ok = validate(log);
  assert.ok(ok, JSON.stringify(validate.errors?.slice(0, 5), null, 2));
  return log.runs[0]!.results.length;
}

test('the SARIF log for the examples folder is valid against the official 2.1.0 schema', () => {
  const results = check(['examples']);
  assert.ok(results > 0, 'the broken examples produce results');
});

test('a SARIF log for standard input is valid too', () => {
  check(
    ['-'],
    'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: x\nspec:\n  endpointSelectr: {}\n',
  );
});

test('the SARIF log for the upstream corpus is valid', (t) => {
  const corpus = shared('upstream', 'examples');
  if (!corpus) {
    t.skip('../shared not found: upstream corpus skipped');
    return;
  }
  check([corpus]);
});

test('the official schema rejects a broken log (the check can fail)', () => {
  const r = runCli(['lint', '--format', 'sarif', 'examples']);
  const log = JSON.parse(r.stdout) as { version: string; runs: { results: { level: string }[] }[] };
  log.runs[0]!.results[0]!.level = 'fatal';
  assert.equal(validate(log), false);
});
