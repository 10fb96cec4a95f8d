// SPDX-License-Identifier: Apache-2.0
/**
 * `cilium-policy preview` end to end. The upstream demos are golden tests whose expected names
 * were worked out by reading the manifests (each workload's pod labels against each selector),
 * not copied from the command's output.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { NO_SHARED, REPO_ROOT, shared } from '../support/paths.js';
import { runCli, tempTree } from './run-cli.js';

const EXAMPLES = shared('upstream', 'examples', 'cilium');
const skip = EXAMPLES === undefined || !fs.existsSync(EXAMPLES) ? NO_SHARED : false;
const FIXTURES = path.join(REPO_ROOT, 'test', 'fixtures', 'preview');

interface Endpoint {
  kind: string;
  namespace: string;
  name: string;
  labels: Record<string, string>;
}
interface Preview {
  file: string;
  kind: string;
  name: string | null;
  namespace: string | null;
  subjects: Endpoint[];
  rules: { direction: string; index: number; peers: Record<string, unknown>[]; ports: Record<string, unknown>[] }[];
}

function previewJson(args: readonly string[], cwd?: string): Preview[] {
  const r = runCli(['preview', '--format', 'json', ...args], cwd ? { cwd } : {});
  assert.equal(r.status, 0, r.stderr);
  try {
    return JSON.parse(r.stdout) as Preview[];
  } catch (e) {
    throw new Error(`stdout is not JSON: ${(e as Error).message}\n${r.stdout.slice(0, 400)}`, { cause: e });
  }
}

const ids = (list: Endpoint[]): string[] => list.map((e) => `${e.namespace}/${e.name}`);

/** Peers as short strings: `ns/name` for workloads, `kind:value` for the rest. */
function peers(list: Record<string, unknown>[]): string[] {
  return list.map((p) => {
    const e = p['endpoint'] as Endpoint | undefined;
    if (e) return `${e.namespace}/${e.name}`;
    const [k, v] = Object.entries(p)[0]!;
    return `${k}:${typeof v === 'string' ? v : JSON.stringify(v)}`;
  });
}

test(
  'Star Wars demo: rule1 selects the deathstar and admits the empire (deathstar and tiefighter) on 80/TCP',
  { skip },
  () => {
    const [p, ...rest] = previewJson(['minikube/sw_l3_l4_policy.yaml'], EXAMPLES);
    assert.equal(rest.length, 0);
    assert.ok(p);
    assert.deepEqual(
      [p.file, p.kind, p.name, p.namespace],
      ['minikube/sw_l3_l4_policy.yaml', 'CiliumNetworkPolicy', 'rule1', 'default'],
    );
    // org=empire,class=deathstar: only the deathstar Deployment's pod template.
    assert.deepEqual(ids(p.subjects), ['default/deathstar']);
    assert.equal(p.subjects[0]!.kind, 'Deployment');
    assert.deepEqual(p.subjects[0]!.labels, {
      org: 'empire',
      class: 'deathstar',
      'app.kubernetes.io/name': 'deathstar',
    });
    assert.equal(p.rules.length, 1);
    const r = p.rules[0]!;
    assert.deepEqual([r.direction, r.index], ['ingress', 0]);
    // org=empire: the deathstar and the tiefighter; the xwing is org=alliance.
    assert.deepEqual(peers(r.peers), ['default/deathstar', 'default/tiefighter']);
    assert.deepEqual(r.ports, [{ port: '80', protocol: 'TCP' }]);
  },
);

test('an explicit --inventory gives the same answer; a folder without workloads gives none', { skip }, () => {
  const [p] = previewJson(['--inventory', 'minikube/http-sw-app.yaml', 'minikube/sw_l3_l4_policy.yaml'], EXAMPLES);
  assert.deepEqual(ids(p!.subjects), ['default/deathstar']);
  const [q] = previewJson(['--inventory', 'kubernetes-dns', 'minikube/sw_l3_l4_policy.yaml'], EXAMPLES);
  // The DNS demo's only workload is the mediabot (org=empire, class=mediabot): no deathstar.
  assert.deepEqual(ids(q!.subjects), []);
  assert.deepEqual(peers(q!.rules[0]!.peers), ['default/mediabot']);
});

test(
  'DNS demo: the mediabot may reach api.github.com and, for DNS, kube-dns (absent from the demo manifests)',
  { skip },
  () => {
    const [p] = previewJson(['kubernetes-dns/dns-matchname.yaml'], EXAMPLES);
    assert.ok(p);
    assert.equal(p.name, 'fqdn');
    assert.deepEqual(ids(p.subjects), ['default/mediabot']);
    assert.deepEqual(
      p.rules.map((r) => [r.direction, peers(r.peers), r.ports]),
      [
        ['egress', ['fqdn:api.github.com'], []],
        ['egress', [], [{ port: '53', protocol: 'ANY' }]],
      ],
    );
  },
);

