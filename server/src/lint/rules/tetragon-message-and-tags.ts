// SPDX-License-Identifier: Apache-2.0
/**
 * Rule: tetragon/message-and-tags
 *
 * Length limits of a hook's `message` and `tags` (TP-MSG-1, TP-TAG-1; the count of tags is a
 * CRD limit the schema reports): the agent rejects a message or tag shorter than 2 characters
 * and cuts a message above 256 and a tag above 128 characters, which this rule reports as a
 * warning since the event will not say what was written.
 */
import { TRACING_POLICY_KINDS, type Rule, type RuleFinding } from '../rule.js';
import { list } from '../../core/data.js';
import { hooks } from '../../core/tetragon/policy.js';

const MIN = 2;
const MAX_MESSAGE = 256;
const MAX_TAG = 128;

export const rule: Rule = {
  id: 'tetragon/message-and-tags',
  kinds: TRACING_POLICY_KINDS,
  defaultSeverity: 'error',
  summary:
    'A hook `message` or tag shorter than 2 characters (rejected), or longer than 256 (message) or 128 (tag) characters (cut).',
  rationale:
    'Messages and tags are copied into every event of the hook. The agent refuses one shorter than 2 characters, and cuts longer ones to 256 (message) and 128 (tag) characters with only a log line, so the events do not carry what the policy says.',
  example: {
    bad: 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: tagged\nspec:\n  kprobes:\n    - call: sys_write\n      message: "!"\n      tags: ["x"]\n',
    good: 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: tagged\nspec:\n  kprobes:\n    - call: sys_write\n      message: "write observed"\n      tags: ["observability.filesystem"]\n',
  },
  check({ doc }) {
    const out: RuleFinding[] = [];
    for (const h of hooks(doc.data)) {
      const entries: [readonly (string | number)[], unknown, string, number][] = [
        [[...h.path, 'message'], h.hook['message'], 'message', MAX_MESSAGE],
      ];
      list(h.hook['tags']).forEach((t, i) => entries.push([[...h.path, 'tags', i], t, 'tag', MAX_TAG]));
      for (const [path, v, what, max] of entries) {
        if (typeof v !== 'string') continue;
        const n = [...v].length;
        if (n < MIN)
          out.push({
            path,
            target: 'value',
            message: `A ${what} needs at least ${MIN} characters; the agent rejects ${n === 0 ? 'an empty one' : `\`${v}\``}.`,
          });
        else if (n > max)
          out.push({
            path,
            target: 'value',
            severity: 'warning',
            message: `A ${what} is cut to ${max} characters (this one has ${n}); events will carry only the beginning.`,
          });
      }
    }
    return out;
  },
};
