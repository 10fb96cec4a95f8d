// SPDX-License-Identifier: Apache-2.0
/**
 * The endpoint preview's view model (`client/src/preview-model.ts`): lists, wording, targets,
 * the graph layout, and hostile values coming out as short plain text.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { parseFile } from '../../server/src/core/document.js';
import { inventoryFromManifests } from '../../server/src/core/inventory.js';
import { LineIndex } from '../../server/src/core/line-index.js';
import { previewDetails } from '../../server/src/core/preview.js';
import type { EndpointPreview, PolicyPreviewEntry, WireEndpoint, WireRange } from '../../server/src/protocol.js';
import {
  buildPreviewModel,
  GRAPH,
  MAX_BOX_TEXT,
  MAX_GRAPH_PEERS,
  type GraphModel,
  type PreviewViewModel,
} from '../../client/src/preview-model.js';
import { messageModel, PanelTargets, parseWebviewMessage, sectionIdPrefix } from '../../client/src/panel-model.js';
import { MAX_TEXT, peerText, plain, portText, type Peer } from '../../server/src/client-safe.js';

const range = (line: number, endLine = line + 1): WireRange => ({
  start: { line, character: 0 },
  end: { line: endLine, character: 0 },
});
const INVENTORY = { origin: 'workspace' as const, description: 'workspace: 3 workloads in 1 namespace', endpoints: 3 };
const MANIFESTS = 'file:///ws/apps.yaml';

function endpoint(
  name: string,
  labels: Record<string, string>,
  line: number,
  kind = 'Deployment',
  namespace = 'shop',
): WireEndpoint {
  return { kind, namespace, name, labels, location: { uri: MANIFESTS, range: range(line, line + 10) } };
}

const web = endpoint('web', { app: 'web', tier: 'front' }, 0);
const api = endpoint('api', { app: 'api', tier: 'back' }, 20);
const db = endpoint('db', { app: 'db' }, 40, 'StatefulSet');

function entry(
  overrides: Partial<PolicyPreviewEntry['preview']> = {},
  selections: PolicyPreviewEntry['selections'] = [],
  rules?: PolicyPreviewEntry['rules'],
): PolicyPreviewEntry {
  const preview: PolicyPreviewEntry['preview'] = {
    file: 'file:///ws/policy.yaml',
    kind: 'CiliumNetworkPolicy',
    name: 'backend',
    namespace: 'shop',
    subjects: [api],
    rules: [
      { direction: 'ingress', index: 0, peers: [{ endpoint: web }], ports: [{ port: '8080', protocol: 'TCP' }] },
      { direction: 'egress', index: 0, peers: [{ endpoint: db }, { fqdn: 'api.example.com' }], ports: [] },
      {
        direction: 'egressDeny',
        index: 0,
        peers: [{ cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] }, { entity: 'world' }],
        ports: [{ icmpType: '8', protocol: 'ICMP' }],
      },
    ],
    ...overrides,
  };
  return {
    preview,
    range: range(0, 30),
    selections,
    rules:
      rules ??
      preview.rules.map((r, i) => ({
        direction: r.direction,
        index: r.index,
        path: ['spec', r.direction, r.index],
        range: range(10 + i * 5),
      })),
  };
}

const SELECTIONS: PolicyPreviewEntry['selections'] = [
  {
    role: 'endpointSelector',
    path: ['spec', 'endpointSelector'],
    range: range(5),
    selector: 'any:tier=back, k8s:io.kubernetes.pod.namespace=shop',
    notes: [],
    endpoints: [api],
  },
  {
    role: 'fromEndpoints',
    path: ['spec', 'ingress', 0, 'fromEndpoints', 0],
    range: range(11),
    selector: 'any:app=web',
    notes: [],
    endpoints: [web],
  },
  {
    role: 'toEndpoints',
    path: ['spec', 'egress', 0, 'toEndpoints', 0],
    range: range(16),
    selector: 'any:app=db',
    notes: [],
    endpoints: [db],
  },
];

function preview(...policies: PolicyPreviewEntry[]): EndpointPreview {
  return { uri: 'file:///ws/policy.yaml', documentVersion: 3, inventory: INVENTORY, policies };
}

/** Every string anywhere in the model. */
function strings(v: unknown, out: string[] = []): string[] {
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) for (const x of v) strings(x, out);
  else if (v && typeof v === 'object') for (const x of Object.values(v)) strings(x, out);
  return out;
}

