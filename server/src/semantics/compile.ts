// SPDX-License-Identifier: Apache-2.0
/**
 * Compiles CiliumNetworkPolicies, CiliumClusterwideNetworkPolicies and Kubernetes NetworkPolicies
 * into the rules the engine evaluates, the way the agent turns them into policy entries: selectors
 * scoped by namespace and cluster (NS-1 … NS-8), `enableDefaultDeny` per direction (RULE-3), ports,
 * ICMP types and L7 rules per `toPorts` entry, and the Kubernetes conversion (pod and namespace
 * selectors, `ipBlock`, `policyTypes`). A policy the agent would reject compiles with `rejected`
 * set and has no effect.
 */
import { type LineIndex } from '../core/line-index.js';
import { locate, nodeSpan, type PolicyDocument } from '../core/document.js';
import type { Span } from '../core/findings.js';
import { list, obj, str, type Obj } from '../core/data.js';
import { parsePrefix, type Prefix } from '../core/cilium/cidr.js';
import { ENTITIES } from '../core/cilium/entities.js';
import { EXTENDED_PROTOCOLS, isServiceName, portNumber } from '../core/cilium/ports.js';
import {
  describeSelector,
  hasReservedKey,
  parseSelector,
  scopeSelector,
  unscoped,
  type EffectiveSelector,
  type ScopeContext,
} from '../core/selectors.js';
import type { AgentProfile } from './agent.js';
import type { NameMatcher } from './fqdn.js';
import { readHttpRules } from './http.js';
import { icmpTypeNumber } from './icmp.js';
import { networkPolicyKind } from '../core/kinds.js';
import {
  kubernetesDirections,
  kubernetesPeerSelector,
  kubernetesSubjectSelector,
  type KubernetesSelector,
} from '../core/kubernetes/network-policy.js';
import type {
  CompiledDirection,
  CompiledItem,
  CompiledPolicy,
  CompiledRule,
  DataPath,
  IcmpSpec,
  ItemCache,
  L4Spec,
  L7Spec,
  Peer,
  PolicyRef,
  PortRuleSpec,
  PortSpec,
  Section,
  VerdictPolicyKind,
} from './model.js';

/** A policy the agent rejects; compiling stops at the first reason. */
class Rejected extends Error {}

/** Entities the agent knows; `world-ipv4`/`world-ipv6` are not in the 1.20 CRD but the agent reads them. */
const KNOWN_ENTITIES = new Set([...ENTITIES.map((e) => e.name), 'world-ipv4', 'world-ipv6']);

interface Ctx {
  readonly doc: PolicyDocument;
  readonly lines: LineIndex;
  readonly agent: AgentProfile;
  readonly ref: PolicyRef;
}

function where(ctx: Ctx, path: DataPath): { span: Span; line: number } {
  const at = locate(ctx.doc.yaml, path);
  const span = nodeSpan(at.node ?? undefined) ?? nodeSpan(at.nearest) ?? ctx.doc.span;
  return { span, line: ctx.lines.positionAt(span.start).line + 1 };
}

/** A stable key for a selector, so equal selectors share one selector-cache entry. */
export function selectorKey(sel: EffectiveSelector): string {
  return sel.invalid !== undefined ? `invalid:${sel.invalid}` : describeSelector(sel);
}

function prefixOf(text: unknown, what: string): Prefix {
  const t = str(text);
  const p = t === undefined ? undefined : parsePrefix(t.trim());
  if (p === undefined) throw new Rejected(`${what} ${JSON.stringify(text)} is not a CIDR`);
  return p;
}

// ---------------------------------------------------------------------------------------------
// Ports, ICMP, L7

