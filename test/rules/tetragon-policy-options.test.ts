// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { checkAnnotated } from '../support/annotations.js';
import { applyFix } from '../support/apply-fix.js';
import { normalizeSettings } from '../../server/src/settings.js';

const ID = 'tetragon/policy-options';

const TEXT = `apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: opts
spec:
  options:
    - name: "policy_mode" # enforce everywhere
#           ^^^^^^^^^^^^^ warning tetragon/policy-options \`policy-mode\`
      value: enforce
    - name: override-method
      value: fmod_ret
#            ^^^^^^^^ error tetragon/policy-options \`fmod-ret\` or
    - name: disable-kprobe-multi
      value: "yes"
#            ^^^^^ error tetragon/policy-options boolean
    - name: sleepable-preload-size
#           ^^^^^^^^^^^^^^^^^^^^^^ error tetragon/policy-options without a value
    - name: disable-uprobe-multi
      value: "1"
    - name: my-own-note
      value: anything
  kprobes:
    - call: sys_write
`;

test('flags bad values of known options and near-misses of their names', () => {
  checkAnnotated(TEXT, [ID]);
});

test('quick fix: renames a misspelt option, keeping quotes and comments', () => {
  assert.equal(applyFix(TEXT, ID), TEXT.replace('"policy_mode"', '"policy-mode"'));
});

test('values are read as the agent reads them; sleepable-preload-size arrived in 1.8', () => {
  const text = `apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: opts
spec:
  options:
    - name: sleepable-preload-size
      value: "+0016"
    - name: sleepable-preload-size
      value: "0"
#            ^^^ error tetragon/policy-options positive
    - name: disable-kprobe-multi
      value: "T"
    - name: disable-uprobe-multi
      value: "yes"
#            ^^^^^ error tetragon/policy-options boolean
  kprobes:
    - call: sys_write
`;
  checkAnnotated(text, [ID]);
  checkAnnotated(
    text
      .replace('#            ^^^ error tetragon/policy-options positive\n', '')
      .replace(
        / {4}- name: sleepable-preload-size\n/g,
        '    - name: sleepable-preload-size\n#           ^^^^^^^^^^^^^^^^^^^^^^ warning tetragon/policy-options ignores\n',
      ),
    [ID],
    normalizeSettings({ tetragonVersion: '1.7' }),
  );
});
