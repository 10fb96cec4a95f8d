// SPDX-License-Identifier: Apache-2.0
/**
 * Rule: tetragon/message-and-tags
 *
 * Length limits of a hook's `message` and `tags`, in bytes of UTF-8 as the agent counts them
 * (core/tetragon/values.ts, `parseMessageOrTag`): an empty message means no message; a one-byte
 * message or a tag under 2 bytes is refused; a message above 256 or a tag above 128 bytes is cut,
 * which is reported as a warning since events will not say what was written. The count of tags
 * is a CRD limit the schema reports (and the agent checks too).
 */
import { TRACING_POLICY_KINDS, type Rule, type RuleFinding } from '../rule.js';
import { list } from '../../core/data.js';
import { hooks } from '../../core/tetragon/policy.js';
import { MAX_MESSAGE_BYTES, MAX_TAG_BYTES, parseMessageOrTag } from '../../core/tetragon/values.js';

export const rule: Rule = {
  id: 'tetragon/message-and-tags',
  kinds: TRACING_POLICY_KINDS,
  defaultSeverity: 'error',
  summary:
    'A hook `message` of one byte or a tag under 2 bytes (refused), or a message longer than 256 bytes or a tag longer than 128 bytes (cut).',
  rationale:
    'Messages and tags are copied into every event of the hook. The agent counts their length in bytes of UTF-8: it refuses a one-byte message and a tag shorter than 2 bytes, accepts an empty message (the events then carry none), and cuts longer ones to 256 (message) and 128 (tag) bytes with at most a log line, so the events do not carry what the policy says.',
  example: {
    bad: 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: tagged\nspec:\n  kprobes:\n    - call: sys_write\n      message: "!"\n      tags: ["x"]\n',
    good: 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: tagged\nspec:\n  kprobes:\n    - call: sys_write\n      message: "write observed"\n      tags: ["observability.filesystem"]\n',
  },
  rejectedBy: [
    {
      repo: 'cilium/tetragon',
      file: 'pkg/sensors/tracing/message.go',
      func: 'getPolicyMessage (called by addKprobe, addLsm, createGenericTracepoint, addUprobe, addUsdt)',
      releases: 'Tetragon 1.4–1.8',
    },
    {
      repo: 'cilium/tetragon',
      file: 'pkg/sensors/tracing/tags.go',
      func: 'GetPolicyTags, escapeTag',
      releases: 'Tetragon 1.4–1.8',
    },
  ],
  check({ doc }) {
    const out: RuleFinding[] = [];
    for (const h of hooks(doc.data)) {
      const entries: [readonly (string | number)[], unknown, 'message' | 'tag'][] = [
        [[...h.path, 'message'], h.hook['message'], 'message'],
      ];
      list(h.hook['tags']).forEach((t, i) => entries.push([[...h.path, 'tags', i], t, 'tag']));
      for (const [path, v, what] of entries) {
        if (typeof v !== 'string') continue;
        const r = parseMessageOrTag(v, what);
        if ('code' in r) out.push({ path, target: 'value', message: r.message });
        else if (r.truncated)
          out.push({
            path,
            target: 'value',
            severity: 'warning',
            message: `A ${what} is cut to ${what === 'message' ? MAX_MESSAGE_BYTES : MAX_TAG_BYTES} bytes (this one has ${r.bytes}); events will carry only the beginning.`,
          });
      }
    }
    return out;
  },
};
