// SPDX-License-Identifier: Apache-2.0
/**
 * The verdict engine beyond the upstream fixtures: every reason for `unknown`, the agent profile
 * (ConfigMap, stated options), policies the agent rejects, incremental updates, rule locations,
 * coverage and matrices, and the purity of the layer.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseFile } from '../../server/src/core/document.js';
import { inventoryFromManifests } from '../../server/src/core/inventory.js';
import {
  agentOptionsFromConfigMap,
  readAgentOptions,
  resolveAgent,
  type AgentOptions,
} from '../../server/src/semantics/agent.js';
import { coverage } from '../../server/src/semantics/coverage.js';
import { VerdictEngine, type Flow } from '../../server/src/semantics/engine.js';
import { matchesPattern } from '../../server/src/semantics/fqdn.js';
import { httpRuleAdmits, readHttpRules } from '../../server/src/semantics/http.js';
import { connectivityMatrix, updateMatrix } from '../../server/src/semantics/matrix.js';
import { UNKNOWN_CODES } from '../../server/src/semantics/model.js';
import { REPO_ROOT } from '../support/paths.js';

function engine(policies: string, inventory: string, agent: Partial<AgentOptions> = {}): VerdictEngine {
  const e = new VerdictEngine({
    inventory: inventoryFromManifests([{ uri: 'inventory.yaml', text: inventory }]),
    agent: resolveAgent([{ origin: 'test', values: agent }]),
  });
  e.setFile('policies.yaml', parseFile(policies));
  return e;
}

const PODS = `
apiVersion: v1
kind: Node
metadata: {name: n1}
status: {addresses: [{type: InternalIP, address: 172.18.0.2}]}
---
apiVersion: v1
kind: Node
metadata: {name: n2}
status: {addresses: [{type: InternalIP, address: 172.18.0.3}]}
spec: {podCIDRs: [10.244.2.0/24]}
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: app, labels: {app: client}}
spec: {nodeName: n1, containers: [{name: c}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: roaming, namespace: app}
spec: {template: {metadata: {labels: {app: roaming}}, spec: {containers: [{name: c}]}}}
---
apiVersion: v1
kind: Pod
metadata: {name: server, namespace: app, labels: {app: server}}
spec: {nodeName: n1, containers: [{name: c, ports: [{name: web, containerPort: 8080}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: other-web, namespace: app, labels: {app: other}}
spec: {nodeName: n2, containers: [{name: c, ports: [{name: web, containerPort: 9000}]}]}
---
apiVersion: v1
kind: Service
metadata: {name: external, namespace: app}
spec: {ports: [{port: 443}]}
---
apiVersion: v1
kind: Service
metadata: {name: both, namespace: app}
spec: {selector: {tier: both}, ports: [{port: 80}]}
---
apiVersion: v1
kind: Pod
metadata: {name: both-a, namespace: app, labels: {tier: both, app: both-a}}
spec: {containers: [{name: c}]}
---
apiVersion: v1
kind: Pod
metadata: {name: both-b, namespace: app, labels: {tier: both, app: both-b}}
spec: {containers: [{name: c}]}
`;

const CLIENT_EGRESS = (items: string): string => `
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: client-egress, namespace: app}
spec:
  endpointSelector: {matchLabels: {app: client}}
  egress:
${items}`;

const SERVER_INGRESS = (items: string, extra = ''): string => `
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: server-ingress, namespace: app}
spec:
  endpointSelector: {matchLabels: {app: server}}
${extra}  ingress:
${items}`;

/** One scenario per reason for `unknown`: the flow must come out unknown with that code. */
const UNKNOWN_SCENARIOS: {
  code: string;
  policies: string;
  flow: Flow;
  agent?: Partial<AgentOptions>;
  /** Manifests added to PODS for this scenario. */
  inventory?: string;
}[] = [
  {
    code: 'fqdn-without-address',
    policies: CLIENT_EGRESS('    - toFQDNs: [{matchName: api.example.com}]\n'),
    flow: { from: { workload: 'app/client' }, to: { fqdn: 'api.example.com' }, port: 443 },
  },
  {
    code: 'address-may-match-fqdn',
    policies: CLIENT_EGRESS(
      '    - toFQDNs: [{matchPattern: "*.example.com"}]\n    - toPorts: [{ports: [{port: "53", protocol: ANY}], rules: {dns: [{matchPattern: "*"}]}}]\n',
    ),
    flow: { from: { workload: 'app/client' }, to: { ip: '198.51.100.9' }, port: 443 },
  },
  {
    code: 'cidr-node-match-mode',
    policies: CLIENT_EGRESS('    - toCIDR: [172.18.0.0/16]\n'),
    flow: { from: { workload: 'app/client' }, to: { node: 'n2' }, port: 10250 },
  },
  {
    code: 'node-address-unknown',
    policies: CLIENT_EGRESS('    - toCIDR: [172.18.0.0/16]\n'),
    flow: { from: { workload: 'app/client' }, to: { node: 'n3' }, port: 10250 },
    agent: { policyCIDRMatchMode: ['nodes'] },
    inventory: 'apiVersion: v1\nkind: Node\nmetadata: {name: n3}\n',
  },
  {
    code: 'world-address-unknown',
    policies: CLIENT_EGRESS('    - toCIDR: [0.0.0.0/1]\n'),
    flow: { from: { workload: 'app/client' }, to: { entity: 'world' }, port: 443 },
  },
  {
    code: 'kube-apiserver-address',
    policies: CLIENT_EGRESS('    - toCIDR: [10.96.0.0/12]\n'),
    flow: { from: { workload: 'app/client' }, to: { entity: 'kube-apiserver' }, port: 443 },
  },
  {
    code: 'pod-cidr-address',
    policies: CLIENT_EGRESS('    - toEntities: [world]\n'),
    flow: { from: { workload: 'app/client' }, to: { ip: '10.244.2.77' }, port: 443 },
  },
  {
    code: 'service-without-endpoints',
    policies: CLIENT_EGRESS('    - toEntities: [world]\n'),
    flow: { from: { workload: 'app/client' }, to: { service: 'app/external' }, port: 443 },
  },
  {
    code: 'service-not-in-inventory',
    policies: CLIENT_EGRESS('    - toServices: [{k8sService: {serviceName: missing, namespace: app}}]\n'),
    flow: { from: { workload: 'app/client' }, to: { workload: 'app/server' }, port: 8080 },
  },
  {
    code: 'service-backends-disagree',
    policies: `
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: only-a, namespace: app}
spec:
  endpointSelector: {matchLabels: {app: both-b}}
  ingress:
    - fromEndpoints: [{matchLabels: {app: nobody}}]
`,
    flow: { from: { workload: 'app/client' }, to: { service: 'app/both' }, port: 80 },
  },
  {
    code: 'cidr-group-unresolved',
    policies: CLIENT_EGRESS('    - toCIDRSet: [{cidrGroupRef: partners}]\n'),
    flow: { from: { workload: 'app/client' }, to: { ip: '203.0.113.5' }, port: 443 },
  },
  {
    code: 'cloud-groups',
    policies: CLIENT_EGRESS('    - toGroups: [{aws: {securityGroupsIds: [sg-1]}}]\n'),
    flow: { from: { workload: 'app/client' }, to: { ip: '203.0.113.5' }, port: 443 },
  },
  {
    code: 'audit-mode',
    policies: CLIENT_EGRESS('    - toEntities: [world]\n'),
    flow: { from: { workload: 'app/client' }, to: { workload: 'app/server' }, port: 8080 },
    agent: { policyAuditMode: true },
  },
  {
    code: 'node-placement',
    policies: `
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: roaming, namespace: app}
spec:
  endpointSelector: {matchLabels: {app: roaming}}
  egress:
    - toEntities: [host]
`,
    flow: { from: { workload: 'app/roaming' }, to: { node: 'n1' }, port: 10250 },
  },
  {
    code: 'named-port-ambiguous',
    policies: CLIENT_EGRESS('    - toEndpoints: [{}]\n      toPorts: [{ports: [{port: web, protocol: TCP}]}]\n'),
    flow: { from: { workload: 'app/client' }, to: { workload: 'app/server' }, port: 8080 },
  },
  {
    code: 'named-port-unknown',
    policies: `
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: adhoc, namespace: app}
spec:
  endpointSelector: {matchLabels: {app: adhoc}}
  ingress:
    - toPorts: [{ports: [{port: web, protocol: TCP}]}]
`,
    flow: { from: { workload: 'app/client' }, to: { namespace: 'app', labels: { app: 'adhoc' } }, port: 8080 },
  },
  {
    code: 'http-undecidable',
    policies: SERVER_INGRESS(
      '    - toPorts: [{ports: [{port: "8080", protocol: TCP}], rules: {http: [{host: "shop\\\\.example\\\\.com"}]}}]\n',
    ),
    flow: {
      from: { workload: 'app/client' },
      to: { workload: 'app/server' },
      port: 8080,
      http: { method: 'GET', path: '/' },
    },
  },
  {
    code: 'tls-server-name',
    policies: CLIENT_EGRESS(
      '    - toEntities: [world]\n      toPorts: [{ports: [{port: "443", protocol: TCP}], serverNames: [api.example.com]}]\n',
    ),
    flow: { from: { workload: 'app/client' }, to: { ip: '203.0.113.5' }, port: 443 },
  },
  {
    code: 'envoy-listener',
    policies: CLIENT_EGRESS(
      '    - toEntities: [world]\n      toPorts: [{ports: [{port: "443", protocol: TCP}], listener: {envoyConfig: {kind: CiliumEnvoyConfig, name: egress}, name: tls}}]\n',
    ),
    flow: { from: { workload: 'app/client' }, to: { ip: '203.0.113.5' }, port: 443 },
  },
  {
    code: 'authentication',
    policies: SERVER_INGRESS(
      '    - fromEndpoints: [{matchLabels: {app: client}}]\n      authentication: {mode: required}\n',
    ),
    flow: { from: { workload: 'app/client' }, to: { workload: 'app/server' }, port: 8080 },
  },
  {
    code: 'l7-parser-conflict',
    policies: SERVER_INGRESS(
      '    - toPorts: [{ports: [{port: "8080", protocol: TCP}], rules: {http: [{method: GET}]}}]\n    - toPorts: [{ports: [{port: "8080", protocol: TCP}], rules: {dns: [{matchPattern: "*"}]}}]\n',
    )
      .replace('ingress:', 'egress:')
      .replace('server-ingress', 'server-egress'),
    flow: { from: { workload: 'app/server' }, to: { workload: 'app/client' }, port: 8080 },
  },
  {
    code: 'knp-ipblock-peer',
    policies: `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: from-block, namespace: app}
spec:
  podSelector: {matchLabels: {app: server}}
  ingress:
    - from: [{ipBlock: {cidr: 192.0.2.0/24}}]
`,
    flow: { from: { workload: 'app/client' }, to: { workload: 'app/server' }, port: 8080 },
  },
];

