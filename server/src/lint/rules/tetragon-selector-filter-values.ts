// SPDX-License-Identifier: Apache-2.0
/**
 * Rule: tetragon/selector-filter-values
 *
 * Values of the non-argument selector filters (D7) that the CRD keeps as free strings:
 * binary paths and their length limits (In/NotIn 255 characters, Prefix 256 bytes, Postfix 127
 * bytes), `followChildren` (In/NotIn only), namespace inode numbers or `host_ns` (at most 4 per
 * filter), namespace type names for `matchNamespaceChanges`, capability names.
 */
import { TRACING_POLICY_KINDS, type Rule, type RuleFinding } from '../rule.js';
import { list, str } from '../../core/data.js';
import {
  CAPABILITY_NAMES,
  NAMESPACE_NAMES,
  allSelectors,
  items,
  parseInteger,
  utf8Length,
  valueText,
} from '../../core/tetragon/policy.js';
import { closest } from '../../core/text-distance.js';

const MAX_PATH_CHARS = 255;
const MAX_PREFIX_BYTES = 256;
const MAX_POSTFIX_BYTES = 127;
const MAX_NAMESPACE_VALUES = 4;
const UINT32_MAX = 2n ** 32n - 1n;

export const rule: Rule = {
  id: 'tetragon/selector-filter-values',
  kinds: TRACING_POLICY_KINDS,
  defaultSeverity: 'error',
  summary:
    'A `matchBinaries`, `matchNamespaces`, `matchNamespaceChanges` or `matchCapabilities` value the agent cannot use: a path too long, `followChildren` with Prefix/Postfix, a namespace that is not an inode number or `host_ns`, an unknown namespace type or capability.',
  rationale:
    "These values are plain strings to the CRD. The agent parses them when it compiles the selectors and refuses the policy on a value it cannot place: binary paths live in fixed-size buffers, namespaces are compared by inode number (or `host_ns` for the host's), and capability and namespace names are looked up in fixed tables. A binary filter with no values is skipped altogether.",
  example: {
    bad: 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: caps\nspec:\n  kprobes:\n    - call: sys_write\n      selectors:\n        - matchCapabilities:\n            - operator: In\n              values: [CAP_SYS_ADMN]\n',
    good: 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: caps\nspec:\n  kprobes:\n    - call: sys_write\n      selectors:\n        - matchCapabilities:\n            - operator: In\n              values: [CAP_SYS_ADMIN]\n',
  },
  check({ doc }) {
    const out: RuleFinding[] = [];
    for (const sel of allSelectors(doc.data)) {
      for (const field of ['matchBinaries', 'matchParentBinaries']) {
        for (const f of items(sel.selector, field, sel.path)) {
          const op = str(f.item['operator']) ?? '';
          const values = list(f.item['values']);
          if (f.item['values'] !== undefined && values.length === 0) {
            out.push({
              path: [...f.path, 'values'],
              target: 'key',
              severity: 'warning',
              message: `A \`${field}\` filter without values is skipped by the agent: it restricts nothing.`,
            });
          }
          if (f.item['followChildren'] === true && op !== 'In' && op !== 'NotIn') {
            out.push({
              path: [...f.path, 'followChildren'],
              target: 'key',
              message: `\`followChildren\` works only with \`In\` and \`NotIn\`; the agent rejects it with \`${op}\`.`,
            });
          }
          values.forEach((v, i) => {
            const t = valueText(v);
            if (t === undefined) return;
            const [limit, unit, size] = op.endsWith('Prefix')
              ? [MAX_PREFIX_BYTES, 'bytes', utf8Length(t)]
              : op.endsWith('Postfix')
                ? [MAX_POSTFIX_BYTES, 'bytes', utf8Length(t)]
                : [MAX_PATH_CHARS, 'characters', [...t].length];
            if (size > limit)
              out.push({
                path: [...f.path, 'values', i],
                target: 'value',
                message: `\`${op}\` binary paths are at most ${limit} ${unit}; this one has ${size} and the agent rejects it.`,
              });
          });
        }
      }
      for (const f of items(sel.selector, 'matchNamespaces', sel.path)) {
        const values = list(f.item['values']);
        if (values.length > MAX_NAMESPACE_VALUES) {
          out.push({
            path: [...f.path, 'values'],
            target: 'key',
            message: `A \`matchNamespaces\` filter holds at most ${MAX_NAMESPACE_VALUES} values (this one has ${values.length}); the agent rejects the policy. Use several filters.`,
          });
        }
        values.forEach((v, i) => {
          const t = valueText(v);
          if (t === undefined || t === 'host_ns') return;
          const n = parseInteger(t);
          if (n === undefined || n < 0n || n > UINT32_MAX) {
            out.push({
              path: [...f.path, 'values', i],
              target: 'value',
              message: `Namespaces are matched by inode number (e.g. \`4026531840\`) or \`host_ns\` for the host's; the agent rejects \`${t}\`.`,
            });
          }
        });
      }
      for (const f of items(sel.selector, 'matchNamespaceChanges', sel.path)) {
        list(f.item['values']).forEach((v, i) => {
          const t = valueText(v);
          if (t === undefined || NAMESPACE_NAMES.some((n) => n.toLowerCase() === t.toLowerCase())) return;
          const guess = closest(t, NAMESPACE_NAMES);
          out.push({
            path: [...f.path, 'values', i],
            target: 'value',
            message: `\`matchNamespaceChanges\` values are namespace types (${NAMESPACE_NAMES.map((n) => `\`${n}\``).join(', ')}); the agent rejects \`${t}\`.${guess ? ` Did you mean \`${guess}\`?` : ''}`,
          });
        });
      }
      for (const field of ['matchCapabilities', 'matchCapabilityChanges']) {
        for (const f of items(sel.selector, field, sel.path)) {
          list(f.item['values']).forEach((v, i) => {
            const t = valueText(v);
            if (t === undefined) return;
            const name = t.trim().toUpperCase();
            if (CAPABILITY_NAMES.includes(name)) return;
            const message =
              name === 'CAP_DAC_OVERRIDE'
                ? "The agent's capability table spells this one `DAC_OVERRIDE` (without `CAP_`); `CAP_DAC_OVERRIDE` is not found and the policy is rejected."
                : `\`${t}\` is not a capability the agent knows.${closest(name, CAPABILITY_NAMES) ? ` Did you mean \`${closest(name, CAPABILITY_NAMES)}\`?` : ''}`;
            out.push({ path: [...f.path, 'values', i], target: 'value', message });
          });
        }
      }
    }
    return out;
  },
};
