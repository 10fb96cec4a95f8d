// SPDX-License-Identifier: Apache-2.0
/**
 * Rule: tetragon/match-values
 *
 * The values of `matchArgs`, `matchData` and `matchReturnArgs` are strings in the CRD whatever
 * the operator; the agent parses them per operator and argument type when it compiles the
 * selector (D6) and refuses the policy when one does not parse or there are too many: numbers
 * (at most 4 for Equal-style comparisons, which live in a small fixed array), `min:max` ranges,
 * ports, IP addresses and CIDRs, protocol/family/state names, file types, capability names, and
 * byte limits on Prefix (256) and Postfix (127) values.
 */
import { TRACING_POLICY_KINDS, type Rule, type RuleFinding } from '../rule.js';
import type { PolicyDocument, PolicyFile } from '../../core/document.js';
import { list, str } from '../../core/data.js';
import {
  ADDR_OPS,
  ARG_FILTER_FIELDS,
  CAPABILITY_NAMES,
  FILE_TYPE_NAMES,
  FOUR_NUMBER_OPS,
  NO_VALUE_OPS,
  PORT_OPS,
  allSelectors,
  filterArgType,
  isPort,
  parseAddress,
  parseInteger,
  parseRange,
  replaceScalarFix,
  typeGroup,
  utf8Length,
  valueText,
  type TypeGroup,
} from '../../core/tetragon/policy.js';

/** Equal-style comparisons keep their numbers in a fixed array of 4 slots per filter. */
const MAX_NUMBERS = 4;
const MAX_PREFIX_BYTES = 256;
const MAX_POSTFIX_BYTES = 127;
const MAX_SUBSTRING_CHARS = 99;
const MAX_SUBSTRINGS = 100;
const NAMED: Readonly<Record<string, { prefix: string; example: string }>> = {
  Protocol: { prefix: 'IPPROTO_', example: '`IPPROTO_TCP`' },
  Family: { prefix: 'AF_', example: '`AF_INET`' },
  State: { prefix: 'TCP_', example: '`TCP_ESTABLISHED`' },
};
const PLACEHOLDER = /^\$\{?[A-Za-z_][A-Za-z0-9_]*\}?(?:\/\d{1,3})?$/;
const INT32_MIN = -(2n ** 31n);
const UINT32_MAX = 2n ** 32n - 1n;
const MAP_OPERATOR: Readonly<Record<string, string>> = { Equal: 'InMap', NotEqual: 'NotInMap' };

export const rule: Rule = {
  id: 'tetragon/match-values',
  kinds: TRACING_POLICY_KINDS,
  defaultSeverity: 'error',
  summary:
    'A `matchArgs`/`matchData`/`matchReturnArgs` value the agent cannot use with its operator: not a number, range, port, address or known name, too long, or more than 4 numbers for an `Equal`-style comparison.',
  rationale:
    'All values are strings to the CRD; the agent parses them only when it compiles the selectors on each node, and refuses the whole policy when one does not fit the operator. Numeric comparisons (`Equal` on numbers, `GT`, `LT`, `Mask`, `InRange`) hold at most 4 values; `InMap` and `NotInMap` hold any number of them. Prefix values are at most 256 bytes and Postfix values at most 127.',
  example: {
    bad: 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: connect\nspec:\n  kprobes:\n    - call: tcp_connect\n      syscall: false\n      args:\n        - index: 0\n          type: sock\n      selectors:\n        - matchArgs:\n            - index: 0\n              operator: DAddr\n              values: ["10.0.0.0/33"]\n',
    good: 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: connect\nspec:\n  kprobes:\n    - call: tcp_connect\n      syscall: false\n      args:\n        - index: 0\n          type: sock\n      selectors:\n        - matchArgs:\n            - index: 0\n              operator: DAddr\n              values: ["10.0.0.0/8"]\n',
  },
  check({ doc, file }) {
    const out: RuleFinding[] = [];
    for (const sel of allSelectors(doc.data)) {
      for (const field of ARG_FILTER_FIELDS) {
        list(sel.selector[field]).forEach((raw, fi) => {
          const f = raw as Readonly<Record<string, unknown>> | null;
          if (!f || typeof f !== 'object' || Array.isArray(f)) return;
          const op = str(f['operator']);
          if (!op) return;
          const path = [...sel.path, field, fi];
          const type = filterArgType(sel.hook, field, f);
          out.push(...checkFilter(op, typeGroup(type), list(f['values']), path, file, doc));
        });
      }
    }
    return out;
  },
};