function readPort(raw: unknown, path: string): PortSpec | undefined {
  const p = obj(raw);
  if (!p) return undefined;
  const protoText = (str(p['protocol']) ?? '').toUpperCase() || 'ANY';
  if (EXTENDED_PROTOCOLS.includes(protoText))
    throw new Rejected(`${path} uses protocol ${protoText}, which needs enable-extended-ip-protocols`);
  if (protoText !== 'TCP' && protoText !== 'UDP' && protoText !== 'SCTP' && protoText !== 'ANY')
    throw new Rejected(`${path} has protocol ${protoText}, which is not TCP, UDP, SCTP or ANY`);
  const portRaw = p['port'];
  const text = typeof portRaw === 'number' ? String(portRaw) : str(portRaw);
  if (text === undefined || text === '') throw new Rejected(`${path} has no port`);
  const endPort = typeof p['endPort'] === 'number' ? p['endPort'] : undefined;
  const n = portNumber(text);
  if (n !== undefined) {
    return {
      protocol: protoText,
      port: n,
      ...(endPort !== undefined && endPort > n && n !== 0 ? { endPort: Math.min(endPort, 65535) } : {}),
    };
  }
  if (isServiceName(text)) return { protocol: protoText, port: 0, name: text.toLowerCase() };
  throw new Rejected(`${path} has port ${JSON.stringify(text)}, which is neither a number nor a port name`);
}

function readL7(pr: Obj, path: string, agent: AgentProfile, ingress: boolean): L7Spec | undefined {
  const rules = obj(pr['rules']);
  const http = list(rules?.['http']);
  const dns = list(rules?.['dns']);
  if ((http.length > 0 || dns.length > 0) && !agent.enableL7Proxy)
    throw new Rejected(`${path} has L7 rules, which the agent rejects without enable-l7-proxy`);
  const listener = obj(pr['listener']);
  if (listener) return { kind: 'listener', name: str(listener['name']) ?? '' };
  if (http.length > 0) return { kind: 'http', rules: readHttpRules(http) };
  if (dns.length > 0) {
    if (ingress) throw new Rejected(`${path} has DNS rules on ingress, which the agent rejects`);
    const out: NameMatcher[] = [];
    for (const d of dns) {
      const r = obj(d);
      const name = str(r?.['matchName']);
      const pattern = str(r?.['matchPattern']);
      if (name !== undefined) out.push({ matchName: name });
      else if (pattern !== undefined) out.push({ matchPattern: pattern });
    }
    return { kind: 'dns', rules: out };
  }
  const serverNames = list(pr['serverNames']).filter((s): s is string => typeof s === 'string');
  if (serverNames.length > 0) return { kind: 'sni', serverNames };
  return undefined;
}

function readL4(item: Obj, path: string, agent: AgentProfile, ingress: boolean): L4Spec {
  const toPorts = list(item['toPorts']);
  const icmps = list(item['icmps']);
  if (toPorts.length === 0 && icmps.length === 0) return { kind: 'any' };
  if (toPorts.length > 0 && icmps.length > 0)
    throw new Rejected(`${path} has both toPorts and icmps, which the agent rejects`);
  if (icmps.length > 0 && !agent.enableICMPRules)
    throw new Rejected(`${path} has ICMP rules, which the agent rejects without enable-icmp-rules`);
  const portRules: PortRuleSpec[] = [];
  toPorts.forEach((raw, j) => {
    const pr = obj(raw);
    if (!pr) return;
    const ports: PortSpec[] = [];
    list(pr['ports']).forEach((p, k) => {
      const spec = readPort(p, `${path}.toPorts[${j}].ports[${k}]`);
      if (spec) ports.push(spec);
    });
    const l7 = readL7(pr, `${path}.toPorts[${j}]`, agent, ingress);
    portRules.push(l7 ? { index: j, ports, l7 } : { index: j, ports });
  });
  const icmpSpecs: IcmpSpec[] = [];
  icmps.forEach((raw, j) => {
    list(obj(raw)?.['fields']).forEach((f, k) => {
      const field = obj(f);
      if (!field) return;
      const familyText = str(field['family']) ?? 'IPv4';
      if (familyText !== 'IPv4' && familyText !== 'IPv6')
        throw new Rejected(`${path}.icmps[${j}].fields[${k}] has family ${familyText}, not IPv4 or IPv6`);
      const family = familyText === 'IPv6' ? 6 : 4;
      const type = icmpTypeNumber(field['type'], family);
      if (type === undefined)
        throw new Rejected(
          `${path}.icmps[${j}].fields[${k}] has type ${JSON.stringify(field['type'])}, not an ${familyText} ICMP type`,
        );
      icmpSpecs.push({ family, type });
    });
  });
  return { kind: 'ports', portRules, icmps: icmpSpecs };
}

