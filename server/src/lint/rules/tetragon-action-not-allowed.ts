// SPDX-License-Identifier: Apache-2.0
/**
 * Rule: tetragon/action-not-allowed
 *
 * Where each action may run (D8). Every hook type has its own BPF program with its own set of
 * helpers, so the agent refuses actions a hook cannot perform: LSM hooks run only Post (without
 * stack traces), NoPost, Sigkill, Signal and Override; fentries no enforcement at all; uprobes
 * and USDTs no GetUrl/DnsLookup; NotifyEnforcer needs the `spec.enforcers` programs. Override on
 * a kprobe needs a function the kernel lets us make fail: syscalls and `security_*` hooks.
 */
import { TRACING_POLICY_KINDS, type Rule, type RuleFinding } from '../rule.js';
import { type Fix } from '../../core/findings.js';
import { insertEntry } from '../../core/yaml-edits.js';
import type { PolicyDocument, PolicyFile } from '../../core/document.js';
import { list, nonEmpty, obj, str } from '../../core/data.js';
import { goParseBool } from '../../core/tetragon/go-strconv.js';
import { tetragonRelease } from '../../core/tetragon/values.js';
import { archOf } from '../kernel-targets.js';
import { HOOK_NOUN, allSelectors, isSyscallKprobe, items, spec, type SelectorRef } from '../../core/tetragon/policy.js';

const LSM_ACTIONS = ['Post', 'NoPost', 'Sigkill', 'Signal', 'Override'];
const ENFORCEMENT = ['Sigkill', 'Signal', 'NotifyEnforcer', 'Override', 'Set'];
const NETWORK_LOOKUPS = ['GetUrl', 'DnsLookup'];

