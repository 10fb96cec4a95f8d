// SPDX-License-Identifier: Apache-2.0
/**
 * Rule: tetragon/usdt-probe
 *
 * What the agent checks against the traced binary when it loads a USDT hook (D8 `Set`, D10): the
 * probe `provider`/`name` must exist in the binary's SDT notes, every `args[].index` must name one
 * of the probe's operands, and `Set` writes through an operand that must be a 4-byte value in
 * memory. The binary is read on this machine (see `io/binaries.ts`); when it is not there, the
 * rule says nothing.
 */
import { closest } from '../../core/text-distance.js';
import { describeOperand, findProbes, type UsdtOperand, type UsdtProbe } from '../../core/elf.js';
import { TRACING_POLICY_KINDS, type Rule, type RuleFinding } from '../rule.js';
import { list, obj, str } from '../../core/data.js';
import {
  ACTION_FIELDS,
  binaryWhere,
  hooks,
  int,
  items,
  replaceScalarFix,
  selectorsOf,
} from '../../core/tetragon/policy.js';

/** The operand size `Set` writes. */
const SET_SIZE = 4;

/** The agent keeps at most this many operands per probe (pkg/elf, UsdtSpec.Args). */
const MAX_USDT_OPERANDS = 12;

export const rule: Rule = {
  id: 'tetragon/usdt-probe',
  kinds: TRACING_POLICY_KINDS,
  defaultSeverity: 'error',
  summary:
    "A USDT hook that does not fit the binary it names: a probe the binary does not have, an `args[].index` beyond the probe's operands, or `Set` on an operand that is not a 4-byte value in memory.",
  rationale:
    "The agent reads the probe's operands from the binary's SDT notes when it loads the policy, and refuses the whole policy when the probe is missing, an argument index is beyond its operands, or a `Set` action would write through an operand that is not a 4-byte memory location (a register, a constant, or a 1-, 2- or 8-byte value). The YAML alone cannot tell: the operands are chosen by the compiler. The rule reads the binary at the policy's `path` on this machine (below `ciliumPolicy.tetragon.binaryRoot`, `/` by default, or `--binary-root` for the CLI) and stays silent when it is not there; a local copy that differs from the nodes' can differ in its probes too, so a missing probe is a warning, and so is a `Set` finding when the binary is built for another architecture than the nodes' (`ciliumPolicy.tetragon.kernelArch`).",
  example: {
    bad: 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: usdt-set\nspec:\n  usdts:\n    - path: /usr/local/bin/app\n      provider: app\n      name: request_done\n      args:\n        - index: 0\n          type: int64\n      selectors:\n        - matchActions:\n            - action: Set\n              argIndex: 0\n              argValue: 1\n',
    good: 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: usdt-set\nspec:\n  usdts:\n    - path: /usr/local/bin/app\n      provider: app\n      name: request_status\n      args:\n        - index: 0\n          type: int32\n      selectors:\n        - matchActions:\n            - action: Set\n              argIndex: 0\n              argValue: 1\n',
  },
  readsBinaries: true,
  exampleBinary: {
    path: '/usr/local/bin/app',
    machine: 'x86_64',
    probes: [
      { provider: 'app', name: 'request_done', operands: ['-8@-16(%rbp)'] },
      { provider: 'app', name: 'request_status', operands: ['-4@-20(%rbp)'] },
    ],
  },
  rejectedBy: [
    {
      repo: 'cilium/tetragon',
      file: 'pkg/sensors/tracing/genericusdt.go',
      func: 'addUsdt (probe lookup, operand index, Set operand type and size)',
      releases: 'Tetragon 1.6–1.8',
    },
  ],
  check({ doc, file, binaries, kernelArch }) {
    if (!binaries) return [];
    const out: RuleFinding[] = [];
    for (const h of hooks(doc.data)) {
      if (h.section !== 'usdts') continue;
      const path = str(h.hook['path']);
      const provider = str(h.hook['provider']);
      const name = str(h.hook['name']);
      if (!path || !provider || !name) continue;
      const found = binaries.usdt(path);
      if (!found) continue;
      const where = binaryWhere(found.file, path);
      if ('error' in found) {
        out.push({
          path: [...h.path, 'path'],
          target: 'value',
          severity: found.limit ? 'information' : 'warning',
          message: found.limit
            ? `${where} is ${found.error}; the probe and its operands are not compared with it.`
            : `${where} is ${found.error}; the agent reads USDT probes from an ELF binary's SDT notes and would refuse this hook.`,
        });
        continue;
      }
      // Operands are the compiler's choice for one architecture: a build for another one than the
      // nodes' may place them differently, so what depends on them is a warning then.
      const nodes = kernelArch ?? 'x86_64';
      const otherArch =
        found.info.machine !== nodes
          ? ` This is ${found.info.machine === 'other' ? `a build for ELF machine ${found.info.machineCode}` : `an ${found.info.machine} build`}; the nodes run ${nodes} (\`ciliumPolicy.tetragon.kernelArch\`), where the compiler may have placed the operand differently.`
          : '';
      const probes = findProbes(found.info, provider, name);
      if (probes.length === 0) {
        out.push(missingProbe(found.info.probes, provider, name, where, h.path, file, doc));
        continue;
      }
      // A probe compiled in several places has one note per place; the agent checks each.
      const count = Math.min(...probes.map((p) => p.operands.length));
      const args = list(h.hook['args']);
      args.forEach((a, i) => {
        const idx = int(obj(a)?.['index']);
        if (idx !== undefined && idx >= count) {
          // The agent's bound check lets index == count through: it then reads an empty operand.
          const edge = idx === count && count < MAX_USDT_OPERANDS;
          out.push({
            path: [...h.path, 'args', i, 'index'],
            target: 'value',
            message: `\`${provider}:${name}\` in ${where} has ${count === 0 ? 'no operands' : count === 1 ? 'one operand (index 0)' : `${count} operands (indexes 0–${count - 1})`}; ${edge ? `the agent lets index ${idx} through but reads an empty operand (garbage)` : `the agent refuses argument index ${idx}`}.`,
            ...(edge ? { severity: 'warning' as const } : {}),
          });
        }
      });
      for (const sel of selectorsOf(h)) {
        for (const field of ACTION_FIELDS) {
          for (const a of items(sel.selector, field, sel.path)) {
            if (str(a.item['action']) !== 'Set') continue;
            const argIndex = int(a.item['argIndex']);
            const declared = argIndex === undefined ? undefined : obj(args[argIndex]);
            const operandIndex = int(declared?.['index']);
            // An argIndex beyond `args` is tetragon/action-parameters' finding.
            if (operandIndex === undefined || operandIndex >= count) continue;
            const bad = firstUnwritable(probes, operandIndex);
            if (!bad) continue;
            out.push({
              path: [...a.path, 'argIndex'],
              target: 'value',
              message: `\`Set\` writes a 4-byte value through operand ${operandIndex} of \`${provider}:${name}\`, which is \`${bad.text}\` in ${where}: ${describeOperand(bad)}. The agent refuses to load this hook; it can only write a 4-byte value in memory.${otherArch}`,
              ...(otherArch ? { severity: 'warning' as const } : {}),
              data: { operand: bad.text, size: bad.size, kind: bad.kind },
            });
          }
        }
      }
    }
    return out;
  },
};