// ---------------------------------------------------------------------------------------------
// Cilium network policies

const INGRESS_FIELDS = ['fromEndpoints', 'fromNodes', 'fromEntities', 'fromCIDR', 'fromCIDRSet', 'fromGroups'];
const EGRESS_FIELDS = [
  'toEndpoints',
  'toNodes',
  'toEntities',
  'toCIDR',
  'toCIDRSet',
  'toServices',
  'toGroups',
  'toFQDNs',
];

function checked(sel: EffectiveSelector, what: string): EffectiveSelector {
  // SEL-1, SEL-2: the agent refuses a policy with a malformed selector.
  if (sel.invalid !== undefined) throw new Rejected(`${what}: ${sel.invalid}`);
  return sel;
}

function exceptOf(entry: Obj, path: string): Prefix[] {
  return list(entry['except']).map((e, k) => prefixOf(e, `${path}.except[${k}]`));
}

function ciliumPeers(item: Obj, ingress: boolean, path: string, scope: ScopeContext, ctx: Ctx): Peer[] {
  const peers: Peer[] = [];
  const selectors = (field: string, place: 'endpoints' | 'nodes'): void => {
    list(item[field]).forEach((s, j) => {
      if (place === 'nodes' && !ctx.agent.enableNodeSelectorLabels)
        throw new Rejected(`${path}.${field} needs the agent option enable-node-selector-labels`);
      const sel = checked(scopeSelector(parseSelector(s), place, scope), `${path}.${field}[${j}]`);
      peers.push(
        place === 'nodes'
          ? { type: 'nodes', selector: sel, key: `nodes|${selectorKey(sel)}` }
          : { type: 'selector', selector: sel, key: selectorKey(sel) },
      );
    });
  };
  const p = ingress ? 'from' : 'to';
  selectors(`${p}Endpoints`, 'endpoints');
  selectors(`${p}Nodes`, 'nodes');
  for (const e of list(item[`${p}Entities`])) {
    if (typeof e !== 'string' || !KNOWN_ENTITIES.has(e))
      throw new Rejected(`${path}.${p}Entities names ${JSON.stringify(e)}, which is not an entity`);
    peers.push({ type: 'entity', entity: e });
  }
  list(item[`${p}CIDR`]).forEach((c, j) => {
    const prefix = prefixOf(c, `${path}.${p}CIDR[${j}]`);
    peers.push({ type: 'cidr', text: String(c), prefix, except: [] });
  });
  list(item[`${p}CIDRSet`]).forEach((c, j) => {
    const entry = obj(c);
    if (!entry) return;
    const at = `${path}.${p}CIDRSet[${j}]`;
    const except = exceptOf(entry, at);
    if (entry['cidr'] !== undefined) {
      peers.push({
        type: 'cidr',
        text: String(entry['cidr']),
        prefix: prefixOf(entry['cidr'], `${at}.cidr`),
        except,
      });
    } else if (typeof entry['cidrGroupRef'] === 'string') {
      peers.push({ type: 'cidrGroupRef', name: entry['cidrGroupRef'], except });
    } else if (entry['cidrGroupSelector'] !== undefined) {
      const sel = checked(unscoped(parseSelector(entry['cidrGroupSelector'])), `${at}.cidrGroupSelector`);
      peers.push({ type: 'cidrGroupSelector', selector: sel, text: describeSelector(sel), except });
    } else throw new Rejected(`${at} has none of cidr, cidrGroupRef and cidrGroupSelector`);
  });
  for (const g of list(item[`${p}Groups`])) peers.push({ type: 'cloud-group', text: JSON.stringify(g) });
  if (!ingress) {
    for (const f of list(item['toFQDNs'])) {
      const r = obj(f);
      const name = str(r?.['matchName']);
      const pattern = str(r?.['matchPattern']);
      if (name !== undefined) peers.push({ type: 'fqdn', matcher: { matchName: name } });
      else if (pattern !== undefined) peers.push({ type: 'fqdn', matcher: { matchPattern: pattern } });
    }
    list(item['toServices']).forEach((s, j) => {
      const r = obj(s);
      const byName = obj(r?.['k8sService']);
      const bySelector = obj(r?.['k8sServiceSelector']);
      if (byName) {
        const name = str(byName['serviceName']) ?? '';
        const ns = str(byName['namespace']);
        peers.push({
          type: 'service',
          name,
          ...(ns ? { namespace: ns } : {}),
          text: ns ? `${ns}/${name}` : `${name} (any namespace)`,
        });
      } else if (bySelector) {
        const ns = str(bySelector['namespace']);
        const sel = checked(
          unscoped(parseSelector(bySelector['selector'])),
          `${path}.toServices[${j}].k8sServiceSelector`,
        );
        peers.push({
          type: 'service',
          selector: sel,
          ...(ns ? { namespace: ns } : {}),
          text: `services with ${describeSelector(sel)}${ns ? ` in ${ns}` : ''}`,
        });
      }
    });
  }
  return peers;
}