test('plain: strings stay literal, long ones are cut with an ellipsis, control and bidi characters go', () => {
  assert.equal(plain('<script>alert(1)</script>'), '<script>alert(1)</script>');
  assert.equal(plain('say "hi" & \'bye\''), 'say "hi" & \'bye\'');
  const long = 'x'.repeat(10_000);
  const cut = plain(long);
  assert.equal(Array.from(cut).length, MAX_TEXT);
  assert.ok(cut.endsWith('…'));
  assert.equal(plain('a\nb\u202Ec\u0000d'), 'a b c d');
  assert.equal(plain(undefined), '');
  assert.equal(plain(null), 'null');
  assert.equal(plain({ a: 1 }), '{"a":1}');
  // A surrogate pair is never split by the cut.
  const emoji = plain('😀'.repeat(300), 10);
  assert.equal(Array.from(emoji).length, 10);
  assert.ok(!/[\uD800-\uDBFF]…/.test(emoji), 'no lone high surrogate before the ellipsis');
});

test('the model lists the policy, its subjects, rules, peers and ports, with the inventory in use', () => {
  const { model, targets } = buildPreviewModel(preview(entry({}, SELECTIONS)), 'policy.yaml');
  assert.equal(model.file, 'policy.yaml');
  assert.deepEqual(model.inventory, { origin: 'workspace', text: INVENTORY.description });
  assert.equal(model.message, undefined);
  const p = model.policies[0]!;
  assert.equal(p.heading, 'CiliumNetworkPolicy shop/backend');
  assert.equal(p.subjectSummary, 'selects 1 workload');
  assert.deepEqual(
    p.subjects.map((s) => [s.text, s.detail]),
    [['shop/api', 'Deployment']],
  );
  assert.match(p.subjects[0]!.title, /app=api\ntier=back/);
  assert.deepEqual(
    p.sections.map((s) => s.heading),
    ['Ingress (allow)', 'Egress (allow)', 'Egress deny'],
  );
  const [ingress, egress, deny] = p.sections.map((s) => s.rules[0]!);
  assert.equal(ingress!.title, 'Ingress rule 1');
  assert.equal(ingress!.portSummary, 'on 8080/TCP');
  assert.deepEqual(
    ingress!.peers.map((x) => x.text),
    ['shop/web'],
  );
  assert.deepEqual(
    ingress!.selections.map((s) => [s.role, s.summary]),
    [['fromEndpoints', 'selects 1 workload']],
  );
  assert.deepEqual(
    egress!.peers.map((x) => [x.type, x.text]),
    [
      ['endpoint', 'shop/db'],
      ['fqdn', 'api.example.com'],
    ],
  );
  assert.equal(egress!.portSummary, 'on any port');
  assert.equal(deny!.deny, true);
  assert.deepEqual(
    deny!.peers.map((x) => x.text),
    ['10.0.0.0/8 except 10.1.0.0/16', 'world'],
  );
  assert.deepEqual(deny!.ports, ['ICMP type 8']);

  // Targets: a subject opens its manifest, a rule reveals its range in the policy.
  const subjectTarget = targets.get(p.subjects[0]!.target!);
  assert.deepEqual(subjectTarget, { uri: MANIFESTS, range: api.location!.range });
  assert.deepEqual(targets.get(ingress!.target!), { uri: 'file:///ws/policy.yaml', range: range(10) });
  assert.deepEqual(targets.get(p.target), { uri: 'file:///ws/policy.yaml', range: range(0, 30) });
  assert.deepEqual(targets.get(ingress!.peers[0]!.target!)?.range, web.location!.range);
  // Peers without a manifest (an FQDN) have no target.
  assert.equal(egress!.peers[1]!.target, undefined);
  // Target ids are opaque: no URI leaks into the model.
  assert.ok(
    !strings(model).some((s) => s.includes('file:///ws/apps.yaml')),
    'manifest URIs stay on the extension side',
  );
});

function graphOf(model: PreviewViewModel): GraphModel {
  const g = model.policies[0]?.graph;
  assert.ok(g, 'a network policy has a graph');
  return g;
}

