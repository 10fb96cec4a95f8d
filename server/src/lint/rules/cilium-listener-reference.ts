// SPDX-License-Identifier: Apache-2.0
/**
 * Rule: cilium/listener-reference
 *
 * `toPorts[].listener` names an Envoy config and a listener inside it. A clusterwide policy cannot
 * use a namespaced CiliumEnvoyConfig (it has no namespace to look it up in); the agent only finds
 * out when it computes the policy, and the traffic is then not redirected. When the Envoy config
 * is among the policies checked (this file, the other inputs of a CLI run, the workspace in the
 * editor), the listener name is also checked against its resources, qualified as Cilium qualifies
 * both (`<namespace>/<config>/<listener>`): an unknown name silently redirects nothing.
 */
import { CILIUM_NETWORK_POLICY_KINDS, type Rule, type RuleFinding } from '../rule.js';
import { obj, str } from '../../core/data.js';
import { portRules } from '../../core/cilium/sections.js';
import { namesOf, qualifiedName } from '../../core/cilium/envoy.js';
import { otherFiles, scopeDocuments } from '../scope.js';

export const rule: Rule = {
  id: 'cilium/listener-reference',
  kinds: CILIUM_NETWORK_POLICY_KINDS,
  defaultSeverity: 'error',
  crossDocument: true,
  summary:
    'A `listener` that points a clusterwide policy at a namespaced CiliumEnvoyConfig, or names a listener its Envoy config (when among the policies checked) does not define.',
  rationale:
    "A CiliumClusterwideNetworkPolicy can only use listeners of a CiliumClusterwideEnvoyConfig. Without `envoyConfig.kind`, a CiliumNetworkPolicy refers to a CiliumEnvoyConfig in its own namespace and a clusterwide policy to a CiliumClusterwideEnvoyConfig. The listener is looked up by name among that config's `resources`; a name that is not there means the traffic is never redirected.",
  example: {
    bad: 'apiVersion: cilium.io/v2\nkind: CiliumClusterwideNetworkPolicy\nmetadata:\n  name: web\nspec:\n  endpointSelector: {}\n  egress:\n    - toPorts:\n        - ports:\n            - port: "80"\n              protocol: TCP\n          listener:\n            envoyConfig:\n              kind: CiliumEnvoyConfig\n              name: web-envoy\n            name: web-listener\n',
    good: 'apiVersion: cilium.io/v2\nkind: CiliumClusterwideNetworkPolicy\nmetadata:\n  name: web\nspec:\n  endpointSelector: {}\n  egress:\n    - toPorts:\n        - ports:\n            - port: "80"\n              protocol: TCP\n          listener:\n            envoyConfig:\n              kind: CiliumClusterwideEnvoyConfig\n              name: web-envoy\n            name: web-listener\n',
  },
  rejectedBy: [
    {
      repo: 'cilium/cilium',
      file: 'pkg/policy/l4.go',
      func: 'createL4Filter (listener of a CiliumEnvoyConfig in a clusterwide policy)',
      releases: 'Cilium 1.16–1.20',
    },
  ],
  check({ doc, kind, file, scope, source }) {
    const out: RuleFinding[] = [];
    const clusterwide = kind.kind === 'CiliumClusterwideNetworkPolicy';
    for (const pr of portRules(doc.data)) {
      const listener = obj(pr.portRule['listener']);
      const envoyConfig = obj(listener?.['envoyConfig']);
      if (!listener || !envoyConfig) continue;
      const path = [...pr.path, 'listener'];
      const written = str(envoyConfig['kind']);
      if (clusterwide && written === 'CiliumEnvoyConfig') {
        out.push({
          path: [...path, 'envoyConfig', 'kind'],
          target: 'value',
          message:
            'A clusterwide policy cannot use a listener of a namespaced CiliumEnvoyConfig; use a CiliumClusterwideEnvoyConfig. The agent fails to compute the policy and the traffic is not redirected.',
        });
        continue;
      }
      const cecKind = written ?? (clusterwide ? 'CiliumClusterwideEnvoyConfig' : 'CiliumEnvoyConfig');
      const cecName = str(envoyConfig['name']);
      const listenerName = str(listener['name']);
      if (!cecName || !listenerName) continue;
      // Only an Envoy config among the policies checked can be checked; others live elsewhere in the cluster.
      const matches = (d: { kind: string; name: string | undefined; namespace: string | undefined }) =>
        d.kind === cecKind &&
        d.name === cecName &&
        (cecKind === 'CiliumClusterwideEnvoyConfig' ||
          d.namespace === undefined ||
          doc.namespace === undefined ||
          d.namespace === doc.namespace);
      const target = scopeDocuments('', file).find(matches) ?? [...otherFiles(scope, source)].find(matches);
      if (!target) continue;
      // Cilium qualifies both names the same way: `<namespace>/<config>/<listener>` (empty namespace
      // for a clusterwide config), keeping a name that already starts with the namespace.
      const ns = cecKind === 'CiliumClusterwideEnvoyConfig' ? '' : (doc.namespace ?? target.namespace);
      const names = namesOf(target.data, 'Listener');
      if (
        ns === undefined
          ? names.has(listenerName)
          : [...names].some(
              (n) => qualifiedName(ns, cecName, n, true) === qualifiedName(ns, cecName, listenerName, true),
            )
      )
        continue;
      const known = [...names].map((n) => `\`${n}\``).join(', ');
      const where = target.source === '' ? 'in this file' : `in ${target.source}`;
      out.push({
        path: [...path, 'name'],
        target: 'value',
        severity: 'warning',
        message: `${cecKind} \`${cecName}\` ${where} has no listener named \`${listenerName}\`${known ? ` (it defines ${known})` : ' (it defines no listener)'}; the traffic would not be redirected.`,
        data: { listeners: [...names] },
      });
    }
    return out;
  },
};