/**
 * True when the item writes a peer field, even an empty list: an empty `fromEndpoints: []` selects
 * nothing, while an item with no peer field at all and ports selects every peer.
 */
function hasPeerField(item: Obj, ingress: boolean): boolean {
  return (ingress ? INGRESS_FIELDS : EGRESS_FIELDS).some((f) => Array.isArray(item[f]));
}

function ruleRefOf(
  ctx: Ctx,
  spec: number | null,
  direction: Section,
  index: number,
  path: DataPath,
): CompiledItem['ref'] {
  const w = where(ctx, path);
  return { ...ctx.ref, line: w.line, direction, rule: index, spec, path, span: w.span };
}

function authOf(item: Obj): CompiledItem['auth'] {
  const mode = str(obj(item['authentication'])?.['mode']);
  return mode === 'required' || mode === 'test-always-fail' ? mode : undefined;
}

interface MutableRule {
  policy: CompiledPolicy | undefined;
  spec: number | null;
  subject: CompiledRule['subject'];
  subjectRef: CompiledRule['subjectRef'];
  ingress: CompiledDirection;
  egress: CompiledDirection;
  dnsRules: NameMatcher[];
}

function ciliumRule(ctx: Ctx, rule: Obj, path: DataPath, spec: number | null, clusterwide: boolean): MutableRule {
  const namespace = ctx.ref.namespace ?? undefined;
  const es = rule['endpointSelector'];
  const ns = rule['nodeSelector'];
  const hasEs = es !== undefined && es !== null;
  const hasNs = ns !== undefined && ns !== null;
  const at = path.join('.').replace(/\.(\d+)/g, '[$1]');
  if (hasEs && hasNs) throw new Rejected(`${at} has both endpointSelector and nodeSelector`);
  if (!hasEs && !hasNs) throw new Rejected(`${at} has neither endpointSelector nor nodeSelector`);
  if (hasNs && !clusterwide) throw new Rejected(`${at} uses nodeSelector, which a CiliumNetworkPolicy may not`);
  const parsedSubject = parseSelector(hasEs ? es : ns);
  const options = {
    clusterName: ctx.agent.clusterName,
    policyDefaultLocalCluster: ctx.agent.policyDefaultLocalCluster,
  };
  const scope: ScopeContext = {
    clusterwide,
    ...(namespace !== undefined ? { namespace } : {}),
    subjectSelectsInit: hasEs && hasReservedKey(parsedSubject, 'init'),
    options,
  };
  const subjectSel = checked(
    scopeSelector(parsedSubject, hasEs ? 'endpointSelector' : 'nodeSelector', scope),
    `${at}.${hasEs ? 'endpointSelector' : 'nodeSelector'}`,
  );
  const subjectPath = [...path, hasEs ? 'endpointSelector' : 'nodeSelector'];
  const w = where(ctx, subjectPath);
  const mutable: MutableRule = {
    policy: undefined,
    spec,
    subject: {
      kind: hasEs ? 'endpoints' : 'nodes',
      selector: subjectSel,
      key: `${hasEs ? 'subject' : 'nodes'}|${selectorKey(subjectSel)}`,
    },
    subjectRef: { ...ctx.ref, line: w.line, spec, path: subjectPath, span: w.span },
    ingress: { present: false, defaultDeny: false, allow: [], deny: [] },
    egress: { present: false, defaultDeny: false, allow: [], deny: [] },
    dnsRules: [],
  };
  const dd = obj(rule['enableDefaultDeny']);
  let anySection = false;
  for (const ingress of [true, false]) {
    const allow: CompiledItem[] = [];
    const deny: CompiledItem[] = [];
    for (const isDeny of [false, true]) {
      const section: Section = ingress ? (isDeny ? 'ingressDeny' : 'ingress') : isDeny ? 'egressDeny' : 'egress';
      list(rule[section]).forEach((raw, i) => {
        const item = obj(raw);
        if (!item) return;
        const itemPath = [...path, section, i];
        const itemAt = `${at}.${section}[${i}]`;
        const peers = ciliumPeers(item, ingress, itemAt, scope, ctx);
        const l4 = readL4(item, itemAt, ctx.agent, ingress);
        if (hasNs && l4.kind === 'ports') {
          for (const pr of l4.portRules) {
            if (pr.l7 && (ingress || pr.l7.kind !== 'dns'))
              throw new Rejected(`${itemAt} has L7 rules a host policy may not have`);
          }
        }
        const wildcard = !hasPeerField(item, ingress) && l4.kind === 'ports';
        const auth = isDeny ? undefined : authOf(item);
        const compiled: Omit<CompiledItem, 'rule'> & { rule: CompiledRule | undefined } = {
          ref: ruleRefOf(ctx, spec, section, i, itemPath),
          rule: undefined,
          ingress,
          deny: isDeny,
          peers: wildcard ? 'wildcard' : peers,
          l4,
          ...(auth ? { auth } : {}),
          cache: newItemCache(wildcard ? 'wildcard' : peers),
        };
        (isDeny ? deny : allow).push(compiled as CompiledItem);
        if (!ingress && !isDeny && l4.kind === 'ports') {
          for (const pr of l4.portRules) if (pr.l7?.kind === 'dns') mutable.dnsRules.push(...pr.l7.rules);
        }
      });
    }
    const present = allow.length + deny.length > 0;
    anySection ||= present;
    const written = ingress ? dd?.['ingress'] : dd?.['egress'];
    const defaultDeny =
      present && (!ctx.agent.enableNonDefaultDenyPolicies || typeof written !== 'boolean' ? true : written);
    const direction: CompiledDirection = { present, defaultDeny, allow, deny };
    if (ingress) mutable.ingress = direction;
    else mutable.egress = direction;
  }
  if (!anySection) throw new Rejected(`${at} has no ingress, ingressDeny, egress or egressDeny item`);
  return mutable;
}