test('graph: ingress peers point into the subject, egress out of it, deny edges are labelled', () => {
  const g = graphOf(buildPreviewModel(preview(entry({}, SELECTIONS)), 'p.yaml').model);
  const subject = g.nodes.find((n) => n.role === 'subject')!;
  assert.equal(subject.label, 'api');
  const node = (label: string) => g.nodes.find((n) => n.label === label)!;
  const webNode = node('shop/web');
  const dbNode = node('shop/db');
  assert.ok(webNode.x < subject.x && dbNode.x > subject.x, 'ingress peers left, egress peers right');
  const into = g.edges.find((e) => e.from === webNode.id)!;
  assert.equal(into.to, 'subject');
  assert.equal(into.direction, 'ingress');
  assert.equal(into.label, 'allow 8080/TCP');
  assert.ok(
    into.x2 <= subject.x + 0.001 && into.x1 >= webNode.x + webNode.width - 0.001,
    'the arrow runs from the peer box to the subject box',
  );
  const out = g.edges.find((e) => e.to === dbNode.id)!;
  assert.equal(out.from, 'subject');
  assert.equal(out.label, 'allow');
  const denied = g.edges.filter((e) => e.deny);
  assert.deepEqual(
    denied.map((e) => e.label),
    ['deny ICMP type 8', 'deny ICMP type 8'],
  );
  assert.ok(denied.every((e) => e.direction === 'egress'));
  assert.match(g.summary, /selects 1 workload; ingress from 1 peer \(0 denied\), egress to 4 peers \(2 denied\)/);
  // Every box fits the canvas.
  for (const n of g.nodes)
    assert.ok(n.x >= 0 && n.y >= 0 && n.x + n.width <= g.width && n.y + n.height <= g.height, `${n.id} inside`);
});

test('graph: a peer both allowed and denied gets two distinct edges', () => {
  const e = entry({
    rules: [
      { direction: 'egress', index: 0, peers: [{ entity: 'world' }], ports: [{ port: '443', protocol: 'TCP' }] },
      { direction: 'egressDeny', index: 0, peers: [{ entity: 'world' }], ports: [{ port: '25', protocol: 'TCP' }] },
    ],
  });
  const g = graphOf(buildPreviewModel(preview(e), 'p.yaml').model);
  assert.equal(g.nodes.filter((n) => n.role === 'peer').length, 1);
  const edges = g.edges.map((x) => [x.deny, x.label, x.y1 !== x.y2 || x.y1]);
  assert.equal(edges.length, 2);
  assert.deepEqual(g.edges.map((x) => x.label).sort(), ['allow 443/TCP', 'deny 25/TCP']);
  assert.notEqual(g.edges[0]!.y2, g.edges[1]!.y2, 'the two lines do not overlap');
});

test('graph: many peers collapse into a "+N more" box', () => {
  const peers = Array.from({ length: 40 }, (_, i) => ({ cidr: `10.0.${i}.0/24`, except: [] }));
  const e = entry({ rules: [{ direction: 'ingress', index: 0, peers, ports: [] }] });
  const g = graphOf(buildPreviewModel(preview(e), 'p.yaml').model);
  const peerBoxes = g.nodes.filter((n) => n.role === 'peer');
  assert.equal(peerBoxes.length, MAX_GRAPH_PEERS);
  const more = g.nodes.find((n) => n.role === 'more');
  assert.equal(more?.label, `+${40 - MAX_GRAPH_PEERS} more peers`);
  assert.equal(g.height, GRAPH.margin * 2 + (MAX_GRAPH_PEERS + 1) * GRAPH.boxHeight + MAX_GRAPH_PEERS * GRAPH.rowGap);
});

test('"selects nothing" is said explicitly, for the policy and for a rule', () => {
  const e = entry({ subjects: [], rules: [{ direction: 'ingress', index: 0, peers: [], ports: [] }] }, [
    {
      role: 'endpointSelector',
      path: ['spec', 'endpointSelector'],
      range: range(5),
      selector: 'any:app=nope',
      notes: ['no workload has the label app'],
      endpoints: [],
    },
    {
      role: 'fromEndpoints',
      path: ['spec', 'ingress', 0, 'fromEndpoints', 0],
      range: range(11),
      selector: 'any:app=ghost',
      notes: [],
      endpoints: [],
    },
  ]);
  const p = buildPreviewModel(preview(e), 'p.yaml').model.policies[0]!;
  assert.equal(p.subjectSummary, 'selects nothing');
  assert.match(p.subjectEmpty ?? '', /selects no workload of the inventory: no workload has the label app/);
  const rule = p.sections[0]!.rules[0]!;
  assert.match(rule.empty ?? '', /^Admits nothing: .*fromEndpoints any:app=ghost selects nothing/);
  assert.equal(rule.selections[0]!.summary, 'selects nothing');
  assert.equal(graphOf(buildPreviewModel(preview(e), 'p.yaml').model).nodes[0]!.label, 'selects nothing');
});

