// SPDX-License-Identifier: Apache-2.0
/**
 * `cilium-policy lint --binary-root <dir|off>`: USDT hooks checked against the binary they name,
 * read below a folder (an unpacked image) or, by default, at the path itself on this machine.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { positionOf, runCli, runJson, tempTree } from './run-cli.js';
import { fixtureOperand, requireUsdtFixture, SHOP_PATH, usdtSkip } from '../support/usdt-binary.js';

const skip = usdtSkip();

const policy = (binaryPath: string) => `apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: shop-status
spec:
  usdts:
    - path: ${binaryPath}
      provider: shop
      name: order_quad
      args:
        - index: 0
          type: int64
      selectors:
        - matchActions:
            - action: Set
              argIndex: 0
              argValue: 1
`;

test('--binary-root reads the binary below the folder and reports Set on an 8-byte operand', { skip }, () => {
  const { root } = requireUsdtFixture();
  const dir = tempTree({ 'tp.yaml': policy(SHOP_PATH) });
  try {
    const run = runJson(['--binary-root', root, 'tp.yaml'], { cwd: dir });
    assert.equal(run.status, 1, run.stderr);
    const f = run.findings.filter((x) => x.code === 'tetragon/usdt-probe');
    assert.equal(f.length, 1, JSON.stringify(run.findings));
    const at = positionOf(policy(SHOP_PATH), '0', 'argIndex: ');
    assert.deepEqual([f[0]!.line, f[0]!.column, f[0]!.severity], [at.line, at.column, 'error']);
    assert.ok(
      f[0]!.message.includes(`\`${fixtureOperand(requireUsdtFixture().binary, 'order_quad', 0)}\``),
      f[0]!.message,
    );
    assert.match(f[0]!.message, /8-byte value in memory/);

    // A relative folder starts at the working directory.
    const rel = path.relative(dir, root);
    assert.equal(
      runJson([`--binary-root=${rel}`, 'tp.yaml'], { cwd: dir }).findings.filter(
        (x) => x.code === 'tetragon/usdt-probe',
      ).length,
      1,
    );
    // off: no lookup, no finding.
    const off = runJson(['--binary-root', 'off', 'tp.yaml'], { cwd: dir });
    assert.deepEqual(
      off.findings.filter((x) => x.code === 'tetragon/usdt-probe'),
      [],
    );
    assert.equal(off.status, 0, off.stderr);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('by default the path is read as it is on this machine; a missing binary is not a finding', { skip }, () => {
  const { binary } = requireUsdtFixture();
  const dir = tempTree({ 'here.yaml': policy(binary), 'elsewhere.yaml': policy('/opt/shop/bin/not-on-this-machine') });
  try {
    const run = runJson(['here.yaml', 'elsewhere.yaml'], { cwd: dir });
    const f = run.findings.filter((x) => x.code === 'tetragon/usdt-probe');
    assert.deepEqual(
      f.map((x) => x.file),
      ['here.yaml'],
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("binaryRoot in .cilium-policy.yaml starts at the file's folder; the flag wins over it", { skip }, () => {
  const { root } = requireUsdtFixture();
  const dir = tempTree({ 'tp.yaml': policy(SHOP_PATH) });
  try {
    fs.symlinkSync(root, path.join(dir, 'rootfs'));
    fs.writeFileSync(path.join(dir, '.cilium-policy.yaml'), 'tetragon:\n  binaryRoot: ./rootfs\n');
    fs.mkdirSync(path.join(dir, 'sub'));
    fs.renameSync(path.join(dir, 'tp.yaml'), path.join(dir, 'sub', 'tp.yaml'));
    const sub = path.join(dir, 'sub');
    assert.equal(
      runJson(['tp.yaml'], { cwd: sub }).findings.filter((x) => x.code === 'tetragon/usdt-probe').length,
      1,
      'found through the file',
    );
    assert.equal(
      runJson(['--binary-root', 'off', 'tp.yaml'], { cwd: sub }).findings.filter(
        (x) => x.code === 'tetragon/usdt-probe',
      ).length,
      0,
      'the flag wins',
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('--binary-root needs a value', () => {
  const r = runCli(['lint', '--binary-root', '', 'x.yaml']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--binary-root needs a folder/);
});