/** The first operand at `index` (over every place the probe is compiled) that `Set` cannot write. */
function firstUnwritable(probes: readonly UsdtProbe[], index: number): UsdtOperand | undefined {
  for (const p of probes) {
    const o = p.operands[index];
    if (o && (o.kind !== 'memory' || o.size !== SET_SIZE)) return o;
  }
  return undefined;
}

function missingProbe(
  all: readonly UsdtProbe[],
  provider: string,
  name: string,
  where: string,
  hookPath: readonly (string | number)[],
  file: Parameters<typeof replaceScalarFix>[0],
  doc: Parameters<typeof replaceScalarFix>[1],
): RuleFinding {
  if (all.length === 0) {
    return {
      path: [...hookPath, 'name'],
      target: 'value',
      severity: 'warning',
      message: `${where} has no USDT probes (no SDT notes); the agent would refuse this hook.`,
    };
  }
  const providers = [...new Set(all.map((p) => p.provider))];
  if (!providers.includes(provider)) {
    const guess = closest(provider, providers);
    const fix = guess
      ? replaceScalarFix(file, doc, [...hookPath, 'provider'], guess, `Change provider to \`${guess}\``)
      : undefined;
    return {
      path: [...hookPath, 'provider'],
      target: 'value',
      severity: 'warning',
      message: `${where} has no USDT provider \`${provider}\`; its providers: ${listOf(providers)}.${guess ? ` Did you mean \`${guess}\`?` : ''}`,
      ...(fix ? { fixes: [fix] } : {}),
    };
  }
  const names = [...new Set(all.filter((p) => p.provider === provider).map((p) => p.name))];
  const guess = closest(name, names);
  const fix = guess
    ? replaceScalarFix(file, doc, [...hookPath, 'name'], guess, `Change probe name to \`${guess}\``)
    : undefined;
  return {
    path: [...hookPath, 'name'],
    target: 'value',
    severity: 'warning',
    message: `${where} has no probe \`${provider}:${name}\`; the agent would refuse this hook. Probes of \`${provider}\`: ${listOf(names)}.${guess ? ` Did you mean \`${guess}\`?` : ''}`,
    ...(fix ? { fixes: [fix] } : {}),
  };
}

function listOf(names: readonly string[]): string {
  const shown = names.slice(0, 12).map((n) => `\`${n}\``);
  return names.length > 12 ? `${shown.join(', ')} and ${names.length - 12} more` : shown.join(', ');
}
