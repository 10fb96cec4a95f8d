// SPDX-License-Identifier: Apache-2.0
/**
 * Turns the server's {@link EndpointPreview} into what the preview webview draws: lists of
 * subjects, rules and peers with their labels already formatted, and a laid-out graph of the
 * subject and its peers. Pure (no `vscode` import) so the wording, the truncation of hostile
 * values and the layout are unit-tested; `media/preview.js` only copies these strings into the
 * DOM with `textContent`.
 *
 * Navigation targets (a manifest range, a rule range) are never handed to the webview: the model
 * carries opaque ids and the extension keeps the id → location map, so a compromised webview can
 * only ask to open what the extension offered.
 */
import {
  endpointText,
  kindNamed,
  peerText,
  plain,
  portText,
  qualifiedName,
  type PeerType,
} from '../../server/src/client-safe.js';
import type {
  EndpointPreview,
  PolicyPreviewEntry,
  WireEndpoint,
  WireRange,
  WireSelection,
} from '../../server/src/protocol.js';
import { inventoryView, type InventoryView, type Target, type TargetId } from './panel-model.js';
import {
  bannerText,
  directionStatements,
  errorsIn,
  hookViews,
  l7Of,
  type DirectionStatement,
  type DocumentError,
  type HookView,
} from './preview-reading.js';

// ---------------------------------------------------------------------------------------------
// Plain text: the words come from the server's one formatter (`core/preview-text.ts`), bounded
// by `plain`; the limits below are the panel's own.

/** Longest label inside a graph box, which has a fixed width. */
export const MAX_BOX_TEXT = 24;
/** Peers drawn per side of the graph; the rest collapse into one "+N more" box. */
export const MAX_GRAPH_PEERS = 12;
/** Workloads listed per subject list or selection before "and N more". */
export const MAX_LIST = 100;

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

// ---------------------------------------------------------------------------------------------
// The view model

/** A workload in a list. */
export interface EndpointView {
  /** `namespace/name`. */
  readonly text: string;
  /** The kind, e.g. `Deployment`. */
  readonly detail: string;
  /** Kind, name and labels, one per line. */
  readonly title: string;
  /** Opens the manifest, when the workload came from a file. */
  readonly target?: TargetId;
}

/** One peer of a rule. */
export interface PeerView {
  readonly type: PeerType;
  /** What the list shows, e.g. `shop/web` or `10.0.0.0/8 except 10.1.0.0/16`. */
  readonly text: string;
  /** A short word before the text: `Deployment`, `entity`, `CIDR`… */
  readonly detail: string;
  readonly title: string;
  readonly target?: TargetId;
}

/** A selector of a rule (or of the subject) and what it matched. */
export interface SelectionView {
  /** `fromEndpoints`, `endpointSelector`… */
  readonly role: string;
  /** The selector as the agent matches it. */
  readonly selector: string;
  /** "selects 3 workloads" or "selects nothing". */
  readonly summary: string;
  readonly empty: boolean;
  readonly notes: readonly string[];
  readonly target: TargetId;
}

/** One ingress/egress item. */
export interface RuleView {
  /** `ingress`, `ingressDeny`… */
  readonly direction: string;
  readonly deny: boolean;
  /** `Ingress rule 1`, `Egress deny rule 2`. */
  readonly title: string;
  readonly peers: readonly PeerView[];
  /** Peers not listed (beyond {@link MAX_LIST}). */
  readonly morePeers: number;
  /** `80/TCP`, `ICMP type 8`… Empty means every port. */
  readonly ports: readonly string[];
  /** The ports as one phrase: `on 80/TCP, 443/TCP` or `on any port`. */
  readonly portSummary: string;
  /** Set when the rule admits (or denies) nothing, with the words to say so. */
  readonly empty?: string;
  /** Its L7 rules, one row each: `HTTP GET /api/.*`, `DNS matchPattern *.example.com`. */
  readonly l7: readonly string[];
  readonly selections: readonly SelectionView[];
  /** Reveals the rule in the policy. */
  readonly target?: TargetId;
}

/** Rules of one direction. */
export interface RuleSectionView {
  readonly direction: 'ingress' | 'ingressDeny' | 'egress' | 'egressDeny';
  /** `Ingress (allow)`, `Egress deny`… */
  readonly heading: string;
  readonly rules: readonly RuleView[];
}