// ---------------------------------------------------------------------------------------------
// Kubernetes NetworkPolicies

/** A selector read by the core, or the agent's refusal as a rejection of the whole policy. */
function accepted(r: KubernetesSelector): EffectiveSelector {
  if (!r.ok) throw new Rejected(r.message);
  return r.selector;
}

function knpPorts(ports: readonly unknown[], what: string): PortRuleSpec[] {
  const out: PortRuleSpec[] = [];
  ports.forEach((raw, j) => {
    const p = obj(raw);
    if (!p) return;
    const protocol = (str(p['protocol']) ?? 'TCP').toUpperCase();
    if (protocol !== 'TCP' && protocol !== 'UDP' && protocol !== 'SCTP')
      throw new Rejected(`${what}.ports[${j}] has protocol ${protocol}`);
    const portRaw = p['port'];
    const endPort = typeof p['endPort'] === 'number' ? p['endPort'] : undefined;
    let spec: PortSpec;
    if (portRaw === undefined || portRaw === null) spec = { protocol, port: 0 };
    else if (typeof portRaw === 'number') {
      spec = { protocol, port: portRaw, ...(endPort !== undefined && endPort > portRaw ? { endPort } : {}) };
    } else if (typeof portRaw === 'string' && portNumber(portRaw) !== undefined) {
      const n = portNumber(portRaw) as number;
      spec = { protocol, port: n, ...(endPort !== undefined && endPort > n ? { endPort } : {}) };
    } else if (typeof portRaw === 'string') spec = { protocol, port: 0, name: portRaw.toLowerCase() };
    else throw new Rejected(`${what}.ports[${j}].port is not a number or a name`);
    out.push({ index: j, ports: [spec] });
  });
  return out;
}

