// SPDX-License-Identifier: Apache-2.0
/**
 * Rule: tetragon/policy-options
 *
 * `spec.options` is a free-form name/value list in the CRD. The agent knows a handful of names
 * and checks their values (TP-OPT-1), but silently ignores names it does not know, so a typo
 * (`policy_mode`) quietly leaves the policy in its default mode. Unknown names close to a known
 * one get a warning and a rename fix; bad values of known names are errors.
 */
import { TRACING_POLICY_KINDS, type Rule, type RuleFinding } from '../rule.js';
import { closest } from '../../core/text-distance.js';
import { str } from '../../core/data.js';
import { items, replaceScalarFix, spec } from '../../core/tetragon/policy.js';
import { goAtoi, goParseBool } from '../../core/tetragon/go-strconv.js';
import { tetragonRelease } from '../../core/tetragon/values.js';

const OPTIONS: Readonly<Record<string, { ok: (v: string) => boolean; expected: string; since?: number }>> = {
  'policy-mode': { ok: (v) => v === 'enforce' || v === 'monitor', expected: '`enforce` or `monitor`' },
  'override-method': {
    ok: (v) => v === 'fmod-ret' || v === 'override-return',
    expected: '`fmod-ret` or `override-return`',
  },
  'disable-kprobe-multi': { ok: (v) => goParseBool(v) !== undefined, expected: 'a boolean (`"true"` or `"false"`)' },
  'disable-uprobe-multi': { ok: (v) => goParseBool(v) !== undefined, expected: 'a boolean (`"true"` or `"false"`)' },
  'sleepable-preload-size': {
    // strconv.Atoi: an optional sign, decimal digits, 64 bits; then it must be positive.
    ok: (v) => {
      const n = goAtoi(v);
      return n.ok && n.value > 0n;
    },
    expected: 'a positive decimal integer',
    since: 8,
  },
};

export const rule: Rule = {
  id: 'tetragon/policy-options',
  kinds: TRACING_POLICY_KINDS,
  defaultSeverity: 'error',
  summary:
    'A `spec.options` entry with a value its option does not take, or a name that looks like a misspelt known option.',
  rationale:
    'The agent checks the values of the options it knows (`policy-mode`, `override-method`, `disable-kprobe-multi`, `disable-uprobe-multi`, `sleepable-preload-size`) and refuses the policy when one is wrong. Names it does not know are ignored without a word, so a misspelt option silently has no effect.',
  example: {
    bad: 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: opts\nspec:\n  options:\n    - name: policy-mode\n      value: enforcing\n  kprobes:\n    - call: sys_write\n',
    good: 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: opts\nspec:\n  options:\n    - name: policy-mode\n      value: enforce\n  kprobes:\n    - call: sys_write\n',
  },
  rejectedBy: [
    {
      repo: 'cilium/tetragon',
      file: 'pkg/sensors/tracing/options.go',
      func: 'getSpecOptions (the option setters: strconv.ParseBool, overrideMethodParse, policyconf.ParseMode, strconv.Atoi)',
      releases: 'Tetragon 1.4–1.8; sleepable-preload-size from 1.8',
    },
  ],
  check({ doc, file, versions }) {
    const release = tetragonRelease(versions.tetragon);
    const s = spec(doc.data);
    if (!s) return [];
    const out: RuleFinding[] = [];
    for (const o of items(s, 'options', ['spec'])) {
      const name = str(o.item['name']);
      if (name === undefined) continue;
      const known = Object.prototype.hasOwnProperty.call(OPTIONS, name) ? OPTIONS[name] : undefined;
      if (known?.since !== undefined && release < known.since) {
        out.push({
          path: [...o.path, 'name'],
          target: 'value',
          severity: 'warning',
          message: `Tetragon ${versions.tetragon} does not know \`${name}\` (it arrived in 1.${known.since}) and ignores it.`,
        });
        continue;
      }
      if (!known) {
        const guess = closest(name, Object.keys(OPTIONS));
        if (guess) {
          const fix = replaceScalarFix(file, doc, [...o.path, 'name'], guess, `Change to \`${guess}\``);
          out.push({
            path: [...o.path, 'name'],
            target: 'value',
            severity: 'warning',
            message: `The agent ignores options it does not know, so \`${name}\` has no effect. Did you mean \`${guess}\`?`,
            data: { suggestion: guess },
            ...(fix ? { fixes: [fix] } : {}),
          });
        }
        continue;
      }
      const value = o.item['value'];
      const text = typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value);
      if (!known.ok(text)) {
        out.push({
          path: value === undefined ? [...o.path, 'name'] : [...o.path, 'value'],
          target: 'value',
          message: `Option \`${name}\` takes ${known.expected}; the agent rejects ${value === undefined ? 'it without a value' : `\`${text}\``}.`,
        });
      }
    }
    return out;
  },
};
