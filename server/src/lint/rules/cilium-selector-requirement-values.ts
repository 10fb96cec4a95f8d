// SPDX-License-Identifier: Apache-2.0
/**
 * Rule: cilium/selector-requirement-values
 *
 * The CRD accepts any `values` list on a `matchExpressions` requirement, whatever the operator,
 * and does not check the strings in it. The agent validates selectors like Kubernetes does: `In`
 * and `NotIn` need at least one value, `Exists` and `DoesNotExist` take none, and every value must
 * be a valid label value. A violation makes the whole policy invalid.
 */
import { CILIUM_NETWORK_POLICY_KINDS, type Rule, type RuleFinding } from '../rule.js';
import { list, obj, str } from '../../core/data.js';
import { labelSelectors } from '../../core/cilium/selector-refs.js';

/** A Kubernetes label value: empty, or ≤63 characters, alphanumeric at both ends, `-_.` inside. */
const LABEL_VALUE = /^(?:[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

/** Why a label value is invalid, or undefined when it is fine. */
export function labelValueProblem(v: string): string | undefined {
  if (v.length > 63) return `is ${v.length} characters long; label values have at most 63`;
  if (!LABEL_VALUE.test(v))
    return 'is not a valid label value (letters, digits, `-`, `_` and `.`, starting and ending with a letter or digit)';
  return undefined;
}

export const rule: Rule = {
  id: 'cilium/selector-requirement-values',
  kinds: CILIUM_NETWORK_POLICY_KINDS,
  defaultSeverity: 'error',
  summary:
    'A `matchExpressions` requirement must have values for `In`/`NotIn`, none for `Exists`/`DoesNotExist`, and only valid label values.',
  rationale:
    'The CRD does not relate `values` to `operator`, so such a selector is admitted, but the agent validates every selector when it imports the policy and marks the whole policy invalid. An `In` with no values would otherwise match nothing, and values on `Exists` are silently meaningless in other tools, so the mistake is easy to miss.',
  example: {
    bad: 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  endpointSelector:\n    matchExpressions:\n      - key: app\n        operator: In\n  ingress:\n    - fromEntities:\n        - cluster\n',
    good: 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  endpointSelector:\n    matchExpressions:\n      - key: app\n        operator: In\n        values:\n          - web\n  ingress:\n    - fromEntities:\n        - cluster\n',
  },
  rejectedBy: [
    {
      repo: 'cilium/cilium',
      file: 'pkg/labels/validation.go',
      func: 'ValidateLabelSelectorRequirement (via the EndpointSelector validation in pkg/policy/api)',
      releases: 'Cilium 1.16–1.20',
    },
  ],
  check({ doc }) {
    const out: RuleFinding[] = [];
    for (const sel of labelSelectors(doc.data)) {
      // Service selectors are not validated when the policy is imported: a bad requirement there
      // only makes the selector match no service.
      const loose = sel.role === 'serviceSelector';
      const push = (f: RuleFinding): void => {
        out.push(
          loose
            ? {
                ...f,
                severity: 'warning',
                message: `${f.message.replace(/; the agent rejects[^.]*\./, '.')} The agent does not validate service selectors, so this one matches no service.`,
              }
            : f,
        );
      };
      list(sel.selector['matchExpressions']).forEach((e, i) => {
        const expr = obj(e);
        if (!expr) return;
        const path = [...sel.path, 'matchExpressions', i];
        const op = str(expr['operator']);
        const values = expr['values'];
        if (values !== undefined && !Array.isArray(values)) return; // The schema reports the type.
        const count = Array.isArray(values) ? values.length : 0;
        if ((op === 'In' || op === 'NotIn') && count === 0) {
          push({
            path: [...path, values === undefined ? 'operator' : 'values'],
            target: values === undefined ? 'value' : 'key',
            message: `\`${op}\` needs at least one value in \`values\`; the agent rejects the policy otherwise.`,
          });
        } else if ((op === 'Exists' || op === 'DoesNotExist') && count > 0) {
          push({
            path: [...path, 'values'],
            target: 'key',
            message: `\`${op}\` takes no values; the agent rejects a requirement that has some. Remove \`values\`.`,
          });
        }
        list(values).forEach((v, j) => {
          const s = str(v);
          const problem = s === undefined ? undefined : labelValueProblem(s);
          if (problem)
            push({
              path: [...path, 'values', j],
              target: 'value',
              message: `"${s}" ${problem}; the agent rejects the selector.`,
            });
        });
      });
    }
    return out;
  },
};