function knpRule(ctx: Ctx, data: Obj): MutableRule {
  const namespace = ctx.ref.namespace ?? 'default';
  const spec = obj(data['spec']) ?? {};
  const subjectSel = accepted(kubernetesSubjectSelector(spec['podSelector'], namespace));
  const subjectPath: DataPath = ['spec', 'podSelector'];
  const w = where(ctx, subjectPath);
  const enforced = kubernetesDirections(spec);
  const mutable: MutableRule = {
    policy: undefined,
    spec: null,
    subject: { kind: 'endpoints', selector: subjectSel, key: `subject|${selectorKey(subjectSel)}` },
    subjectRef: { ...ctx.ref, line: w.line, spec: null, path: subjectPath, span: w.span },
    ingress: { present: false, defaultDeny: false, allow: [], deny: [] },
    egress: { present: false, defaultDeny: false, allow: [], deny: [] },
    dnsRules: [],
  };
  for (const ingress of [true, false]) {
    const section: Section = ingress ? 'ingress' : 'egress';
    const peersField = ingress ? 'from' : 'to';
    const allow: CompiledItem[] = [];
    list(spec[section]).forEach((raw, i) => {
      const r = obj(raw) ?? {};
      const what = `spec.${section}[${i}]`;
      const portRules = knpPorts(list(r['ports']), what);
      const l4: L4Spec = portRules.length > 0 ? { kind: 'ports', portRules, icmps: [] } : { kind: 'any' };
      const written = list(r[peersField]);
      const make = (peers: readonly Peer[] | 'wildcard', path: DataPath): CompiledItem =>
        ({
          ref: ruleRefOf(ctx, null, section, i, path),
          rule: undefined,
          ingress,
          deny: false,
          peers,
          l4,
          cache: newItemCache(peers),
        }) as unknown as CompiledItem;
      if (written.length === 0) {
        // No peers: every source or destination, outside the cluster included.
        allow.push(make('wildcard', ['spec', section, i]));
        return;
      }
      written.forEach((p, j) => {
        const peer = obj(p) ?? {};
        const peerWhat = `${what}.${peersField}[${j}]`;
        const peers: Peer[] = [];
        const hasLabels =
          (peer['podSelector'] !== undefined && peer['podSelector'] !== null) ||
          (peer['namespaceSelector'] !== undefined && peer['namespaceSelector'] !== null);
        // The agent builds a label selector for every ingress peer; for an ipBlock-only peer that is
        // the local-cluster pod selector of the policy's namespace, whose effect we do not vouch for.
        if (hasLabels || ingress) {
          const found = kubernetesPeerSelector(peer, namespace, ctx.agent, peerWhat);
          const sel = found && accepted(found);
          if (sel) {
            peers.push(
              hasLabels
                ? { type: 'selector', selector: sel, key: selectorKey(sel) }
                : {
                    type: 'selector',
                    selector: sel,
                    key: selectorKey(sel),
                    doubt: {
                      code: 'knp-ipblock-peer',
                      message: `the agent also turns the ipBlock-only peer ${peerWhat} of NetworkPolicy ${namespace}/${ctx.ref.name} into a selector of its own namespace's pods; whether that admits them is not settled here`,
                    },
                  },
            );
          }
        }
        const block = obj(peer['ipBlock']);
        if (block) {
          const prefix = prefixOf(block['cidr'], `${peerWhat}.ipBlock.cidr`);
          const except = list(block['except']).map((e, k) => prefixOf(e, `${peerWhat}.ipBlock.except[${k}]`));
          peers.push({ type: 'cidr', text: String(block['cidr']), prefix, except });
        }
        allow.push(make(peers, ['spec', section, i, peersField, j]));
      });
    });
    const present = ingress ? enforced.ingress : enforced.egress;
    const direction: CompiledDirection = { present, defaultDeny: present, allow, deny: [] };
    if (ingress) mutable.ingress = direction;
    else mutable.egress = direction;
  }
  return mutable;
}

