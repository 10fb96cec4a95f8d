// SPDX-License-Identifier: Apache-2.0
/**
 * The body of the kernel-targets section of the preview panel (`media/sections/kernel-targets.js`
 * draws it) and the status bar's text, from a `ciliumPolicy/kernelTargets` answer: per
 * TracingPolicy, a node pools × hooks matrix whose cells say whether the hook loads, loads with
 * reduced features, depends on the node's configuration, is unknown, or does not load. Pure (no
 * `vscode`), so it is unit-tested.
 */
import { plain } from '../../server/src/client-safe.js';
import type {
  KernelSupportState,
  KernelTargetsPolicy,
  KernelTargetsRequest,
  WireRange,
} from '../../server/src/protocol.js';
import type { Target, TargetId } from './panel-model.js';

/** Words for a state, as the matrix legend shows them. */
export const STATE_TEXT: Readonly<Record<KernelSupportState, string>> = {
  loads: 'loads',
  reduced: 'loads with reduced features',
  depends: 'depends on the node configuration',
  unknown: 'unknown',
  no: 'does not load',
};

/** A short mark per state for the cells (the class carries the colour, the title the words). */
export const STATE_MARK: Readonly<Record<KernelSupportState, string>> = {
  loads: '✓',
  reduced: '◐',
  depends: '?',
  unknown: '–',
  no: '✗',
};

export interface KernelCellView {
  readonly state: KernelSupportState;
  readonly mark: string;
  readonly title: string;
}

export interface KernelPolicyView {
  readonly heading: string;
  readonly target: TargetId;
  readonly hooks: readonly { readonly label: string; readonly target: TargetId }[];
  readonly rows: readonly {
    readonly name: string;
    readonly description: string;
    readonly state: KernelSupportState;
    readonly stateText: string;
    readonly cells: readonly KernelCellView[];
  }[];
  readonly summary: string;
}

export interface KernelTargetsBody {
  readonly message?: string;
  readonly policies: readonly KernelPolicyView[];
  readonly legend: readonly { readonly state: KernelSupportState; readonly mark: string; readonly text: string }[];
}

/** The message when there is nothing to check against. */
export const NO_TARGETS =
  'No kernel targets: declare the kernels your nodes run in ciliumPolicy.tetragon.targets (or .cilium-policy.yaml), or load a kubectl snapshot or live cluster whose Nodes report their kernel.';

function poolsWord(n: number): string {
  return `${n} target${n === 1 ? '' : 's'}`;
}

/** "loads on 2 of 3 targets; does not load on arm64-5.10 (3 nodes)". */
export function policySummary(p: KernelTargetsPolicy): string {
  const ok = p.targets.filter((t) => t.state === 'loads').length;
  const no = p.targets.filter((t) => t.state === 'no');
  const parts = [`loads fully on ${ok} of ${poolsWord(p.targets.length)}`];
  if (no.length)
    parts.push(
      `does not load on ${no
        .slice(0, 5)
        .map((t) => `${t.name}${t.nodes ? ` (${t.nodes} node${t.nodes === 1 ? '' : 's'})` : ''}`)
        .join(', ')}${no.length > 5 ? ` and ${no.length - 5} more` : ''}`,
    );
  return parts.join('; ');
}

export function buildKernelTargetsBody(
  result: NonNullable<KernelTargetsRequest.Result>,
  idPrefix: string,
): { body: KernelTargetsBody; targets: Map<TargetId, Target> } {
  const targets = new Map<TargetId, Target>();
  const target = (range: WireRange): TargetId => {
    const id = `${idPrefix}${targets.size}`;
    targets.set(id, { uri: result.uri, range });
    return id;
  };
  const legend = (Object.keys(STATE_TEXT) as KernelSupportState[]).map((state) => ({
    state,
    mark: STATE_MARK[state],
    text: STATE_TEXT[state],
  }));
  if (result.targets === 0) return { body: { message: NO_TARGETS, policies: [], legend }, targets };
  const policies = result.policies.map((p): KernelPolicyView => ({
    heading: plain(`${p.kind} ${p.name}`),
    target: target(p.range),
    hooks: p.hooks.map((h) => ({ label: plain(h.label, 80), target: target(h.range) })),
    rows: p.targets.map((t, i) => ({
      name: plain(t.name, 80),
      description: plain(t.description, 300),
      state: t.state,
      stateText: STATE_TEXT[t.state] ?? t.state,
      cells: (p.cells[i] ?? []).map((c, h) => ({
        state: c.state,
        mark: STATE_MARK[c.state] ?? '?',
        title: plain(
          `${p.hooks[h]?.label ?? 'hook'} on ${t.name}: ${STATE_TEXT[c.state] ?? c.state}${
            c.reasons.length ? `: ${c.reasons.slice(0, 10).join('; ')}` : ''
          }`,
          1200,
        ),
      })),
    })),
    summary: plain(policySummary(p), 400),
  }));
  return { body: { policies, legend }, targets };
}

/** The status bar's text and tooltip for a document's matrix, or undefined to hide the item. */
export function kernelStatusText(
  result: KernelTargetsRequest.Result,
): { text: string; tooltip: string; worst: KernelSupportState } | undefined {
  if (!result || result.targets === 0 || result.policies.length === 0) return undefined;
  const rows = result.policies.flatMap((p) => p.targets);
  const names = [...new Set(rows.map((t) => t.name))];
  const worstOf = (name: string): KernelSupportState => {
    const order: KernelSupportState[] = ['no', 'unknown', 'depends', 'reduced', 'loads'];
    const states = rows.filter((t) => t.name === name).map((t) => t.state);
    return order.find((s) => states.includes(s)) ?? 'loads';
  };
  const per = names.map((name) => ({ name, state: worstOf(name) }));
  const ok = per.filter((t) => t.state === 'loads' || t.state === 'reduced').length;
  const worst = (['no', 'unknown', 'depends', 'reduced', 'loads'] as KernelSupportState[]).find((s) =>
    per.some((t) => t.state === s),
  )!;
  const text = `$(${worst === 'no' ? 'error' : worst === 'loads' || worst === 'reduced' ? 'check' : 'question'}) Tetragon ${ok}/${per.length} targets`;
  const tooltip = per
    .slice(0, 30)
    .map((t) => `${plain(t.name, 80)}: ${STATE_TEXT[t.state]}`)
    .join('\n');
  return { text, tooltip: `Kernel targets of this TracingPolicy\n${tooltip}`, worst };
}
