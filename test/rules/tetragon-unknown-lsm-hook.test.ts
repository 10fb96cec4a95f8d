// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { checkAnnotated, lintForTest } from '../support/annotations.js';
import { applyEdits } from '../../server/src/core/yaml-edits.js';

const ID = 'tetragon/unknown-lsm-hook';
const head = 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: t\nspec:\n';

test('unknown hooks are warnings with suggestions; symbol prefixes are explained', () => {
  checkAnnotated(
    `${head}  lsmhooks:
    - hook: file_open
    - hook: bprm_check_security
    - hook: file_opn
#           ^^^^^^^^ warning tetragon/unknown-lsm-hook Did you mean \`file_open\`
    - hook: security_file_open
#           ^^^^^^^^^^^^^^^^^^ warning tetragon/unknown-lsm-hook without the \`security_\` prefix
    - hook: zzzzzzzzzz
#           ^^^^^^^^^^ warning tetragon/unknown-lsm-hook not a known LSM hook
`,
    [ID],
  );
});

test('the fix renames the hook', () => {
  const text = `${head}  lsmhooks:\n    - hook: "bpf_lsm_file_open"\n`;
  const f = lintForTest(text).find((x) => x.code === ID)!;
  assert.equal(applyEdits(text, f.fixes![0]!.edits), `${head}  lsmhooks:\n    - hook: "file_open"\n`);
});
