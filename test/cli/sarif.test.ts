// SPDX-License-Identifier: Apache-2.0
/**
 * `lint --format sarif`: a SARIF 2.1.0 log that GitHub code scanning accepts. Checked against a
 * stricter schema of the SARIF subset we write (`sarif-schema.ts`; the official schema is checked in
 * `sarif-official.test.ts`), and
 * against the JSON output of the same run, so locations, levels and rules agree with what the
 * other formats report.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import Ajv from 'ajv';
import { CODES } from '../../server/src/core/findings.js';
import { RULES } from '../../server/src/lint/registry.js';
import { ruleDocUrl } from '../../server/src/lint/docs.js';
import { REPO_ROOT, NO_SHARED, shared } from '../support/paths.js';
import { runCli, runJson, tempTree } from './run-cli.js';
import { isUri, isUriReference, SARIF_SUBSET_SCHEMA } from './sarif-schema.js';

interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: string;
  message: { text: string };
  locations: {
    physicalLocation: {
      artifactLocation: { uri?: string; uriBaseId?: string; description?: { text: string } };
      region: Record<string, number>;
    };
  }[];
}
interface SarifRule {
  id: string;
  shortDescription: { text: string };
  fullDescription: { text: string };
  help?: { text: string };
  helpUri: string;
  defaultConfiguration?: { level: string };
}
interface SarifLog {
  version: string;
  runs: {
    tool: { driver: { name: string; version: string; informationUri: string; rules: SarifRule[] } };
    invocations?: { executionSuccessful: boolean }[];
    originalUriBaseIds?: Record<string, { uri: string }>;
    results: SarifResult[];
  }[];
}

// strictRequired is off: `anyOf: [{ required: ['uri'] }, …]` names properties declared beside it, which strict mode cannot see.
const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false });
ajv.addFormat('uri', isUri);
ajv.addFormat('uri-reference', isUriReference);
const validate = ajv.compile(SARIF_SUBSET_SCHEMA);

function runSarif(
  args: readonly string[],
  options: { cwd?: string; input?: string } = {},
): ReturnType<typeof runCli> & { log: SarifLog } {
  const r = runCli(['lint', '--format', 'sarif', ...args], options);
  let log: SarifLog;
  try {
    log = JSON.parse(r.stdout) as SarifLog;
  } catch (e) {
    throw new Error(
      `stdout is not JSON (status ${r.status}): ${(e as Error).message}\n${r.stdout.slice(0, 500)}\nstderr: ${r.stderr}`,
      { cause: e },
    );
  }
  return { ...r, log };
}

function assertValid(log: unknown): void {
  const ok = validate(log);
  assert.ok(ok, `SARIF does not match the schema: ${ajv.errorsText(validate.errors, { separator: '\n' })}`);
}

const SEVERITY_TO_LEVEL: Record<string, string> = {
  error: 'error',
  warning: 'warning',
  information: 'note',
  hint: 'note',
};

test('the schema check itself rejects what GitHub would reject', () => {
  // Each mutation breaks one constraint; a schema that accepted them would prove nothing.
  const r = runSarif(['examples']);
  assertValid(r.log);
  const mutations: ((l: SarifLog) => void)[] = [
    (l) => void (l.version = '2.0.0'),
    (l) =>
      void ((l.runs[0]!.results[0]!.locations[0]!.physicalLocation.region as Record<string, number>)['startLine'] = 0),
    (l) => void (l.runs[0]!.results[0]!.level = 'information'),
    (l) => void delete (l.runs[0]!.tool.driver as Partial<SarifLog['runs'][0]['tool']['driver']>).name,
    (l) => void (l.runs[0]!.results[0]!.locations[0]!.physicalLocation.artifactLocation.uri = 'has space.yaml'),
    (l) => void ((l.runs[0]!.results[0] as unknown as Record<string, unknown>)['ruleid'] = 'typo'),
  ];
  for (const [i, mutate] of mutations.entries()) {
    const copy = JSON.parse(JSON.stringify(r.log)) as SarifLog;
    mutate(copy);
    assert.equal(validate(copy), false, `mutation ${i} is rejected`);
  }
});

test('SARIF output is valid and reports exactly what the JSON output reports', () => {
  const sarif = runSarif(['examples']);
  const json = runJson(['examples']);
  assertValid(sarif.log);
  assert.equal(sarif.status, json.status, 'same exit status as the other formats');
  assert.equal(sarif.stderr, '', 'nothing on stderr for a clean run');
  const run = sarif.log.runs[0]!;
  assert.ok(json.findings.length > 0, 'the examples have findings');
  assert.equal(run.results.length, json.findings.length);
  run.results.forEach((r, i) => {
    const f = json.findings[i]!;
    assert.equal(r.ruleId, f.code);
    assert.equal(run.tool.driver.rules[r.ruleIndex]?.id, r.ruleId, 'ruleIndex points at the rule');
    assert.equal(r.level, SEVERITY_TO_LEVEL[f.severity]);
    assert.equal(r.message.text, f.message);
    const loc = r.locations[0]!.physicalLocation;
    // Examples live below the working directory: relative URIs against %SRCROOT%.
    assert.equal(loc.artifactLocation.uriBaseId, '%SRCROOT%');
    assert.equal(loc.artifactLocation.uri, f.file);
    assert.deepEqual(loc.region, {
      startLine: f.line,
      startColumn: f.column,
      endLine: f.endLine,
      endColumn: f.endColumn,
    });
  });
  assert.equal(run.originalUriBaseIds?.['%SRCROOT%']?.uri, pathToFileURL(`${REPO_ROOT}/`).href);
  assert.deepEqual(run.invocations, [{ executionSuccessful: true }]);
});

test('tool.driver describes every rule and core code, with help text and a documentation link', () => {
  const { log } = runSarif(['examples']);
  const driver = log.runs[0]!.tool.driver;
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
  assert.equal(driver.name, 'cilium-policy');
  assert.equal(driver.version, pkg.version);
  assert.match(driver.informationUri, /^https:\/\//);
  const byId = new Map(driver.rules.map((r) => [r.id, r]));
  assert.equal(byId.size, driver.rules.length, 'rule ids are unique');
  for (const code of Object.values(CODES)) {
    const r = byId.get(code);
    assert.ok(r, `core code ${code} is described`);
    assert.ok(
      r.shortDescription.text.length > 10 && r.fullDescription.text.length > 10 && (r.help?.text.length ?? 0) > 10,
      `${code}: texts`,
    );
    assert.match(r.helpUri, /README\.md#diagnostic-codes$/);
  }
  for (const rule of RULES) {
    const r = byId.get(rule.id);
    assert.ok(r, `rule ${rule.id} is described`);
    assert.equal(r.helpUri, ruleDocUrl(rule.id));
    assert.ok(!r.shortDescription.text.includes('`'), `${rule.id}: plain text has no Markdown backticks`);
    assert.equal(r.shortDescription.text, rule.summary.replace(/`/g, ''));
    assert.equal(r.defaultConfiguration?.level, SEVERITY_TO_LEVEL[rule.defaultSeverity]);
  }
});

test('artifact URIs: relative and percent-encoded inside the working directory, file URIs outside, a description for stdin', () => {
  const bad =
    'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: x\n  namespace: shop\nspec:\n  endpointSelector: {}\n  ingres: []\n';
  const dir = tempTree({ 'repo/team a/p#1.yaml': bad, 'outside/o.yaml': bad });
  try {
    const cwd = path.join(dir, 'repo');
    const outside = path.join(dir, 'outside', 'o.yaml');
    const r = runSarif([path.join(cwd, 'team a', 'p#1.yaml'), outside, '-'], { cwd, input: bad });
    assertValid(r.log);
    // Each file has the same findings; one location per file, in input order.
    const locs = [
      ...new Set(r.log.runs[0]!.results.map((x) => JSON.stringify(x.locations[0]!.physicalLocation.artifactLocation))),
    ].map((s) => JSON.parse(s) as unknown);
    assert.equal(locs.length, 3, JSON.stringify(r.log.runs[0]!.results));
    assert.deepEqual(
      locs[0],
      { uri: 'team%20a/p%231.yaml', uriBaseId: '%SRCROOT%' },
      'an absolute argument below the working directory is made relative',
    );
    assert.deepEqual(locs[1], { uri: pathToFileURL(outside).href });
    assert.deepEqual(locs[2], { description: { text: 'standard input' } });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a clean run is a valid log with no results, and a usage error prints no SARIF', () => {
  const clean =
    'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: x\n  namespace: shop\nspec:\n  endpointSelector: {}\n  ingress:\n    - fromEntities: [cluster]\n';
  const r = runSarif(['-'], { input: clean });
  assertValid(r.log);
  assert.equal(r.status, 0);
  assert.deepEqual(r.log.runs[0]!.results, []);
  const usage = runCli(['lint', '--format', 'xml', '-']);
  assert.equal(usage.status, 2);
  assert.match(usage.stderr, /--format must be text, json or sarif/);
  assert.equal(usage.stdout, '');
});

test('SARIF over the upstream examples corpus is valid; files per second', (t) => {
  const root = shared('upstream', 'examples');
  if (!root) return t.skip(NO_SHARED);
  const r = runSarif([root]);
  assertValid(r.log);
  assert.ok(r.status === 0 || r.status === 1, r.stderr);
  const files = runCli(['lint', root]).stderr.match(/\((\d+) files?,/)?.[1];
  assert.ok(files && Number(files) > 50, 'the corpus was walked');
  const rate = Number(files) / (r.ms / 1000);
  t.diagnostic(
    `SARIF over upstream examples: ${files} files, ${r.log.runs[0]!.results.length} results, ${(r.ms / 1000).toFixed(2)} s, ${rate.toFixed(0)} files/s (process start included)`,
  );
});
