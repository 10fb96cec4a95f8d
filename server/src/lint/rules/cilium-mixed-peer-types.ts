// SPDX-License-Identifier: Apache-2.0
/**
 * Rule: cilium/mixed-peer-types
 *
 * One ingress/egress item may name its peers in one way only: endpoints, CIDRs, CIDR sets,
 * entities, nodes, groups, services or FQDNs. The agent rejects an item that combines two of them;
 * the fix is one item per peer type (ports may be repeated in each).
 */
import { isMap, isSeq } from 'yaml';
import type { Node, Pair } from 'yaml';
import { CILIUM_NETWORK_POLICY_KINDS, type Rule, type RuleFinding } from '../rule.js';
import { type DataPath } from '../../core/data.js';
import { type Fix } from '../../core/findings.js';
import { nonEmpty } from '../../core/data.js';
import { sectionItems } from '../../core/cilium/sections.js';
import { keyText, locate, type PolicyDocument, type PolicyFile } from '../../core/document.js';
import { lineEnd, lineEnding, lineStart, removeEntry } from '../../core/yaml-edits.js';

const INGRESS_PEERS = ['fromEndpoints', 'fromCIDR', 'fromCIDRSet', 'fromEntities', 'fromNodes', 'fromGroups'];
const EGRESS_PEERS = [
  'toEndpoints',
  'toCIDR',
  'toCIDRSet',
  'toEntities',
  'toServices',
  'toGroups',
  'toNodes',
  'toFQDNs',
];

export const rule: Rule = {
  id: 'cilium/mixed-peer-types',
  kinds: CILIUM_NETWORK_POLICY_KINDS,
  defaultSeverity: 'error',
  summary:
    'An ingress or egress item that selects peers in two different ways (e.g. `toEndpoints` and `toCIDR`) is rejected by the agent.',
  rationale:
    'Cilium combines the fields of one item with AND semantics only for ports; for peers it requires a single kind per item and rejects the whole policy otherwise. Write one item per peer type.',
  example: {
    bad: 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  endpointSelector:\n    matchLabels:\n      app: web\n  egress:\n    - toEndpoints:\n        - matchLabels:\n            app: db\n      toCIDR:\n        - 10.0.0.0/8\n',
    good: 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  endpointSelector:\n    matchLabels:\n      app: web\n  egress:\n    - toEndpoints:\n        - matchLabels:\n            app: db\n    - toCIDR:\n        - 10.0.0.0/8\n',
  },
  rejectedBy: [
    {
      repo: 'cilium/cilium',
      file: 'pkg/policy/api/rule_validation.go',
      func: 'IngressCommonRule.Validate / EgressCommonRule.Validate (combining peer fields)',
      releases: 'Cilium 1.16–1.20',
    },
  ],
  check({ doc, file }) {
    const out: RuleFinding[] = [];
    for (const s of sectionItems(doc.data)) {
      const candidates = s.direction.startsWith('ingress') ? INGRESS_PEERS : EGRESS_PEERS;
      // In the order written, so the first peer field is the one kept and the later ones are flagged.
      const used = Object.keys(s.item).filter((k) => candidates.includes(k) && nonEmpty(s.item[k]));
      if (used.length < 2) continue;
      const split = splitFix(file, doc, s.path, used, candidates);
      for (const k of used.slice(1)) {
        out.push({
          path: [...s.path, k],
          target: 'key',
          message: `This ${s.direction} item already selects peers with \`${used[0]}\`; the agent rejects an item that also uses \`${k}\`. Move \`${k}\` into its own item.`,
          data: { fields: used },
          ...(split ? { fixes: [split] } : {}),
        });
      }
    }
    return out;
  },
};

/**
 * "Split into one item per peer type": the first peer stays in the item, every later peer moves to
 * a new item placed right after it, which repeats the item's other fields (`toPorts`, `icmps`,
 * `authentication`) so each new item keeps the same port restrictions. Built from the source text
 * of the fields, so values keep their formatting; offered for block-style items only.
 */
function splitFix(
  file: PolicyFile,
  doc: PolicyDocument,
  itemPath: DataPath,
  used: readonly string[],
  peers: readonly string[],
): Fix | undefined {
  const item = locate(doc.yaml, itemPath).node;
  const seq = locate(doc.yaml, itemPath.slice(0, -1)).node;
  if (!isMap(item) || item.flow || !isSeq(seq) || seq.flow) return undefined;
  const text = file.text;
  const eol = lineEnding(text);
  const pairs = item.items as Pair[];
  const first = pairs[0]?.key as Node | undefined;
  if (!first?.range) return undefined;
  const keyCol = first.range[0] - lineStart(text, first.range[0]);
  const dash = text.lastIndexOf('-', first.range[0]);
  if (dash < lineStart(text, first.range[0])) return undefined;
  const dashCol = dash - lineStart(text, dash);
  /** The text of one field from its key to the end of its value, continuation lines as written. */
  const fieldText = (p: Pair): string | undefined => {
    const k = (p.key as Node | null)?.range;
    const v = (p.value as Node | null)?.range;
    if (!k) return undefined;
    const end = lineEnd(text, Math.max(k[1], v ? v[1] - 1 : k[1]));
    return text.slice(k[0], end).replace(/\s+$/, '');
  };
  const shared: string[] = [];
  for (const p of pairs) {
    const name = keyText(p.key);
    if (name !== undefined && peers.includes(name)) continue;
    const t = fieldText(p);
    if (t === undefined) return undefined;
    shared.push(t);
  }
  const newItems: string[] = [];
  const edits = [];
  for (const peer of used.slice(1)) {
    const pair = pairs.find((p) => keyText(p.key) === peer);
    const t = pair ? fieldText(pair) : undefined;
    const removal = removeEntry(file, doc, [...itemPath, peer]);
    if (t === undefined || !removal) return undefined;
    edits.push(removal);
    const fields = [t, ...shared];
    const lines = fields.map((f, i) =>
      i === 0 ? `${' '.repeat(dashCol)}-${' '.repeat(keyCol - dashCol - 1)}${f}` : `${' '.repeat(keyCol)}${f}`,
    );
    newItems.push(lines.join(eol));
  }
  const itemEnd = item.range?.[1];
  if (itemEnd === undefined) return undefined;
  // Insert at the start of the line after the item (after its last content line), so removals of
  // trailing fields and the insertion never overlap.
  let at = lineEnd(text, contentEndBefore(text, itemEnd));
  const atEof = at >= text.length;
  if (!atEof) at += text[at] === '\r' && text[at + 1] === '\n' ? 2 : 1;
  const block = newItems.join(eol);
  // At the end of a file without a final newline: a removed last field already leaves us at a line start.
  const atLineStart = edits.some((e) => e.end >= text.length);
  edits.push({ start: at, end: at, newText: atEof ? (atLineStart ? block : eol + block) : block + eol });
  return { title: 'Split into one item per peer type', edits };
}

function contentEndBefore(text: string, end: number): number {
  let i = end;
  while (i > 0 && /\s/.test(text[i - 1]!)) i--;
  return Math.max(i - 1, 0);
}
