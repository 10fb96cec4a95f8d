// SPDX-License-Identifier: Apache-2.0
/**
 * Rule: cilium/fqdn-without-dns-rule
 *
 * `toFQDNs` matches names only through what Cilium's DNS proxy has seen: the IPs a name resolved
 * to are learned from the endpoint's own lookups. If no policy sends those lookups through the
 * proxy (an egress `toPorts` entry with `rules.dns`), the FQDN rule never matches anything and the
 * connections are dropped. A rule that merely allows port 53 does not count: the lookups must go
 * through the proxy. A DNS rule counts when it is in the same rule, or in a rule of any policy in
 * scope (this file, the other inputs of a CLI run, the workspace in the editor) whose selector
 * selects at least the same endpoints: same namespace or clusterwide, and labels it asks for that
 * the target's endpoints surely carry (the same labels, the policy's own namespace, any namespace,
 * or the cluster the policy is applied to).
 */
import { CILIUM_NETWORK_POLICY_KINDS, type Rule, type RuleFinding } from '../rule.js';
import { type Fix } from '../../core/findings.js';
import { list, nonEmpty, obj, policyRules, str, type Obj } from '../../core/data.js';
import { appendItem } from '../../core/yaml-edits.js';
import type { PolicyFile } from '../../core/document.js';
import type { PolicyKindName } from '../../core/kinds.js';
import { otherFiles, scopeDocuments, type LintScope, type ScopeDocument } from '../scope.js';

/** The egress item the quick fix adds: DNS through the proxy toward the cluster's DNS pods. */
export const DNS_EGRESS_ITEM = [
  'toEndpoints:',
  '  - matchLabels:',
  '      k8s:io.kubernetes.pod.namespace: kube-system',
  '      k8s:k8s-app: kube-dns',
  'toPorts:',
  '  - ports:',
  '      - port: "53"',
  '        protocol: ANY',
  '    rules:',
  '      dns:',
  '        - matchPattern: "*"',
].join('\n');

export const rule: Rule = {
  id: 'cilium/fqdn-without-dns-rule',
  kinds: CILIUM_NETWORK_POLICY_KINDS,
  defaultSeverity: 'warning',
  crossDocument: true,
  summary:
    '`toFQDNs` in a rule whose endpoints no egress DNS rule (`rules.dns`) covers in the policies checked together, so the names are never learned.',
  rationale:
    "Cilium learns which IPs belong to a name by proxying the endpoint's DNS lookups. That happens only for traffic matched by an egress `toPorts` entry with `rules.dns` (usually port 53 toward kube-dns); allowing port 53 without `rules.dns` is not enough. Without one, `toFQDNs` never matches and the connections are dropped. The DNS rule may live in another policy selecting the same endpoints: the check sees the policies of the file, of every input of a CLI run, and of the workspace in the editor.",
  example: {
    bad: 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: api\n  namespace: shop\nspec:\n  endpointSelector:\n    matchLabels:\n      app: web\n  egress:\n    - toFQDNs:\n        - matchName: api.example.com\n',
    good: 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: api\n  namespace: shop\nspec:\n  endpointSelector:\n    matchLabels:\n      app: web\n  egress:\n    - toFQDNs:\n        - matchName: api.example.com\n    - toEndpoints:\n        - matchLabels:\n            k8s:io.kubernetes.pod.namespace: kube-system\n            k8s:k8s-app: kube-dns\n      toPorts:\n        - ports:\n            - port: "53"\n              protocol: ANY\n          rules:\n            dns:\n              - matchPattern: "*"\n',
  },
  check({ doc, file, kind, scope, source }) {
    const out: RuleFinding[] = [];
    const here = fileProviders(file);
    const elsewhere = scope ? scopeProviders(scope) : undefined;
    const target: PolicyRef = { kind: kind.kind, namespace: doc.namespace };
    for (const r of policyRules(doc.data)) {
      const fqdnItems = list(r.rule['egress'])
        .map((it, i) => ({ item: obj(it), i }))
        .filter((x) => x.item && nonEmpty(x.item['toFQDNs']));
      if (fqdnItems.length === 0) continue;
      const clusterwide = kind.kind === 'CiliumClusterwideNetworkPolicy';
      // The rule's own DNS rule first (the usual case), then only the providers whose scope can include it.
      const coveredBy = (list: readonly DnsProvider[] | undefined, others: boolean): boolean =>
        list !== undefined &&
        list.some((p) => (!others || source === undefined || p.source !== source) && covers(p, target, r.rule));
      const covered = (ps: DnsProviders | undefined, others: boolean): boolean =>
        ps !== undefined &&
        (coveredBy(ps.clusterwide, others) ||
          (!clusterwide && coveredBy(ps.byNamespace.get(doc.namespace ?? ''), others)));
      if (hasDnsRule(r.rule) || covered(here, false) || covered(elsewhere, true)) continue;
      const edit = appendItem(file, doc, [...r.path, 'egress'], DNS_EGRESS_ITEM);
      const fixes: Fix[] = edit
        ? [
            {
              title: 'Add the DNS egress rule (port 53 to kube-dns, through the DNS proxy)',
              edits: [edit],
              preferred: true,
            },
          ]
        : [];
      const where = scope
        ? 'in the policies checked (this file and the other files of the run or workspace)'
        : 'in this file';
      for (const { i } of fqdnItems) {
        out.push({
          path: [...r.path, 'egress', i, 'toFQDNs'],
          target: 'key',
          message: `No egress DNS rule (\`toPorts\` with \`rules.dns\`) covers these endpoints ${where}, so Cilium never learns the IPs of these names and this rule matches nothing. Add a DNS rule toward the cluster DNS, unless a policy applied to the same pods elsewhere has one.`,
          fixes,
        });
      }
    }
    return out;
  },
};