function checkFilter(
  op: string,
  group: TypeGroup,
  values: readonly unknown[],
  path: readonly (string | number)[],
  file: PolicyFile,
  doc: PolicyDocument,
): RuleFinding[] {
  const out: RuleFinding[] = [];
  const texts = values.map(valueText);
  const at = (i: number, message: string): RuleFinding => {
    const t = texts[i];
    // Example manifests carry substitution variables (`\${PODCIDR}`) that envsubst fills in before
    // the policy is applied: worth a note about what the value must become, not an error.
    if (t !== undefined && PLACEHOLDER.test(t)) {
      return {
        path: [...path, 'values', i],
        target: 'value',
        severity: 'information',
        message: `\`${t}\` is a placeholder; once substituted it must be a valid \`${op}\` value.`,
      };
    }
    return { path: [...path, 'values', i], target: 'value', message };
  };
  const numeric = group === 'num32' || group === 'num64';
  const eachNumber = (what: string) =>
    texts.forEach((t, i) => {
      if (t !== undefined && parseInteger(t) === undefined)
        out.push(
          at(i, `\`${op}\` ${what} integers (decimal, or with a 0x/0o/0b prefix); the agent cannot parse \`${t}\`.`),
        );
    });
  const atMostFour = (fixable: boolean) => {
    if (values.length <= MAX_NUMBERS) return;
    const mapOp = MAP_OPERATOR[op];
    const allNumbers = texts.every(
      (t) => t !== undefined && (parseInteger(t) !== undefined || parseRange(t) !== undefined),
    );
    const fix =
      fixable && mapOp && allNumbers
        ? replaceScalarFix(
            file,
            doc,
            [...path, 'operator'],
            mapOp,
            `Use \`${mapOp}\` (no limit on the number of values)`,
          )
        : undefined;
    out.push({
      path: [...path, 'values'],
      target: 'key',
      message: `\`${op}\` on numbers holds at most ${MAX_NUMBERS} values (this one has ${values.length}); the agent rejects the policy.${mapOp ? ` \`${mapOp}\` takes any number of values.` : ' Split the values over several selectors.'}`,
      ...(fix ? { fixes: [fix] } : {}),
    });
  };

  if (op === 'CelExpr') {
    if (values.length !== 1)
      out.push({
        path: [...path, 'values'],
        target: 'key',
        message: `\`CelExpr\` takes exactly one value, the expression; this filter has ${values.length}.`,
      });
    return out;
  }
  if (NO_VALUE_OPS.has(op)) {
    if (values.length)
      out.push({
        path: [...path, 'values'],
        target: 'key',
        severity: 'warning',
        message: `\`${op}\` takes no values; the agent ignores these.`,
      });
    return out;
  }
  if (op === 'Equal' || op === 'NotEqual') {
    if (numeric) {
      eachNumber('compares');
      atMostFour(true);
    } else if (group === 'cap') {
      texts.forEach((t, i) => {
        if (t === undefined || parseInteger(t) !== undefined) return;
        const bad = t
          .split(',')
          .map((c) => c.trim().toUpperCase())
          .filter((c) => !CAPABILITY_NAMES.includes(c));
        if (bad.length) out.push(at(i, capabilityMessage(bad[0]!)));
      });
      atMostFour(false);
    }
    return out;
  }
  if (FOUR_NUMBER_OPS.has(op)) {
    if (numeric || group === 'unknown') eachNumber('compares with');
    atMostFour(false);
    return out;
  }
  if (op === 'InRange' || op === 'NotInRange') {
    texts.forEach((t, i) => {
      if (t === undefined) return;
      const r = parseRange(t);
      if (!r)
        out.push(at(i, `\`${op}\` values are integer ranges written \`min:max\`; the agent cannot parse \`${t}\`.`));
      else if (r[0] > r[1]) out.push(at(i, `The range \`${t}\` is empty: its minimum is above its maximum.`));
      else if (group === 'num32' && (r[0] < INT32_MIN || r[1] > UINT32_MAX))
        out.push(at(i, `The argument is 32 bits wide; the agent rejects the bound in \`${t}\`.`));
    });
    atMostFour(false);
    return out;
  }
  if (op === 'InMap' || op === 'NotInMap') {
    texts.forEach((t, i) => {
      if (t === undefined || t.startsWith('list:')) return;
      if (parseInteger(t) === undefined && parseRange(t) === undefined)
        out.push(
          at(i, `\`${op}\` values are integers, \`min:max\` ranges or \`list:NAME\`; the agent cannot parse \`${t}\`.`),
        );
    });
    return out;
  }
  if (op === 'Prefix' || op === 'NotPrefix' || op === 'Postfix' || op === 'NotPostfix') {
    const max = op.endsWith('Prefix') ? MAX_PREFIX_BYTES : MAX_POSTFIX_BYTES;
    texts.forEach((t, i) => {
      if (t !== undefined && utf8Length(t) > max)
        out.push(
          at(i, `\`${op}\` values are at most ${max} bytes; this one has ${utf8Length(t)} and the agent rejects it.`),
        );
    });
    return out;
  }
  if (op === 'SubString' || op === 'SubStringIgnCase') {
    texts.forEach((t, i) => {
      if (t !== undefined && [...t].length > MAX_SUBSTRING_CHARS)
        out.push(at(i, `\`${op}\` values are shorter than 100 characters; this one has ${[...t].length}.`));
    });
    if (values.length > MAX_SUBSTRINGS)
      out.push({
        path: [...path, 'values'],
        target: 'key',
        message: `\`${op}\` takes at most ${MAX_SUBSTRINGS} values; this one has ${values.length}.`,
      });
    return out;
  }
  if (PORT_OPS.has(op)) {
    texts.forEach((t, i) => {
      if (t === undefined) return;
      const n = parseInteger(t);
      const r = n === undefined ? parseRange(t) : undefined;
      const ok = n !== undefined ? isPort(n) : r !== undefined && isPort(r[0]) && isPort(r[1]) && r[0] <= r[1];
      if (!ok)
        out.push(
          at(i, `\`${op}\` values are ports (0–65535) or port ranges \`low:high\`; the agent rejects \`${t}\`.`),
        );
    });
    return out;
  }
  if (ADDR_OPS.has(op)) {
    texts.forEach((t, i) => {
      if (t !== undefined && parseAddress(t) === undefined)
        out.push(
          at(
            i,
            `\`${op}\` values are IPv4/IPv6 addresses or CIDRs (e.g. \`10.0.0.0/8\`, \`2001:db8::/32\`); the agent cannot parse \`${t}\`.`,
          ),
        );
    });
    return out;
  }
  const named = NAMED[op];
  if (named) {
    texts.forEach((t, i) => {
      if (t === undefined || parseInteger(t) !== undefined || parseRange(t) !== undefined) return;
      // Only the prefix is checked: the agent's name tables follow the kernel's and grow over time.
      if (!t.toUpperCase().startsWith(named.prefix))
        out.push(
          at(
            i,
            `\`${op}\` values are numbers, ranges or names such as ${named.example}; the agent does not know \`${t}\`.`,
          ),
        );
    });
    return out;
  }
  if (op === 'FileType' || op === 'NotFileType') {
    texts.forEach((t, i) => {
      if (t !== undefined && !FILE_TYPE_NAMES.includes(t.toLowerCase()))
        out.push(
          at(
            i,
            `\`${op}\` values are file types: ${FILE_TYPE_NAMES.map((n) => `\`${n}\``).join(', ')}; the agent does not know \`${t}\`.`,
          ),
        );
    });
    atMostFour(false);
  }
  return out;
}

function capabilityMessage(name: string): string {
  if (name === 'CAP_DAC_OVERRIDE')
    return "The agent's capability table spells this one `DAC_OVERRIDE` (without `CAP_`); `CAP_DAC_OVERRIDE` is not found and the policy is rejected.";
  return `\`${name}\` is not a capability name the agent knows (e.g. \`CAP_SYS_ADMIN\`).`;
}
