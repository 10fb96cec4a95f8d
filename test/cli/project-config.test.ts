// SPDX-License-Identifier: Apache-2.0
/** `.cilium-policy.yaml`: found in the working directory or above it; flags win over it. */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runJson, tempTree } from './run-cli.js';

/** A Kafka rule (accepted up to Cilium 1.19) and a typo'd field, so both settings show. */
const policy = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: topics
spec:
  endpointSelector: {}
  descripton: a typo
  ingress:
    - toPorts:
        - ports:
            - port: "9092"
              protocol: TCP
          rules:
            kafka:
              - topic: orders
`;

test('the nearest .cilium-policy.yaml sets the release and rule severities; flags win over it', () => {
  const dir = tempTree({
    '.cilium-policy.yaml': 'ciliumVersion: "1.19"\nrules:\n  schema/unknown-field: warning\n',
    'team/policies/topics.yaml': policy,
  });
  try {
    const without = runJson(['-'], { input: policy, cwd: path.dirname(dir) });
    const codes = (r: ReturnType<typeof runJson>) => r.findings.map((f) => `${f.severity} ${f.code}`).sort();
    assert.ok(codes(without).includes('error schema/unknown-field'), JSON.stringify(without.findings));
    assert.ok(
      without.findings.some((f) => f.severity === 'error' && /kafka/.test(f.message)),
      'Kafka is rejected by the default release',
    );

    // Run from a folder below the configuration file.
    const cwd = path.join(dir, 'team');
    const withFile = runJson(['policies'], { cwd });
    assert.deepEqual(codes(withFile), ['warning schema/unknown-field'], JSON.stringify(withFile.findings));
    assert.equal(withFile.status, 0, 'a warning does not fail the run');

    const flag = runJson(['--cilium-version', '1.20', 'policies'], { cwd });
    assert.ok(
      flag.findings.some((f) => f.severity === 'error' && /kafka/.test(f.message)),
      'the flag wins over the file',
    );
    assert.equal(flag.status, 1);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('problems in .cilium-policy.yaml are warned about on stderr, and the run goes on', () => {
  const dir = tempTree({ '.cilium-policy.yaml': 'ciliumVerison: "1.19"\n', 'p.yaml': policy });
  try {
    const r = runJson(['p.yaml'], { cwd: dir });
    assert.match(r.stderr, /warning: \.cilium-policy\.yaml: .*unknown setting `ciliumVerison`/);
    assert.equal(r.status, 1);
    assert.ok(r.findings.length > 0);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