/** What the coverage check needs to know of a policy: its kind and namespace. */
interface PolicyRef {
  readonly kind: PolicyKindName;
  readonly namespace: string | undefined;
}

/** A rule with a DNS rule, and the policy and file it belongs to. */
interface DnsProvider {
  readonly policy: PolicyRef;
  readonly rule: Obj;
  /** The file, in the scope's terms; undefined for the file being linted. */
  readonly source: string | undefined;
}
interface DnsProviders {
  readonly clusterwide: DnsProvider[];
  /** Namespaced providers by namespace: only those of the target's namespace can cover it. */
  readonly byNamespace: Map<string, DnsProvider[]>;
}

/**
 * The providers of a set of policies, found once per parse of the file (every policy of the file
 * asks) or once per scope (every file of the run or workspace asks).
 */
function indexProviders(docs: Iterable<ScopeDocument>, fromFile: boolean): DnsProviders {
  const out: DnsProviders = { clusterwide: [], byNamespace: new Map() };
  for (const d of docs) {
    if (!CILIUM_NETWORK_POLICY_KINDS.includes(d.kind)) continue;
    for (const r of dnsRulesOf(d.data)) {
      const p: DnsProvider = { policy: d, rule: r, source: fromFile ? undefined : d.source };
      if (d.kind === 'CiliumClusterwideNetworkPolicy') out.clusterwide.push(p);
      else {
        const ns = d.namespace ?? '';
        const list = out.byNamespace.get(ns);
        if (list) list.push(p);
        else out.byNamespace.set(ns, [p]);
      }
    }
  }
  return out;
}
const providersByFile = new WeakMap<PolicyFile, DnsProviders>();
function fileProviders(file: PolicyFile): DnsProviders {
  let out = providersByFile.get(file);
  if (!out) {
    out = indexProviders(scopeDocuments('', file), true);
    providersByFile.set(file, out);
  }
  return out;
}
const providersByScope = new WeakMap<LintScope, DnsProviders>();
function scopeProviders(scope: LintScope): DnsProviders {
  let out = providersByScope.get(scope);
  if (!out) {
    out = indexProviders(otherFiles(scope, undefined), false);
    providersByScope.set(scope, out);
  }
  return out;
}

/** The rules of a policy that have a DNS rule, found once per document text (its data object is kept while the text is unchanged). */
const dnsRulesByData = new WeakMap<object, Obj[]>();
function dnsRulesOf(data: unknown): Obj[] {
  if (data === null || typeof data !== 'object') return [];
  let out = dnsRulesByData.get(data);
  if (!out) {
    out = policyRules(data)
      .map((r) => r.rule)
      .filter(hasDnsRule);
    dnsRulesByData.set(data, out);
  }
  return out;
}