test('every reason for unknown has a scenario that produces it', () => {
  const covered = new Set(UNKNOWN_SCENARIOS.map((s) => s.code));
  assert.deepEqual(
    UNKNOWN_CODES.filter((c) => !covered.has(c)),
    [],
    'each code of UNKNOWN_CODES is exercised below',
  );
});

for (const s of UNKNOWN_SCENARIOS) {
  test(`unknown: ${s.code}`, () => {
    const e = engine(s.policies, s.inventory ? `${PODS}\n---\n${s.inventory}` : PODS, s.agent);
    assert.deepEqual(e.rejected(), [], 'the policy is accepted');
    const v = e.evaluate(s.flow);
    assert.equal(v.verdict, 'unknown', v.reason);
    assert.ok(
      v.unknowns.some((u) => u.code === s.code),
      `codes ${JSON.stringify(v.unknowns.map((u) => u.code))} include ${s.code}: ${v.reason}`,
    );
    assert.match(v.reason, /cannot be decided/);
  });
}

test('the stated CIDR match mode decides what the unstated one leaves unknown', () => {
  const policies = CLIENT_EGRESS('    - toCIDR: [172.18.0.0/16]\n');
  const flow: Flow = { from: { workload: 'app/client' }, to: { node: 'n2' }, port: 10250 };
  assert.equal(engine(policies, PODS, { policyCIDRMatchMode: [] }).evaluate(flow).verdict, 'deny');
  assert.equal(engine(policies, PODS, { policyCIDRMatchMode: ['nodes'] }).evaluate(flow).verdict, 'allow');
  assert.equal(engine(policies, PODS).evaluate(flow).verdict, 'unknown');
});

