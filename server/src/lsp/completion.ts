// SPDX-License-Identifier: Apache-2.0
/**
 * Completion and hover that use what the server knows, merged with the schema's answer: the
 * core's cluster completions (`core/assist/cluster-completion.ts`: document starts, the top level,
 * the inventory's namespaces, labels, ports and services) come first; yaml-language-server's keys,
 * enums and snippets follow, tidied (no server-set metadata, no `status`, no duplicate, `metadata`
 * in the order one writes it). Where the core says the schema's items would be wrong (a document
 * start, column 0), they are left out. Hover on a selector's label key describes the key.
 */
import {
  CompletionItemKind,
  InsertTextFormat,
  type CompletionItem,
  type CompletionList,
  type Hover,
} from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { PolicyFile } from '../core/document.js';
import type { EndpointIndex } from '../core/preview.js';
import { templatesFromSnippets, type PolicyTemplate } from '../core/templates.js';
import { clusterCompletions, type ClusterItemKind } from '../core/assist/cluster-completion.js';
import { labelKeyHover } from '../core/assist/label-hover.js';
import { loadSnippetFiles } from '../io/snippet-files.js';
import { escapeControls } from '../core/display-text.js';
import { toRange } from './convert.js';
import { describe } from './guard.js';
import type { Session } from './session.js';
import { isProjectConfig, type YamlFeatures } from './yaml-service.js';

const ITEM_KINDS: Record<ClusterItemKind, CompletionItemKind> = {
  kind: CompletionItemKind.Class,
  template: CompletionItemKind.Snippet,
  skeleton: CompletionItemKind.Snippet,
  key: CompletionItemKind.Property,
  namespace: CompletionItemKind.Module,
  'label-key': CompletionItemKind.Field,
  'label-value': CompletionItemKind.Value,
  port: CompletionItemKind.Value,
  service: CompletionItemKind.Reference,
};

/**
 * The document a request is answered in, as far as completion and hover read it: its URI, the text
 * the offsets are in, and the editor position of such an offset.
 */
export type AssistDocument = Pick<TextDocument, 'uri' | 'getText' | 'positionAt'>;

/** What the cluster completions read besides the document. */
export interface ClusterInputs {
  /**
   * The inventory's index as a document sees it (an untitled editor's own workloads count for it),
   * undefined while none is loaded.
   */
  index(uri: string): EndpointIndex | undefined;
}

export class ClusterAssist {
  private templates: PolicyTemplate[] | undefined;

  constructor(
    private readonly session: Session,
    private readonly yaml: YamlFeatures,
    private readonly inputs: ClusterInputs,
    private readonly snippetsDir?: string,
  ) {}

  /** Reads what the first completion would (the warm-up's step). */
  warm(): void {
    this.wholeDocuments();
  }

  /** The whole-document templates, read once from the snippet files (none when they cannot be read). */
  private wholeDocuments(): PolicyTemplate[] {
    if (this.templates) return this.templates;
    try {
      this.templates = templatesFromSnippets(loadSnippetFiles(this.snippetsDir));
    } catch (e) {
      this.session.log(`cilium-policy: the snippet files could not be read: ${describe(e)}`);
      this.templates = [];
    }
    return this.templates;
  }

  /** The completion list at an offset: ours first, then the schema's, tidied. */
  async complete(doc: AssistDocument, file: PolicyFile, offset: number): Promise<CompletionList | null> {
    // `.cilium-policy.yaml`: rule ids, severities and releases from its generated schema.
    if (isProjectConfig(doc.uri)) return (await this.yaml.completeConfig(doc.getText(), offset)) ?? null;
    const ours = clusterCompletions({
      file,
      offset,
      index: this.inputs.index(doc.uri),
      templates: this.wholeDocuments(),
    });
    const range = ours ? toRange(doc, ours.replace) : undefined;
    const items: CompletionItem[] = (ours?.items ?? []).map((item, i) => {
      const c: CompletionItem = {
        // Labels and details can quote names from the inventory: plain text, controls made visible.
        label: escapeControls(item.label),
        kind: ITEM_KINDS[item.kind],
        sortText: `0${String(i).padStart(5, '0')}`,
        filterText: item.filterText ?? item.label,
        textEdit: { range: range!, newText: item.insertText },
      };
      if (item.snippet) c.insertTextFormat = InsertTextFormat.Snippet;
      if (item.detail) c.detail = escapeControls(item.detail);
      if (item.documentation) c.documentation = { kind: 'markdown', value: item.documentation };
      return c;
    });
    if (ours?.exclusive) return { isIncomplete: false, items };
    const schema = await this.yaml.complete(file, offset, (o) => doc.positionAt(o).line);
    if (!schema && items.length === 0) return null;
    const seen = new Set(items.map((i) => i.label));
    const drop = ours?.dropSchema;
    const first = ours?.schemaFirst ?? [];
    const rest: CompletionItem[] = [];
    for (const item of schema?.items ?? []) {
      if (seen.has(item.label) || drop?.has(item.label)) continue;
      seen.add(item.label);
      rest.push(item);
    }
    rest.forEach((item, i) => {
      const rank = first.indexOf(item.label);
      // Keep the schema's order otherwise, behind ours.
      item.sortText = rank >= 0 ? `1${String(rank).padStart(5, '0')}` : `2${String(i).padStart(5, '0')}`;
    });
    return { isIncomplete: schema?.isIncomplete ?? false, items: [...items, ...rest] };
  }

  /**
   * Hover on a selector's label key (what the key means, and who carries it in the inventory), or
   * in `.cilium-policy.yaml`; undefined for the schema's hover to answer.
   */
  async hover(doc: AssistDocument, file: PolicyFile, offset: number): Promise<Hover | undefined> {
    if (isProjectConfig(doc.uri)) return (await this.yaml.hoverConfig(doc.getText(), offset)) ?? undefined;
    const found = labelKeyHover(file, offset, this.inputs.index(doc.uri));
    if (!found) return undefined;
    return { contents: { kind: 'markdown', value: found.markdown }, range: toRange(doc, found.span) };
  }
}
