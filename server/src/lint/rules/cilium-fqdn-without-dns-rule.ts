// SPDX-License-Identifier: Apache-2.0
/**
 * Rule: cilium/fqdn-without-dns-rule
 *
 * `toFQDNs` matches names only through what Cilium's DNS proxy has seen: the IPs a name resolved
 * to are learned from the endpoint's own lookups. If no policy sends those lookups through the
 * proxy (an egress `toPorts` entry with `rules.dns`), the FQDN rule never matches anything and the
 * connections are dropped. Policies are checked together when they are in the same file: a DNS
 * rule counts when it is in the same rule, or in a rule (of any policy of the file) whose selector
 * selects at least the same endpoints.
 */
import { CILIUM_NETWORK_POLICY_KINDS, type Rule, type RuleFinding } from '../rule.js';
import { type Fix } from '../../core/findings.js';
import { list, nonEmpty, obj, policyRules, str, type Obj } from '../../core/data.js';
import { appendItem } from '../../core/yaml-edits.js';
import type { PolicyDocument, PolicyFile } from '../../core/document.js';

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
    '`toFQDNs` in a rule whose endpoints have no egress DNS rule (`rules.dns`) in this file, so the names are never learned.',
  rationale:
    "Cilium learns which IPs belong to a name by proxying the endpoint's DNS lookups. That happens only for traffic matched by an egress `toPorts` entry with `rules.dns` (usually port 53 toward kube-dns). Without one, `toFQDNs` never matches and the connections are dropped. The DNS rule may live in another policy selecting the same endpoints; this check only sees the policies in the same file.",
  example: {
    bad: 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: api\n  namespace: shop\nspec:\n  endpointSelector:\n    matchLabels:\n      app: web\n  egress:\n    - toFQDNs:\n        - matchName: api.example.com\n',
    good: 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: api\n  namespace: shop\nspec:\n  endpointSelector:\n    matchLabels:\n      app: web\n  egress:\n    - toFQDNs:\n        - matchName: api.example.com\n    - toEndpoints:\n        - matchLabels:\n            k8s:io.kubernetes.pod.namespace: kube-system\n            k8s:k8s-app: kube-dns\n      toPorts:\n        - ports:\n            - port: "53"\n              protocol: ANY\n          rules:\n            dns:\n              - matchPattern: "*"\n',
  },
  check({ doc, file, kind }) {
    const out: RuleFinding[] = [];
    const providers = dnsProviders(file);
    for (const r of policyRules(doc.data)) {
      const fqdnItems = list(r.rule['egress'])
        .map((it, i) => ({ item: obj(it), i }))
        .filter((x) => x.item && nonEmpty(x.item['toFQDNs']));
      if (fqdnItems.length === 0) continue;
      const clusterwide = kind.kind === 'CiliumClusterwideNetworkPolicy';
      // The rule's own DNS rule first (the usual case), then only the providers whose scope can include it.
      const coveredBy = (list: readonly DnsProvider[] | undefined): boolean =>
        list !== undefined && list.some((p) => covers(p.doc, p.rule, doc, r.rule, clusterwide));
      const covered =
        hasDnsRule(r.rule) ||
        coveredBy(providers.clusterwide) ||
        (!clusterwide && coveredBy(providers.byNamespace.get(doc.namespace ?? '')));
      if (covered) continue;
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
      for (const { i } of fqdnItems) {
        out.push({
          path: [...r.path, 'egress', i, 'toFQDNs'],
          target: 'key',
          message:
            'No egress DNS rule (`toPorts` with `rules.dns`) covers these endpoints in this file, so Cilium never learns the IPs of these names and this rule matches nothing. Add a DNS rule toward the cluster DNS, unless another policy applied to the same pods has one.',
          fixes,
        });
      }
    }
    return out;
  },
};

/**
 * The rules with a DNS rule among the file's network policies, found once per parse of the file:
 * every policy of the file asks, so a per-policy scan would cost the square of the file's size.
 */
interface DnsProvider {
  readonly doc: PolicyDocument;
  readonly rule: Obj;
}
interface DnsProviders {
  readonly clusterwide: DnsProvider[];
  /** Namespaced providers by namespace: only those of the target's namespace can cover it. */
  readonly byNamespace: Map<string, DnsProvider[]>;
}
const providersByFile = new WeakMap<PolicyFile, DnsProviders>();
function dnsProviders(file: PolicyFile): DnsProviders {
  let out = providersByFile.get(file);
  if (!out) {
    out = { clusterwide: [], byNamespace: new Map() };
    for (const d of file.documents) {
      if (!d.kind || !CILIUM_NETWORK_POLICY_KINDS.includes(d.kind.kind) || d.data === undefined) continue;
      for (const r of dnsRulesOf(d.data)) {
        if (d.kind.kind === 'CiliumClusterwideNetworkPolicy') out.clusterwide.push({ doc: d, rule: r });
        else {
          const ns = d.namespace ?? '';
          const list = out.byNamespace.get(ns);
          if (list) list.push({ doc: d, rule: r });
          else out.byNamespace.set(ns, [{ doc: d, rule: r }]);
        }
      }
    }
    providersByFile.set(file, out);
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

/**
 * True when the DNS rule `provider` (in document `pdoc`) applies to at least the endpoints of
 * `target` (in document `tdoc`): the same rule, or a selector that asks for a subset of the
 * target's labels, in a scope that includes the target's (same namespace, or clusterwide).
 */
function covers(
  pdoc: PolicyDocument,
  provider: Obj,
  tdoc: PolicyDocument,
  target: Obj,
  targetClusterwide: boolean,
): boolean {
  if (provider === target) return true;
  const providerClusterwide = pdoc.kind?.kind === 'CiliumClusterwideNetworkPolicy';
  if (!providerClusterwide && (targetClusterwide || (pdoc.namespace ?? '') !== (tdoc.namespace ?? ''))) return false;
  for (const key of ['endpointSelector', 'nodeSelector']) {
    const ps = obj(provider[key]);
    const ts = obj(target[key]);
    if (!ps || !ts) continue;
    return selectorIncludes(ps, ts);
  }
  return false;
}

/** Label keys without the `k8s:`/`any:` source, which do not change what a pod label matches here. */
const labelsBySelector = new WeakMap<Obj, Map<string, string>>();
function normalizedLabels(sel: Obj): Map<string, string> {
  // Each provider's selector is compared with every FQDN rule's of the file: normalise it once.
  const known = labelsBySelector.get(sel);
  if (known) return known;
  const out = new Map<string, string>();
  labelsBySelector.set(sel, out);
  for (const [k, v] of Object.entries(obj(sel['matchLabels']) ?? {})) {
    const value = str(v) ?? String(v);
    out.set(k.replace(/^(k8s|any):/, ''), value);
  }
  return out;
}

/** True when every pod `target` selects is also selected by `provider` (conservatively). */
function selectorIncludes(provider: Obj, target: Obj): boolean {
  const pl = normalizedLabels(provider);
  const tl = normalizedLabels(target);
  for (const [k, v] of pl) if (tl.get(k) !== v) return false;
  // Expressions: only those written identically in both count as implied.
  const te = list(target['matchExpressions']).map((e) => JSON.stringify(e));
  return list(provider['matchExpressions']).every((e) => te.includes(JSON.stringify(e)));
}
