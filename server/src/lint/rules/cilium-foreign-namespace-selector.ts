// SPDX-License-Identifier: Apache-2.0
/**
 * Rule: cilium/foreign-namespace-selector
 *
 * A CiliumNetworkPolicy only ever applies to pods of its own namespace: the agent adds
 * `k8s:io.kubernetes.pod.namespace=<policy namespace>` to its `endpointSelector`. A selector that
 * pins another namespace therefore does not do what it says. With the `k8s:` source the pin is
 * overwritten (the policy applies to its own namespace, with a warning in the agent log); without
 * a source both requirements stay and the policy selects nothing. Peer selectors are different:
 * there a namespace key is the normal way to reach another namespace, so they are not flagged.
 */
import { type Fix } from '../../core/findings.js';
import { type Rule, type RuleFinding } from '../rule.js';
import { list, obj, str } from '../../core/data.js';
import { isNamespaceKey, labelSelectors, splitLabelKey, type SelectorRef } from '../../core/cilium/selector-refs.js';
import { removeEntry, replaceValue } from '../../core/yaml-edits.js';
import type { PolicyDocument, PolicyFile } from '../../core/document.js';
import { replaceWithFlow } from '../edit-helpers.js';
import type { OffsetEdit } from '../../core/findings.js';

/** The edit that drops one matchLabels entry, leaving a valid selector behind. */
function removePin(file: PolicyFile, doc: PolicyDocument, sel: SelectorRef, key: string): OffsetEdit | undefined {
  const labels = obj(sel.selector['matchLabels']) ?? {};
  if (Object.keys(labels).length > 1) return removeEntry(file, doc, [...sel.path, 'matchLabels', key]);
  if (Object.keys(sel.selector).length > 1) return removeEntry(file, doc, [...sel.path, 'matchLabels']);
  // The pin was the whole selector: what remains is "every pod of the policy's namespace".
  return replaceWithFlow(file.text, doc, sel.path, '{}');
}

function quote(s: string): string {
  return /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(s) ? s : JSON.stringify(s);
}

export const rule: Rule = {
  id: 'cilium/foreign-namespace-selector',
  kinds: ['CiliumNetworkPolicy'],
  defaultSeverity: 'warning',
  summary: "A CiliumNetworkPolicy whose `endpointSelector` pins a namespace other than the policy's own.",
  rationale:
    "A namespaced policy can only select pods of its own namespace: the agent adds the policy's namespace to `endpointSelector`. A `k8s:io.kubernetes.pod.namespace` label naming another namespace is overwritten (the policy applies to its own namespace instead, and the agent only logs a warning); the same key without a source is kept next to the injected one, so the policy selects no pod at all. Move the policy to the namespace you meant, or use a CiliumClusterwideNetworkPolicy.",
  example: {
    bad: 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  endpointSelector:\n    matchLabels:\n      k8s:io.kubernetes.pod.namespace: billing\n      app: web\n  ingress:\n    - fromEntities:\n        - cluster\n',
    good: 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: web\n  namespace: billing\nspec:\n  endpointSelector:\n    matchLabels:\n      app: web\n  ingress:\n    - fromEntities:\n        - cluster\n',
  },
  check({ doc, file }) {
    const out: RuleFinding[] = [];
    const ns = doc.namespace;
    // Without metadata.namespace the policy lands in the kubectl context's namespace: nothing to compare with.
    if (!ns) return out;
    for (const sel of labelSelectors(doc.data)) {
      if (sel.role !== 'endpointSelector') continue;
      const describe = (key: string, wanted: string) =>
        splitLabelKey(key).source === 'k8s'
          ? `This policy lives in namespace \`${ns}\`, so the agent overwrites \`${key}: ${wanted}\` with \`${ns}\`: the rule applies to pods of \`${ns}\`, not \`${wanted}\`.`
          : `This policy lives in namespace \`${ns}\`; the agent adds \`k8s:io.kubernetes.pod.namespace: ${ns}\` next to \`${key}\`, so the selector needs both namespaces and selects no pod.`;
      const moveFix = (wanted: string): Fix[] => {
        const e = replaceValue(file, doc, ['metadata', 'namespace'], quote(wanted));
        return e ? [{ title: `Move the policy to namespace \`${wanted}\``, edits: [e] }] : [];
      };
      for (const [key, value] of Object.entries(obj(sel.selector['matchLabels']) ?? {})) {
        const wanted = str(value);
        if (!isNamespaceKey(key) || wanted === undefined || wanted === ns) continue;
        const rm = removePin(file, doc, sel, key);
        out.push({
          path: [...sel.path, 'matchLabels', key],
          target: 'key',
          message: `${describe(key, wanted)} Selectors of a namespaced policy cannot reach other namespaces.`,
          data: { namespace: wanted, policyNamespace: ns },
          fixes: [...(rm ? [{ title: 'Remove the namespace pin', edits: [rm] }] : []), ...moveFix(wanted)],
        });
      }
      list(sel.selector['matchExpressions']).forEach((e, i) => {
        const expr = obj(e);
        const key = str(expr?.['key']);
        if (!expr || !key || !isNamespaceKey(key) || str(expr['operator']) !== 'In') return;
        const values = list(expr['values']).filter((v): v is string => typeof v === 'string');
        if (values.length === 0 || values.includes(ns)) return;
        const exprs = list(sel.selector['matchExpressions']);
        const rm =
          exprs.length > 1
            ? removeEntry(file, doc, [...sel.path, 'matchExpressions', i])
            : Object.keys(sel.selector).length > 1
              ? removeEntry(file, doc, [...sel.path, 'matchExpressions'])
              : replaceWithFlow(file.text, doc, sel.path, '{}');
        out.push({
          path: [...sel.path, 'matchExpressions', i],
          message: `This policy lives in namespace \`${ns}\` and the agent always restricts its \`endpointSelector\` to that namespace, so requiring \`${key}\` in [${values.join(', ')}] cannot select pods there: the requirement is overridden or the selector matches no pod. Selectors of a namespaced policy cannot reach other namespaces.`,
          data: { namespace: values[0], policyNamespace: ns },
          fixes: [
            ...(rm ? [{ title: 'Remove the namespace requirement', edits: [rm] }] : []),
            ...(values.length === 1 ? moveFix(values[0]!) : []),
          ],
        });
      });
    }
    return out;
  },
};
