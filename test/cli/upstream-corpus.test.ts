// SPDX-License-Identifier: Apache-2.0
/**
 * The CLI over the whole upstream examples corpus, in one process: only the files upstream's own
 * CRDs reject (and Tetragon's negative specs) may have errors. Prints files, policy documents and files per second (no speed assertion).
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { NO_SHARED, shared, yamlFilesUnder } from '../support/paths.js';
import { parseSummary, runCli, TEXT_LINE } from './run-cli.js';

test('the CLI lints the upstream examples corpus; only known-invalid files have errors', (t) => {
  const root = shared('upstream');
  if (!root || !fs.existsSync(path.join(root, 'examples'))) {
    t.skip(NO_SHARED);
    return;
  }
  const examples = path.join(root, 'examples');
  const knownInvalid = new Set(
    [...fs.readFileSync(path.join(root, 'KNOWN-INVALID.md'), 'utf8').matchAll(/^\|\s*`(examples\/[^`]+)`/gm)].map((m) =>
      path.join(root, m[1]!),
    ),
  );
  assert.ok(knownInvalid.size > 0, 'KNOWN-INVALID.md lists files');
  // Tetragon's negative load-time specs (PROVENANCE.md) pass the CRD but fail in the agent, so a
  // rule may rightly flag them.
  for (const name of [
    'wrongargtype',
    'wrongargindex',
    'syswrongargtype',
    'syswrongargindex',
    'nosuchcall',
    'notasyscall',
  ]) {
    knownInvalid.add(path.join(examples, 'tetragon-other', 'testdata', 'specs', `${name}.yaml`));
  }
  // An example the agent's own code refuses (a `list:` compared with a uint64, not a syscall64,
  // argument: listReader.Read); test/unit/upstream-examples.test.ts checks that it is flagged.
  knownInvalid.add(path.join(examples, 'tetragon', 'list-syscalls-tracepoint.yaml'));
  const r = runCli(['lint', examples]);
  assert.ok(r.status === 0 || r.status === 1, `no crash, no I/O failure: status ${r.status}: ${r.stderr}`);
  const summary = parseSummary(r.stderr);
  assert.equal(summary.files, yamlFilesUnder(examples).length, 'every YAML file is read');
  const withErrors = new Set<string>();
  for (const line of r.stdout.split('\n').filter(Boolean)) {
    const m = TEXT_LINE.exec(line);
    assert.ok(m, `a text line: ${line}`);
    if (m[4] === 'error') withErrors.add(m[1]!);
  }
  const unexpected = [...withErrors].filter((f) => !knownInvalid.has(f));
  assert.deepEqual(unexpected, [], 'no false positives');
  const seconds = r.ms / 1000;
  const rate = summary.files / seconds;
  const report = `upstream corpus via CLI: ${summary.files} files, ${summary.documents} policy documents, ${withErrors.size} files with errors, ${seconds.toFixed(2)} s, ${rate.toFixed(0)} files/s (process start included)`;
  console.log(report);
  t.diagnostic(report);
});
