// SPDX-License-Identifier: Apache-2.0
/**
 * `cilium-policy lint --inventory`: a kubectl snapshot's Nodes become kernel targets (node pools by
 * architecture, kernel and OS image) for tetragon/kernel-targets, as in the editor.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli } from './run-cli.js';

interface Finding {
  file: string;
  line: number;
  severity: string;
  code: string;
  message: string;
}

const POLICY = `apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: block-shadow
spec:
  kprobes:
    - call: security_file_open
      syscall: false
      args:
        - { index: 0, type: file }
      selectors:
        - matchArgs:
            - { index: 0, operator: Equal, values: [/etc/shadow] }
          matchActions:
            - action: Override
              argError: -1
`;

function node(name: string, arch: string, kernel: string): object {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/arch': arch } },
    status: { nodeInfo: { kernelVersion: kernel, architecture: arch, osImage: 'Debian GNU/Linux 12' } },
  };
}

function workspace(): { dir: string; policy: string; snapshot: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lint-inventory-'));
  const policy = path.join(dir, 'policy.yaml');
  fs.writeFileSync(policy, POLICY);
  const snapshot = path.join(dir, 'cluster.json');
  const nodes = [
    node('arm-a', 'arm64', '5.10.0-28-cloud-arm64'),
    node('arm-b', 'arm64', '5.10.0-28-cloud-arm64'),
    node('arm-c', 'arm64', '5.10.0-28-cloud-arm64'),
    node('x86-a', 'amd64', '6.1.0-18-cloud-amd64'),
  ];
  fs.writeFileSync(snapshot, JSON.stringify({ apiVersion: 'v1', kind: 'List', items: nodes }));
  return { dir, policy, snapshot };
}

test('lint --inventory: the Nodes of a snapshot are grouped into pools and checked as kernel targets', () => {
  const w = workspace();
  const without = runCli(['lint', '--format', 'json', w.policy], { cwd: w.dir });
  const base = JSON.parse(without.stdout) as Finding[];
  assert.equal(base.filter((f) => f.code === 'tetragon/kernel-targets').length, 0, 'silent without targets');

  const r = runCli(['lint', '--format', 'json', '--inventory', w.snapshot, w.policy], { cwd: w.dir });
  assert.match(r.stderr, /inventory: .*4 nodes/);
  const findings = (JSON.parse(r.stdout) as Finding[]).filter((f) => f.code === 'tetragon/kernel-targets');
  // Override on a security_ function needs fmod_ret, which arm64 gained in 6.0.
  const arm = findings.filter((f) => /arm64-5\.10 \(3 nodes\)/.test(f.message));
  assert.ok(arm.length > 0, JSON.stringify(findings, null, 2));
  assert.ok(
    arm.some((f) => f.line === POLICY.split('\n').findIndex((l) => l.includes('action: Override')) + 1),
    'on the Override action',
  );
  // The 6.1 x86_64 pool has fmod_ret; whether it uses kprobe.multi there is a boot-time question.
  const x86 = findings.filter((f) => /x86_64-6\.1/.test(f.message));
  assert.ok(
    x86.every((f) => f.severity === 'information' && /tetra probe/.test(f.message)),
    JSON.stringify(x86),
  );
  assert.ok(arm.some((f) => f.severity === 'error' && /not on pool arm64-5\.10 \(3 nodes\)/.test(f.message)));
  assert.equal(r.status, arm.some((f) => f.severity === 'error') ? 1 : 0);
});

test('lint --inventory needs a value and a readable path', () => {
  const w = workspace();
  const missing = runCli(['lint', '--inventory', path.join(w.dir, 'nope.json'), w.policy], { cwd: w.dir });
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /nope\.json/);
  const empty = runCli(['lint', '--inventory=', w.policy], { cwd: w.dir });
  assert.equal(empty.status, 2);
  assert.match(empty.stderr, /--inventory needs a folder/);
});
