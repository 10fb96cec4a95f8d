// SPDX-License-Identifier: Apache-2.0
/**
 * Rule: cilium/invalid-label-key
 *
 * Selector keys are Cilium label keys: an optional source and `:`, then a Kubernetes label key
 * (optional DNS-subdomain prefix and `/`, then a name). The CRD does not check keys at all; the
 * agent does (`IsValidCiliumLabelKey` in pkg/labels/validation.go, called through the selector's
 * validation) and rejects the policy when one is malformed. It checks the key as written, before it
 * turns `k8s:app` into its internal form: `$host`, the shorthand the agent's label parser reads as
 * `reserved:host`, never reaches that parser in a policy selector and fails as a label name with a
 * `$` in Cilium 1.19 and later (older releases validated the converted key; that changed between
 * releases, so for them it is a warning). Keys of `k8sServiceSelector` are not validated on import
 * (an invalid key only never matches), and `cidrGroupSelector` keys get the `cidrgroup:` source
 * first, so a key with its own source there is not judged.
 */
import { CILIUM_NETWORK_POLICY_KINDS, type Rule, type RuleFinding } from '../rule.js';
import { labelSelectors, selectorKeys } from '../../core/cilium/selector-refs.js';
import { compareVersions } from '../../core/versions.js';

const NAME = /^[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const SUBDOMAIN = /^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*$/;
const SOURCE = /^[A-Za-z0-9]+$/;

/**
 * Why a Cilium label key is invalid (and where, relative to the key), or undefined: the agent's
 * `IsValidCiliumLabelKey` (split at `:`, an alphanumeric source, then a Kubernetes label key).
 */
export function labelKeyProblem(key: string): { message: string; start: number; end: number } | undefined {
  const whole = { start: 0, end: key.length };
  if (key.length === 0) return { message: 'A label key cannot be empty.', ...whole };
  const parts = key.split(':');
  if (parts.length > 2) {
    const second = key.indexOf(':', key.indexOf(':') + 1);
    return {
      message: 'A label key may contain only one `:` (between the source and the key); the agent rejects this one.',
      start: second,
      end: second + 1,
    };
  }
  let offset = 0;
  let rest = key;
  if (parts.length === 2) {
    const source = parts[0]!;
    if (source === '')
      return {
        message: 'The source before `:` is empty; write `k8s:`, `any:`, `reserved:` … or drop the `:`.',
        start: 0,
        end: 1,
      };
    if (!SOURCE.test(source))
      return {
        message: source.startsWith('$')
          ? `The label source \`${source}\` may only contain letters and digits (\`$\` is not the reserved source in a policy selector).`
          : `The label source \`${source}\` may only contain letters and digits.`,
        start: 0,
        end: source.length,
      };
    offset = source.length + 1;
    rest = parts[1]!;
  }
  if (rest.startsWith('$') && offset === 0) {
    return {
      message: `\`$\` is not a shorthand the agent accepts in a policy selector: the key is validated as written, and a label name cannot contain \`$\`. Write \`reserved:${rest.slice(1)}\`.`,
      start: 0,
      end: 1,
    };
  }
  const slashes = rest.split('/').length - 1;
  if (slashes > 1)
    return { message: 'A label key may contain only one `/` (after the DNS prefix).', start: offset, end: key.length };
  const slash = rest.indexOf('/');
  const prefix = slash >= 0 ? rest.slice(0, slash) : undefined;
  const name = slash >= 0 ? rest.slice(slash + 1) : rest;
  const nameStart = offset + (slash >= 0 ? slash + 1 : 0);
  if (prefix !== undefined && (prefix.length === 0 || prefix.length > 253 || !SUBDOMAIN.test(prefix))) {
    return {
      message: `The prefix \`${prefix}\` is not a DNS subdomain (lower-case letters, digits, \`-\` and \`.\`, at most 253 characters).`,
      start: offset,
      end: offset + slash,
    };
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
  rejectedBy: [
    {
      repo: 'cilium/cilium',
      file: 'pkg/labels/validation.go',
      func: 'IsValidCiliumLabelKey (via ValidateLabelSelector from the EndpointSelector validation in pkg/policy/api)',
      releases: 'Cilium 1.16–1.20',
    },
  ],
  check({ doc, versions }) {
    const out: RuleFinding[] = [];
    // The releases that validate the key as written (`$host` included): 1.19 and later for certain.
    const rawKeys = compareVersions(versions.cilium, '1.19') >= 0;
    for (const sel of labelSelectors(doc.data)) {
      // Service selectors are not validated on import: an invalid key there only never matches.
      if (sel.role === 'serviceSelector') continue;
      for (const k of selectorKeys(sel)) {
        // Group selectors get the `cidrgroup:` source first; a key with its own source is not judged.
        if (sel.role === 'cidrGroupSelector' && k.key.includes(':')) continue;
        const p = labelKeyProblem(k.key);
        if (!p) continue;
        const dollar = k.key.startsWith('$');
        if (dollar && !rawKeys) {
          out.push({
            path: k.path,
            target: k.target,
            ...(k.target === 'value' && p.end > p.start ? { inString: { start: p.start, end: p.end } } : {}),
            severity: 'warning',
            message: `\`${k.key}\`: Cilium 1.19 and later reject a \`$\` key in a policy selector (they validate the key as written); Cilium ${versions.cilium} may read it as \`reserved:${k.key.slice(1).split(':')[0]}\`, depending on the release. Write \`reserved:${k.key.slice(1).split(':')[0]}\`.`,
          });
          continue;
        }
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