test('a CIDR group in the inventory resolves cidrGroupRef, except included', () => {
  const inventory = `${PODS}
---
apiVersion: cilium.io/v2
kind: CiliumCIDRGroup
metadata: {name: partners, labels: {kind: partner}}
spec: {externalCIDRs: [203.0.113.0/24]}
`;
  const e = engine(
    CLIENT_EGRESS('    - toCIDRSet: [{cidrGroupRef: partners, except: [203.0.113.128/25]}]\n'),
    inventory,
  );
  assert.equal(e.evaluate({ from: { workload: 'app/client' }, to: { ip: '203.0.113.5' }, port: 443 }).verdict, 'allow');
  assert.equal(
    e.evaluate({ from: { workload: 'app/client' }, to: { ip: '203.0.113.200' }, port: 443 }).verdict,
    'deny',
  );
  const bySelector = engine(
    CLIENT_EGRESS('    - toCIDRSet: [{cidrGroupSelector: {matchLabels: {kind: partner}}}]\n'),
    inventory,
  );
  assert.equal(
    bySelector.evaluate({ from: { workload: 'app/client' }, to: { ip: '203.0.113.5' }, port: 443 }).verdict,
    'allow',
  );
  assert.equal(
    bySelector.evaluate({ from: { workload: 'app/client' }, to: { ip: '198.51.100.1' }, port: 443 }).verdict,
    'deny',
  );
});

