// SPDX-License-Identifier: Apache-2.0
/**
 * Rule: tetragon/arg-source
 *
 * `args` and `data` share one schema in the CRD, but the agent reads them differently: `args`
 * come from the hooked function, so kprobes, fentries and uprobes refuse a `source` there; `data`
 * entries come from elsewhere, so they need a `source` (`current_task`, or `pt_regs` from 1.7) and
 * a `resolve`: a register name for `pt_regs`, else a path the agent walks through BTF. Paths are
 * cut into steps as the agent's `formatBTFPath` does (core/tetragon/values.ts): field names and
 * `[N]` indexes, each a step, at most 10 in all.
 */
import { TRACING_POLICY_KINDS, type Rule, type RuleFinding } from '../rule.js';
import { str, type DataPath } from '../../core/data.js';
import { HOOK_NOUN, hooks, items } from '../../core/tetragon/policy.js';
import {
  MAX_RESOLVE_DEPTH,
  isIndexStep,
  isRegisterName,
  parseResolvePath,
  tetragonRelease,
} from '../../core/tetragon/values.js';
import { archOf } from '../kernel-targets.js';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

export const rule: Rule = {
  id: 'tetragon/arg-source',
  kinds: TRACING_POLICY_KINDS,
  defaultSeverity: 'error',
  summary:
    'An `args` entry with `source`, a `data` entry without `source` (`current_task` or `pt_regs`) or `resolve`, a `pt_regs` register the architecture does not have, or a malformed or too deep `resolve` path.',
  rationale:
    'The agent reads `args` from the hooked function and, on kprobes, fentries and uprobes, refuses a `source` there; `data` entries are read from the current task or the saved registers and need a `resolve`: a register name (`rax`, `x0`, …) for `pt_regs`, a path into `task_struct` for `current_task`. Paths are followed through BTF one step at a time: field names separated by `.` and `[N]` indexes (a leading `[0]` included), at most 10 steps. The CRD admits all of these, the agent does not.',
  example: {
    bad: 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: comm\nspec:\n  kprobes:\n    - call: security_file_open\n      syscall: false\n      data:\n        - index: 0\n          type: string\n          resolve: comm\n',
    good: 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: comm\nspec:\n  kprobes:\n    - call: security_file_open\n      syscall: false\n      data:\n        - index: 0\n          type: string\n          source: current_task\n          resolve: comm\n',
  },
  rejectedBy: [
    {
      repo: 'cilium/tetragon',
      file: 'pkg/sensors/tracing/generickprobe.go',
      func: 'addKprobe (args with source, data source and resolve, pt_regs registers)',
      releases: 'Tetragon 1.6–1.8; pt_regs from 1.7',
    },
    {
      repo: 'cilium/tetragon',
      file: 'pkg/sensors/tracing/genericuprobe.go',
      func: 'getUprobeArgConfig',
      releases: 'Tetragon 1.7–1.8',
    },
    {
      repo: 'cilium/tetragon',
      file: 'pkg/sensors/tracing/generic.go',
      func: 'formatBTFPath, resolveBTFType (MaxBTFArgDepth)',
      releases: 'Tetragon 1.6–1.8; indexes from 1.7',
    },
    {
      repo: 'cilium/tetragon',
      file: 'pkg/asm/regoffset_linux_amd64.go, pkg/asm/regoffset_linux_arm64.go',
      func: 'RegOffsetSize',
      releases: 'Tetragon 1.7–1.8',
    },
  ],
  check(ctx) {
    const { doc, versions } = ctx;
    const release = tetragonRelease(versions.tetragon);
    const arch = archOf(ctx);
    const out: RuleFinding[] = [];
    for (const h of hooks(doc.data)) {
      const refusesSource = h.section === 'kprobes' || h.section === 'fentries' || h.section === 'uprobes';
      for (const a of items(h.hook, 'args', h.path)) {
        if (a.item['source'] !== undefined && a.item['source'] !== '') {
          if (refusesSource)
            out.push({
              path: [...a.path, 'source'],
              target: 'key',
              message: `\`args\` are read from the hooked function itself; the agent refuses \`source\` on a ${HOOK_NOUN[h.section]} argument. Move the entry to \`data\` to read from the current task or the registers.`,
            });
          else if (h.section !== 'lsmhooks')
            out.push({
              path: [...a.path, 'source'],
              target: 'key',
              severity: 'warning',
              message: `A ${HOOK_NOUN[h.section]} argument is read where the hook puts it; the agent ignores \`source\` here.`,
            });
        }
        const resolve = a.item['resolve'];
        if (typeof resolve === 'string' && resolve !== '') {
          out.push(...pathProblems(resolve, [...a.path, 'resolve'], release));
          if ((h.section === 'uprobes' || h.section === 'usdts') && release >= 7) {
            const missing = ['btfType'].filter((k) => !str(a.item[k]));
            if (!str(h.hook['btfPath'])) missing.unshift("the hook's `btfPath`");
            if (missing.length)
              out.push({
                path: [...a.path, 'resolve'],
                target: 'key',
                message: `On a ${HOOK_NOUN[h.section]} the agent resolves user-space arguments through a BTF file: \`resolve\` needs ${missing.map((m) => (m.startsWith('the') ? m : `\`${m}\``)).join(' and ')}, and the policy is refused without.`,
              });
          }
        }
      }
      for (const d of items(h.hook, 'data', h.path)) {
        const source = str(d.item['source']);
        const sources = release >= 7 ? ['current_task', 'pt_regs'] : ['current_task'];
        if (d.item['source'] === undefined || source === '') {
          out.push({
            path: d.item['source'] === undefined ? d.path : [...d.path, 'source'],
            ...(d.item['source'] === undefined ? {} : { target: 'value' as const }),
            message: `A \`data\` entry needs ${sources.map((x) => `\`source: ${x}\``).join(' or ')}; the agent refuses it without one.`,
          });
        } else if (source !== undefined && !sources.includes(source)) {
          out.push({
            path: [...d.path, 'source'],
            target: 'value',
            message: `\`source\` must be ${sources.map((x) => `\`${x}\``).join(' or ')}${release < 7 && source === 'pt_regs' ? ' before Tetragon 1.7' : ''}; the agent refuses \`${source}\`.`,
          });
        }
        const resolve = d.item['resolve'];
        if (resolve === undefined || resolve === '') {
          out.push({
            path: resolve === undefined ? d.path : [...d.path, 'resolve'],
            ...(resolve === undefined ? {} : { target: 'value' as const }),
            message:
              source === 'pt_regs'
                ? `A \`pt_regs\` data entry needs \`resolve\` naming the register to read (e.g. \`${arch === 'arm64' ? 'x0' : 'rax'}\`).`
                : 'A `data` entry needs a non-empty `resolve` path (e.g. `comm` or `mm.owner.comm`) saying what to read from its source.',
          });
        } else if (typeof resolve === 'string') {
          if (source === 'pt_regs') {
            if (!isRegisterName(resolve, arch))
              out.push({
                path: [...d.path, 'resolve'],
                target: 'value',
                message: `\`${resolve}\` is not a register the agent knows on ${arch} (${arch === 'arm64' ? '`x0`–`x31`, `w0`–`w30`, `sp`, `pc`' : '`rax`, `eax`, `ax`, `al`, `r8`–`r15` and their `d`/`w`/`b` forms, …'}); it refuses the policy. The nodes' architecture is set with \`ciliumPolicy.tetragon.kernelArch\`.`,
              });
          } else out.push(...pathProblems(resolve, [...d.path, 'resolve'], release));
        }
      }
    }
    return out;
  },
};