export const rule: Rule = {
  id: 'tetragon/action-not-allowed',
  kinds: TRACING_POLICY_KINDS,
  defaultSeverity: 'error',
  summary:
    'An action the hook cannot run: only Post, NoPost, Sigkill, Signal and Override on LSM hooks, no enforcement on fentries, no GetUrl/DnsLookup on uprobes and USDTs, NotifyEnforcer without `spec.enforcers`, Override on a kprobe that is neither a syscall nor a `security_` function.',
  rationale:
    'The CRD admits every action on every hook; the agent checks them when it builds the BPF programs and refuses the policy when the hook cannot perform one. Override rewrites a return value, which the kernel allows only for syscalls (bpf_override_return) and `security_*` functions (fmod_ret); the agent refuses it on other functions (from Tetragon 1.7; before, the kernel refuses to attach), and attaches fmod_ret without kprobe_multi only, so Override on a `security_*` kprobe needs the `disable-kprobe-multi` option on x86_64 nodes whose kernel has kprobe_multi.',
  example: {
    bad: 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: kill-on-write\nspec:\n  kprobes:\n    - call: sys_write\n      selectors:\n        - matchActions:\n            - action: NotifyEnforcer\n              argSig: 9\n',
    good: 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: kill-on-write\nspec:\n  enforcers:\n    - calls:\n        - sys_write\n  kprobes:\n    - call: sys_write\n      selectors:\n        - matchActions:\n            - action: NotifyEnforcer\n              argSig: 9\n',
  },
  rejectedBy: [
    {
      repo: 'cilium/tetragon',
      file: 'pkg/sensors/tracing/genericlsm.go',
      func: 'isValidLsmSelectors',
      releases: 'Tetragon 1.4–1.8',
    },
    {
      repo: 'cilium/tetragon',
      file: 'pkg/sensors/tracing/genericfentry.go',
      func: 'createGenericFentrySensor (HasEnforcementAction)',
      releases: 'Tetragon 1.7–1.8',
    },
    {
      repo: 'cilium/tetragon',
      file: 'pkg/sensors/tracing/genericuprobe.go, pkg/sensors/tracing/genericusdt.go',
      func: 'uprobe spec validation, addUsdt (HasGetUrlOrDnsLookup)',
      releases: 'Tetragon 1.4–1.8',
    },
    {
      repo: 'cilium/tetragon',
      file: 'pkg/sensors/tracing/generickprobe.go',
      func: 'preValidateKprobes (NotifyEnforcer), validateOverride',
      releases: 'Tetragon 1.4–1.8; Override on other functions refused from 1.7',
    },
    {
      repo: 'cilium/tetragon',
      file: 'pkg/sensors/tracing/generictracepoint.go',
      func: 'preValidateTracepoints (NotifyEnforcer)',
      releases: 'Tetragon 1.4–1.8',
    },
  ],
  check({ doc, file, versions, kernelArch }) {
    const release = tetragonRelease(versions.tetragon);
    const out: RuleFinding[] = [];
    const s = spec(doc.data);
    const enforcers = nonEmpty(s?.['enforcers']);
    const multiDisabled = list(s?.['options']).some((o) => {
      const opt = obj(o);
      return str(opt?.['name']) === 'disable-kprobe-multi' && goParseBool(String(opt?.['value'] ?? '')) === true;
    });
    for (const sel of allSelectors(doc.data)) {
      const h = sel.hook;
      const noun = HOOK_NOUN[h.section];
      // The agent checks the entry actions only; return actions are parsed like any other action.
      for (const field of ['matchActions'] as const) {
        for (const a of items(sel.selector, field, sel.path)) {
          const action = str(a.item['action']);
          if (!action) continue;
          const here = [...a.path, 'action'];
          const flag = (message: string, severity?: 'warning', fixes?: Fix[]) =>
            out.push({
              path: here,
              target: 'value',
              message,
              ...(severity ? { severity } : {}),
              ...(fixes ? { fixes } : {}),
            });
          if (h.section === 'lsmhooks') {
            if (!LSM_ACTIONS.includes(action))
              flag(
                `LSM hooks run only ${LSM_ACTIONS.map((x) => `\`${x}\``).join(', ')}; the agent rejects \`${action}\` here.`,
              );
            else if (action === 'Post' && (a.item['kernelStackTrace'] === true || a.item['userStackTrace'] === true)) {
              out.push({
                path: [...a.path, a.item['kernelStackTrace'] === true ? 'kernelStackTrace' : 'userStackTrace'],
                target: 'key',
                message: 'LSM hooks do not support stack traces; the agent rejects this Post action.',
              });
            }
          } else if (h.section === 'fentries' && ENFORCEMENT.includes(action)) {
            flag(
              `Fentries cannot enforce: the agent rejects \`${action}\` here. Use a kprobe (or an LSM hook) to block or kill.`,
            );
          } else if ((h.section === 'uprobes' || h.section === 'usdts') && NETWORK_LOOKUPS.includes(action)) {
            flag(`\`${action}\` is not available on ${noun}s; the agent rejects it here.`);
          }
          if (action === 'NotifyEnforcer' && ['kprobes', 'fentries', 'tracepoints'].includes(h.section) && !enforcers) {
            const fix = enforcersFix(file, doc, sel);
            flag(
              '`NotifyEnforcer` hands the decision to an enforcer program, declared in `spec.enforcers` with the syscalls it guards; without one the agent rejects the policy.',
              undefined,
              fix ? [fix] : undefined,
            );
          }
          if (action === 'Override' && h.section === 'kprobes') {
            const call = str(h.hook['call']) ?? '';
            if (call.startsWith('list:')) continue;
            if (call.startsWith('security_')) {
              // arm64 never attaches Override through kprobe_multi.
              if (!multiDisabled && archOf({ kernelArch }) !== 'arm64')
                flag(
                  `Override on \`${call}\` uses fmod_ret, which the agent cannot attach through kprobe_multi: on nodes whose kernel has kprobe_multi (5.18 and newer, x86_64) it refuses the policy. Add the option \`disable-kprobe-multi: "true"\`.`,
                  'warning',
                );
            } else if (!isSyscallKprobe(h.hook)) {
              flag(
                release >= 7
                  ? `Override can only change the return value of syscalls and \`security_*\` functions; the agent refuses it on \`${call}\`. Hook the syscall or the security hook that guards this operation instead.`
                  : `Override can only change the return value of syscalls and \`security_*\` functions; for \`${call}\` the kernel refuses to attach the program (Tetragon 1.7 refuses the policy). Hook the syscall or the security hook that guards this operation instead.`,
                release >= 7 ? undefined : 'warning',
              );
            }
          }
        }
      }
    }
    return out;
  },
};

/** Declares `spec.enforcers` for the syscalls this hook covers, when they can be told. */
function enforcersFix(file: PolicyFile, doc: PolicyDocument, sel: SelectorRef): Fix | undefined {
  const h = sel.hook;
  let calls: string | undefined;
  if (h.section === 'kprobes' && isSyscallKprobe(h.hook)) calls = str(h.hook['call']);
  else {
    // A raw_syscalls tracepoint names its syscalls through an InMap `list:` value.
    for (const f of list(sel.selector['matchArgs'])) {
      const v = list(obj(f)?.['values'])
        .map(str)
        .find((x) => x?.startsWith('list:'));
      if (v) calls = v;
    }
  }
  if (!calls || spec(doc.data)?.['enforcers'] !== undefined) return undefined;
  const edit = insertEntry(file, doc, ['spec'], 'enforcers', `- calls:\n    - ${JSON.stringify(calls)}`);
  return edit ? { title: `Add \`spec.enforcers\` for \`${calls}\``, edits: [edit], preferred: true } : undefined;
}