/** A box of the graph. */
export interface GraphNode {
  readonly id: string;
  readonly role: 'subject' | 'peer' | 'more';
  readonly type: PeerType | 'subject';
  /** Short text inside the box. */
  readonly label: string;
  /** A second, smaller line (the kind). */
  readonly sublabel: string;
  /** Full text for the `<title>` tooltip. */
  readonly title: string;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly target?: TargetId;
}

/** An arrow of the graph: peer → subject for ingress, subject → peer for egress. */
export interface GraphEdge {
  readonly from: string;
  readonly to: string;
  readonly direction: 'ingress' | 'egress';
  readonly deny: boolean;
  /** `allow 80/TCP` or `deny`: the verdict is always written, not only coloured. */
  readonly label: string;
  readonly title: string;
  /** Straight line end points (box edges). */
  readonly x1: number;
  readonly y1: number;
  readonly x2: number;
  readonly y2: number;
  /** Where the label goes: near the peer, so labels of different peers do not overlap. */
  readonly labelX: number;
  readonly labelY: number;
}

/** The picture of one policy. */
export interface GraphModel {
  readonly width: number;
  readonly height: number;
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly GraphEdge[];
  /** The graph in words, for screen readers (`aria-label`). */
  readonly summary: string;
}

/** One policy document. */
export interface PolicyView {
  readonly kind: string;
  readonly name: string;
  readonly namespace: string;
  /** `CiliumNetworkPolicy shop/backend`. */
  readonly heading: string;
  readonly target: TargetId;
  readonly subjects: readonly EndpointView[];
  readonly moreSubjects: number;
  /** "selects 2 workloads", "selects nothing". */
  readonly subjectSummary: string;
  /** Set when the policy selects nothing, with the reason when known. */
  readonly subjectEmpty?: string;
  /** The selectors that pick the subjects (endpointSelector, podSelector, services…). */
  readonly subjectSelections: readonly SelectionView[];
  readonly sections: readonly RuleSectionView[];
  /** Absent for kinds without rules (tracing policies, Envoy configs). */
  readonly graph?: GraphModel;
  /** Set for a network policy with no rule at all. */
  readonly noRules?: string;
  /** Network policies: what the policy does to ingress and to egress, in words. */
  readonly directions?: readonly DirectionStatement[];
  /** Tracing policies: the hooks with their selectors' filters and actions. */
  readonly hooks?: readonly HookView[];
  /**
   * Set when the document has errors: a banner above the lists, and no graph or direction
   * sentences drawn from what it might mean.
   */
  readonly invalid?: {
    readonly text: string;
    readonly errors: readonly { readonly message: string; readonly code?: string; readonly target?: TargetId }[];
  };
}

/** What the endpoints section of the panel draws (the header and inventory are the panel's). */
export interface PreviewViewModel {
  /** File name of the document previewed, empty when none. */
  readonly file: string;
  readonly inventory?: InventoryView;
  /** Shown instead of policies: nothing open, no policy at the cursor, server not ready. */
  readonly message?: string;
  readonly policies: readonly PolicyView[];
}

/** The model and the locations its target ids stand for. */
export interface BuiltPreview {
  readonly model: PreviewViewModel;
  readonly targets: ReadonlyMap<TargetId, Target>;
}

// ---------------------------------------------------------------------------------------------
// Building

const DIRECTION_ORDER = ['ingress', 'ingressDeny', 'egress', 'egressDeny'] as const;
const DIRECTION_HEADING: Record<(typeof DIRECTION_ORDER)[number], string> = {
  ingress: 'Ingress (allow)',
  ingressDeny: 'Ingress deny',
  egress: 'Egress (allow)',
  egressDeny: 'Egress deny',
};
const DIRECTION_TITLE: Record<(typeof DIRECTION_ORDER)[number], string> = {
  ingress: 'Ingress rule',
  ingressDeny: 'Ingress deny rule',
  egress: 'Egress rule',
  egressDeny: 'Egress deny rule',
};

/** Roles whose endpoints are the policy's subjects rather than peers. */
const SUBJECT_ROLES = new Set([
  'endpointSelector',
  'nodeSelector',
  'podSelector',
  'containerSelector',
  'services',
  'backendServices',
]);