test('toFQDNs needs a DNS rule of the same endpoint that lets the lookup through', () => {
  const withDns = CLIENT_EGRESS(
    '    - toFQDNs: [{matchName: api.example.com}]\n    - toPorts: [{ports: [{port: "53", protocol: ANY}], rules: {dns: [{matchName: api.example.com}]}}]\n',
  );
  const withoutDns = CLIENT_EGRESS('    - toFQDNs: [{matchName: api.example.com}]\n');
  const flow: Flow = {
    from: { workload: 'app/client' },
    to: { fqdn: 'api.example.com', ip: '198.51.100.9' },
    port: 443,
  };
  assert.equal(engine(withDns, PODS).evaluate(flow).verdict, 'allow');
  const denied = engine(withoutDns, PODS).evaluate(flow);
  assert.equal(denied.verdict, 'deny');
});

test('allow-localhost: policy holds the node to the rules like any peer', () => {
  const policies = SERVER_INGRESS('    - fromEndpoints: [{matchLabels: {app: client}}]\n');
  const flow: Flow = { from: { node: 'n1' }, to: { workload: 'app/server' }, port: 8080 };
  assert.equal(engine(policies, PODS).evaluate(flow).verdict, 'allow');
  assert.equal(engine(policies, PODS, { allowLocalhost: 'policy' }).evaluate(flow).verdict, 'deny');
});

