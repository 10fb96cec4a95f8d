// SPDX-License-Identifier: Apache-2.0
/**
 * How a feature adds a section to the preview panel. The panel (`preview-panel.ts`) follows the
 * policy under the cursor; on every refresh it asks each section for its view of that document,
 * and draws what they return in order. A section is two files of its own: a provider here (it asks
 * the server and builds a plain-data body) and a renderer in `media/sections/<kind>.js` (it draws
 * the body with DOM APIs only). `docs/panel-sections.md` is the checklist.
 */
import type * as vscode from 'vscode';
import type { WirePosition } from '../../server/src/protocol.js';
import type { SectionView, Target, TargetId } from './panel-model.js';
import type { ServerLink } from './server-link.js';

/** What a section is asked about. */
export interface PreviewContext {
  readonly document: vscode.TextDocument;
  /** The cursor in the document (LSP coordinates); undefined when the panel was opened without one. */
  readonly position: WirePosition | undefined;
  /** The document's file name, for messages. */
  readonly fileName: string;
  readonly link: ServerLink;
  /** Every target id this section hands out starts with this (ids of sections never collide). */
  readonly idPrefix: string;
  /** Set when a newer refresh started: drop the work. */
  readonly token: vscode.CancellationToken;
}

/** A section's answer: its view and the locations its target ids stand for. */
export interface SectionResult {
  readonly section: SectionView;
  readonly targets?: ReadonlyMap<TargetId, Target>;
}

/** One feature's part of the panel. */
export interface PreviewSection {
  /** The renderer that draws it (`media/sections/<kind>.js` registers under this name). */
  readonly kind: string;
  /** Fires when the section's own inputs change (a flow log loaded), so the panel refreshes. */
  readonly onDidChange?: vscode.Event<void>;
  /**
   * The section for the document at the cursor, or undefined when it has nothing to say there
   * (a connectivity matrix for a TracingPolicy). May throw: the panel shows the others and logs it.
   */
  provide(context: PreviewContext): Promise<SectionResult | undefined>;
  /** A button of this section was pressed in the webview (an action id the section handed out). */
  act?(action: string): void | Promise<void>;
}
