// SPDX-License-Identifier: Apache-2.0
/**
 * Rule: tetragon/uprobe-symbol
 *
 * A uprobe attaches to a function of the binary at `path`, found by name among the binary's
 * function symbols (`.symtab` and `.dynsym`). A name the binary does not define makes the agent
 * fail to attach and refuse the policy; so does a function the binary only imports from a shared
 * library, whose code is in that library. The binary is read on this machine (see
 * `io/binaries.ts`); when it is not there, the rule says nothing.
 */
import { closestInSet } from '../../core/text-distance.js';
import { TRACING_POLICY_KINDS, type Rule, type RuleFinding } from '../rule.js';
import { list, str } from '../../core/data.js';
import { binaryWhere, hooks, replaceScalarFix } from '../../core/tetragon/policy.js';

export const rule: Rule = {
  id: 'tetragon/uprobe-symbol',
  kinds: TRACING_POLICY_KINDS,
  defaultSeverity: 'warning',
  summary:
    'A uprobe symbol that the binary at `path` does not define as a function, or only imports from a shared library.',
  rationale:
    "The agent looks each uprobe symbol up among the binary's function symbols when it loads the policy; a name that is not there (a typo, a function the compiler inlined, a stripped binary) fails the attachment and the whole policy. A function the binary imports (`getenv` in a program that calls it) is not there either: its code is in the shared library, so the uprobe's `path` must name the library. The rule reads the binary at the policy's `path` on this machine (below `ciliumPolicy.tetragon.binaryRoot`, `/` by default, or `--binary-root` for the CLI) and stays silent when it is not there; a local copy can differ from the nodes', so findings are warnings.",
  example: {
    bad: 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: app-requests\nspec:\n  uprobes:\n    - path: /usr/local/bin/app\n      symbols:\n        - handle_requst\n',
    good: 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: app-requests\nspec:\n  uprobes:\n    - path: /usr/local/bin/app\n      symbols:\n        - handle_request\n',
  },
  readsBinaries: true,
  exampleBinary: {
    path: '/usr/local/bin/app',
    machine: 'x86_64',
    probes: [],
    functions: ['handle_request', 'read_config', 'main'],
  },
  check({ doc, file, binaries }) {
    if (!binaries) return [];
    const out: RuleFinding[] = [];
    for (const h of hooks(doc.data)) {
      if (h.section !== 'uprobes') continue;
      const path = str(h.hook['path']);
      const symbols = list(h.hook['symbols']);
      if (!path || symbols.length === 0) continue;
      const found = binaries.functions(path);
      if (!found) continue;
      const where = binaryWhere(found.file, path);
      if ('error' in found) {
        out.push(
          found.limit
            ? {
                path: [...h.path, 'path'],
                target: 'value',
                severity: 'information',
                message: `${where} is ${found.error}; the uprobe's symbols are not compared with its functions.`,
              }
            : {
                path: [...h.path, 'path'],
                target: 'value',
                message: `${where} is ${found.error}; the agent attaches uprobes to the functions of an ELF binary and would refuse this hook.`,
              },
        );
        continue;
      }
      const { defined, imported, hasSymtab } = found.functions;
      symbols.forEach((s, j) => {
        const symbol = str(s);
        if (symbol === undefined || symbol === '' || defined.has(symbol)) return;
        const at = [...h.path, 'symbols', j];
        if (imported.has(symbol)) {
          out.push({
            path: at,
            target: 'value',
            message: `${where} calls \`${symbol}\` but does not define it: its code is in a shared library the binary loads. The agent cannot attach there; set \`path\` to that library (see \`ldd ${path}\`).`,
          });
          return;
        }
        const guess = closestInSet(symbol, defined);
        const fix = guess ? replaceScalarFix(file, doc, at, guess, `Change symbol to \`${guess}\``) : undefined;
        const stripped = hasSymtab
          ? ''
          : ' The binary is stripped: only the functions it exports are known, to the agent too.';
        out.push({
          path: at,
          target: 'value',
          message: `${where} has no function \`${symbol}\`; the agent cannot attach the uprobe and refuses the policy.${guess ? ` Did you mean \`${guess}\`?` : ''}${stripped}`,
          ...(fix ? { fixes: [fix] } : {}),
        });
      });
    }
    return out;
  },
};