test('policies the agent rejects have no effect and are reported', () => {
  const cnpWithNodeSelector = `
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: host, namespace: app}
spec:
  nodeSelector: {}
  ingress: [{fromEntities: [world]}]
`;
  const l7 = SERVER_INGRESS(
    '    - toPorts: [{ports: [{port: "8080", protocol: TCP}], rules: {http: [{method: GET}]}}]\n',
  );
  const nodes = SERVER_INGRESS('    - fromNodes: [{}]\n');
  const e1 = engine(cnpWithNodeSelector, PODS);
  assert.match(e1.rejected()[0]?.reason ?? '', /nodeSelector/);
  const e2 = engine(l7, PODS, { enableL7Proxy: false });
  assert.match(e2.rejected()[0]?.reason ?? '', /enable-l7-proxy/);
  assert.equal(
    e2.evaluate({ from: { workload: 'app/client' }, to: { workload: 'app/server' }, port: 9999 }).verdict,
    'allow',
    'a rejected policy does not make the server default-deny',
  );
  assert.match(engine(nodes, PODS).rejected()[0]?.reason ?? '', /enable-node-selector-labels/);
  assert.deepEqual(engine(nodes, PODS, { enableNodeSelectorLabels: true }).rejected(), []);
  const icmp = SERVER_INGRESS('    - icmps: [{fields: [{type: 8, family: IPv4}]}]\n');
  assert.match(engine(icmp, PODS, { enableICMPRules: false }).rejected()[0]?.reason ?? '', /enable-icmp-rules/);
  assert.deepEqual(engine(icmp, PODS).rejected(), []);
});

test('the agent profile: ConfigMap keys, PolicyTest keys, stated options and precedence', () => {
  const cm = agentOptionsFromConfigMap({
    'enable-policy': 'always',
    'policy-cidr-match-mode': 'nodes',
    'enable-host-firewall': 'true',
    'allow-localhost': 'auto',
    'cluster-name': 'prod',
    'unrelated-option': 'x',
  });
  assert.deepEqual(cm.problems, []);
  const test1 = readAgentOptions({ enableHostFirewall: false, 'policy-audit-mode': 'true' });
  const agent = resolveAgent([
    { origin: 'kube-system/cilium-config', values: cm.values },
    { origin: 'tests/a.yaml', values: test1.values },
  ]);
  assert.equal(agent.policyEnforcementMode, 'always');
  assert.deepEqual(agent.policyCIDRMatchMode, ['nodes']);
  assert.equal(agent.enableHostFirewall, false, 'the later layer wins');
  assert.equal(agent.stated.enableHostFirewall, 'tests/a.yaml');
  assert.equal(agent.stated.clusterName, 'kube-system/cilium-config');
  assert.equal(agent.allowLocalhost, 'always');
  assert.equal(agent.policyAuditMode, true);
  assert.equal(agent.stated.enableL7Proxy, undefined, 'an option no layer names is not stated');
  const bad = readAgentOptions({ policyEnforcementMode: 'sometimes', nope: 1 });
  assert.deepEqual(
    bad.problems.map((p) => p.key),
    ['policyEnforcementMode', 'nope'],
  );
});

