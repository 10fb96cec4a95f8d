// SPDX-License-Identifier: Apache-2.0
/**
 * tetragon/uprobe-symbol against a real binary: `test/fixtures/usdt/probes.c` compiled, which
 * defines `place_order` and `cancel_order`, has a variable `orders_placed` and imports `getenv`.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { checkAnnotated, lintForTest } from '../support/annotations.js';
import { applyEdits } from '../../server/src/core/yaml-edits.js';
import { LocalBinaries } from '../../server/src/io/binaries.js';
import { DEFAULT_SETTINGS } from '../../server/src/settings.js';
import { requireUsdtFixture, SHOP_PATH, usdtSkip } from '../support/usdt-binary.js';

const ID = 'tetragon/uprobe-symbol';
const skip = usdtSkip();
const lookup = () => ({ binaries: new LocalBinaries(requireUsdtFixture().root) });

const policy = (symbols: string) => `apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: orders
spec:
  uprobes:
    - path: ${SHOP_PATH}
      symbols:
${symbols}`;

test('defined functions are fine; a typo, a variable and an imported function are not', { skip }, () => {
  const text = policy(`        - place_order
        - "cancel_order"
        - place_ordr
#         ^^^^^^^^^^ warning tetragon/uprobe-symbol Did you mean \`place_order\`
        - orders_placed
#         ^^^^^^^^^^^^^ warning tetragon/uprobe-symbol has no function \`orders_placed\`
        - getenv
#         ^^^^^^ warning tetragon/uprobe-symbol its code is in a shared library
`);
  const found = checkAnnotated(text, [ID], DEFAULT_SETTINGS, lookup()).filter((f) => f.code === ID);
  const fixed = applyEdits(text, found[0]!.fixes![0]!.edits);
  assert.ok(fixed.includes('        - place_order\n        - "cancel_order"\n        - place_order\n#'));
});

test('a stripped binary: only exported functions are known, and the message says so', { skip }, (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cilium-policy-stripped-'));
  try {
    const target = path.join(dir, SHOP_PATH);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    const strip = spawnSync('strip', ['-o', target, requireUsdtFixture().binary]);
    if (strip.status !== 0) return t.skip('strip is not available');
    const found = lintForTest(policy('        - place_order\n'), DEFAULT_SETTINGS, {
      binaries: new LocalBinaries(dir),
    }).filter((f) => f.code === ID);
    assert.equal(found.length, 1, 'place_order is not exported, so a stripped binary no longer names it');
    assert.match(found[0]!.message, /stripped/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('silent without the binary, without lookups, and for addresses or offsets', { skip }, () => {
  assert.deepEqual(
    lintForTest(policy('        - nope\n').replace(SHOP_PATH, '/opt/elsewhere/app'), DEFAULT_SETTINGS, lookup()).filter(
      (f) => f.code === ID,
    ),
    [],
  );
  assert.deepEqual(
    lintForTest(policy('        - nope\n'), DEFAULT_SETTINGS).filter((f) => f.code === ID),
    [],
  );
  const byOffset = policy('').replace('      symbols:\n', '      offsets:\n        - 4096\n');
  assert.deepEqual(
    lintForTest(byOffset, DEFAULT_SETTINGS, lookup()).filter((f) => f.code === ID),
    [],
  );
});
