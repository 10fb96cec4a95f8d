// SPDX-License-Identifier: Apache-2.0
/**
 * Rule: tetragon/match-values
 *
 * The values of `matchArgs`, `matchData` and `matchReturnArgs` are strings in the CRD whatever
 * the operator; the agent parses them per operator and argument type when it compiles the
 * selector and refuses the policy when one does not parse or there are too many. The parsing
 * itself lives in core/tetragon/values.ts, shared with the dry-run engine; this rule places its
 * problems in the document and adds what spans several filters: the per-hook budgets of
 * `SubString` values and `CelExpr` filters.
 */
import { TRACING_POLICY_KINDS, type Rule, type RuleFinding } from '../rule.js';
import type { PolicyDocument, PolicyFile } from '../../core/document.js';
import { list, str, type DataPath } from '../../core/data.js';
import {
  ARG_FILTER_FIELDS,
  aHook,
  filterArgType,
  hooks,
  items,
  replaceScalarFix,
  selectorsOf,
  valueText,
} from '../../core/tetragon/policy.js';
import {
  MAX_CEL_EXPRESSIONS,
  MAX_SUBSTRINGS_PER_HOOK,
  agentType,
  countsAsSubstrings,
  isMapNumber,
  parseFilter,
  tetragonRelease,
  type ParsedFilter,
  type ValueProblem,
} from '../../core/tetragon/values.js';

const PLACEHOLDER = /^\$\{?[A-Za-z_][A-Za-z0-9_]*\}?(?:\/\d{1,3})?$/;
const MAP_OPERATOR: Readonly<Record<string, string>> = { Equal: 'InMap', NotEqual: 'NotInMap' };

/** An error when the agent refuses or crashes, a warning when the policy loads but misbehaves. */
function severityOf(p: ValueProblem): 'warning' | undefined {
  return p.effect === 'rejects' || p.effect === 'crashes' ? undefined : 'warning';
}

export const rule: Rule = {
  id: 'tetragon/match-values',
  kinds: TRACING_POLICY_KINDS,
  defaultSeverity: 'error',
  summary:
    'A `matchArgs`/`matchData`/`matchReturnArgs` value the agent cannot use with its operator: not a number, range, port, address or known name as it reads them, too long, or too many values.',
  rationale:
    "All values are strings to the CRD; the agent parses them only when it compiles the selectors on each node, and refuses the whole policy when one does not fit the operator and the argument's type. Numbers are read with Go's parser for the type's width (with `0x`, `0o`, `0b` prefixes and `_` separators, except for `InMap` and the port operators, which take plain decimals); `Equal`-style numeric comparisons hold at most 4 values, `InMap` any number. Prefix values are at most 256 bytes, Postfix values at most 127, `SubString` values under 100 bytes and at most 100 per hook. Values the agent accepts but that can never match (a port above 65535, a reversed range) or that it expands value by value (a huge `InMap` range) are warnings.",
  example: {
    bad: 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: connect\nspec:\n  kprobes:\n    - call: tcp_connect\n      syscall: false\n      args:\n        - index: 0\n          type: sock\n      selectors:\n        - matchArgs:\n            - index: 0\n              operator: DAddr\n              values: ["10.0.0.0/33"]\n',
    good: 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: connect\nspec:\n  kprobes:\n    - call: tcp_connect\n      syscall: false\n      args:\n        - index: 0\n          type: sock\n      selectors:\n        - matchArgs:\n            - index: 0\n              operator: DAddr\n              values: ["10.0.0.0/8"]\n',
  },
  rejectedBy: [
    {
      repo: 'cilium/tetragon',
      file: 'pkg/selectors/kernel.go',
      func: 'parseMatchArg (writeMatchValues, writeMatchValuesRange, writeMatchValuesInMap, writeRangeInMap, writeMatchAddrsInMap, writeMatchStrings, writePrefix, writePostfix, writeMatchSubString, writeMatchFileType)',
      releases: 'Tetragon 1.4–1.8; number bases, value counts, types and limits as noted per release',
    },
    {
      repo: 'cilium/tetragon',
      file: 'pkg/selectors/selectors.go',
      func: 'ArgStringSelectorValue, ArgPostfixSelectorValue',
      releases: 'Tetragon 1.4–1.8',
    },
    {
      repo: 'cilium/tetragon',
      file: 'pkg/sensors/tracing/lists_linux.go',
      func: 'listReader.Read',
      releases: 'Tetragon 1.4–1.8',
    },
    {
      repo: 'cilium/tetragon',
      file: 'pkg/selectors/celexpr.go',
      func: 'addMatchCelExpr',
      releases: 'Tetragon 1.7–1.8',
    },
  ],
  check({ doc, file, versions }) {
    const release = tetragonRelease(versions.tetragon);
    const out: RuleFinding[] = [];
    for (const h of hooks(doc.data)) {
      // The agent keeps one selector state per hook for entry filters, and one for return
      // filters, which it only builds when the hook reads its return value.
      const budgets = { entry: { substrings: 0, cel: 0 }, ret: { substrings: 0, cel: 0 } };
      const readsReturn = h.hook['return'] === true && h.section !== 'lsmhooks';
      for (const sel of selectorsOf(h)) {
        for (const field of ARG_FILTER_FIELDS) {
          if (field === 'matchReturnArgs' && !readsReturn) continue;
          const budget = field === 'matchReturnArgs' ? budgets.ret : budgets.entry;
          for (const f of items(sel.selector, field, sel.path)) {
            const op = str(f.item['operator']);
            if (!op) continue;
            const texts = list(f.item['values']).map((v) => valueText(v) ?? '');
            const type = agentType(filterArgType(h, field, f.item));
            if (op === 'CelExpr') {
              out.push(...celExpr(texts.length, f.path, ++budget.cel));
              continue;
            }
            const parsed = parseFilter(op, type, texts, {
              release,
              tracepoint: h.section === 'tracepoints',
            });
            if (parsed.typeProblem) continue; // tetragon/operator-arg-type reports it
            out.push(...filterFindings(parsed, f.path, texts, file, doc));
            if (countsAsSubstrings(op, type, release)) {
              texts.forEach((_, i) => {
                budget.substrings++;
                if (budget.substrings === MAX_SUBSTRINGS_PER_HOOK + 1)
                  out.push({
                    path: [...f.path, 'values', i],
                    target: 'value',
                    message: `${aHook(h.section)} holds at most ${MAX_SUBSTRINGS_PER_HOOK} \`SubString\` values over all its selectors; this is number ${MAX_SUBSTRINGS_PER_HOOK + 1} and the agent refuses the policy.`,
                  });
              });
            }
          }
        }
      }
    }
    return out;
  },
};