test('a network policy without rules says so; other kinds get no graph', () => {
  const noRules = buildPreviewModel(preview(entry({ rules: [] })), 'p.yaml').model.policies[0]!;
  assert.equal(noRules.noRules, 'This policy has no ingress or egress rule.');
  const tp = buildPreviewModel(preview(entry({ kind: 'TracingPolicy', namespace: null, rules: [] })), 'p.yaml').model
    .policies[0]!;
  assert.equal(tp.graph, undefined);
  assert.equal(tp.noRules, undefined);
  assert.equal(tp.heading, 'TracingPolicy backend');
});

test('no policy at the position, and message models', () => {
  const { model } = buildPreviewModel(preview(), 'p.yaml');
  assert.equal(model.policies.length, 0);
  assert.match(model.message ?? '', /Move the cursor into a policy/);
  const m = messageModel('Waiting…', { ...INVENTORY, error: 'bad snapshot' });
  assert.deepEqual(m.inventory, { origin: 'workspace', text: INVENTORY.description, error: 'bad snapshot' });
});

test('hostile names, labels and selectors come out as bounded plain text', () => {
  const evil = '<script>alert(1)</script>"\'><img src=x onerror=alert(2)>';
  const huge = 'a'.repeat(10_000);
  const hostile: WireEndpoint = {
    kind: evil,
    namespace: huge,
    name: `${evil}${huge}`,
    labels: { [evil]: huge, 'app\u202E': 'x\u0000y' },
    location: { uri: MANIFESTS, range: range(1) },
  };
  const e = entry(
    {
      name: evil,
      namespace: huge,
      subjects: [hostile],
      rules: [
        {
          direction: 'ingress',
          index: 0,
          peers: [
            { endpoint: hostile },
            { fqdn: huge },
            { group: { aws: { securityGroupsIds: [evil] } } },
            // Not a peer the server sends: the client must still show something bounded.
            { weird: evil } as unknown as Peer,
          ],
          ports: [{ port: evil, protocol: huge }],
        },
      ],
    },
    [
      {
        role: 'endpointSelector',
        path: ['spec', 'endpointSelector'],
        range: range(5),
        selector: huge,
        notes: [evil, huge],
        endpoints: [hostile],
      },
    ],
  );
  const { model } = buildPreviewModel(preview(e), evil);
  const all = strings(model);
  for (const s of all) {
    // Titles hold several lines (one per label), each bounded; nothing is anywhere near 10,000.
    assert.ok(s.length <= 4000, `bounded: ${s.length}`);

    assert.ok(!/[\u0000-\u0009\u000b-\u001f\u202e]/.test(s), 'no control or bidi characters (newlines only in titles)');
  }
  // Markup is kept verbatim (the webview writes it with textContent), not half-escaped.
  assert.ok(
    all.some((s) => s.includes('<script>alert(1)</script>')),
    'the literal text survives',
  );
  const p = model.policies[0]!;
  assert.ok(p.heading.endsWith('…'));
  assert.ok(p.subjects[0]!.text.length <= MAX_TEXT);
  for (const n of p.graph!.nodes) assert.ok(Array.from(n.label).length <= MAX_BOX_TEXT, `box label ${n.label}`);
  assert.equal(p.sections[0]!.rules[0]!.peers[3]!.type, 'other');
});

test('malformed answers do not throw', () => {
  const broken = {
    uri: 'file:///x',
    documentVersion: null,
    inventory: INVENTORY,
    policies: [
      {
        preview: {
          kind: 'CiliumNetworkPolicy',
          rules: [{ direction: 'sideways', peers: [null, 3, 'x'], ports: [null] }],
        },
        range: null,
        selections: null,
        rules: null,
      },
    ],
  };
  const { model } = buildPreviewModel(broken as unknown as EndpointPreview, 'x');
  assert.equal(model.policies.length, 1);
  assert.equal(model.policies[0]!.sections[0]!.rules[0]!.peers.length, 3);
  assert.equal(peerText(undefined).type, 'other');
  assert.equal(portText({ port: '0', protocol: 'ANY' }), 'any port/ANY');
  assert.equal(portText({ port: '8000', endPort: 8080, protocol: 'TCP' }), '8000-8080/TCP');
  assert.equal(portText({ port: '80', protocol: 'TCP', rules: { http: [] } }), '80/TCP (L7: http)');
});