test(
  'service mesh: the Envoy config applies to the backends of helloworld, helloworld-v1 and helloworld-v2',
  { skip },
  () => {
    const [p] = previewJson(['kubernetes/servicemesh/envoy/envoy-helloworld-v1-90-v2-10.yaml'], EXAMPLES);
    assert.ok(p);
    assert.deepEqual([p.kind, p.name, p.namespace], ['CiliumEnvoyConfig', 'envoy-lb-listener', 'default']);
    // Service helloworld selects app=helloworld: both versioned Deployments (client-helloworld.yaml).
    assert.deepEqual(ids(p.subjects), ['default/helloworld-v1', 'default/helloworld-v2']);
    assert.deepEqual(p.rules, []);
  },
);

test('text output: a header per policy, the subjects, each rule with its peers and ports', { skip }, () => {
  const r = runCli(['preview', 'minikube/sw_l3_l4_policy.yaml', 'kubernetes-dns/dns-matchname.yaml'], {
    cwd: EXAMPLES!,
  });
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.split('\n');
  assert.ok(lines.includes('minikube/sw_l3_l4_policy.yaml: CiliumNetworkPolicy rule1 in namespace default'), r.stdout);
  assert.ok(lines.includes('    default/deathstar (Deployment)'));
  assert.ok(lines.includes('    from default/tiefighter (Pod)'));
  assert.ok(lines.includes('    ports: 80/TCP'));
  assert.ok(lines.includes('    to fqdn api.github.com'));
  assert.ok(lines.includes('    to: nothing in the inventory'));
  assert.match(r.stderr, /inventory: \d+ workloads/);
});

test('a kubectl snapshot as the inventory', () => {
  const [p] = previewJson([
    '--inventory',
    path.join(FIXTURES, 'snapshot.json'),
    path.join(FIXTURES, 'workspace', 'policies', 'backend.yaml'),
  ]);
  assert.ok(p);
  // The snapshot holds web (two pods of one Deployment), api and the cache StatefulSet.
  assert.deepEqual(ids(p.subjects), ['shop/api']);
  assert.deepEqual(
    p.rules.map((r) => `${r.direction}[${r.index}] ${peers(r.peers).join(' ')}`),
    ['ingress[0] shop/web', 'egress[0] ', 'egress[1] shop/cache'],
  );
  assert.equal(p.subjects[0]!.kind, 'Deployment');
  // Manifests and a snapshot together add up; api, in both, counts once (the manifest's).
  const [q] = previewJson([
    '--inventory',
    path.join(FIXTURES, 'snapshot.json'),
    '--inventory',
    path.join(FIXTURES, 'workspace'),
    path.join(FIXTURES, 'workspace', 'policies', 'backend.yaml'),
  ]);
  assert.deepEqual(ids(q!.subjects), ['shop/api', 'shop/worker']);
  assert.deepEqual(peers(q!.rules[2]!.peers), ['shop/cache']);
});

test('policies read from standard input use the working directory’s manifests', () => {
  const policy = fs.readFileSync(path.join(FIXTURES, 'workspace', 'policies', 'frontend.yaml'), 'utf8');
  const r = runCli(['preview', '--format', 'json', '-'], { cwd: path.join(FIXTURES, 'workspace'), input: policy });
  assert.equal(r.status, 0, r.stderr);
  const [p] = JSON.parse(r.stdout) as Preview[];
  assert.equal(p!.file, '<stdin>');
  assert.deepEqual(ids(p!.subjects), ['shop/web']);
  assert.deepEqual(peers(p!.rules[0]!.peers), ['entity:world']);
});

test('usage and I/O errors exit with 2', () => {
  const dir = tempTree({
    'cut.json': '{"kind": "List", "items": [{"kind": "Pod", "metad',
    'p.yaml':
      'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: p\nspec:\n  endpointSelector: {}\n',
  });
  try {
    const cut = runCli(['preview', '--inventory', 'cut.json', 'p.yaml'], { cwd: dir });
    assert.equal(cut.status, 2);
    assert.match(cut.stderr, /cut\.json: The snapshot could not be read/);
    assert.equal(cut.stdout, '');
    const missing = runCli(['preview', 'absent.yaml'], { cwd: dir });
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /absent\.yaml/);
    const noInventory = runCli(['preview', '--inventory', 'nowhere', 'p.yaml'], { cwd: dir });
    assert.equal(noInventory.status, 2);
    assert.equal(runCli(['preview'], { cwd: dir }).status, 2);
    assert.equal(runCli(['preview', '--inventory'], { cwd: dir }).status, 2);
    assert.equal(runCli(['preview', '--format', 'xml', 'p.yaml'], { cwd: dir }).status, 2);
    assert.equal(runCli(['preview', '--bogus', 'p.yaml'], { cwd: dir }).status, 2);
    const ok = runCli(['preview', 'p.yaml'], { cwd: dir });
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /selects nothing in the inventory/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
