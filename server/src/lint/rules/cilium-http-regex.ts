// SPDX-License-Identifier: Apache-2.0
/**
 * Rule: cilium/http-regex
 *
 * `method`, `path` and `host` of an HTTP rule are regular expressions (RE2 syntax), not globs. The
 * agent compiles `path` and `method` with Go's regexp package when it validates the policy and
 * rejects the policy when one does not compile (`PortRuleHTTP.Validate` in pkg/policy/api/http.go).
 * It does not compile `host`: that goes unchecked to Envoy as an RE2 header matcher on `:authority`
 * (`getHTTPRule` in pkg/envoy), where a pattern that does not compile makes Envoy refuse the
 * endpoint's network policy: the policy loads, but the requests are not allowed, so a warning. A
 * glob-looking path such as `/api/*` does compile, but means "`/api` followed by any number of
 * slashes", which is almost never what was meant: that gets a warning too.
 */
import { CILIUM_NETWORK_POLICY_KINDS, type Rule, type RuleFinding } from '../rule.js';
import { list, obj, str } from '../../core/data.js';
import { portRules } from '../../core/cilium/sections.js';
import { re2Problem } from '../../core/regex.js';
import { isVerbatim, sameQuotes } from '../scalars.js';
import { replaceValue } from '../../core/yaml-edits.js';

const FIELDS = ['method', 'path', 'host'] as const;

export const rule: Rule = {
  id: 'cilium/http-regex',
  kinds: CILIUM_NETWORK_POLICY_KINDS,
  defaultSeverity: 'error',
  summary:
    'An HTTP rule `path` or `method` that is not a valid Go (RE2) regular expression (the agent rejects it), a `host` that is not one (Envoy refuses it), or a path written as a glob.',
  rationale:
    'Cilium treats these fields as regular expressions matched against the whole value. A glob such as `*` or `/api/**` does not compile: in `path` or `method` the agent rejects the whole policy; `host` is not checked by the agent but handed to Envoy, which cannot use the rule, so the policy loads and the requests are refused. `/api/*` compiles but matches only `/api` followed by slashes; write `/api/.*` to match everything below `/api/`.',
  example: {
    bad: 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  endpointSelector: {}\n  ingress:\n    - toPorts:\n        - ports:\n            - port: "80"\n              protocol: TCP\n          rules:\n            http:\n              - method: "*"\n                path: "/api/.*"\n',
    good: 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  endpointSelector: {}\n  ingress:\n    - toPorts:\n        - ports:\n            - port: "80"\n              protocol: TCP\n          rules:\n            http:\n              - method: "GET|POST"\n                path: "/api/.*"\n',
  },
  rejectedBy: [
    {
      repo: 'cilium/cilium',
      file: 'pkg/policy/api/http.go',
      func: 'PortRuleHTTP.Validate (regexp.Compile of path and method; host is not compiled)',
      releases: 'Cilium 1.16–1.20',
    },
  ],
  check({ doc, file }) {
    const out: RuleFinding[] = [];
    for (const pr of portRules(doc.data)) {
      const http = list(obj(pr.portRule['rules'])?.['http']);
      http.forEach((h, i) => {
        const item = obj(h);
        if (!item) return;
        for (const field of FIELDS) {
          const value = str(item[field]);
          if (value === undefined) continue;
          const path = [...pr.path, 'rules', 'http', i, field];
          const problem = re2Problem(value);
          if (problem) {
            const where =
              problem.fragment !== undefined ? `: ${problem.reason} \`${problem.fragment}\`` : `: ${problem.reason}`;
            const glob = value === '*' || value.endsWith('/*') || value.includes('**');
            const hint = glob ? ' This looks like a glob; in a regular expression "anything" is `.*`.' : '';
            const fixed = glob ? globToRegex(value) : undefined;
            const edit =
              fixed !== undefined && re2Problem(fixed) === undefined
                ? replaceValue(file, doc, path, sameQuotes(doc, path, fixed))
                : undefined;
            out.push({
              path,
              target: 'value',
              ...(problem.start !== undefined && isVerbatim(file, doc, path)
                ? { inString: { start: problem.start, end: problem.end! } }
                : {}),
              ...(field === 'host' ? { severity: 'warning' as const } : {}),
              message:
                field === 'host'
                  ? `\`host\` is not a valid RE2 regular expression${where}. The agent does not check \`host\` and accepts the policy, but hands it to Envoy, which cannot use the rule, so these requests are not allowed.${hint}`
                  : `\`${field}\` is not a valid Go regular expression${where}. The agent rejects the policy.${hint}`,
              data: { reason: problem.reason },
              ...(edit
                ? { fixes: [{ title: `Use the regular expression \`${fixed}\``, edits: [edit], preferred: true }] }
                : {}),
            });
            continue;
          }
          if (field === 'path' && value.endsWith('/*')) {
            const fixed = globToRegex(value);
            const edit = replaceValue(file, doc, path, sameQuotes(doc, path, fixed));
            out.push({
              path,
              target: 'value',
              severity: 'warning',
              message: `\`${value}\` is a regular expression: the trailing \`/*\` matches only more slashes, so \`${value.slice(0, -1)}x\` is not allowed. Did you mean \`${fixed}\`?`,
              ...(edit ? { fixes: [{ title: `Use \`${fixed}\``, edits: [edit], preferred: true }] } : {}),
            });
          }
        }
      });
    }
    return out;
  },
};

/** The regular expression a glob user most likely meant: every `*` (or `**`) not after `.` becomes `.*`. */
function globToRegex(glob: string): string {
  return glob.replace(/\*+/g, (m, offset: number) => (offset > 0 && glob[offset - 1] === '.' ? m : '.*'));
}