function celExpr(count: number, path: DataPath, nth: number): RuleFinding[] {
  const out: RuleFinding[] = [];
  if (count !== 1)
    out.push({
      path: [...path, 'values'],
      target: 'key',
      message: `\`CelExpr\` takes exactly one value, the expression; this filter has ${count} and the agent refuses it.`,
    });
  if (nth === MAX_CEL_EXPRESSIONS + 1)
    out.push({
      path: [...path, 'operator'],
      target: 'value',
      message: `The agent compiles at most ${MAX_CEL_EXPRESSIONS} \`CelExpr\` filters per hook; this is number ${nth} and it refuses the policy.`,
    });
  return out;
}

function filterFindings(
  parsed: ParsedFilter,
  path: DataPath,
  texts: readonly string[],
  file: PolicyFile,
  doc: PolicyDocument,
): RuleFinding[] {
  const out: RuleFinding[] = [];
  const op = parsed.operator;
  for (const v of parsed.values) {
    for (const p of v.problems) {
      // Example manifests carry substitution variables (`${PODCIDR}`) that envsubst fills in before
      // the policy is applied: worth a note about what the value must become, not an error.
      if (PLACEHOLDER.test(v.text)) {
        out.push({
          path: [...path, 'values', v.index],
          target: 'value',
          severity: 'information',
          message: `\`${v.text}\` is a placeholder; once substituted it must be a valid \`${op}\` value.`,
        });
        break;
      }
      const severity = severityOf(p);
      out.push({
        path: [...path, 'values', v.index],
        target: 'value',
        message: p.message,
        ...(severity ? { severity } : {}),
        data: { code: p.code },
      });
    }
  }
  const c = parsed.countProblem;
  if (c) {
    const mapOp = c.code === 'too-many-values' ? MAP_OPERATOR[op] : undefined;
    // InMap reads decimal numbers and ranges only: offer it when every value is one.
    const fix =
      mapOp && texts.every((t) => t.split(':').length <= 2 && t.split(':').every((b) => isMapNumber(b)))
        ? replaceScalarFix(
            file,
            doc,
            [...path, 'operator'],
            mapOp,
            `Use \`${mapOp}\` (no limit on the number of values)`,
          )
        : undefined;
    const severity = severityOf(c);
    out.push({
      path: [...path, 'values'],
      target: 'key',
      message: c.message,
      ...(severity ? { severity } : {}),
      data: { code: c.code },
      ...(fix ? { fixes: [fix] } : {}),
    });
  }
  return out;
}
