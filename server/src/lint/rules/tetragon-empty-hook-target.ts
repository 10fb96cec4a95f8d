// SPDX-License-Identifier: Apache-2.0
/**
 * Rule: tetragon/empty-hook-target
 *
 * The fields that say where a hook attaches are required by the CRD but may be empty strings
 * there; the agent refuses an empty tracepoint `subsystem` or `event` (TP-TPT-1), LSM `hook`
 * (TP-LSM-1), and has nothing to attach to with an empty kprobe/fentry `call` or uprobe/USDT
 * `path`, `provider` or `name`. Whether a non-empty name exists is a kernel question handled by
 * the kernel-data rules.
 */
import { TRACING_POLICY_KINDS, type Rule, type RuleFinding } from '../rule.js';
import { aHook, hooks, ignoresMissingCall, type HookSection } from '../../core/tetragon/policy.js';
import { tetragonRelease } from '../../core/tetragon/values.js';

const TARGET_FIELDS: Readonly<Record<HookSection, readonly string[]>> = {
  kprobes: ['call'],
  fentries: ['call'],
  tracepoints: ['subsystem', 'event'],
  lsmhooks: ['hook'],
  uprobes: ['path'],
  usdts: ['path', 'provider', 'name'],
};

export const rule: Rule = {
  id: 'tetragon/empty-hook-target',
  kinds: TRACING_POLICY_KINDS,
  defaultSeverity: 'error',
  summary:
    'An empty string where a hook names what it attaches to: kprobe/fentry `call`, tracepoint `subsystem`/`event`, LSM `hook`, uprobe/USDT `path`, USDT `provider`/`name`.',
  rationale:
    'The CRD only requires these fields to be present, so `""` passes admission; the agent then has nothing to attach to and refuses the policy on every node.',
  example: {
    bad: 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: tp\nspec:\n  tracepoints:\n    - subsystem: ""\n      event: sys_enter\n',
    good: 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: tp\nspec:\n  tracepoints:\n    - subsystem: raw_syscalls\n      event: sys_enter\n',
  },
  rejectedBy: [
    {
      repo: 'cilium/tetragon',
      file: 'pkg/sensors/tracing/generickprobe.go',
      func: 'preValidateKprobe (btf.ValidateKprobeSpec finds no such function)',
      releases: 'Tetragon 1.4–1.8',
    },
    {
      repo: 'cilium/tetragon',
      file: 'pkg/sensors/tracing/generictracepoint.go',
      func: 'preValidateTracepoint (tracepoint format not found before 1.8)',
      releases: 'Tetragon 1.4–1.8',
    },
    {
      repo: 'cilium/tetragon',
      file: 'pkg/sensors/tracing/genericlsm.go',
      func: 'preValidateLsm (BTF lookup of bpf_lsm_<hook> before 1.7)',
      releases: 'Tetragon 1.4–1.8',
    },
    {
      repo: 'cilium/tetragon',
      file: 'pkg/sensors/tracing/genericuprobe.go, pkg/sensors/tracing/genericusdt.go',
      func: 'createGenericUprobeSensor, addUsdt (opening the binary, finding the probe)',
      releases: 'Tetragon 1.4–1.8',
    },
  ],
  check({ doc, versions }) {
    const release = tetragonRelease(versions.tetragon);
    const out: RuleFinding[] = [];
    for (const h of hooks(doc.data)) {
      for (const field of TARGET_FIELDS[h.section]) {
        const v = h.hook[field];
        if (typeof v === 'string' && v.trim() === '') {
          const skipped = field === 'call' && ignoresMissingCall(h.hook, release);
          out.push({
            path: [...h.path, field],
            target: 'value',
            ...(skipped ? { severity: 'warning' as const } : {}),
            message: skipped
              ? `${aHook(h.section)} with an empty \`call\` attaches to nothing; with \`ignore.callNotFound\` the agent skips it without a word.`
              : `${aHook(h.section)} with an empty \`${field}\` has nothing to attach to; the agent refuses the policy.`,
          });
        }
      }
    }
    return out;
  },
};