/** The problems of a BTF `resolve` path, placed on the offending characters. */
function pathProblems(v: string, path: DataPath, release: number): RuleFinding[] {
  const r = parseResolvePath(v, release);
  if ('code' in r) return [{ path, inString: { start: r.at, end: r.at + r.length }, message: r.message }];
  if (r.steps.length === 0)
    return [
      {
        path,
        target: 'value',
        message: `\`${v}\` names no field: the agent crashes (index out of range) on an empty \`resolve\` path.`,
      },
    ];
  const out: RuleFinding[] = [];
  let offset = 0;
  for (const step of r.steps) {
    const at = v.indexOf(step, offset);
    offset = at + step.length;
    const ok = step.startsWith('[') ? isIndexStep(step) : IDENTIFIER.test(step);
    if (!ok) {
      out.push({
        path,
        inString: { start: at, end: at + step.length },
        message: step.startsWith('[')
          ? `\`${step}\`: indexes in \`resolve\` are decimal numbers in brackets, such as \`[0]\`; the agent cannot read this one.`
          : `\`${step}\` cannot be a field name (names are C identifiers), so the agent finds no such field and refuses the policy.`,
      });
      return out;
    }
  }
  if (r.steps.length > MAX_RESOLVE_DEPTH)
    out.push({
      path,
      target: 'value',
      message: `\`resolve\` follows at most ${MAX_RESOLVE_DEPTH} steps (each \`[N]\` counts as one); this path has ${r.steps.length} and the agent refuses it.`,
    });
  return out;
}