test('webview messages are checked: only ready, open with a short target id, and act with short ids', () => {
  assert.deepEqual(parseWebviewMessage({ type: 'ready' }), { type: 'ready' });
  assert.deepEqual(parseWebviewMessage({ type: 'act', section: 'connectivity', action: 'c3' }), {
    type: 'act',
    section: 'connectivity',
    action: 'c3',
  });
  assert.equal(parseWebviewMessage({ type: 'act', section: 'x', action: 'a'.repeat(65) }), undefined);
  assert.equal(parseWebviewMessage({ type: 'act', section: 3, action: 'a' }), undefined);
  assert.deepEqual(parseWebviewMessage({ type: 'open', target: 't3' }), { type: 'open', target: 't3' });
  assert.equal(parseWebviewMessage({ type: 'open', target: 'file:///etc/passwd'.repeat(5) }), undefined);
  assert.equal(parseWebviewMessage({ type: 'open', target: 3 }), undefined);
  assert.equal(parseWebviewMessage({ type: 'run', command: 'x' }), undefined);
  assert.equal(parseWebviewMessage(null), undefined);
  assert.equal(parseWebviewMessage('ready'), undefined);
});

test('a preview computed by the real core turns into a model', () => {
  const manifests = [
    'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec:\n  template:\n    metadata:\n      labels: {app: web}\n',
    'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api, namespace: shop}\nspec:\n  template:\n    metadata:\n      labels: {app: api}\n',
  ].join('---\n');
  const policy = [
    'apiVersion: cilium.io/v2',
    'kind: CiliumNetworkPolicy',
    'metadata: {name: api-in, namespace: shop}',
    'spec:',
    '  endpointSelector: {matchLabels: {app: api}}',
    '  ingress:',
    '  - fromEndpoints: [{matchLabels: {app: web}}]',
    '    toPorts: [{ports: [{port: "8080", protocol: TCP}]}]',
    '  egress:',
    '  - toEntities: [world]',
    '',
  ].join('\n');
  const inventory = inventoryFromManifests([{ uri: MANIFESTS, text: manifests }]);
  const doc = parseFile(policy).documents.find((d) => d.kind)!;
  const details = previewDetails(doc, inventory, { file: 'file:///ws/p.yaml' })!;
  const lines = new LineIndex(policy);
  const r = (s: { start: number; end: number }): WireRange => ({
    start: lines.positionAt(s.start),
    end: lines.positionAt(s.end),
  });
  const wire: PolicyPreviewEntry = {
    preview: details.preview as unknown as PolicyPreviewEntry['preview'],
    range: r(details.span),
    selections: details.selections.map((s) => ({
      role: s.role,
      path: [...s.path],
      range: r(s.span),
      selector: s.selector,
      notes: [...s.notes],
      endpoints: s.endpoints.map((e) => ({
        kind: e.kind,
        namespace: e.namespace,
        name: e.name,
        labels: { ...e.labels },
      })),
    })),
    rules: details.rules.map((x) => ({ direction: x.direction, index: x.index, path: [...x.path], range: r(x.span) })),
  };
  const { model } = buildPreviewModel(
    { uri: 'file:///ws/p.yaml', documentVersion: 1, inventory: INVENTORY, policies: [wire] },
    'p.yaml',
  );
  const p = model.policies[0]!;
  assert.equal(p.heading, 'CiliumNetworkPolicy shop/api-in');
  assert.deepEqual(
    p.subjects.map((s) => s.text),
    ['shop/api'],
  );
  assert.deepEqual(
    p.sections.map((s) => s.rules.map((x) => `${x.title}: ${x.peers.map((y) => y.text).join(' ')} ${x.portSummary}`)),
    [['Ingress rule 1: shop/web on 8080/TCP'], ['Egress rule 1: world on any port']],
  );
  const ruleLine = policy.split('\n').findIndex((l) => l.includes('- fromEndpoints'));
  assert.ok(p.sections[0]!.rules[0]!.target, 'the rule can be revealed');
  assert.equal(
    buildPreviewModel(
      { uri: 'file:///ws/p.yaml', documentVersion: 1, inventory: INVENTORY, policies: [wire] },
      'p.yaml',
    ).targets.get(p.sections[0]!.rules[0]!.target!)?.range.start.line,
    ruleLine,
  );
});

test('target ids of two sections never collide: each builds them with its own prefix', () => {
  const e = entry({}, SELECTIONS);
  const a = buildPreviewModel(preview(e), 'p.yaml', sectionIdPrefix(0));
  const b = buildPreviewModel(preview(e), 'p.yaml', sectionIdPrefix(1));
  assert.ok(a.targets.size > 0);
  for (const id of a.targets.keys()) assert.ok(!b.targets.has(id), `${id} is in both`);
  const all = new PanelTargets();
  all.add(a.targets);
  all.add(b.targets);
  assert.equal(all.size, a.targets.size + b.targets.size);
  const [first] = b.targets.keys();
  assert.deepEqual(all.get(first!), b.targets.get(first!));
});
