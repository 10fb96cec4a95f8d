// SPDX-License-Identifier: Apache-2.0
/**
 * Rule: tetragon/duplicate-kprobe-call
 *
 * TP-KP-3: on kernels with kprobe_multi the agent attaches all kprobes of a policy through one
 * multi-kprobe link, which cannot hold the same symbol twice, so the load fails there (and only
 * there: older kernels attach them one by one). Merging the entries, or setting the
 * `disable-kprobe-multi` option, makes the policy load everywhere.
 */
import { TRACING_POLICY_KINDS, type Rule, type RuleFinding } from '../rule.js';
import { list, obj, str } from '../../core/data.js';
import { hooks, spec } from '../../core/tetragon/policy.js';

const TRUE = ['true', '1', 't', 'TRUE', 'True', 'T'];

export const rule: Rule = {
  id: 'tetragon/duplicate-kprobe-call',
  kinds: TRACING_POLICY_KINDS,
  defaultSeverity: 'warning',
  summary: 'The same kprobe `call` twice in one policy without the `disable-kprobe-multi` option.',
  rationale:
    'On kernels that support kprobe_multi the agent attaches a policy\'s kprobes through one link, which refuses duplicate symbols, so the policy fails to load on those nodes only. Merge the two entries (their selectors can live side by side, up to 5), or add the option `disable-kprobe-multi: "true"`.',
  example: {
    bad: 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: writes\nspec:\n  kprobes:\n    - call: sys_write\n    - call: sys_write\n',
    good: 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: writes\nspec:\n  options:\n    - name: disable-kprobe-multi\n      value: "true"\n  kprobes:\n    - call: sys_write\n    - call: sys_write\n',
  },
  check({ doc }) {
    const disabled = list(spec(doc.data)?.['options']).some(
      (o) => str(obj(o)?.['name']) === 'disable-kprobe-multi' && TRUE.includes(String(obj(o)?.['value'])),
    );
    if (disabled) return [];
    const out: RuleFinding[] = [];
    const seen = new Map<string, number>();
    for (const h of hooks(doc.data)) {
      if (h.section !== 'kprobes') continue;
      const call = str(h.hook['call']);
      if (!call || call.startsWith('list:')) continue;
      const first = seen.get(call);
      if (first === undefined) seen.set(call, Number(h.path[2]));
      else {
        out.push({
          path: [...h.path, 'call'],
          target: 'value',
          message: `\`${call}\` is already hooked by kprobe ${first + 1}; with kprobe_multi (recent kernels) the agent cannot attach the same symbol twice and the policy fails to load. Merge the entries or set the option \`disable-kprobe-multi: "true"\`.`,
        });
      }
    }
    return out;
  },
};