/** True when the rule has an egress `toPorts` entry with DNS rules. */
function hasDnsRule(rule: Obj): boolean {
  return list(rule['egress']).some((it) =>
    list(obj(it)?.['toPorts']).some((p) => nonEmpty(obj(obj(p)?.['rules'])?.['dns'])),
  );
}

/** The label Cilium gives every pod for its namespace, and the one for its cluster. */
const NAMESPACE_KEY = 'io.kubernetes.pod.namespace';
const CLUSTER_KEY = 'io.cilium.k8s.policy.cluster';

/**
 * True when the DNS rule of `provider` applies to at least the endpoints of `target` (a rule of the
 * policy `policy`): the same rule, or a selector that asks only for labels the target's endpoints
 * surely carry, in a scope that includes the target's (same namespace, or clusterwide).
 */
function covers(provider: DnsProvider, policy: PolicyRef, target: Obj): boolean {
  if (provider.rule === target) return true;
  const targetClusterwide = policy.kind === 'CiliumClusterwideNetworkPolicy';
  const providerClusterwide = provider.policy.kind === 'CiliumClusterwideNetworkPolicy';
  if (!providerClusterwide && (targetClusterwide || (provider.policy.namespace ?? '') !== (policy.namespace ?? ''))) {
    return false;
  }
  for (const key of ['endpointSelector', 'nodeSelector']) {
    const ps = obj(provider.rule[key]);
    const ts = obj(target[key]);
    if (!ps || !ts) continue;
    // A namespaced policy's endpoints all carry its namespace (the agent adds it to the selector).
    const namespace = !targetClusterwide && key === 'endpointSelector' ? policy.namespace : undefined;
    return selectorIncludes(ps, ts, namespace, key === 'endpointSelector');
  }
  return false;
}

/** A requirement of a selector, with the key's `k8s:`/`any:` source dropped. */
interface Requirement {
  readonly key: string;
  readonly operator: string;
  readonly values: readonly string[];
}

/** The requirements of a selector (matchLabels as `In [value]`), computed once per selector object. */
const requirementsBySelector = new WeakMap<Obj, Requirement[]>();
function requirements(sel: Obj): Requirement[] {
  const known = requirementsBySelector.get(sel);
  if (known) return known;
  const bare = (k: string): string => k.replace(/^(k8s|any):/, '');
  const out: Requirement[] = [];
  for (const [k, v] of Object.entries(obj(sel['matchLabels']) ?? {})) {
    out.push({ key: bare(k), operator: 'In', values: [str(v) ?? String(v)] });
  }
  for (const e of list(sel['matchExpressions'])) {
    const x = obj(e);
    const key = str(x?.['key']);
    const operator = str(x?.['operator']);
    if (key === undefined || operator === undefined) continue;
    out.push({ key: bare(key), operator, values: list(x?.['values']).map((v) => str(v) ?? String(v)) });
  }
  requirementsBySelector.set(sel, out);
  return out;
}

/**
 * True when every endpoint `target` selects is also selected by `provider` (conservatively): each
 * requirement of the provider is one the target also makes, or one every candidate endpoint
 * meets. Pods carry their namespace (known for a namespaced target) and their cluster's name (the
 * cluster the policies are applied to, assumed to be the one the provider names).
 */
function selectorIncludes(provider: Obj, target: Obj, namespace: string | undefined, pods: boolean): boolean {
  const theirs = requirements(target);
  return requirements(provider).every((p) => {
    if (pods && p.key === CLUSTER_KEY && (p.operator === 'In' || p.operator === 'Exists')) return true;
    if (pods && p.key === NAMESPACE_KEY) {
      if (p.operator === 'Exists') return true;
      if (namespace !== undefined) {
        if (p.operator === 'In') return p.values.includes(namespace);
        if (p.operator === 'NotIn') return !p.values.includes(namespace);
      }
    }
    return theirs.some((t) => {
      if (t.key !== p.key) return false;
      // The target asks for a value the provider accepts, or for the same requirement.
      if (p.operator === 'Exists') return t.operator === 'In' || t.operator === 'Exists';
      if (p.operator === 'In' && t.operator === 'In')
        return t.values.length > 0 && t.values.every((v) => p.values.includes(v));
      return (
        t.operator === p.operator && t.values.length === p.values.length && t.values.every((v) => p.values.includes(v))
      );
    });
  });
}
