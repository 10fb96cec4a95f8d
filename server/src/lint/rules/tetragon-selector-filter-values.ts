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
import { allSelectors, items, valueText } from '../../core/tetragon/policy.js';
import { CAPABILITIES, NAMESPACE_TYPES, lookup, namespaceTypeNumber } from '../../core/tetragon/names.js';
import {
  MAX_NAMESPACE_VALUES,
  binaryValueProblem,
  parseNamespaceValue,
  tetragonRelease,
  unknownCapabilityMessage,
} from '../../core/tetragon/values.js';
import { closest } from '../../core/text-distance.js';

const CAPABILITY_NAMES = Object.keys(CAPABILITIES);

export const rule: Rule = {
  id: 'tetragon/selector-filter-values',
  kinds: TRACING_POLICY_KINDS,
  defaultSeverity: 'error',
  summary:
    'A `matchBinaries`, `matchNamespaces`, `matchNamespaceChanges` or `matchCapabilities` value the agent cannot use: a path too long, `followChildren` with Prefix/Postfix, a namespace that is not a decimal inode number or `host_ns`, an unknown namespace type or capability.',
  rationale:
    "These values are plain strings to the CRD. The agent parses them when it compiles the selectors and refuses the policy on a value it cannot place: binary paths live in fixed-size buffers (lengths count bytes), namespaces are compared by inode number, read in base 10 within 32 bits (or `host_ns` for the host's), at most 4 per filter, and capability and namespace names are looked up in fixed tables. A binary filter with no values is skipped altogether.",
  example: {
    bad: 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: caps\nspec:\n  kprobes:\n    - call: sys_write\n      selectors:\n        - matchCapabilities:\n            - operator: In\n              values: [CAP_SYS_ADMN]\n',
    good: 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: caps\nspec:\n  kprobes:\n    - call: sys_write\n      selectors:\n        - matchCapabilities:\n            - operator: In\n              values: [CAP_SYS_ADMIN]\n',
  },
  rejectedBy: [
    {
      repo: 'cilium/tetragon',
      file: 'pkg/selectors/kernel.go',
      func: 'ParseMatchBinary, writePrefix, writePostfix',
      releases: 'Tetragon 1.4–1.8; empty filters skipped from 1.6; followChildren with NotIn from 1.5',
    },
    {
      repo: 'cilium/tetragon',
      file: 'pkg/selectors/kernel.go',
      func: 'namespaceSelectorValue, ParseMatchNamespaceChange',
      releases: 'Tetragon 1.4–1.8',
    },
    {
      repo: 'cilium/tetragon',
      file: 'pkg/selectors/kernel.go',
      func: 'ParseMatchCaps (capsStrToUint64)',
      releases: 'Tetragon 1.4–1.8',
    },
  ],
  check({ doc, versions }) {
    const release = tetragonRelease(versions.tetragon);
    const out: RuleFinding[] = [];
    for (const sel of allSelectors(doc.data)) {
      for (const field of ['matchBinaries', 'matchParentBinaries']) {
        for (const f of items(sel.selector, field, sel.path)) {
          const op = str(f.item['operator']) ?? '';
          const values = list(f.item['values']);
          const skipped = values.length === 0 && release >= 6;
          if (f.item['values'] !== undefined && values.length === 0 && skipped) {
            out.push({
              path: [...f.path, 'values'],
              target: 'key',
              severity: 'warning',
              message: `A \`${field}\` filter without values is skipped by the agent: it restricts nothing.`,
            });
          }
          const follows = release >= 5 ? op === 'In' || op === 'NotIn' : op === 'In';
          if (f.item['followChildren'] === true && !follows && !skipped) {
            out.push({
              path: [...f.path, 'followChildren'],
              target: 'key',
              message: `\`followChildren\` works only with ${release >= 5 ? '`In` and `NotIn`' : '`In` (in Tetragon 1.4)'}; the agent refuses it with \`${op}\`.`,
            });
          }
          values.forEach((v, i) => {
            const t = valueText(v);
            const p = t === undefined ? undefined : binaryValueProblem(op, t);
            if (p) out.push({ path: [...f.path, 'values', i], target: 'value', message: p.message });
          });
        }
      }
      for (const f of items(sel.selector, 'matchNamespaces', sel.path)) {
        const values = list(f.item['values']);
        if (values.length > MAX_NAMESPACE_VALUES) {
          out.push({
            path: [...f.path, 'values'],
            target: 'key',
            message: `A \`matchNamespaces\` filter holds at most ${MAX_NAMESPACE_VALUES} values (this one has ${values.length}); the agent refuses the policy. Use several filters.`,
          });
        }
        values.forEach((v, i) => {
          const t = valueText(v);
          if (t === undefined) return;
          const r = parseNamespaceValue(t);
          if ('code' in r) out.push({ path: [...f.path, 'values', i], target: 'value', message: r.message });
        });
      }
      for (const f of items(sel.selector, 'matchNamespaceChanges', sel.path)) {
        list(f.item['values']).forEach((v, i) => {
          const t = valueText(v);
          if (t === undefined || namespaceTypeNumber(t) !== undefined) return;
          const guess = closest(t, NAMESPACE_TYPES);
          out.push({
            path: [...f.path, 'values', i],
            target: 'value',
            message: `\`matchNamespaceChanges\` values are namespace types (${NAMESPACE_TYPES.map((n) => `\`${n}\``).join(', ')}); the agent refuses \`${t}\`.${guess ? ` Did you mean \`${guess}\`?` : ''}`,
          });
        });
      }
      for (const field of ['matchCapabilities', 'matchCapabilityChanges']) {
        for (const f of items(sel.selector, field, sel.path)) {
          list(f.item['values']).forEach((v, i) => {
            const t = valueText(v);
            if (t === undefined) return;
            // Tetragon 1.4 upper-cased names without trimming spaces.
            const name = release >= 5 ? t.trim().toUpperCase() : t.toUpperCase();
            if (lookup(CAPABILITIES, name) !== undefined) return;
            const guess = name === 'CAP_DAC_OVERRIDE' ? undefined : closest(name, CAPABILITY_NAMES);
            out.push({
              path: [...f.path, 'values', i],
              target: 'value',
              message: `${unknownCapabilityMessage(name)}${name.includes(',') ? ' Selector capability filters take one name per value.' : ''}${guess ? ` Did you mean \`${guess}\`?` : ''}`,
            });
          });
        }
      }
    }
    return out;
  },
};
