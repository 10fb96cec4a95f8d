// SPDX-License-Identifier: Apache-2.0
/**
 * Rule: cilium/legacy-l7-rules
 *
 * Cilium 1.19 and older still parse Kafka rules and the generic `l7proto`/`l7` rules (1.20 removed
 * them; the schema reports that against a 1.20 target). For older targets the agent checks what the
 * CRD does not: `role` and `apiKey` exclude each other, `apiKey` must name a Kafka API, `apiVersion`
 * is a small integer, `l7` needs `l7proto`, and `l7` maps need non-empty keys (Kafka rules in host
 * policies are cilium/host-policy-l7's). This rule only speaks when the target release is 1.19 or
 * older.
 */
import { compareVersions } from '../../core/versions.js';
import { closest } from '../../core/text-distance.js';
import { CILIUM_NETWORK_POLICY_KINDS, type Rule, type RuleFinding } from '../rule.js';
import { portRules } from '../../core/cilium/sections.js';
import { list, obj, str } from '../../core/data.js';

/**
 * Kafka API names the 1.19 agent understands: Kafka's API keys 0 to 33 by their protocol names,
 * lower case (the agent matches case-insensitively), as in the agent's table (`APIKeyMap` in
 * pkg/policy/api/kafka). Newer Kafka APIs (CreatePartitions = 37 and later) are not in it.
 */
const KAFKA_API_KEYS = [
  'produce',
  'fetch',
  'offsets',
  'metadata',
  'leaderandisr',
  'stopreplica',
  'updatemetadata',
  'controlledshutdown',
  'offsetcommit',
  'offsetfetch',
  'findcoordinator',
  'joingroup',
  'heartbeat',
  'leavegroup',
  'syncgroup',
  'describegroups',
  'listgroups',
  'saslhandshake',
  'apiversions',
  'createtopics',
  'deletetopics',
  'deleterecords',
  'initproducerid',
  'offsetforleaderepoch',
  'addpartitionstotxn',
  'addoffsetstotxn',
  'endtxn',
  'writetxnmarkers',
  'txnoffsetcommit',
  'describeacls',
  'createacls',
  'deleteacls',
  'describeconfigs',
  'alterconfigs',
];

const HDR =
  'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: kafka\n  namespace: shop\nspec:\n  endpointSelector:\n    matchLabels:\n      app: kafka\n  ingress:\n    - toPorts:\n        - ports:\n            - port: "9092"\n              protocol: TCP\n          rules:\n            kafka:\n';

export const rule: Rule = {
  id: 'cilium/legacy-l7-rules',
  kinds: CILIUM_NETWORK_POLICY_KINDS,
  defaultSeverity: 'error',
  summary:
    'Kafka and generic `l7proto` rules (Cilium 1.19 and older) that the agent would refuse: `role` with `apiKey`, an unknown API key, a bad `apiVersion`, `l7` without `l7proto`.',
  rationale:
    'These checks run in the agent after the API server admitted the policy, so the mistake only shows up as an invalid policy in the agent. They apply to Cilium 1.19 and older; Cilium 1.20 removed these rule types altogether (reported separately against a 1.20 target).',
  example: {
    bad: `${HDR}              - role: produce\n                apiKey: produce\n                topic: orders\n`,
    good: `${HDR}              - role: produce\n                topic: orders\n`,
  },
  exampleSettings: { ciliumVersion: '1.19' },
  rejectedBy: [
    {
      repo: 'cilium/proxy',
      file: 'pkg/policy/api/kafka/kafka.go',
      func: 'PortRule.Sanitize (role with apiKey, unknown apiKey, apiVersion)',
      releases: 'Cilium 1.16–1.19',
    },
    {
      repo: 'cilium/cilium',
      file: 'pkg/policy/api/rule_validation.go',
      func: 'L7Rules sanitize (l7 without l7proto; host policies with L7)',
      releases: 'Cilium 1.16–1.19',
    },
    {
      repo: 'cilium/cilium',
      file: 'pkg/policy/api/l7.go',
      func: 'PortRuleL7.Sanitize (empty keys)',
      releases: 'Cilium 1.16–1.19',
    },
  ],
  check({ doc, versions }) {
    if (compareVersions(versions.cilium, '1.20') >= 0) return [];
    const out: RuleFinding[] = [];
    for (const p of portRules(doc.data)) {
      const rules = obj(p.portRule['rules']);
      if (!rules) continue;
      const base = [...p.path, 'rules'];
      // Kafka rules in host policies are cilium/host-policy-l7's business.
      const kafka = list(rules['kafka']);
      kafka.forEach((k, i) => {
        const entry = obj(k);
        if (!entry) return;
        const at = [...base, 'kafka', i];
        const apiKey = str(entry['apiKey']);
        const role = str(entry['role']);
        if (role !== undefined && role !== '' && apiKey !== undefined && apiKey !== '') {
          out.push({
            path: [...at, 'apiKey'],
            target: 'key',
            message: 'A Kafka rule sets either `role` or `apiKey`, not both; the agent rejects the combination.',
          });
        }
        if (apiKey && !KAFKA_API_KEYS.includes(apiKey.toLowerCase())) {
          const guess = closest(apiKey.toLowerCase(), KAFKA_API_KEYS);
          out.push({
            path: [...at, 'apiKey'],
            target: 'value',
            message: `\`${apiKey}\` is not a Kafka API the agent knows.${guess ? ` Did you mean \`${guess}\`?` : ''}`,
          });
        }
        const apiVersion = entry['apiVersion'];
        if (apiVersion !== undefined && apiVersion !== '') {
          // The agent's strconv.ParseInt(apiVersion, 10, 16), then n >= 0: a sign is allowed, `_` and prefixes are not.
          const n =
            typeof apiVersion === 'number'
              ? apiVersion
              : /^[+-]?\d+$/.test(String(apiVersion))
                ? Number(apiVersion)
                : NaN;
          if (!Number.isInteger(n) || n < 0 || n > 32767) {
            out.push({
              path: [...at, 'apiVersion'],
              target: 'value',
              message: '`apiVersion` must be an integer from 0 to 32767, written as a string.',
            });
          }
        }
      });
      const l7 = list(rules['l7']);
      if (l7.length > 0 && !str(rules['l7proto'])) {
        out.push({
          path: [...base, 'l7'],
          target: 'key',
          message: '`l7` rules need `l7proto` to name the parser that reads them.',
        });
      }
      l7.forEach((m, i) => {
        const map = obj(m);
        if (map && Object.keys(map).some((k) => k.trim() === '')) {
          out.push({ path: [...base, 'l7', i], message: 'Keys of an `l7` rule must not be empty.' });
        }
      });
    }
    return out;
  },
};
