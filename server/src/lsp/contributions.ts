// SPDX-License-Identifier: Apache-2.0
/**
 * What feature modules add to the handlers other modules own: CodeLenses (`code-actions.ts` answers
 * `textDocument/codeLens` and `textDocument/codeAction`) and completion items (`assist.ts` answers `textDocument/completion`).
 * LSP allows one handler per request, so a feature that has lenses or items of its own (the dry
 * run's match counts, values seen in recorded events) registers a contributor here instead of a
 * handler; the owners ask every contributor. Contributors must be cheap and must not throw.
 */
import type { CodeAction, CodeLens, Diagnostic } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { PolicyDocument, PolicyFile } from '../core/document.js';
import type { AssistCompletions } from '../core/tetragon-assist.js';
import type { Session } from './session.js';

/** Lenses for a document (its current version). */
export type LensContributor = (doc: TextDocument) => CodeLens[];

/** Code actions for some of the diagnostics the editor asks about (those of the contributor's own findings). */
export type CodeActionContributor = (doc: TextDocument, diagnostics: readonly Diagnostic[]) => CodeAction[];

/** Completion items at an offset inside a Tetragon policy, or undefined when it has none there. */
export type CompletionContributor = (
  doc: TextDocument,
  file: PolicyFile,
  policy: PolicyDocument,
  offset: number,
) => AssistCompletions | undefined;

export interface Contributions {
  readonly lenses: LensContributor[];
  readonly completions: CompletionContributor[];
  readonly codeActions: CodeActionContributor[];
}

const bySession = new WeakMap<Session, Contributions>();

/** The contributions registered for a session (created on first use). */
export function contributionsOf(session: Session): Contributions {
  let c = bySession.get(session);
  if (!c) bySession.set(session, (c = { lenses: [], completions: [], codeActions: [] }));
  return c;
}

/** Every contributor's items at an offset, then the owner's own (`own`), as one list. */
export function withContributedCompletions(
  session: Session,
  at: { doc: TextDocument; file: PolicyFile; policy: PolicyDocument; offset: number },
  own: AssistCompletions | undefined,
): AssistCompletions | undefined {
  const items: AssistCompletions['items'][number][] = [];
  let replaceSpan = own?.replaceSpan;
  for (const contribute of contributionsOf(session).completions) {
    const c = contribute(at.doc, at.file, at.policy, at.offset);
    if (!c) continue;
    items.push(...c.items);
    replaceSpan ??= c.replaceSpan;
  }
  if (items.length === 0) return own;
  items.push(...(own?.items ?? []));
  return replaceSpan ? { items, replaceSpan } : { items };
}
