// SPDX-License-Identifier: Apache-2.0
/** Kernel targets: reading releases as the agent does, node pools from a snapshot, declared targets. */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import {
  compareKernel,
  describeTarget,
  kernelTargets,
  nodePools,
  parseKernelVersion,
} from '../../server/src/core/tetragon/targets.js';
import { inventoryFromKubectlJson } from '../../server/src/core/inventory.js';
import { normalizeSettings } from '../../server/src/settings.js';
import { mergeSettings, parseProjectConfig } from '../../server/src/config.js';

test('kernel releases are read as Tetragon reads them', () => {
  // Vendor suffixes after '-' are dropped, a trailing '+' too, a missing patch is 0, patch caps at 255.
  assert.deepEqual(parseKernelVersion('5.15.0-1057-aws'), [5, 15, 0]);
  assert.deepEqual(parseKernelVersion('5.10.215-203.850.amzn2.x86_64'), [5, 10, 215]);
  assert.deepEqual(parseKernelVersion('6.1+'), [6, 1, 0]);
  assert.deepEqual(parseKernelVersion('4.19.300'), [4, 19, 255]);
  assert.deepEqual(parseKernelVersion('6.8.rc1'), [6, 8, 0]);
  assert.equal(parseKernelVersion('linux'), undefined);
  assert.equal(parseKernelVersion(''), undefined);
  assert.ok(compareKernel([5, 10, 0], [5, 11, 0]) < 0);
  assert.ok(compareKernel([6, 1, 0], [5, 19, 9]) > 0);
});

function node(name: string, kernelVersion: string, architecture: string, osImage = 'Ubuntu 22.04.4 LTS') {
  return { kind: 'Node', metadata: { name }, status: { nodeInfo: { kernelVersion, architecture, osImage } } };
}

test('a kubectl snapshot groups its nodes into pools by architecture, kernel and OS image', () => {
  const snapshot = {
    kind: 'List',
    items: [
      node('a1', '5.10.0-28-cloud-arm64', 'arm64', 'Debian GNU/Linux 11'),
      node('a2', '5.10.0-28-cloud-arm64', 'arm64', 'Debian GNU/Linux 11'),
      node('a3', '5.10.0-28-cloud-arm64', 'arm64', 'Debian GNU/Linux 11'),
      node('x1', '6.1.0-18-cloud-amd64', 'amd64', 'Debian GNU/Linux 12'),
      { kind: 'Node', metadata: { name: 'bare' } },
    ],
  };
  const r = inventoryFromKubectlJson(JSON.stringify(snapshot));
  assert.ok(r.ok);
  const nodes = r.inventory.nodes;
  assert.equal(nodes.length, 5);
  assert.equal(nodes.find((n) => n.name === 'x1')?.kernelVersion, '6.1.0-18-cloud-amd64');
  const pools = nodePools(nodes);
  assert.deepEqual(
    pools.map((p) => [p.name, p.arch, p.nodes.length]),
    [
      ['arm64-5.10', 'arm64', 3],
      ['x86_64-6.1', 'x86_64', 1],
    ],
  );
  assert.equal(describeTarget(pools[0]!), 'pool arm64-5.10 (3 nodes)');
});

test('pools that would share a name are told apart by release, then OS image', () => {
  const nodes = [
    { name: 'n1', labels: {}, kernelVersion: '5.15.0-100-generic', architecture: 'amd64', osImage: 'Ubuntu' },
    { name: 'n2', labels: {}, kernelVersion: '5.15.0-200-generic', architecture: 'amd64', osImage: 'Ubuntu' },
    { name: 'n3', labels: {}, kernelVersion: '5.15.0-200-generic', architecture: 'amd64', osImage: 'Flatcar' },
  ];
  const names = nodePools(nodes).map((p) => p.name);
  assert.equal(new Set(names).size, 3, names.join(', '));
  for (const n of names) assert.match(n, /^x86_64-5\.15\.0-\d+-generic/);
});

test('declared targets come from settings and .cilium-policy.yaml; a declared pool name replaces the pool', () => {
  const s = normalizeSettings({
    tetragon: {
      targets: [
        { name: 'arm64-5.10', arch: 'arm64', kernel: '5.10.0', features: { lsm: false, bogus: 'yes' } },
        { name: 'no-kernel', arch: 'arm64' },
        'nonsense',
      ],
    },
  });
  assert.deepEqual(s.tetragonTargets, [
    { name: 'arm64-5.10', arch: 'arm64', kernel: '5.10.0', features: { lsm: false } },
  ]);
  const nodes = [{ name: 'a1', labels: {}, kernelVersion: '5.10.0-28', architecture: 'arm64' }];
  const targets = kernelTargets(s.tetragonTargets, nodes);
  assert.equal(targets.length, 1);
  assert.equal(targets[0]!.origin, 'settings');
  assert.deepEqual(targets[0]!.nodes, ['a1']);
  assert.deepEqual(targets[0]!.features, { lsm: false });

  const project = parseProjectConfig('tetragon:\n  targets:\n    - {name: lab, arch: amd64, kernel: "6.6.1"}\n');
  const merged = mergeSettings({ tetragon: { targets: [{ name: 'editor', arch: 'arm64', kernel: '5.4' }] } }, project);
  assert.deepEqual(
    merged.tetragonTargets.map((t) => t.name),
    ['lab'],
  );
});
