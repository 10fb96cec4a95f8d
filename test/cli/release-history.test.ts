// SPDX-License-Identifier: Apache-2.0
/**
 * The release flags against the release history, as a CI job runs them: Tetragon 1.7 still takes the
 * fd actions 1.8 removed, 1.6 takes `returnArgAction: Post`, and Cilium 1.16 does not know
 * `cidrGroupSelector`; the messages name the release that changed and the one targeted.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { runJson } from './run-cli.js';

const TP = `apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: fd-tracking
spec:
  kprobes:
    - call: fd_install
      syscall: false
      return: true
      returnArg:
        index: 0
        type: int
      returnArgAction: Post
      args:
        - index: 0
          type: int
        - index: 1
          type: file
      selectors:
        - matchActions:
            - action: FollowFD
              argFd: 0
              argName: 1
`;

const CNP = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: partners
  namespace: shop
spec:
  endpointSelector: {}
  egress:
    - toCIDRSet:
        - cidrGroupSelector:
            matchLabels:
              team: partners
`;

test('--tetragon-version 1.6 accepts FollowFD, argFd, argName and returnArgAction: Post', () => {
  const r = runJson(['--tetragon-version', '1.6', '-'], { input: TP });
  assert.deepEqual(
    r.findings.filter((f) => f.severity === 'error'),
    [],
  );
  assert.equal(r.status, 0);
});

test('--tetragon-version 1.7 accepts the fd actions and refuses returnArgAction: Post; 1.8 refuses both', () => {
  const seven = runJson(['--tetragon-version', '1.7', '-'], { input: TP });
  assert.deepEqual(
    seven.findings.filter((f) => f.severity === 'error').map((f) => f.code),
    ['tetragon/return-arg'],
  );
  const eight = runJson(['--tetragon-version', '1.8', '-'], { input: TP });
  const removed = eight.findings.filter((f) => f.code === 'version/removed');
  assert.equal(removed.length, 3, JSON.stringify(eight.findings));
  for (const f of removed) assert.match(f.message, /removed in Tetragon 1\.8 .*the target is Tetragon 1\.8/);
});

test('--cilium-version 1.16 refuses cidrGroupSelector, added in Cilium 1.17', () => {
  const old = runJson(['--cilium-version', '1.16', '-'], { input: CNP });
  assert.equal(old.status, 1);
  const f = old.findings.find((x) => x.code === 'version/not-yet-available');
  assert.ok(f, JSON.stringify(old.findings));
  assert.match(f.message, /added in Cilium 1\.17; the target is Cilium 1\.16/);
  const newer = runJson(['--cilium-version', '1.17', '-'], { input: CNP });
  assert.deepEqual(
    newer.findings.filter((x) => x.code.startsWith('version/')),
    [],
  );
});
