// SPDX-License-Identifier: Apache-2.0
/**
 * Zero false positives on upstream examples: every policy file in ../shared/upstream/examples lints
 * without an error, except the files KNOWN-INVALID.md lists (which must be flagged, and accepted by
 * the release that still accepts them) and Tetragon's negative load-time specs.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseFile } from '../../server/src/core/document.js';
import { lintFile } from '../../server/src/lint/lint.js';
import { SchemaValidator } from '../../server/src/core/schema-validation.js';
import { LineIndex } from '../../server/src/core/line-index.js';
import { DEFAULT_SETTINGS, type Settings } from '../../server/src/settings.js';
import { loadSchemaFiles } from '../../server/src/io/schema-files.js';
import { NO_SHARED, shared, yamlFilesUnder } from '../support/paths.js';

const validator = new SchemaValidator(loadSchemaFiles());

/** Files (relative to upstream/) that upstream's own CRDs reject, read from KNOWN-INVALID.md. */
function knownInvalid(): Map<string, string> {
  const md = fs.readFileSync(shared('upstream', 'KNOWN-INVALID.md')!, 'utf8');
  const out = new Map<string, string>();
  for (const line of md.split('\n')) {
    const m = /^\|\s*`(examples\/[^`]+)`\s*\|[^|]*\|\s*([^|]*)\|/.exec(line);
    if (m) out.set(m[1]!, m[2]!.trim());
  }
  return out;
}

/**
 * Where KNOWN-INVALID.md names a release that rejects the file too, the release that accepts it, from
 * the release history (the CRD of that release): `fromRequires` entries are refused from 1.19 on
 * (the 1.19.0 CRD limits the list to 0 items, as 1.20 does), not only from 1.20.
 */
const VALID_FOR_CORRECTIONS: Record<string, string> = {
  'examples/cilium/policies/l3/requires/requires.yaml': 'Cilium 1.18 and older',
};

/** Tetragon specs that upstream's tests expect to fail when an agent loads them (PROVENANCE.md). */
const NEGATIVE_SPECS = new Set(
  ['wrongargtype', 'wrongargindex', 'syswrongargtype', 'syswrongargindex', 'nosuchcall', 'notasyscall'].map(
    (n) => `examples/tetragon-other/testdata/specs/${n}.yaml`,
  ),
);

/**
 * Examples the CRD admits but the agent's own code refuses, found by the Tetragon audit (issue 13):
 * file → the rule that must flag it. `list-syscalls-tracepoint.yaml` compares a `list:` of syscalls
 * with a `uint64` argument; the agent's list reader (pkg/sensors/tracing/lists_linux.go,
 * `listReader.Read`) accepts only `syscall64`, as Tetragon's own docs and tests write it.
 */
const AGENT_REJECTS: ReadonlyMap<string, string> = new Map([
  ['examples/tetragon/list-syscalls-tracepoint.yaml', 'tetragon/match-values'],
]);

function lint(file: string, settings: Settings = DEFAULT_SETTINGS) {
  const text = fs.readFileSync(file, 'utf8');
  const parsed = parseFile(text);
  const findings = lintFile(parsed, { validator, settings });
  const lines = new LineIndex(text);
  return {
    documents: parsed.documents.filter((d) => d.kind).length,
    errors: findings
      .filter((f) => f.severity === 'error')
      .map((f) => `${path.basename(file)}:${lines.positionAt(f.span.start).line + 1} ${f.code} ${f.message}`),
  };
}

test('every positive upstream example lints without an error', (t) => {
  const root = shared('upstream');
  if (!root) {
    t.skip(NO_SHARED);
    return;
  }
  const invalid = knownInvalid();
  assert.equal(invalid.size, 6, 'KNOWN-INVALID.md lists six files');
  const files = yamlFilesUnder(path.join(root, 'examples'));
  let documents = 0;
  let checked = 0;
  const failures: string[] = [];
  for (const file of files) {
    const rel = path.relative(root, file).split(path.sep).join('/');
    if (invalid.has(rel) || NEGATIVE_SPECS.has(rel) || AGENT_REJECTS.has(rel)) continue;
    const r = lint(file);
    checked++;
    documents += r.documents;
    failures.push(...r.errors);
  }
  console.log(`upstream examples: ${checked} files, ${documents} policy documents checked, ${failures.length} errors`);
  t.diagnostic(`${checked} files, ${documents} policy documents`);
  assert.deepEqual(failures, []);
  assert.ok(documents > 200, 'the corpus holds over 200 policy documents');
});

test('the upstream examples their own CRDs reject are flagged, and accepted by the release named', (t) => {
  const root = shared('upstream');
  if (!root) {
    t.skip(NO_SHARED);
    return;
  }
  for (const [rel, listed] of knownInvalid()) {
    const validFor = VALID_FOR_CORRECTIONS[rel] ?? listed;
    const file = path.join(root, rel);
    const now = lint(file);
    assert.ok(now.errors.length > 0, `${rel} is flagged for Cilium 1.20`);
    const old = /Cilium (1\.\d+) and older/.exec(validFor);
    if (old) {
      const release = old[1]!;
      const then = lint(file, { ...DEFAULT_SETTINGS, ciliumVersion: release });
      assert.deepEqual(then.errors, [], `${rel} is accepted for Cilium ${release}`);
      const next = `1.${Number(release.split('.')[1]) + 1}`;
      const after = lint(file, { ...DEFAULT_SETTINGS, ciliumVersion: next });
      assert.ok(after.errors.length > 0, `${rel} is flagged for Cilium ${next}`);
      assert.ok(
        now.errors.some((e) => e.includes('1.20') && e.includes(next) && e.includes(release)),
        `${rel}: the 1.20 finding names the release that removed it, the last that accepts it and the target: ${now.errors.join('; ')}`,
      );
    }
  }
});

test('the upstream examples the agent refuses are flagged by the rule that knows why', (t) => {
  const root = shared('upstream');
  if (!root) {
    t.skip(NO_SHARED);
    return;
  }
  for (const [rel, code] of AGENT_REJECTS) {
    const errors = lint(path.join(root, rel)).errors;
    assert.ok(
      errors.some((e) => e.includes(` ${code} `)),
      `${rel} is flagged by ${code}: ${errors.join('; ') || 'no errors'}`,
    );
  }
});
