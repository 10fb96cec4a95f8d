// SPDX-License-Identifier: Apache-2.0
/**
 * The words the endpoints section says about a policy beyond its peers: what it does to each
 * direction ("makes ingress default-deny for these 3 workloads and admits nothing"), the L7 rows
 * of a rule, a tracing policy's hooks, and the banner of a document the agent would reject.
 * Pure (no `vscode`), built from `PolicyPreviewEntry.reading` and the document's error
 * diagnostics; every string bounded with `plain`.
 */
import { plain, type PolicyReading } from '../../server/src/client-safe.js';
import type { WireRange } from '../../server/src/protocol.js';

/** One sentence per direction of a network policy. */
export interface DirectionStatement {
  readonly direction: 'ingress' | 'egress';
  /** False when the policy has no rule for the direction: it leaves it to other policies. */
  readonly restricted: boolean;
  readonly defaultDeny: boolean;
  readonly text: string;
}

/** A tracing policy's hook as the panel lists it. */
export interface HookView {
  readonly hook: string;
  readonly selectors: readonly { readonly filters: readonly string[]; readonly actions: readonly string[] }[];
  /** "reports every call" when the hook has no selector. */
  readonly summary: string;
}

/** An error diagnostic of the document, for the banner. */
export interface DocumentError {
  readonly message: string;
  readonly range: WireRange;
  /** The rule id (`cilium/port-range`), when known. */
  readonly code?: string;
}

function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function isRec(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function strings(v: unknown, max = 50): string[] {
  return Array.isArray(v) ? v.slice(0, max).map((x) => plain(x, 300)) : [];
}

/** The L7 rows of rule `i` (parallel to the preview's rules); empty without any. */
export function l7Of(reading: unknown, i: number): string[] {
  const l7 = isRec(reading) && Array.isArray(reading['l7']) ? (reading['l7'] as unknown[]) : [];
  return strings(l7[i]);
}

/**
 * What a network policy does to each direction, in words. `subjects` is how many workloads it
 * selects; `admitted` how many distinct peers its allow rules admit per direction.
 */
export function directionStatements(
  reading: unknown,
  subjects: number,
  admitted: { readonly ingress: number; readonly egress: number },
): DirectionStatement[] {
  const dirs = isRec(reading) && Array.isArray(reading['directions']) ? (reading['directions'] as unknown[]) : [];
  const out: DirectionStatement[] = [];
  for (const raw of dirs) {
    if (!isRec(raw) || (raw['direction'] !== 'ingress' && raw['direction'] !== 'egress')) continue;
    const d = raw as unknown as NonNullable<PolicyReading['directions']>[number];
    const word = d.direction === 'ingress' ? 'Ingress' : 'Egress';
    const allow = Number(d.allowItems) || 0;
    const deny = Number(d.denyItems) || 0;
    const who =
      subjects === 0
        ? 'the workloads it selects (none in the inventory)'
        : subjects === 1
          ? 'this workload'
          : `these ${subjects} workloads`;
    const n = admitted[d.direction];
    const admits = n === 0 ? 'admits nothing' : `admits ${count(n, 'peer')}`;
    const denies = deny > 0 ? `; its ${count(deny, 'deny rule')} ${deny === 1 ? 'wins' : 'win'} over any allow` : '';
    let text: string;
    if (allow + deny === 0) {
      text = `${word}: not restricted by this policy (it has no ${d.direction} rule); other policies decide.`;
    } else if (d.defaultDeny === true) {
      text = `This policy makes ${d.direction} default-deny for ${who} and ${admits}${denies}.`;
    } else {
      text =
        `${word} stays open to whatever other policies allow: enableDefaultDeny.${d.direction} is false, ` +
        `so this policy ${allow > 0 ? `only adds what it allows (${admits.replace('admits ', '')})` : 'adds nothing it allows'}${denies}.`;
    }
    out.push({ direction: d.direction, restricted: allow + deny > 0, defaultDeny: d.defaultDeny === true, text });
  }
  return out;
}

/** A tracing policy's hooks, with their selectors' filters and actions. */
export function hookViews(reading: unknown): HookView[] {
  const hooks = isRec(reading) && Array.isArray(reading['hooks']) ? (reading['hooks'] as unknown[]) : [];
  return hooks
    .slice(0, 50)
    .filter(isRec)
    .map((h) => {
      const selectors = (Array.isArray(h['selectors']) ? h['selectors'] : [])
        .slice(0, 20)
        .filter(isRec)
        .map((s) => ({ filters: strings(s['filters']), actions: strings(s['actions']) }));
      const acting = selectors.flatMap((s) => s.actions);
      const summary =
        selectors.length === 0
          ? 'reports every call (no selector)'
          : `${count(selectors.length, 'selector')}${acting.length > 0 ? `, actions: ${[...new Set(acting)].join(', ')}` : ', reports matches'}`;
      return { hook: plain(h['hook'], 200), selectors, summary: plain(summary, 300) };
    });
}

function inside(r: WireRange, outer: WireRange): boolean {
  const before = (a: WireRange['start'], b: WireRange['start']): boolean =>
    a.line < b.line || (a.line === b.line && a.character <= b.character);
  return before(outer.start, r.start) && before(r.start, outer.end);
}

/** The errors that fall inside a policy document's range. */
export function errorsIn(errors: readonly DocumentError[], range: WireRange): DocumentError[] {
  return errors.filter((e) => inside(e.range, range));
}

/** The banner's heading for a document with errors. */
export function bannerText(n: number): string {
  return `${count(n, 'error')}: the API server or the agent rejects this policy as written, so no picture is drawn from it. Fix ${n === 1 ? 'it' : 'them'} to see what it does; the lists below show what its selectors match as written.`;
}
