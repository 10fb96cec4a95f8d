// SPDX-License-Identifier: Apache-2.0
/** Generates `docs/rules.md` from the rule metadata, and the per-rule documentation links. */
import type { Rule } from './rule.js';

/** Where the rules documentation is published; diagnostics link to `<this>#<anchor>`. */
export const RULES_DOC_URL = 'https://github.com/cilium-policy/cilium-policy/blob/main/docs/rules.md';

/** The anchor of a rule's section (ids contain `/`, which anchors cannot). */
export function ruleAnchor(id: string): string {
  return id.replace(/[^a-z0-9-]/g, '-');
}

/** The documentation link for a rule id. */
export function ruleDocUrl(id: string): string {
  return `${RULES_DOC_URL}#${ruleAnchor(id)}`;
}

/** The whole `docs/rules.md` text. */
export function rulesMarkdown(rules: readonly Rule[]): string {
  const lines: string[] = [
    '<!-- Generated from server/src/lint by `npm run docs:rules`; do not edit by hand. -->',
    '# Lint rules',
    '',
    'Rules catch what the schema cannot: what the Cilium and Tetragon agents reject or silently mis-handle after `kubectl apply` succeeded.',
    '',
    '## Severity contract',
    '',
    'Every severity is a promise about what the targeted release does with the policy:',
    '',
    '- `error`: the API server (CRD schema, defaults, CEL rules) or the agent refuses the policy, or refuses to load the hook, in the targeted release. Each error rule below names the code path that refuses it.',
    '- `warning`: the policy loads but does not do what it says: a field ignored, a selector that can never match, a value that reads garbage, a limit silently clamped.',
    '- `information`: style, portability, or something that depends on cluster configuration.',
    '',
    'Turn a rule off or change its severity with `ciliumPolicy.rules` (editor) or `rules:` in `.cilium-policy.yaml` (editor and CLI), for example `"cilium/mixed-peer-types": "warning"`.',
    'Silence one finding with a comment on the line above it: `# cilium-policy disable-next-line <rule-id>`.',
    '',
    '| Rule | Kinds | Default | Summary |',
    '| --- | --- | --- | --- |',
    ...rules.map(
      (r) =>
        `| [\`${r.id}\`](#${ruleAnchor(r.id)}) | ${r.kinds.join(', ')} | ${r.defaultSeverity} | ${r.summary.replace(/\|/g, '\\|')} |`,
    ),
    '',
  ];
  for (const r of rules) {
    lines.push(
      `<a id="${ruleAnchor(r.id)}"></a>`,
      `## \`${r.id}\``,
      '',
      r.summary,
      '',
      r.rationale,
      '',
      `Applies to: ${r.kinds.join(', ')}. Default severity: ${r.defaultSeverity}.`,
      '',
      ...rejectedByLines(r),
      'Flagged:',
      '',
      '```yaml',
      r.example.bad.trimEnd(),
      '```',
      '',
      ...exampleBinaryLines(r),
      'Accepted:',
      '',
      '```yaml',
      r.example.good.trimEnd(),
      '```',
      '',
    );
  }
  return lines.join('\n');
}

/** For rules that read binaries: what the examples' binary holds. */
function exampleBinaryLines(r: Rule): string[] {
  const b = r.exampleBinary;
  if (!b) return [];
  const functions = b.functions?.length ? b.functions.map((f) => `\`${f}\``).join(', ') : undefined;
  const head = `Checked against an ${b.machine} binary at \`${b.path}\``;
  if (!b.probes.length) return [`${head}${functions ? ` that defines the functions ${functions}` : ''}.`, ''];
  return [
    `${head} whose SDT notes list:`,
    '',
    ...b.probes.map(
      (p) =>
        `- \`${p.provider}:${p.name}\`: ${p.operands.length ? p.operands.map((o) => `\`${o}\``).join(' ') : 'no operands'}`,
    ),
    '',
    ...(functions ? [`It defines the functions ${functions}.`, ''] : []),
  ];
}

/** For error rules: the code paths that refuse what the rule reports. */
function rejectedByLines(r: Rule): string[] {
  const sources = r.rejectedBy ?? [];
  if (!sources.length) return [];
  return [
    'Rejected by:',
    '',
    ...sources.map((s) => `- \`${s.repo}\`: \`${s.file}\`, \`${s.func}\` (${s.releases})`),
    '',
  ];
}
