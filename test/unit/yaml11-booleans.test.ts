// SPDX-License-Identifier: Apache-2.0
/**
 * Unquoted `yes`, `no`, `on`, `off`, `y` and `n` are booleans to Kubernetes (kubectl and the API
 * server decode YAML 1.1 style), strings to YAML 1.2 tools. We read them as Kubernetes does: where
 * a boolean is expected they are accepted, where a string is expected they are the error the
 * cluster would give, with the reason and a fix that quotes them.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { parseFile } from '../../server/src/core/document.js';
import { applyEdits } from '../../server/src/core/yaml-edits.js';
import { checkAnnotated, lintForTest } from '../support/annotations.js';

test('the YAML 1.1 boolean words are booleans when unquoted, strings when quoted', () => {
  const words = ['y', 'Y', 'yes', 'Yes', 'YES', 'on', 'On', 'ON', 'n', 'N', 'no', 'No', 'NO', 'off', 'Off', 'OFF'];
  const text =
    words.map((w, i) => `k${i}: ${w}\nq${i}: "${w}"\n`).join('') + 'other: yess\nplain: ok\nlist: [on, off]\n';
  const data = parseFile(text).documents[0]!.data as Record<string, unknown>;
  words.forEach((w, i) => {
    assert.equal(data[`k${i}`], /^[yYoO]/.test(w) && !/^off$/i.test(w), w);
    assert.equal(data[`q${i}`], w, `"${w}" stays a string`);
  });
  assert.equal(data['other'], 'yess');
  assert.equal(data['plain'], 'ok');
  assert.deepEqual(data['list'], [true, false]);
  // A key is a boolean too; Kubernetes turns it into the string "true".
  assert.deepEqual(parseFile('on: 1\n').documents[0]!.data, { true: 1 });
});

test('where a string is expected, an unquoted boolean word is the error the cluster gives, with a fix', () => {
  const text = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: feature-flags
  namespace: shop
spec:
  endpointSelector:
    matchLabels:
      canary: yes
#             ^^^ error schema/type read an unquoted \`yes\` as the boolean true
      legacy: "no"
  ingress:
    - toPorts:
        - ports:
            - port: 8080
#                   ^^^^ error schema/type Quote it
              protocol: TCP
`;
  const findings = checkAnnotated(text, ['schema/type']).filter((f) => f.code === 'schema/type');
  assert.equal(findings[0]!.fixes![0]!.title, 'Quote `yes`');
  const fixed = applyEdits(applyEdits(text, findings[1]!.fixes![0]!.edits), findings[0]!.fixes![0]!.edits);
  assert.match(fixed, /canary: "yes"\n/);
  assert.match(fixed, /port: "8080"\n/);
  assert.deepEqual(
    lintForTest(fixed).filter((f) => f.code === 'schema/type'),
    [],
    'the fixes leave no type error',
  );
});

test('where a boolean is expected, yes and off are accepted as Kubernetes reads them', () => {
  const text = `apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: opens
spec:
  kprobes:
    - call: sys_openat
      syscall: yes
      return: on
      returnArg:
        index: 0
        type: int
`;
  assert.deepEqual(
    lintForTest(text).filter((f) => f.severity === 'error'),
    [],
  );
  const data = parseFile(text).documents[0]!.data as { spec: { kprobes: { syscall: unknown; return: unknown }[] } };
  assert.deepEqual([data.spec.kprobes[0]!.syscall, data.spec.kprobes[0]!.return], [true, true]);
});
