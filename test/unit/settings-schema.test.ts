// SPDX-License-Identifier: Apache-2.0
// The generated settings schemas: package.json's version enums and `ciliumPolicy.rules` properties,
// and schemas/cilium-policy-config.json, agree with the code (regenerate with
// `npx tsc -b && node scripts/gen-settings-schema.mjs`), and the warnings for unsupported releases.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { parseProjectConfig, versionProblem } from '../../server/src/config.js';
import { CODES, FEATURE_CODES } from '../../server/src/core/findings.js';
import { KNOWN_RELEASES } from '../../server/src/core/versions.js';
import { RULES } from '../../server/src/lint/registry.js';
import { projectConfigSchema, rulesProperties } from '../../server/src/lint/settings-schema.js';
import { REPO_ROOT } from '../support/paths.js';

const STALE = 'stale: run `npx tsc -b && node scripts/gen-settings-schema.mjs`';

interface Prop {
  enum?: string[];
  properties?: Record<string, { enum?: string[] }>;
}
const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
  contributes: {
    configuration: { properties: Record<string, Prop> };
    yamlValidation?: { fileMatch: string; url: string }[];
  };
};
const props = pkg.contributes.configuration.properties;

test('the version settings are enums of the supported releases', () => {
  assert.deepEqual(props['ciliumPolicy.ciliumVersion']!.enum, [...KNOWN_RELEASES.cilium], STALE);
  assert.deepEqual(props['ciliumPolicy.tetragonVersion']!.enum, [...KNOWN_RELEASES.tetragon], STALE);
});

test('ciliumPolicy.rules completes every rule id and diagnostic code with the severities', () => {
  const rules = props['ciliumPolicy.rules']!.properties!;
  assert.deepEqual(rules, rulesProperties(), STALE);
  for (const r of RULES) assert.deepEqual(rules[r.id]?.enum, ['off', 'error', 'warning', 'information'], r.id);
  for (const code of Object.values(CODES)) assert.ok(rules[code], `${code} is completed`);
  for (const code of Object.keys(FEATURE_CODES)) assert.ok(rules[code], `${code} is completed`);
});

test('every PolicyTest and replay code the editor reports is listed for ciliumPolicy.rules', () => {
  // The codes written in the server's semantics and editor code (the CLI's SARIF rule ids aside).
  const reported = new Set<string>();
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts'))
        for (const m of fs.readFileSync(p, 'utf8').matchAll(/'((?:policy-test|replay)\/[a-z-]+)'/g))
          reported.add(m[1]!);
    }
  };
  for (const dir of ['semantics', 'lsp']) walk(path.join(REPO_ROOT, 'server', 'src', dir));
  assert.ok(reported.has('replay/newly-denied') && reported.has('policy-test/type'), [...reported].join(', '));
  assert.deepEqual([...reported].sort(), Object.keys(FEATURE_CODES).sort());
});

test('.cilium-policy.yaml has a schema, associated for yaml-language-server, that accepts what the tools read', () => {
  const file = JSON.parse(
    fs.readFileSync(path.join(REPO_ROOT, 'schemas', 'cilium-policy-config.json'), 'utf8'),
  ) as unknown;
  assert.deepEqual(file, projectConfigSchema(), STALE);
  const association = pkg.contributes.yamlValidation?.find((v) => v.fileMatch === '.cilium-policy.yaml');
  assert.equal(association?.url, './schemas/cilium-policy-config.json');
  const ajv = new Ajv({ strict: false, allErrors: true });
  const validate = ajv.compile(projectConfigSchema());
  const ok = parse(
    'ciliumVersion: "1.19"\ntetragonVersion: "1.7"\ntetragon:\n  kernelArch: arm64\n  targets:\n    - { name: edge, arch: arm64, kernel: 5.10.0, features: { lsm: false } }\nrules:\n  cilium/mixed-peer-types: warning\n  schema/unknown-field: "off"\nagent:\n  enable-l7-proxy: "true"\n',
  ) as unknown;
  assert.ok(validate(ok), JSON.stringify(validate.errors));
  for (const bad of [
    'ciliumVersion: 1.20\n',
    'ciliumVersion: "1.14"\n',
    'rules:\n  cilium/invalid-port: loud\n',
    'colour: red\n',
  ])
    assert.ok(!validate(parse(bad)), `rejected: ${bad}`);
});

test('a release outside the supported range gets a warning naming the range', () => {
  assert.equal(versionProblem('cilium', '1.19'), undefined);
  assert.equal(versionProblem('tetragon', 1.8), undefined, 'an unquoted release that reads right is fine');
  const old = versionProblem('cilium', '1.14');
  assert.match(old!, new RegExp(`Cilium ${KNOWN_RELEASES.cilium[0]}–${KNOWN_RELEASES.cilium.at(-1)}`));
  assert.match(versionProblem('cilium', 1.2)!, /quote it: "1\.20"/, 'YAML reads an unquoted 1.20 as 1.2');
  assert.match(versionProblem('tetragon', 'latest')!, /is ignored/);
  assert.deepEqual(
    parseProjectConfig('ciliumVersion: "1.15"\ntetragonVersion: "1.9"\n').problems.length,
    2,
    'both products are checked',
  );
});
