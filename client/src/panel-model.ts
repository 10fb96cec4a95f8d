// SPDX-License-Identifier: Apache-2.0
/**
 * What the preview panel's webview draws, as a host of sections: a header (the file, the
 * inventory), an optional message, and one section per feature that has something to say about
 * the policy under the cursor (the endpoints it selects, a connectivity matrix, replayed flows,
 * a dry run…). Each section's body is built by its own {@link PreviewSection} on the extension
 * side and drawn by its own script in `media/sections/`; this file only knows the frame.
 * Pure (no `vscode` import), so the wording and the message checks are unit-tested.
 *
 * Navigation targets (a manifest range, a rule range) never reach the webview: bodies carry
 * opaque ids and the extension keeps the id → location map, so a compromised webview can only
 * ask to open what the extension offered.
 */
import { plain } from '../../server/src/client-safe.js';
import type { InventoryStatus, WireRange } from '../../server/src/protocol.js';

/** A location the extension can open; the webview only sees {@link TargetId}s. */
export interface Target {
  readonly uri: string;
  readonly range: WireRange;
}

/** An opaque id of a {@link Target}. */
export type TargetId = string;

/** The inventory line at the top of the panel. */
export interface InventoryView {
  readonly origin: InventoryStatus['origin'];
  readonly text: string;
  readonly error?: string;
}

/** One section of the panel, drawn by the script registered for its `kind`. */
export interface SectionView {
  /** Which renderer draws it: `endpoints`, `connectivity`, `replay`, `dryrun`, … */
  readonly kind: string;
  /** A heading above the body; absent for the endpoints section, whose policies are headings. */
  readonly title?: string;
  /** What the section's renderer reads: plain data, every string already bounded. */
  readonly body: unknown;
}

/** Everything the webview renders. */
export interface PanelViewModel {
  /** File name of the document previewed, empty when none. */
  readonly file: string;
  readonly inventory?: InventoryView;
  /** Shown instead of sections: nothing open, server not ready. */
  readonly message?: string;
  readonly sections: readonly SectionView[];
}

/** Extension → webview. */
export type ToWebview = { readonly type: 'render'; readonly model: PanelViewModel };

/**
 * Webview → extension: `ready` (it can render), `open` (a target id it was given), and `act`
 * (a button of a section: the section's kind and an action id it was given, e.g. "explain this
 * matrix cell"); the extension hands `act` to that section, which ignores ids it did not offer.
 */
export type FromWebview =
  | { readonly type: 'ready' }
  | { readonly type: 'open'; readonly target: TargetId }
  | { readonly type: 'act'; readonly section: string; readonly action: string };

/** Longest id a webview message may carry: ids are ours and short. */
const MAX_ID = 64;

function shortId(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0 && v.length <= MAX_ID;
}

/** Checks a message from the webview: anything else is ignored. */
export function parseWebviewMessage(data: unknown): FromWebview | undefined {
  if (!data || typeof data !== 'object') return undefined;
  const m = data as Record<string, unknown>;
  if (m['type'] === 'ready') return { type: 'ready' };
  if (m['type'] === 'open' && shortId(m['target'])) return { type: 'open', target: m['target'] };
  if (m['type'] === 'act' && shortId(m['section']) && shortId(m['action']))
    return { type: 'act', section: m['section'], action: m['action'] };
  return undefined;
}

/** The inventory line: `workspace: 12 workloads in 4 namespaces`. */
export function inventoryView(status: InventoryStatus | undefined): InventoryView | undefined {
  if (!status) return undefined;
  const origin = (['workspace', 'snapshot', 'cluster', 'none'] as const).includes(status.origin)
    ? status.origin
    : 'none';
  const text = plain(status.description || (origin === 'none' ? 'no inventory loaded' : origin));
  return status.error ? { origin, text, error: plain(status.error, 400) } : { origin, text };
}

/** A view model that only says something (no file, no policy, server not running). */
export function messageModel(message: string, status?: InventoryStatus, file = ''): PanelViewModel {
  const inventory = inventoryView(status);
  return { file: plain(file), message: plain(message, 400), sections: [], ...(inventory ? { inventory } : {}) };
}

/**
 * The targets of every section of one render. Sections make their ids with the prefix the panel
 * gives each of them ({@link sectionIdPrefix}), so ids of two sections never collide.
 */
export class PanelTargets {
  private readonly map = new Map<TargetId, Target>();

  add(targets: ReadonlyMap<TargetId, Target>): void {
    for (const [id, target] of targets) this.map.set(id, target);
  }

  get(id: TargetId): Target | undefined {
    return this.map.get(id);
  }

  get size(): number {
    return this.map.size;
  }
}

/** The prefix of the target ids of the panel's `index`-th section. */
export function sectionIdPrefix(index: number): string {
  return `s${index}.`;
}
