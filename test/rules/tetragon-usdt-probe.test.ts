// SPDX-License-Identifier: Apache-2.0
/**
 * tetragon/usdt-probe against a real binary: `test/fixtures/usdt/probes.c` compiled with
 * `<sys/sdt.h>`, read through the same lookup the CLI and the language server use.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkAnnotated, lintForTest } from '../support/annotations.js';
import { applyEdits } from '../../server/src/core/yaml-edits.js';
import { LocalBinaries } from '../../server/src/io/binaries.js';
import {
  fixtureOperand,
  requireUsdtFixture,
  SHOP_PATH,
  usdtArm64Skip,
  usdtFixtureArm64,
  usdtSkip,
} from '../support/usdt-binary.js';
import { DEFAULT_SETTINGS, normalizeSettings } from '../../server/src/settings.js';

const ID = 'tetragon/usdt-probe';
const skip = usdtSkip();

const policy = (hook: string) => `apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: shop
spec:
  usdts:
${hook}`;

const lookup = () => ({ binaries: new LocalBinaries(requireUsdtFixture().root) });

test('Set on a 4-byte memory operand is accepted; on 1-, 2- and 8-byte ones it is an error', { skip }, () => {
  for (const [name, bad] of [
    ['order_word', ''],
    ['order_byte', 'a signed 1-byte value in memory'],
    ['order_half', 'a signed 2-byte value in memory'],
    ['order_quad', 'a signed 8-byte value in memory'],
  ] as const) {
    const caret = bad ? `\n#                       ^ error tetragon/usdt-probe ${bad}` : '';
    checkAnnotated(
      policy(`    - path: ${SHOP_PATH}
      provider: shop
      name: ${name}
      args:
        - index: 0
          type: int32
        - index: 1
          type: int32
      selectors:
        - matchActions:
            - action: Set
              argIndex: 0${caret}
              argValue: 7
`),
      [ID],
      DEFAULT_SETTINGS,
      lookup(),
    );
  }
});

test('Set through a register or a constant operand is an error', { skip }, () => {
  for (const [name, what] of [
    ['in_register', 'a signed 4-byte value in a register'],
    ['constant', 'a signed 4-byte constant'],
  ] as const) {
    checkAnnotated(
      policy(`    - path: "${SHOP_PATH}"
      provider: "shop"
      name: "${name}"
      args:
        - index: 0
          type: int32
      selectors:
        - matchActions:
            - action: Post
            - action: Set
              argIndex: 0
#                       ^ error tetragon/usdt-probe ${what}
              argValue: 1
`),
      [ID],
      DEFAULT_SETTINGS,
      lookup(),
    );
  }
});

test('Set writes through the operand its args entry names, in every place the probe is compiled', { skip }, () => {
  // args[1] is operand 0 of order_quad (8 bytes); args[0] names operand 1 (a register).
  checkAnnotated(
    policy(`    - path: ${SHOP_PATH}
      provider: shop
      name: twice
      args:
        - index: 0
          type: int32
      selectors:
        - matchActions:
            - action: Set
              argIndex: 0
#                       ^ error tetragon/usdt-probe a signed 8-byte value in memory
              argValue: 1
`),
    [ID],
    DEFAULT_SETTINGS,
    lookup(),
  );
});

test("argument indexes past the probe's operands: the last-plus-one reads garbage, beyond is refused", { skip }, () => {
  checkAnnotated(
    policy(`    - path: ${SHOP_PATH}
      provider: shop
      name: in_register
      args:
        - index: 0
          type: int32
        - index: 1
#                ^ warning tetragon/usdt-probe one operand (index 0)
          type: int32
        - index: 2
#                ^ error tetragon/usdt-probe refuses argument index 2
          type: int32
    - path: ${SHOP_PATH}
      provider: shop
      name: bare
      args:
        - index: 0
#                ^ warning tetragon/usdt-probe no operands
          type: int32
    - path: ${SHOP_PATH}
      provider: shop
      name: order_word
      args:
        - index: 2
          type: int32
        - index: 3
#                ^ warning tetragon/usdt-probe 3 operands (indexes 0–2)
          type: int32
        - index: 4
#                ^ error tetragon/usdt-probe 3 operands (indexes 0–2)
          type: int32
`),
    [ID],
    DEFAULT_SETTINGS,
    lookup(),
  );
});

test('a probe or provider the binary lacks is a warning with a suggestion and a fix', { skip }, () => {
  const text = policy(`    - path: ${SHOP_PATH}
      provider: shop
      name: order_wrod
#           ^^^^^^^^^^ warning tetragon/usdt-probe Did you mean \`order_word\`
    - path: ${SHOP_PATH}
      provider: shpo
#               ^^^^ warning tetragon/usdt-probe Did you mean \`shop\`
      name: order_word
    - path: ${SHOP_PATH}
      provider: billing
      name: invoice_word
`);
  const findings = checkAnnotated(text, [ID], DEFAULT_SETTINGS, lookup()).filter((f) => f.code === ID);
  assert.match(findings[0]!.message, /Probes of `shop`: `order_byte`, `order_half`/);
  const fixed = applyEdits(text, findings[0]!.fixes![0]!.edits);
  assert.ok(fixed.includes('      name: order_word\n#'), 'the name is replaced in place');
  assert.ok(fixed.includes('      provider: shpo\n'), 'nothing else changes');
  assert.equal(applyEdits(text, findings[1]!.fixes![0]!.edits).split('provider: shop\n').length, 3);
});

test('a file that is not ELF is a warning at the path', { skip }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cilium-policy-script-'));
  try {
    fs.mkdirSync(path.join(dir, 'bin'));
    fs.writeFileSync(path.join(dir, 'bin/app'), '#!/bin/sh\nexec real-app "$@"\n');
    checkAnnotated(
      policy(`    - path: /bin/app
#           ^^^^^^^^ warning tetragon/usdt-probe not an ELF file
      provider: app
      name: start
`),
      [ID],
      DEFAULT_SETTINGS,
      { binaries: new LocalBinaries(dir) },
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('silent when the binary is not on this machine and when lookups are off', { skip }, () => {
  const text = policy(`    - path: /opt/not/here
      provider: shop
      name: order_byte
      selectors:
        - matchActions:
            - action: Set
              argIndex: 0
              argValue: 1
      args:
        - index: 0
          type: int8
        - index: 9
          type: int32
`);
  assert.deepEqual(
    lintForTest(text, DEFAULT_SETTINGS, lookup()).filter((f) => f.code === ID),
    [],
  );
  const present = text.replace('/opt/not/here', SHOP_PATH);
  assert.equal(
    lintForTest(present, DEFAULT_SETTINGS, lookup()).filter((f) => f.code === ID).length,
    2,
    'both problems with the binary',
  );
  assert.deepEqual(
    lintForTest(present, DEFAULT_SETTINGS).filter((f) => f.code === ID),
    [],
    'no lookup, no finding',
  );
});

test('the binary is read again when it changes, although the policy did not', { skip }, async () => {
  const { binary } = requireUsdtFixture();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cilium-policy-rebuild-'));
  try {
    fs.mkdirSync(path.join(dir, 'bin'));
    fs.writeFileSync(path.join(dir, 'bin/app'), '#!/bin/sh\n');
    const binaries = new LocalBinaries(dir);
    const text = policy(`    - path: /bin/app\n      provider: shop\n      name: order_word\n`);
    const codes = () => lintForTest(text, DEFAULT_SETTINGS, { binaries }).filter((f) => f.code === ID).length;
    assert.equal(codes(), 1, 'a script is not ELF');
    fs.copyFileSync(binary, path.join(dir, 'bin/app'));
    await new Promise((r) => setTimeout(r, 1100)); // past the lookup's one-second recheck interval
    assert.equal(codes(), 0, 'the rebuilt binary has the probe');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test(
  'an arm64 build is checked the same way when the nodes run arm64; against x86_64 nodes it is a warning',
  { skip: usdtArm64Skip() },
  () => {
    const f = usdtFixtureArm64();
    assert.ok(typeof f !== 'string');
    const binaries = new LocalBinaries(f.root);
    const text = (name: string) =>
      policy(
        `    - path: ${SHOP_PATH}\n      provider: shop\n      name: ${name}\n      args:\n        - index: 0\n          type: int32\n      selectors:\n        - matchActions:\n            - action: Set\n              argIndex: 0\n              argValue: 1\n`,
      );
    const arm64 = normalizeSettings({ tetragon: { kernelArch: 'arm64' } });
    const found = (name: string, settings = arm64) =>
      lintForTest(text(name), settings, { binaries }).filter((x) => x.code === ID);
    assert.deepEqual(found('order_word'), [], '4 bytes in memory');
    const byte = found('order_byte');
    assert.equal(byte.length, 1);
    assert.equal(byte[0]!.severity, 'error');
    assert.ok(byte[0]!.message.includes(`\`${fixtureOperand(f.binary, 'order_byte', 0)}\``), byte[0]!.message);
    assert.match(byte[0]!.message, /1-byte value in memory/);
    assert.match(found('in_register')[0]!.message, /`-4@[wx]0`.*in a register/);
    const x86Nodes = found('order_byte', DEFAULT_SETTINGS);
    assert.equal(x86Nodes[0]!.severity, 'warning');
    assert.match(x86Nodes[0]!.message, /an arm64 build; the nodes run x86_64/);
  },
);