test('deciding rules carry file, 1-based line, direction and rule index', () => {
  const text = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: server-ingress, namespace: app}
spec:
  endpointSelector: {matchLabels: {app: server}}
  ingress:
    - fromEndpoints: [{matchLabels: {app: other}}]
    - fromEndpoints: [{matchLabels: {app: client}}]
  ingressDeny:
    - fromEntities: [world]
`;
  const e = engine(text, PODS);
  const v = e.evaluate({ from: { workload: 'app/client' }, to: { workload: 'app/server' }, port: 8080 });
  assert.equal(v.verdict, 'allow');
  const ref = v.ingress.by[0];
  assert.ok(ref);
  const lines = text.split('\n');
  assert.equal(lines[ref.line - 1]?.trim(), '- fromEndpoints: [{matchLabels: {app: client}}]');
  assert.deepEqual(
    [ref.file, ref.direction, ref.rule, ref.spec, ref.kind, ref.namespace, ref.name],
    ['policies.yaml', 'ingress', 1, null, 'CiliumNetworkPolicy', 'app', 'server-ingress'],
  );
  const denied = e.evaluate({ from: { ip: '203.0.113.1' }, to: { workload: 'app/server' }, port: 8080 });
  assert.equal(denied.ingress.by[0]?.direction, 'ingressDeny');
  assert.equal(lines[(denied.ingress.by[0]?.line ?? 0) - 1]?.trim(), '- fromEntities: [world]');
  const defaulted = e.evaluate({ from: { workload: 'app/roaming' }, to: { workload: 'app/server' }, port: 8080 });
  assert.deepEqual(defaulted.ingress.by, []);
  assert.equal(defaulted.ingress.state, 'default-deny');
  assert.equal(
    lines[(defaulted.ingress.defaultDenyBy[0]?.line ?? 0) - 1]?.trim(),
    'endpointSelector: {matchLabels: {app: server}}',
  );
});

test('an edit to one file gives the same verdicts as a fresh engine, and touches only that file', () => {
  const a = SERVER_INGRESS('    - fromEndpoints: [{matchLabels: {app: client}}]\n');
  const b = CLIENT_EGRESS('    - toEndpoints: [{matchLabels: {app: server}}]\n');
  const b2 = CLIENT_EGRESS('    - toEndpoints: [{matchLabels: {app: other}}]\n');
  const inventory = inventoryFromManifests([{ uri: 'i.yaml', text: PODS }]);
  const live = new VerdictEngine({ inventory });
  live.setFile('a.yaml', parseFile(a));
  live.setFile('b.yaml', parseFile(b));
  const ends = ['app/client', 'app/server', 'app/other-web', 'app/roaming'].map((w) => {
    const r = live.resolve({ workload: w });
    assert.ok(r.ok);
    return r.end;
  });
  const before = connectivityMatrix(live, ends, ends, () => [{ port: 8080, protocol: 'TCP' }]);
  const generation = live.generation;
  live.setFile('b.yaml', parseFile(b2));
  const after = connectivityMatrix(live, ends, ends, () => [{ port: 8080, protocol: 'TCP' }]);
  // Only the client's egress changed: its row is computed again, the other rows are kept.
  assert.deepEqual(
    ends.map((end) => live.changedSince(end, generation)),
    [true, false, false, false],
  );
  assert.deepEqual(
    updateMatrix(live, before, generation, ends, ends, () => [{ port: 8080, protocol: 'TCP' }]),
    after,
  );
  const fresh = new VerdictEngine({ inventory });
  fresh.setFile('a.yaml', parseFile(a));
  fresh.setFile('b.yaml', parseFile(b2));
  const fromScratch = connectivityMatrix(fresh, ends, ends, () => [{ port: 8080, protocol: 'TCP' }]);
  assert.deepEqual(after, fromScratch);
  assert.notDeepEqual(before, after, 'the edit changed something');
  live.removeFile('b.yaml');
  const onlyA = new VerdictEngine({ inventory });
  onlyA.setFile('a.yaml', parseFile(a));
  assert.deepEqual(
    connectivityMatrix(live, ends, ends, () => [{ port: 8080, protocol: 'TCP' }]),
    connectivityMatrix(onlyA, ends, ends, () => [{ port: 8080, protocol: 'TCP' }]),
  );
});

test('coverage: default-deny per direction, allow-all when nothing selects, audit in audit mode', () => {
  const policies = SERVER_INGRESS('    - fromEndpoints: [{matchLabels: {app: client}}]\n');
  const byName = (e: VerdictEngine, name: string) => coverage(e).find((d) => d.entry.name === name)?.entry;
  const e = engine(policies, PODS);
  assert.deepEqual(byName(e, 'server'), {
    namespace: 'app',
    kind: 'Pod',
    name: 'server',
    ingress: 'default-deny',
    egress: 'allow-all',
    policies: [{ kind: 'CiliumNetworkPolicy', namespace: 'app', name: 'server-ingress' }],
  });
  assert.equal(byName(e, 'client')?.ingress, 'allow-all');
  assert.equal(byName(engine(policies, PODS, { policyAuditMode: true }), 'server')?.ingress, 'audit');
});

test('HTTP rules: whole-string regular expressions, header names without case, exact header values', () => {
  const [rule] = readHttpRules([{ method: 'GET|HEAD', path: '/v1/[a-z]+', headers: ['X-Team: shop', 'X-Trace'] }]);
  assert.ok(rule);
  const ok = { method: 'HEAD', path: '/v1/items', headers: { 'x-team': 'shop', 'X-TRACE': '1' } };
  assert.deepEqual(httpRuleAdmits(rule, ok), { admits: true });
  assert.equal(httpRuleAdmits(rule, { ...ok, path: '/v1/items/7' }).admits, false, 'the path must match whole');
  assert.equal(httpRuleAdmits(rule, { ...ok, method: 'GETX' }).admits, false, 'the method must match whole');
  assert.equal(httpRuleAdmits(rule, { ...ok, headers: { 'x-team': 'shops', 'x-trace': '' } }).admits, false);
  assert.equal(httpRuleAdmits(rule, { ...ok, headers: { 'x-team': 'shop' } }).admits, false);
  const [mismatch] = readHttpRules([{ headerMatches: [{ name: 'X-Env', value: 'prod', mismatch: 'LOG' }] }]);
  assert.deepEqual(httpRuleAdmits(mismatch!, { path: '/' }), { admits: true }, 'a mismatch action never refuses');
});

test('DNS patterns: a star stays inside one label, names compare without case or trailing dot', () => {
  assert.ok(matchesPattern('*.example.com', 'API.Example.com.'));
  assert.ok(!matchesPattern('*.example.com', 'a.b.example.com'));
  assert.ok(matchesPattern('**.example.com', 'a.b.example.com'));
  assert.ok(!matchesPattern('**.example.com', 'example.com'));
  assert.ok(matchesPattern('*', 'anything.at.all'));
});

test('the semantics layer is pure: it imports only the core and itself', () => {
  const dir = path.join(REPO_ROOT, 'server', 'src', 'semantics');
  const offenders: string[] = [];
  for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.ts'))) {
    const text = fs.readFileSync(path.join(dir, f), 'utf8');
    for (const m of text.matchAll(/(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]/g)) {
      const spec = m[1] ?? '';
      const ok = spec.startsWith('./') || spec.startsWith('../core/') || spec === 'yaml' || spec === 're2js';
      if (!ok) offenders.push(`${f} imports ${spec}`);
    }
    if (/\bprocess\.(env|argv|cwd|exit)\b/.test(text)) offenders.push(`${f} reads process state`);
  }
  assert.deepEqual(offenders, []);
});

test('the matrix fast path agrees with evaluate on every pair and port of the shop example', () => {
  const dir = path.join(REPO_ROOT, 'examples', 'shop');
  const read = (sub: string) =>
    fs
      .readdirSync(path.join(dir, sub))
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => ({ uri: `${sub}/${f}`, text: fs.readFileSync(path.join(dir, sub, f), 'utf8') }));
  const inventory = inventoryFromManifests(read('inventory'));
  for (const mode of ['default', 'always'] as const) {
    const e = new VerdictEngine({
      inventory,
      agent: resolveAgent([{ origin: 'test', values: { policyEnforcementMode: mode, policyCIDRMatchMode: [] } }]),
    });
    for (const f of read('policies')) e.setFile(f.uri, parseFile(f.text));
    const ends = inventory.endpoints.map((w) => e.resolver.podOf(w));
    const ports = () => [
      { port: 8080, protocol: 'TCP' as const },
      { port: 5432, protocol: 'TCP' as const },
      { port: 53, protocol: 'UDP' as const },
      { port: 9090, protocol: 'TCP' as const },
    ];
    const cells = connectivityMatrix(e, ends, ends, ports);
    assert.equal(cells.length, ends.length * ends.length * 4);
    const seen = new Set<string>();
    for (const c of cells) {
      const from = inventory.endpoints[c.from]!;
      const to = inventory.endpoints[c.to]!;
      const v = e.evaluate({
        from: { workload: `${from.kind}/${from.namespace}/${from.name}` },
        to: { workload: `${to.kind}/${to.namespace}/${to.name}` },
        port: c.port.port,
        protocol: c.port.protocol,
      });
      assert.equal(c.verdict, v.verdict, `${from.name} → ${to.name} ${c.port.protocol}/${c.port.port}: ${v.reason}`);
      seen.add(c.verdict);
    }
    assert.ok(seen.has('allow') && seen.has('deny'), `both verdicts occur (${mode})`);
  }
});

test('setting a file again marks only the endpoints of the policies that changed', () => {
  const a = SERVER_INGRESS('    - fromEndpoints: [{matchLabels: {app: client}}]\n');
  const b = CLIENT_EGRESS('    - toEndpoints: [{matchLabels: {app: server}}]\n');
  const e = engine(`${a}---\n${b}`, PODS);
  const client = e.resolve({ workload: 'app/client' });
  const server = e.resolve({ workload: 'app/server' });
  assert.ok(client.ok && server.ok);
  assert.equal(e.verdictOf(client.end, server.end, 8080), 'allow');
  const generation = e.generation;
  // The server's policy moves down and gains a comment; the client's policy changes.
  e.setFile('policies.yaml', parseFile(`${b.replace('app: server', 'app: other')}---\n# moved\n${a}`));
  assert.ok(e.generation > generation);
  assert.equal(e.changedSince(server.end, generation), false, 'an unchanged policy keeps its verdicts');
  assert.equal(e.changedSince(client.end, generation), true);
  assert.equal(e.verdictOf(client.end, server.end, 8080), 'deny');
  // The rule that decides points at the policy's new place.
  const v = e.evaluate({ from: { workload: 'app/other-web' }, to: { workload: 'app/server' }, port: 8080 });
  assert.equal(v.ingress.verdict, 'deny');
  const ok = e.evaluate({
    from: { namespace: 'app', labels: { app: 'client' } },
    to: { workload: 'app/server' },
    port: 8080,
  });
  const text = `${b.replace('app: server', 'app: other')}---\n# moved\n${a}`;
  assert.equal(ok.ingress.by[0]?.line, text.slice(0, text.lastIndexOf('- fromEndpoints')).split('\n').length);
});

