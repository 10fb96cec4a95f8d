// SPDX-License-Identifier: Apache-2.0
/**
 * Rule: tetragon/unknown-tracepoint
 *
 * A tracepoint is `subsystem/event` under tracefs; the agent reads its format when loading the
 * policy and fails when it is missing. We list the events of the subsystems policies commonly use
 * (syscalls, raw_syscalls, sched, task, signal, net, sock, tcp, skb, module) and flag unknown events
 * there only; other subsystems are not judged. Events come and go with kernel releases: a warning.
 */
import {
  knownTracepointSubsystems,
  rankedNeighbours,
  syscallEntryAlias,
  tracepointEvents,
} from '../../core/kernel/index.js';
import { TRACING_POLICY_KINDS, type Rule, type RuleFinding } from '../rule.js';
import { changeToFixes } from '../edit-helpers.js';
import { str } from '../../core/data.js';
import { hooks } from '../../core/tetragon/policy.js';

export const rule: Rule = {
  id: 'tetragon/unknown-tracepoint',
  kinds: TRACING_POLICY_KINDS,
  defaultSeverity: 'warning',
  summary: 'A tracepoint `event` that does not exist in its `subsystem` (for the subsystems we know completely).',
  rationale:
    'The agent reads `/sys/kernel/tracing/events/<subsystem>/<event>/format` when it loads the policy; a missing event fails the load. Syscall tracepoints are named after the kernel entry function (`sys_enter_newfstat` on x86_64, not `sys_enter_fstat`). The event lists come from the bundled kernel headers (docs/kernel-data.md).',
  example: {
    bad: 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: exec\nspec:\n  tracepoints:\n    - subsystem: sched\n      event: sched_process_exex\n',
    good: 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: exec\nspec:\n  tracepoints:\n    - subsystem: sched\n      event: sched_process_exec\n',
  },
  check({ doc }) {
    const out: RuleFinding[] = [];
    for (const h of hooks(doc.data)) {
      if (h.section !== 'tracepoints') continue;
      const subsystem = str(h.hook['subsystem']);
      const event = str(h.hook['event']);
      const events = subsystem ? tracepointEvents(subsystem) : undefined;
      if (subsystem && !events && !knownTracepointSubsystems().includes(subsystem)) {
        // Not a subsystem of the kernel's own headers. Drivers declare their own, so this is a hint
        // to check the name rather than a verdict.
        const suggestions = rankedNeighbours(subsystem, knownTracepointSubsystems(), 3);
        const path = [...h.path, 'subsystem'];
        const fixes = changeToFixes(doc, path, suggestions);
        out.push({
          path,
          target: 'value',
          message: `\`${subsystem}\` is not a tracepoint subsystem of the kernel (a driver may still provide it; check \`/sys/kernel/tracing/events\` on a node).${suggestions.length ? ` Did you mean ${suggestions.map((s) => `\`${s}\``).join(', ')}?` : ''}`,
          data: { suggestions },
          fixes,
        });
        continue;
      }
      if (!subsystem || !event || !events || events.includes(event)) continue;
      const path = [...h.path, 'event'];
      // `sys_enter_fstat` is a common slip: the event is named after the entry function (`newfstat`).
      const m = subsystem === 'syscalls' ? /^(sys_enter_|sys_exit_)(\w+)$/.exec(event) : null;
      const alias = m ? syscallEntryAlias(m[2]!) : undefined;
      const renamed = m && alias && events.includes(`${m[1]}${alias}`) ? [`${m[1]}${alias}`] : [];
      const suggestions = [...renamed, ...rankedNeighbours(event, events, 3).filter((n) => !renamed.includes(n))].slice(
        0,
        3,
      );
      const fixes = changeToFixes(doc, path, suggestions);
      out.push({
        path,
        target: 'value',
        message: `The \`${subsystem}\` subsystem has no \`${event}\` tracepoint.${suggestions.length ? ` Did you mean ${suggestions.map((s) => `\`${s}\``).join(', ')}?` : ''}`,
        data: { suggestions },
        fixes,
      });
    }
    return out;
  },
};