// ---------------------------------------------------------------------------------------------
// Entry point

/**
 * Compiles one document, or returns undefined when it is not a network policy the engine reads
 * (or was not parsed into data). `file` is the name verdicts report; `lines` indexes the file's text.
 */
export function compilePolicy(
  doc: PolicyDocument,
  file: string,
  lines: LineIndex,
  agent: AgentProfile,
): CompiledPolicy | undefined {
  const kind: VerdictPolicyKind | undefined = networkPolicyKind(doc.kind);
  const data = obj(doc.data);
  if (!kind || !data || doc.templated) return undefined;
  const namespaced = doc.kind?.namespaced === true;
  const name = doc.name ?? '';
  const ref: PolicyRef = { kind, namespace: namespaced ? doc.namespace || 'default' : null, name, file };
  const line = lines.positionAt(doc.span.start).line + 1;
  const ctx: Ctx = { doc, lines, agent, ref };
  const rules: MutableRule[] = [];
  let rejected: string | undefined;
  try {
    if (name === '') throw new Rejected('the policy has no metadata.name');
    if (kind === 'NetworkPolicy') rules.push(knpRule(ctx, data));
    else {
      const spec = obj(data['spec']);
      if (spec) rules.push(ciliumRule(ctx, spec, ['spec'], null, !namespaced));
      list(data['specs']).forEach((s, i) => {
        const o = obj(s);
        if (o) rules.push(ciliumRule(ctx, o, ['specs', i], i, !namespaced));
      });
      if (rules.length === 0) throw new Rejected('the policy has neither spec nor specs');
    }
  } catch (e) {
    if (!(e instanceof Rejected)) throw e;
    rejected = e.message;
  }
  const policy: CompiledPolicy = {
    ref,
    line,
    rules: [],
    ...(rejected !== undefined ? { rejected } : {}),
  };
  if (rejected !== undefined) return policy;
  // Tie the back-references now that the policy object exists.
  const done: CompiledRule[] = [];
  for (const r of rules) {
    const rule = { ...r, policy } as unknown as { -readonly [K in keyof CompiledRule]: CompiledRule[K] };
    for (const d of [rule.ingress, rule.egress])
      for (const item of [...d.allow, ...d.deny]) (item as { rule: CompiledRule }).rule = rule;
    done.push(rule);
  }
  (policy as { rules: readonly CompiledRule[] }).rules = done;
  return policy;
}

/** An empty cache for an item: shared answers unless a toFQDNs peer makes them depend on the direction. */
function newItemCache(peers: readonly Peer[] | 'wildcard'): ItemCache {
  return {
    shared: peers === 'wildcard' || !peers.some((p) => p.type === 'fqdn'),
    dense: [],
    sparse: new Map(),
  };
}