test('recorded identities (identityLabels, as Hubble reports them) resolve without the inventory', () => {
  const e = engine(SERVER_INGRESS('    - fromEndpoints: [{matchLabels: {app: client}}]\n'), PODS);
  const from = (labels: string[]) => ({ identityLabels: labels });
  const server = ['k8s:app=server', 'k8s:io.kubernetes.pod.namespace=app', 'k8s:io.cilium.k8s.policy.cluster=default'];
  const client = ['k8s:app=client', 'k8s:io.kubernetes.pod.namespace=app', 'k8s:io.cilium.k8s.policy.cluster=default'];
  const flow = (src: string[]): Flow => ({ from: from(src), to: from(server), port: 8080 });
  assert.equal(e.evaluate(flow(client)).verdict, 'allow');
  assert.equal(e.evaluate(flow(client.map((l) => l.replace('=default', '=other')))).verdict, 'deny', 'another cluster');
  assert.equal(e.evaluate(flow(['reserved:world'])).verdict, 'deny');
  assert.equal(
    e.evaluate({ from: { identityLabels: ['reserved:world'], ip: '198.51.100.1' }, to: from(server), port: 8080 })
      .verdict,
    'deny',
  );
  assert.equal(e.evaluate(flow(['reserved:host'])).verdict, 'allow', 'the local node reaches its pods');
});
