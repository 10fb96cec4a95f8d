// SPDX-License-Identifier: Apache-2.0
/**
 * Rule: tetragon/kernel-targets
 *
 * Checks each hook, action, operator and argument option of a TracingPolicy against the kernels
 * the policy must load on: the targets declared in `ciliumPolicy.tetragon.targets` (or
 * `.cilium-policy.yaml`) and the node pools of the loaded kubectl snapshot. What each element needs
 * comes from the feature table generated from Tetragon's tree (`core/tetragon/features.json`), and
 * the decision from `core/tetragon/kernel-support.ts`. Silent without targets.
 */
import { TRACING_POLICY_KINDS, type Rule, type RuleFinding } from '../rule.js';
import { kernelTargets, describeTarget } from '../../core/tetragon/targets.js';
import { elementSupport, requirements, type ElementSupport } from '../../core/tetragon/kernel-support.js';
import type { DataPath } from '../../core/data.js';

export const rule: Rule = {
  id: 'tetragon/kernel-targets',
  kinds: TRACING_POLICY_KINDS,
  defaultSeverity: 'error',
  summary:
    'A hook, action, operator or argument option that a kernel target (a declared target or a node pool of the snapshot) cannot run: an error where the agent on those nodes refuses the policy, a warning where it loads but the element does nothing, information where the node configuration decides.',
  rationale:
    "Tetragon probes the kernel when it starts (BPF LSM, the override helper, fmod_ret, kprobe.multi, large programs, kfuncs, …) and picks program variants by kernel release; a policy that needs what a node lacks is refused on that node, and the refusal shows only in that node's agent log. Declare the kernels your nodes run (`ciliumPolicy.tetragon.targets`) or load a kubectl snapshot whose Nodes report `status.nodeInfo`, and each element is checked against each of them. Where the answer depends on how a kernel was built or booted (BPF LSM needs `lsm=bpf`), the finding says so and names the command to run on a node (`tetra probe`); declaring the feature in the target's `features` settles it.",
  example: {
    bad: 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: block-shadow\nspec:\n  lsmhooks:\n    - hook: file_open\n      args:\n        - index: 0\n          type: file\n      selectors:\n        - matchActions:\n            - action: Sigkill\n',
    good: 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: block-shadow\nspec:\n  kprobes:\n    - call: security_file_open\n      syscall: false\n      args:\n        - index: 0\n          type: file\n      selectors:\n        - matchActions:\n            - action: Sigkill\n',
  },
  exampleSettings: { tetragon: { targets: [{ name: 'edge-arm', arch: 'arm64', kernel: '5.10.0' }] } },
  rejectedBy: [
    {
      repo: 'cilium/tetragon',
      file: 'pkg/sensors/tracing/generickprobe.go',
      func: 'validateOverride, preValidateKprobe, addKprobe',
      releases: 'Tetragon 1.4–1.8',
    },
    {
      repo: 'cilium/tetragon',
      file: 'pkg/sensors/tracing/genericlsm.go',
      func: 'createGenericLsmSensor',
      releases: 'Tetragon 1.4–1.8',
    },
    {
      repo: 'cilium/tetragon',
      file: 'pkg/sensors/tracing/enforcer.go',
      func: 'createEnforcerSensor, selectOverrideMethod',
      releases: 'Tetragon 1.4–1.8',
    },
    {
      repo: 'cilium/tetragon',
      file: 'pkg/sensors/tracing/genericuprobe.go',
      func: 'validateUprobeFeatures',
      releases: 'Tetragon 1.8',
    },
    {
      repo: 'cilium/tetragon',
      file: 'pkg/selectors/kernel.go',
      func: 'checkOp, ParseMatchArgs, ParseMatchNamespaces, ParseMatchNamespaceChanges, ParseMatchBinary',
      releases: 'Tetragon 1.4–1.8',
    },
    {
      repo: 'cilium/tetragon',
      file: 'pkg/selectors/selectors.go',
      func: 'ArgStringSelectorValue',
      releases: 'Tetragon 1.4–1.8',
    },
  ],
  // The node pools come from the inventory, which changes without the document changing.
  requiresInventory: true,
  check({ doc, tetragonTargets, inventory }) {
    const targets = kernelTargets(tetragonTargets ?? [], inventory?.inventory.nodes ?? []);
    if (targets.length === 0) return [];
    const reqs = requirements(doc.data);
    const out: RuleFinding[] = [];
    for (const r of reqs) {
      for (const t of targets) {
        const e = elementSupport(r, t);
        if (!e || e.state === 'unknown') continue;
        out.push(finding(r.path, e, describeTarget(t)));
      }
    }
    return out;
  },
};

/** Hooks are underlined at their first key; actions, operators and options at their value. */
function targetOf(path: DataPath): 'value' | undefined {
  const last = path[path.length - 1];
  return typeof last === 'string' && ['action', 'operator', 'type', 'namespace'].includes(last) ? 'value' : undefined;
}

function finding(path: DataPath, e: ElementSupport, where: string): RuleFinding {
  const subject = e.requirement.subject;
  const capital = subject[0] === '`' ? subject : subject[0]!.toUpperCase() + subject.slice(1);
  const target = targetOf(path);
  const base = { path, ...(target ? { target } : {}) };
  const negative = e.requirement.gate === 'action-override-security-multi';
  if (e.state === 'depends') {
    const about = negative
      ? `${capital} on a \`security_\` function cannot run through kprobe.multi, which ${where} may use (${e.why})`
      : `${capital} needs ${e.needs}; whether ${where} has it depends on its ${e.boot ? 'boot' : 'kernel build'} configuration (${e.why})`;
    const fix = e.remedy ? ` Or ${e.remedy}.` : '';
    return {
      ...base,
      severity: 'information',
      message: `${about}. Check on a node: ${e.check ?? '`tetra probe`'}.${fix}`,
      data: { target: where, gate: e.requirement.gate },
    };
  }
  if (e.effect !== 'rejected') {
    return {
      ...base,
      severity: 'warning',
      message: `${capital} needs ${e.needs}: not on ${where} (${e.why}). The policy loads there, but ${e.consequence ?? 'without it'}.`,
      data: { target: where, gate: e.requirement.gate },
    };
  }
  const message = negative
    ? `${capital} on a \`security_\` function cannot run through kprobe.multi, and ${where} has it (${e.why}): the agent there refuses the policy${e.remedy ? `; ${e.remedy}` : ''}.`
    : e.requirement.gate === 'string-length'
      ? `${capital} is too long for ${where}: ${e.why}; the agent there refuses the policy.`
      : `${capital} needs ${e.needs}: not on ${where} (${e.why}). The agent there refuses the policy.`;
  return { ...base, message, data: { target: where, gate: e.requirement.gate } };
}
