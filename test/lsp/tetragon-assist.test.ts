// SPDX-License-Identifier: Apache-2.0
// Kernel-aware completion and hover for Tetragon policies, through the real server.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { MarkupContent } from 'vscode-languageserver-protocol';
import { LspClient, positionOf, testUri } from '../support/lsp-client.js';

const TP = `apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: open-files
spec:
  kprobes:
    - call: sys_openat
      syscall: true
      args:
        - index: 1
          type: string
      selectors:
        - matchArgs:
            - index: 1
              operator: Prefix
              values:
                - /etc/
`;

describe('Tetragon assistance', () => {
  let client: LspClient;
  before(async () => {
    client = await LspClient.start();
  });
  after(async () => {
    await client.stop();
  });

  it('completes syscall names after `call:` when syscall is true', async () => {
    const uri = testUri('tp-complete.yaml');
    const text = TP.replace('call: sys_openat', 'call: sys_ope');
    await client.open(uri, text);
    const items = await client.completion(uri, positionOf(text, 'sys_ope', 'sys_ope'.length));
    const labels = items.map((i) => i.label);
    assert.ok(labels.includes('sys_openat'), `syscalls offered: ${labels.slice(0, 10).join(', ')}`);
    assert.ok(!labels.includes('kprobes'), 'no schema keys in a value position');
  });

  it('offers only operators valid for a string argument', async () => {
    const uri = testUri('tp-operators.yaml');
    const text = TP.replace('operator: Prefix', 'operator: ');
    await client.open(uri, text);
    const items = await client.completion(uri, positionOf(text, 'operator: ', 'operator: '.length));
    const labels = items.map((i) => i.label);
    assert.ok(labels.includes('Prefix') && labels.includes('Equal'), labels.join(', '));
    assert.ok(
      !labels.includes('DPort') && !labels.includes('SAddr'),
      `socket operators are not offered for a string: ${labels.join(', ')}`,
    );
  });

  it('hover on a syscall shows its signature with argument indices', async () => {
    const uri = testUri('tp-hover.yaml');
    await client.open(uri, TP);
    const hover = await client.hover(uri, positionOf(TP, 'sys_openat', 3));
    const value = (hover?.contents as MarkupContent | undefined)?.value ?? '';
    assert.match(value, /openat/);
    assert.match(value, /\b0\b[\s\S]*\b1\b/, `indices shown: ${value}`);
    assert.match(value, /filename|pathname/, value);
  });
});
