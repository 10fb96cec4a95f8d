// SPDX-License-Identifier: Apache-2.0
/**
 * USDT hooks against the binary they name, through the real server: diagnostics from
 * `ciliumPolicy.tetragon.binaryRoot`, probe and operand completion, hover with the operand table,
 * and a rebuilt binary picked up on the next lint.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { MarkupContent } from 'vscode-languageserver-protocol';
import { LspClient, positionOf, testUri } from '../support/lsp-client.js';
import { fixtureOperand, requireUsdtFixture, SHOP_PATH, usdtSkip } from '../support/usdt-binary.js';

const skip = usdtSkip();

const TP = `apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: shop-status
spec:
  usdts:
    - path: ${SHOP_PATH}
      provider: shop
      name: order_byte
      args:
        - index: 0
          type: int8
      selectors:
        - matchActions:
            - action: Set
              argIndex: 0
              argValue: 1
`;

describe('USDT binaries', { skip }, () => {
  let client: LspClient;
  before(async () => {
    client = await LspClient.start({ settings: { tetragon: { binaryRoot: skip ? '' : requireUsdtFixture().root } } });
  });
  after(async () => {
    await client.stop();
  });

  it('reports Set on a 1-byte operand at argIndex, and nothing once the probe has a 4-byte one', async () => {
    const uri = testUri('usdt-set.yaml');
    const v1 = await client.open(uri, TP);
    const d1 = await client.waitForDiagnostics(uri, v1);
    const found = d1.diagnostics.filter((d) => d.code === 'tetragon/usdt-probe');
    assert.equal(found.length, 1, JSON.stringify(d1.diagnostics));
    assert.deepEqual(found[0]!.range.start, positionOf(TP, 'argIndex: 0', 'argIndex: '.length));
    assert.match(found[0]!.message, /1-byte value in memory/);
    const fixed = TP.replace('order_byte', 'order_word').replace('int8', 'int32');
    const v2 = await client.change(uri, fixed);
    const d2 = await client.waitForDiagnostics(uri, v2);
    assert.deepEqual(
      d2.diagnostics.filter((d) => d.code === 'tetragon/usdt-probe'),
      [],
    );
  });

  it('completes probe names of the provider, with their operands', async () => {
    const uri = testUri('usdt-complete.yaml');
    const text = TP.replace('name: order_byte', 'name: ord');
    await client.open(uri, text);
    const items = await client.completion(uri, positionOf(text, 'name: ord', 'name: ord'.length));
    const labels = items.map((i) => i.label);
    assert.deepEqual(labels.filter((l) => l.startsWith('order_')).sort(), [
      'order_byte',
      'order_half',
      'order_quad',
      'order_word',
    ]);
    assert.ok(!labels.includes('invoice_word'), 'probes of another provider are not offered');
    const quad = items.find((i) => i.label === 'order_quad')!;
    assert.ok(
      JSON.stringify(quad.documentation).includes(fixtureOperand(requireUsdtFixture().binary, 'order_quad', 0)),
    );
  });

  it('completes providers and operand indexes', async () => {
    const uri = testUri('usdt-provider.yaml');
    const text = TP.replace('provider: shop', 'provider: ');
    await client.open(uri, text);
    const providers = (await client.completion(uri, positionOf(text, 'provider: ', 'provider: '.length))).map(
      (i) => i.label,
    );
    assert.deepEqual(providers.sort(), ['billing', 'shop']);
    const text2 = TP.replace('name: order_byte', 'name: order_word').replace(
      '- index: 0\n          type: int8',
      '- index: \n          type: int8',
    );
    const uri2 = testUri('usdt-index.yaml');
    await client.open(uri2, text2);
    const indexes = await client.completion(uri2, positionOf(text2, '- index: ', '- index: '.length));
    assert.deepEqual(
      indexes.map((i) => `${i.label} ${i.detail}`),
      [0, 1, 2].map((i) => `${i} ${fixtureOperand(requireUsdtFixture().binary, 'order_word', i)}`),
    );
  });

  it('completes uprobe symbols with the functions the binary defines, and flags one it lacks', async () => {
    const uri = testUri('uprobe-symbols.yaml');
    const text = `apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: orders\nspec:\n  uprobes:\n    - path: ${SHOP_PATH}\n      symbols:\n        - place_\n`;
    const v = await client.open(uri, text);
    const labels = (await client.completion(uri, positionOf(text, '- place_', '- place_'.length))).map((i) => i.label);
    for (const f of ['place_order', 'cancel_order', 'main'])
      assert.ok(labels.includes(f), `${f} in ${labels.slice(0, 20).join(', ')}`);
    assert.ok(!labels.includes('orders_placed') && !labels.includes('getenv'), 'no variables, no imports');
    const d = await client.waitForDiagnostics(uri, v);
    const found = d.diagnostics.filter((x) => x.code === 'tetragon/uprobe-symbol');
    assert.equal(found.length, 1);
    assert.match(found[0]!.message, /no function `place_`/);
  });

  it('hover on the probe name shows its operands; on the path, where it was read', async () => {
    const uri = testUri('usdt-hover.yaml');
    await client.open(uri, TP);
    const onName = await client.hover(uri, positionOf(TP, 'order_byte', 2));
    const nameText = (onName?.contents as MarkupContent | undefined)?.value ?? '';
    assert.match(nameText, /shop:order_byte/);
    assert.ok(
      nameText.includes(
        `| 0 | \`${fixtureOperand(requireUsdtFixture().binary, 'order_byte', 0)}\` | a signed 1-byte value in memory |`,
      ),
      nameText,
    );
    const onPath = await client.hover(uri, positionOf(TP, SHOP_PATH, 3));
    assert.match(
      (onPath?.contents as MarkupContent | undefined)?.value ?? '',
      /Read from .*shop.*10 USDT probes from 2 providers/,
    );
  });

  it('a binary rebuilt on disk is read again and the policy linted again, without an edit', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cilium-policy-rebuild-'));
    try {
      const target = path.join(root, SHOP_PATH);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, '#!/bin/sh\n# not built yet\n');
      await client.setSettings({ tetragon: { binaryRoot: root } });
      const uri = testUri('usdt-rebuild.yaml');
      const fine = TP.replace('order_byte', 'order_word').replace('int8', 'int32');
      const v = await client.open(uri, fine);
      const before = await client.waitForDiagnostics(uri, v, (d) => d.some((x) => x.code === 'tetragon/usdt-probe'));
      assert.match(before.diagnostics.find((x) => x.code === 'tetragon/usdt-probe')!.message, /not an ELF file/);
      const next = client.nextDiagnostics(
        uri,
        (d) => !d.some((x) => x.code === 'tetragon/usdt-probe'),
        'diagnostics after the rebuild',
      );
      fs.copyFileSync(requireUsdtFixture().binary, target);
      await next;
    } finally {
      await client.setSettings({ tetragon: { binaryRoot: requireUsdtFixture().root } });
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('an empty binaryRoot turns the check off', async () => {
    await client.setSettings({ tetragon: { binaryRoot: '' } });
    const uri = testUri('usdt-off.yaml');
    const v = await client.open(uri, TP);
    const d = await client.waitForDiagnostics(uri, v);
    assert.deepEqual(
      d.diagnostics.filter((x) => x.code === 'tetragon/usdt-probe'),
      [],
    );
    const onPath = await client.hover(uri, positionOf(TP, SHOP_PATH, 3));
    assert.match((onPath?.contents as MarkupContent | undefined)?.value ?? '', /checks are off/);
  });
});
