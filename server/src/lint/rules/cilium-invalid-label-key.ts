// SPDX-License-Identifier: Apache-2.0
/**
 * Rule: cilium/invalid-label-key
 *
 * Selector keys are Cilium label keys: an optional source and `:`, then a Kubernetes label key
 * (optional DNS-subdomain prefix and `/`, then a name). The CRD does not check keys at all; the
 * agent does, and rejects the policy when one is malformed.
 */
import { CILIUM_NETWORK_POLICY_KINDS, type Rule, type RuleFinding } from '../rule.js';
import { labelSelectors, selectorKeys, splitLabelKey } from '../../core/cilium/selector-refs.js';

const NAME = /^[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const SUBDOMAIN = /^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*$/;
const SOURCE = /^[A-Za-z0-9]+$/;

/** Why a Cilium label key is invalid (and where, relative to the key), or undefined. */
export function labelKeyProblem(key: string): { message: string; start: number; end: number } | undefined {
  const whole = { start: 0, end: key.length };
  if (key.length === 0) return { message: 'A label key cannot be empty.', ...whole };
  const k = splitLabelKey(key);
  if (k.source !== undefined && !key.startsWith('$')) {
    if (k.source === '')
      return {
        message: 'The source before `:` is empty; write `k8s:`, `any:`, `reserved:` … or drop the `:`.',
        start: 0,
        end: 1,
      };
    if (!SOURCE.test(k.source))
      return {
        message: `The label source \`${k.source}\` may only contain letters and digits.`,
        start: 0,
        end: k.source.length,
      };
  }
  const second = k.name.indexOf(':');
  if (second >= 0) {
    return {
      message: 'A label key may contain only one `:` (between the source and the key); the agent rejects this one.',
      start: k.offset + second,
      end: k.offset + second + 1,
    };
  }
  const slash = k.name.lastIndexOf('/');
  const prefix = slash >= 0 ? k.name.slice(0, slash) : undefined;
  const name = slash >= 0 ? k.name.slice(slash + 1) : k.name;
  const nameStart = k.offset + (slash >= 0 ? slash + 1 : 0);
  if (prefix !== undefined) {
    if (k.name.indexOf('/') !== slash)
      return {
        message: 'A label key may contain only one `/` (after the DNS prefix).',
        start: k.offset,
        end: key.length,
      };
    if (prefix.length === 0 || prefix.length > 253 || !SUBDOMAIN.test(prefix)) {
      return {
        message: `The prefix \`${prefix}\` is not a DNS subdomain (lower-case letters, digits, \`-\` and \`.\`, at most 253 characters).`,
        start: k.offset,
        end: k.offset + slash,
      };
    }
  }
  if (name.length === 0) return { message: 'The label name after the prefix is empty.', ...whole };
  if (name.length > 63)
    return {
      message: `The label name \`${name}\` is ${name.length} characters long; at most 63 are allowed.`,
      start: nameStart,
      end: key.length,
    };
  if (!NAME.test(name)) {
    return {
      message: `\`${name}\` is not a valid label name (letters, digits, \`-\`, \`_\` and \`.\`, starting and ending with a letter or digit).`,
      start: nameStart,
      end: key.length,
    };
  }
  return undefined;
}

export const rule: Rule = {
  id: 'cilium/invalid-label-key',
  kinds: CILIUM_NETWORK_POLICY_KINDS,
  defaultSeverity: 'error',
  summary: 'A selector key must be a valid Cilium label key: an optional `source:` and a Kubernetes label key.',
  rationale:
    'Cilium reads `k8s:app` as source `k8s` and key `app`, so a key may hold one `:` at most; the rest follows the Kubernetes label-key rules (optional DNS prefix and `/`, a name of at most 63 characters). The CRD admits any string as a key, but the agent rejects the policy when a key breaks these rules.',
  example: {
    bad: 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  endpointSelector:\n    matchLabels:\n      k8s:app:name: web\n  ingress:\n    - fromEntities:\n        - cluster\n',
    good: 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  endpointSelector:\n    matchLabels:\n      k8s:app.kubernetes.io/name: web\n  ingress:\n    - fromEntities:\n        - cluster\n',
  },
  check({ doc }) {
    const out: RuleFinding[] = [];
    for (const sel of labelSelectors(doc.data)) {
      for (const k of selectorKeys(sel)) {
        const p = labelKeyProblem(k.key);
        if (!p) continue;
        out.push({
          path: k.path,
          target: k.target,
          // Underline the offending part inside the value of an expression's `key`; a map key is underlined whole.
          ...(k.target === 'value' && p.end > p.start ? { inString: { start: p.start, end: p.end } } : {}),
          message: `Invalid label key \`${k.key}\`: ${p.message}`,
        });
      }
    }
    return out;
  },
};