function isRec(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A list from the wire, or an empty one when something else came in its place. */
function listOf<T>(v: readonly T[] | undefined): readonly T[] {
  return Array.isArray(v) ? (v as readonly T[]) : [];
}

function endpointKey(kind: unknown, namespace: unknown, name: unknown): string {
  return JSON.stringify([kind, namespace, name]);
}

function isRange(r: unknown): r is WireRange {
  if (!isRec(r) || !isRec(r['start']) || !isRec(r['end'])) return false;
  return [r['start'], r['end']].every((p) => Number.isInteger(p['line']) && Number.isInteger(p['character']));
}

function pathStartsWith(path: readonly unknown[], prefix: readonly unknown[]): boolean {
  return prefix.length <= path.length && prefix.every((p, i) => path[i] === p);
}

/** The formatted peer, without its target. */
function peerView(raw: unknown): Omit<PeerView, 'target'> {
  const { type, text, detail, title } = peerText(raw);
  return { type, text, detail, title };
}

class TargetTable {
  readonly map = new Map<TargetId, Target>();
  constructor(private readonly prefix: string) {}
  add(uri: unknown, range: unknown): TargetId | undefined {
    if (typeof uri !== 'string' || !isRange(range)) return undefined;
    const id = `${this.prefix}t${this.map.size}`;
    this.map.set(id, { uri, range });
    return id;
  }
}

function endpointView(
  e: { kind?: unknown; namespace?: unknown; name?: unknown; labels?: unknown },
  target: TargetId | undefined,
): EndpointView {
  const { text, title } = endpointText(e);
  const detail = plain(e.kind, 40);
  return target ? { text, detail, title, target } : { text, detail, title };
}

function selectionView(s: WireSelection, uri: string, targets: TargetTable): SelectionView {
  const n = Array.isArray(s.endpoints) ? s.endpoints.length : 0;
  const notes = Array.isArray(s.notes) ? s.notes.slice(0, 10).map((x) => plain(x, 300)) : [];
  return {
    role: plain(s.role, 40),
    selector: plain(s.selector, 300),
    summary: n === 0 ? 'selects nothing' : `selects ${plural(n, 'workload')}`,
    empty: n === 0,
    notes,
    target: targets.add(uri, s.range) ?? '',
  };
}

/**
 * Builds the view model of a preview answer; target ids start with `idPrefix` (the panel gives
 * each section its own).
 */
export function buildPreviewModel(
  preview: EndpointPreview,
  fileName: string,
  idPrefix = '',
  errors: readonly DocumentError[] = [],
): BuiltPreview {
  const targets = new TargetTable(idPrefix);
  const inventory = inventoryView(preview.inventory);
  const uri = preview.uri;
  const policies = (Array.isArray(preview.policies) ? preview.policies : []).map((p) =>
    policyView(p, uri, targets, errors),
  );
  const model: PreviewViewModel = {
    file: plain(fileName),
    policies,
    ...(inventory ? { inventory } : {}),
    ...(policies.length === 0 ? { message: 'Move the cursor into a policy document to preview it.' } : {}),
  };
  return { model, targets: targets.map };
}

function policyView(
  entry: PolicyPreviewEntry,
  uri: string,
  targets: TargetTable,
  errors: readonly DocumentError[],
): PolicyView {
  const p = isRec(entry.preview) ? entry.preview : ({} as Partial<PolicyPreviewEntry['preview']>);
  const selections = Array.isArray(entry.selections) ? entry.selections : [];
  // Where each workload's manifest is: the preview's own lists carry no location.
  const locations = new Map<string, WireEndpoint['location']>();
  for (const s of selections)
    for (const e of Array.isArray(s.endpoints) ? s.endpoints : [])
      if (e.location) locations.set(endpointKey(e.kind, e.namespace, e.name), e.location);
  const endpointTargets = new Map<string, TargetId | undefined>();
  const targetOf = (kind: unknown, namespace: unknown, name: unknown): TargetId | undefined => {
    const key = endpointKey(kind, namespace, name);
    if (!endpointTargets.has(key)) {
      const loc = locations.get(key);
      endpointTargets.set(key, loc ? targets.add(loc.uri, loc.range) : undefined);
    }
    return endpointTargets.get(key);
  };

  const kind = plain(p.kind ?? 'policy', 60);
  const name = p.name === null || p.name === undefined ? '' : plain(p.name);
  const namespace = p.namespace === null || p.namespace === undefined ? '' : plain(p.namespace);
  const heading = `${kind} ${name ? qualifiedName(namespace, name) : '(no name)'}`;

  const subjectList = listOf(p.subjects);
  const subjects = subjectList.slice(0, MAX_LIST).map((s) => endpointView(s, targetOf(s.kind, s.namespace, s.name)));
  const subjectSelections = selections
    .filter((s) => SUBJECT_ROLES.has(s.role))
    .map((s) => selectionView(s, uri, targets));
  const subjectNotes = subjectSelections.flatMap((s) => s.notes);
  const subjectEmpty =
    subjectList.length === 0
      ? `This policy selects no workload of the inventory${subjectNotes.length > 0 ? `: ${subjectNotes.join('; ')}` : ''}.`
      : undefined;

  const ruleList = listOf(p.rules);
  const ruleLocations = Array.isArray(entry.rules) ? entry.rules : [];
  const views: (RuleView & { direction: (typeof DIRECTION_ORDER)[number] })[] = [];
  ruleList.forEach((r, i) => {
    const direction: (typeof DIRECTION_ORDER)[number] = DIRECTION_ORDER.includes(r.direction) ? r.direction : 'ingress';
    const deny = direction.endsWith('Deny');
    const loc = ruleLocations[i];
    const target = loc ? targets.add(uri, loc.range) : undefined;
    const rawPeers: readonly unknown[] = listOf(r.peers);
    const peers = rawPeers.slice(0, MAX_LIST).map((raw): PeerView => {
      const v = peerView(raw);
      const e = isRec(raw) && isRec(raw['endpoint']) ? raw['endpoint'] : undefined;
      const t = e ? targetOf(e['kind'], e['namespace'], e['name']) : undefined;
      return t ? { ...v, target: t } : v;
    });
    const ports = listOf(r.ports)
      .slice(0, 50)
      .map((port) => portText(port));
    const rulePath = loc && Array.isArray(loc.path) ? loc.path : undefined;
    const ruleSelections = rulePath
      ? selections
          .filter((s) => !SUBJECT_ROLES.has(s.role) && Array.isArray(s.path) && pathStartsWith(s.path, rulePath))
          .map((s) => selectionView(s, uri, targets))
      : [];
    const index = typeof r.index === 'number' ? r.index + 1 : i + 1;
    let empty: string | undefined;
    if (rawPeers.length === 0) {
      const why = ruleSelections.filter((s) => s.empty).map((s) => `${s.role} ${s.selector} selects nothing`);
      empty = deny
        ? `Denies nothing: no peer of the inventory matches${why.length ? ` (${why.join('; ')})` : ''}.`
        : `Admits nothing: no peer of the inventory matches${why.length ? ` (${why.join('; ')})` : ''}.`;
    }
    const view: RuleView & { direction: (typeof DIRECTION_ORDER)[number] } = {
      direction,
      deny,
      title: `${DIRECTION_TITLE[direction]} ${index}`,
      peers,
      morePeers: Math.max(0, rawPeers.length - MAX_LIST),
      ports,
      portSummary: ports.length === 0 ? 'on any port' : `on ${ports.join(', ')}`,
      selections: ruleSelections,
      ...(empty ? { empty } : {}),
      ...(target ? { target } : {}),
      l7: l7Of(entry.reading, i),
    };
    views.push(view);
  });
  const sections: RuleSectionView[] = DIRECTION_ORDER.map((d) => ({
    direction: d,
    heading: DIRECTION_HEADING[d],
    rules: views.filter((v) => v.direction === d),
  })).filter((s) => s.rules.length > 0);
  // Kinds whose rules admit peers get the picture and the "no rules" note; the others select only.
  const isNetworkPolicy = kindNamed(kind)?.preview === 'rules';
  const policyTarget = targets.add(uri, entry.range) ?? '';
  const found = isRange(entry.range) ? errorsIn(errors, entry.range) : [];
  // The agent would refuse it: a banner with what to fix, and no picture or sentence drawn from
  // what it might mean. The lists stay below it, as what the selectors match as written.
  const invalid: PolicyView['invalid'] =
    found.length > 0
      ? {
          text: bannerText(found.length),
          errors: found.slice(0, 20).map((e) => {
            const t = targets.add(uri, e.range);
            return {
              message: plain(e.message, 400),
              ...(e.code ? { code: plain(e.code, 80) } : {}),
              ...(t ? { target: t } : {}),
            };
          }),
        }
      : undefined;
  const admitted = {
    ingress: collectSide(views, true).filter((s) => s.verdicts.has(false)).length,
    egress: collectSide(views, false).filter((s) => s.verdicts.has(false)).length,
  };
  const directions =
    isNetworkPolicy && !invalid ? directionStatements(entry.reading, subjectList.length, admitted) : [];
  const hooks = hookViews(entry.reading);
  const view: PolicyView = {
    kind,
    name,
    namespace,
    heading: plain(heading),
    target: policyTarget,
    subjects,
    moreSubjects: Math.max(0, subjectList.length - MAX_LIST),
    subjectSummary: subjectList.length === 0 ? 'selects nothing' : `selects ${plural(subjectList.length, 'workload')}`,
    subjectSelections,
    sections,
    ...(subjectEmpty ? { subjectEmpty } : {}),
    ...(isNetworkPolicy && views.length === 0 ? { noRules: 'This policy has no ingress or egress rule.' } : {}),
    ...(directions.length > 0 ? { directions } : {}),
    ...(hooks.length > 0 ? { hooks } : {}),
    ...(invalid ? { invalid } : {}),
  };
  if (isNetworkPolicy && !invalid) {
    const subjectTarget = subjects.length === 1 ? subjects[0]?.target : undefined;
    const open = new Set(directions.filter((d) => !d.restricted).map((d) => d.direction));
    return { ...view, graph: buildGraph(subjectList, views, subjectTarget, open) };
  }
  return view;
}

// ---------------------------------------------------------------------------------------------
// Graph layout: peers of ingress rules on the left, the subject in the middle, egress peers on
// the right. A straight-column layout keeps every label horizontal and readable at any zoom.

/** Layout constants, exported for tests. */
export const GRAPH = {
  boxWidth: 220,
  boxHeight: 46,
  rowGap: 18,
  columnGap: 190,
  margin: 12,
} as const;

interface PeerSlot {
  key: string;
  view: PeerView;
  /** Verdicts and ports per deny flag. */
  verdicts: Map<boolean, Set<string>>;
}

function collectSide(views: readonly RuleView[], ingress: boolean): PeerSlot[] {
  const slots = new Map<string, PeerSlot>();
  for (const r of views) {
    if (r.direction.startsWith('ingress') !== ingress) continue;
    for (const p of r.peers) {
      const key = `${p.type}\u0000${p.text}`;
      let slot = slots.get(key);
      if (!slot) {
        slot = { key, view: p, verdicts: new Map() };
        slots.set(key, slot);
      }
      let ports = slot.verdicts.get(r.deny);
      if (!ports) {
        ports = new Set();
        slot.verdicts.set(r.deny, ports);
      }
      if (r.ports.length === 0) ports.add('any port');
      for (const port of r.ports) ports.add(port);
    }
  }
  return [...slots.values()];
}

function portsLabel(ports: ReadonlySet<string>): string {
  if (ports.has('any port')) return '';
  const list = [...ports];
  const shown = list.slice(0, 2).join(', ');
  // Short enough to sit between two columns without reaching a box (see labelX below).
  return plain(list.length > 2 ? `${shown} +${list.length - 2}` : shown, 22);
}

function buildGraph(
  subjectList: readonly { kind: string; namespace: string; name: string }[],
  views: readonly RuleView[],
  subjectTarget: TargetId | undefined,
  unrestricted: ReadonlySet<'ingress' | 'egress'> = new Set(),
): GraphModel {
  const { boxWidth: W, boxHeight: H, rowGap, columnGap, margin } = GRAPH;
  const left = collectSide(views, true);
  const right = collectSide(views, false);
  // At most MAX_GRAPH_PEERS boxes and one "+N more" box per side.
  const rows = (n: number): number => Math.min(n, MAX_GRAPH_PEERS + 1);
  const maxRows = Math.max(1, rows(left.length), rows(right.length));
  const height = margin * 2 + maxRows * H + (maxRows - 1) * rowGap;
  const width = margin * 2 + 3 * W + 2 * columnGap;
  const xLeft = margin;
  const xMid = margin + W + columnGap;
  const xRight = xMid + W + columnGap;

  const first = subjectList[0];
  const subjectLabel =
    subjectList.length === 0
      ? 'selects nothing'
      : subjectList.length === 1 && first
        ? plain(first.name, MAX_BOX_TEXT)
        : `${subjectList.length} workloads`;
  const subjectTitle =
    subjectList.length === 0
      ? 'The policy selects no workload of the inventory'
      : subjectList
          .slice(0, 20)
          .map((s) => qualifiedName(s.namespace, s.name))
          .join('\n') + (subjectList.length > 20 ? `\n… and ${subjectList.length - 20} more` : '');
  const subject: GraphNode = {
    id: 'subject',
    role: 'subject',
    type: 'subject',
    label: subjectLabel,
    sublabel: subjectList.length === 1 && first ? plain(first.kind, MAX_BOX_TEXT) : 'subject',
    title: subjectTitle,
    x: xMid,
    y: (height - H) / 2,
    width: W,
    height: H,
    ...(subjectTarget ? { target: subjectTarget } : {}),
  };
  const nodes: GraphNode[] = [subject];
  const edges: GraphEdge[] = [];

  const place = (slots: PeerSlot[], side: 'ingress' | 'egress'): void => {
    const x = side === 'ingress' ? xLeft : xRight;
    const count = rows(slots.length);
    const block = count * H + (count - 1) * rowGap;
    const top = (height - block) / 2;
    const shown = slots.length > MAX_GRAPH_PEERS + 1 ? slots.slice(0, MAX_GRAPH_PEERS) : slots;
    shown.forEach((slot, i) => {
      const id = `${side}-${i}`;
      const y = top + i * (H + rowGap);
      const v = slot.view;
      nodes.push({
        id,
        role: 'peer',
        type: v.type,
        label: plain(v.text, MAX_BOX_TEXT),
        sublabel: plain(v.detail, MAX_BOX_TEXT),
        title: v.title,
        x,
        y,
        width: W,
        height: H,
        ...(v.target ? { target: v.target } : {}),
      });
      const verdicts = [...slot.verdicts.entries()].sort(([a], [b]) => Number(a) - Number(b));
      verdicts.forEach(([deny, ports], j) => {
        // Two verdicts for one peer: offset the lines so both stay visible.
        const dy = verdicts.length > 1 ? (j === 0 ? -8 : 8) : 0;
        const peerY = y + H / 2 + dy;
        const subjectY = subject.y + H / 2 + dy;
        const pl = portsLabel(ports);
        const label = `${deny ? 'deny' : 'allow'}${pl ? ` ${pl}` : ''}`;
        const [x1, y1, x2, y2] = side === 'ingress' ? [x + W, peerY, xMid, subjectY] : [xMid + W, subjectY, x, peerY];
        const peerEndX = side === 'ingress' ? x1 : x2;
        const peerEndY = side === 'ingress' ? y1 : y2;
        const otherX = side === 'ingress' ? x2 : x1;
        const otherY = side === 'ingress' ? y2 : y1;
        edges.push({
          from: side === 'ingress' ? id : subject.id,
          to: side === 'ingress' ? subject.id : id,
          direction: side,
          deny,
          label,
          title: plain(
            `${side} ${deny ? 'denied' : 'allowed'} ${side === 'ingress' ? 'from' : 'to'} ${v.text} ${ports.has('any port') ? 'on any port' : `on ${[...ports].join(', ')}`}`,
            400,
          ),
          x1,
          y1,
          x2,
          y2,
          // Mid-way: the column gap is widest there, and converging edges are still a row apart.
          labelX: peerEndX + (otherX - peerEndX) * 0.5,
          labelY: peerEndY + (otherY - peerEndY) * 0.5 - 4,
        });
      });
    });
    if (slots.length > MAX_GRAPH_PEERS + 1) {
      const i = MAX_GRAPH_PEERS;
      const rest = slots.length - MAX_GRAPH_PEERS;
      nodes.push({
        id: `${side}-more`,
        role: 'more',
        type: 'other',
        label: `+${rest} more peers`,
        sublabel: 'listed below',
        title: `${rest} more ${side} peers are listed below the picture`,
        x,
        y: top + i * (H + rowGap),
        width: W,
        height: H,
      });
    }
  };
  place(left, 'ingress');
  place(right, 'egress');

  const countDeny = (slots: PeerSlot[]): number => slots.filter((s) => s.verdicts.has(true)).length;
  const summary = plain(
    `${subjectList.length === 0 ? 'The policy selects nothing' : `The policy selects ${plural(subjectList.length, 'workload')}`}; ` +
      `${unrestricted.has('ingress') ? 'ingress not restricted by this policy' : `ingress from ${plural(left.length, 'peer')} (${countDeny(left)} denied)`}, ` +
      `${unrestricted.has('egress') ? 'egress not restricted by this policy' : `egress to ${plural(right.length, 'peer')} (${countDeny(right)} denied)`}.`,
    400,
  );
  return { width, height, nodes, edges, summary };
}
