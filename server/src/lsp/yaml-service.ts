// SPDX-License-Identifier: Apache-2.0
/**
 * Completion and hover through yaml-language-server, run in-process against our bundled schemas
 * only. Each YAML document is served on its own: the request goes to a virtual document holding
 * just the lines of the YAML document under the cursor (modelines blanked), under a virtual URI
 * per kind that is associated with that kind's schema; positions are shifted by whole lines on the
 * way in and out. Documents that are not one of our kinds get nothing, so we do not compete with
 * other YAML tooling (Red Hat's YAML extension keeps serving the Deployment next to a policy).
 */
import type { LanguageService } from 'yaml-language-server';
import { TextDocument } from 'vscode-languageserver-textdocument';
import {
  InsertTextFormat,
  type CompletionItem,
  type CompletionItemKind,
  type CompletionList,
  type Hover,
  type Position,
  type Range,
} from 'vscode-languageserver';
import { isValidated, KINDS, type KindInfo, type PolicyKindName } from '../core/kinds.js';
import { parseFile, type PolicyDocument, type PolicyFile } from '../core/document.js';
import { SCHEMA_URI_PREFIX, type SchemaFiles } from '../core/schema-validation.js';
import { lineStart as startOfLine } from '../core/yaml-edits.js';
import { CONFIG_FILE_NAME } from '../config.js';
import { schemaHover } from '../core/assist/schema-hover.js';
import { schemaValueCompletion } from '../core/assist/schema-completion.js';

/**
 * The zero-based line of an offset, from the editor's document (which keeps its line offsets):
 * counting line breaks from the start of a long file on every request costs milliseconds.
 */
export type LineOf = (offset: number) => number;

/** Folder of the virtual documents; never a real file. */
export const VIRTUAL_PREFIX = 'file:///__cilium-policy__/';

/** The virtual URI yaml-language-server sees for documents of a kind. */
export function virtualUri(kind: PolicyKindName): string {
  return `${VIRTUAL_PREFIX}${kind}.yaml`;
}

/** The schema of `.cilium-policy.yaml` (generated, see `lint/settings-schema.ts`). */
const CONFIG_SCHEMA = 'cilium-policy-config.json';
/** The virtual document a `.cilium-policy.yaml` is served as. */
const CONFIG_VIRTUAL = '__cilium-policy__/cilium-policy-config.yaml';

/** True for a project configuration file (`.cilium-policy.yaml`), which completion and hover serve too. */
export function isProjectConfig(uri: string): boolean {
  return uri.endsWith(`/${CONFIG_FILE_NAME}`);
}

/** A modeline (`# yaml-language-server: $schema=…`) would make yaml-language-server load another schema. */
const MODELINE = /#\s*yaml-language-server\s*:[^\n\r]*/g;

/**
 * Runs a yaml-language-server call and treats a throw as "nothing to offer". It throws on some
 * half-typed documents (a hover over a map with an empty key, `:` alone on a line, fails inside its
 * message formatting); while typing that is a normal state, not an error to answer with.
 */
async function thirdParty<T>(call: () => Promise<T>): Promise<T | undefined> {
  try {
    return await call();
  } catch {
    return undefined;
  }
}

/** yaml-language-server wrapped so that it only ever sees our schemas, one document at a time. */
export class YamlFeatures {
  private service: Promise<LanguageService> | undefined;
  /** Last virtual document per kind, reused while its text is unchanged (yaml-language-server caches by uri+version). */
  private readonly virtuals = new Map<string, TextDocument>();
  private version = 0;

  constructor(private readonly files: SchemaFiles) {}

  /**
   * yaml-language-server, loaded on first use: loading it compiles a meta-schema and costs about
   * half of the server's start-up, which `initialize` should not wait for (the warm-up after
   * `initialized`, or the first completion, loads it).
   */
  private languageService(): Promise<LanguageService> {
    this.service ??= import('yaml-language-server').then(({ getLanguageService }) => {
      const service = getLanguageService({
        schemaRequestService: (uri) => this.requestSchema(uri),
        workspaceContext: {
          // Our `$ref`s are relative (`_defs/kubernetes.json#/…`); URL resolution keeps them under cilium-policy:///.
          resolveRelativePath: (relativePath, resource) => new URL(relativePath, resource).href,
        },
      });
      service.configure({
        validate: false,
        hover: true,
        completion: true,
        format: false,
        isKubernetes: false,
        hoverSchemaSource: false,
        disableDefaultProperties: false,
        schemas: [
          ...kindsWithSchemas(this.files).map((k) => ({
            uri: SCHEMA_URI_PREFIX + k.schemaPath,
            fileMatch: [`__cilium-policy__/${k.kind}.yaml`],
            name: k.kind,
          })),
          ...(this.files[CONFIG_SCHEMA] !== undefined
            ? [{ uri: SCHEMA_URI_PREFIX + CONFIG_SCHEMA, fileMatch: [CONFIG_VIRTUAL], name: CONFIG_FILE_NAME }]
            : []),
        ],
      });
      return service;
    });
    return this.service;
  }

  /** Serves schema text from memory; anything outside cilium-policy:/// is refused (no network, no disk). */
  private requestSchema(uri: string): Promise<string> {
    // yaml-language-server normalises `cilium-policy:///a/b.json` to `cilium-policy:/a/b.json`; accept both.
    const m = /^cilium-policy:\/*([^#?]*)/.exec(uri);
    if (m) {
      const path = decodeURIComponent(m[1]!);
      const schema = this.files[path];
      if (schema !== undefined) return Promise.resolve(JSON.stringify(schema));
    }
    return Promise.reject(new Error(`cilium-policy serves only its bundled schemas; refused to load ${uri}`));
  }

  /**
   * Completion at an offset of a file; undefined when the offset is not inside one of our documents.
   * The allowed values of a value being typed are read from our own parse where that is certain
   * (`core/assist/schema-completion.ts`), else yaml-language-server answers; `thirdPartyOnly` asks
   * it alone (what the equivalence test compares with).
   */
  async complete(
    file: PolicyFile,
    offset: number,
    lineOf?: LineOf,
    thirdPartyOnly = false,
  ): Promise<CompletionList | undefined> {
    if (!thirdPartyOnly) {
      const own = this.ownCompletion(file, offset, lineOf);
      if (own) return own;
    }
    const target = this.virtualFor(file, offset, lineOf);
    if (!target) return undefined;
    const service = await this.languageService();
    const list = await thirdParty(() => service.doComplete(target.doc, target.position, false));
    if (!list) return undefined;
    for (const item of list.items) mapItem(item, target.toLine);
    return list;
  }

  /**
   * Hover at an offset of a file; undefined when the offset is not inside one of our documents.
   * The schema's description is read from our own parse where that is certain
   * (`core/assist/schema-hover.ts`), else yaml-language-server answers; `thirdPartyOnly` asks it
   * alone (what the equivalence test compares with).
   */
  async hover(
    file: PolicyFile,
    offset: number,
    lineOf?: LineOf,
    thirdPartyOnly = false,
  ): Promise<Hover | null | undefined> {
    if (!thirdPartyOnly) {
      const own = this.ownHover(file, offset, lineOf);
      if (own) return own;
    }
    const target = this.virtualFor(file, offset, lineOf);
    if (!target) return undefined;
    const service = await this.languageService();
    const hover = await thirdParty(() => service.doHover(target.doc, target.position));
    if (hover?.range) hover.range = mapRange(hover.range, target.toLine);
    return hover;
  }

  private ownHover(file: PolicyFile, offset: number, lineOf?: LineOf): Hover | undefined {
    const found = this.ownDocumentAt(file, offset);
    if (!found) return undefined;
    const hover = schemaHover(this.files, found.schemaPath, found.doc, offset);
    if (!hover) return undefined;
    const position = editorPosition(file, lineOf);
    return {
      contents: { kind: 'markdown', value: hover.markdown },
      range: { start: position(hover.start), end: position(hover.end) },
    };
  }

  private ownCompletion(file: PolicyFile, offset: number, lineOf?: LineOf): CompletionList | undefined {
    const found = this.ownDocumentAt(file, offset);
    if (!found) return undefined;
    const values = schemaValueCompletion(this.files, found.schemaPath, found.doc, file.text, offset);
    if (!values) return undefined;
    const position = editorPosition(file, lineOf);
    const range = { start: position(values.start), end: position(values.end) };
    return {
      isIncomplete: false,
      // As yaml-language-server writes them: a snippet over the value being typed.
      items: values.items.map((v) => ({
        kind: v.kind as CompletionItemKind,
        label: v.label,
        insertText: v.insertText,
        insertTextFormat: InsertTextFormat.Snippet,
        ...(v.documentation !== undefined ? { documentation: v.documentation } : {}),
        textEdit: { range, newText: v.insertText },
      })),
    };
  }

  /** The document at an offset when our own walk may answer there: one of our validated kinds, with its schema. */
  private ownDocumentAt(file: PolicyFile, offset: number): { doc: PolicyDocument; schemaPath: string } | undefined {
    const found = documentAt(file, offset);
    const kind = found?.doc.kind;
    if (!found || !kind?.schemaPath || !isValidated(kind) || found.doc.templated) return undefined;
    if (this.files[kind.schemaPath] === undefined) return undefined;
    return { doc: found.doc, schemaPath: kind.schemaPath };
  }

  /** Completion in a `.cilium-policy.yaml` (its whole text), from the generated schema. */
  async completeConfig(text: string, offset: number): Promise<CompletionList | undefined> {
    const service = await this.languageService();
    const doc = this.configDocument(text);
    return thirdParty(() => service.doComplete(doc, doc.positionAt(offset), false));
  }

  /** Hover in a `.cilium-policy.yaml`. */
  async hoverConfig(text: string, offset: number): Promise<Hover | null | undefined> {
    const service = await this.languageService();
    const doc = this.configDocument(text);
    return thirdParty(() => service.doHover(doc, doc.positionAt(offset)));
  }

  private configDocument(text: string): TextDocument {
    const uri = `file:///${CONFIG_VIRTUAL}`;
    const blanked = text.replace(MODELINE, (m) => ' '.repeat(m.length));
    let doc = this.virtuals.get(uri);
    if (!doc || doc.getText() !== blanked) {
      doc = TextDocument.create(uri, 'yaml', ++this.version, blanked);
      this.virtuals.set(uri, doc);
    }
    return doc;
  }

  /**
   * Resolves every kind's schema ahead of the first request (yaml-language-server does it lazily,
   * which costs the first completion of each kind tens of milliseconds).
   */
  async warm(): Promise<void> {
    for (const step of this.warmSteps()) await step();
  }

  /** {@link warm} as one step per kind, for a caller that yields to other work between them. */
  warmSteps(): (() => Promise<void>)[] {
    return kindsWithSchemas(this.files).map((k) => async () => {
      const text = `apiVersion: ${k.apiVersion}\nkind: ${k.kind}\nmetadata:\n  name: warm-up\n`;
      await this.hover(parseFile(text), text.indexOf('metadata') + 1, undefined, true);
    });
  }

  /**
   * The virtual document for the YAML document at an offset. It holds only that document's lines
   * (from the start of the line where it begins), so yaml-language-server parses one document
   * however long the file; `toLine` gives the editor's line of a line of the virtual document
   * (the columns are the same).
   */
  private virtualFor(
    file: PolicyFile,
    offset: number,
    lineOf?: LineOf,
  ): { doc: TextDocument; position: Position; toLine: (line: number) => number } | undefined {
    const found = documentAt(file, offset);
    if (!found || !found.doc.kind || !isValidated(found.doc.kind) || found.doc.templated) return undefined;
    const lineStart = startOfLine(file.text, found.start);
    const text = virtualText(file.text, lineStart, found.start, found.end);
    const uri = virtualUri(found.doc.kind.kind);
    let doc = this.virtuals.get(uri);
    if (!doc || doc.getText() !== text) {
      doc = TextDocument.create(uri, 'yaml', ++this.version, text);
      this.virtuals.set(uri, doc);
    }
    const virtual = doc;
    // With the editor's line index (`lineOf`) a line of the virtual document is looked up where it
    // starts in the file, which also holds when the file is an excerpt of the editor's document.
    const toLine = lineOf
      ? (line: number) => lineOf(lineStart + virtual.offsetAt({ line, character: 0 }))
      : (
          (delta: number) => (line: number) =>
            delta + line
        )(countLineBreaks(file.text, lineStart));
    return { doc, position: doc.positionAt(offset - lineStart), toLine };
  }
}

/**
 * The editor position of an offset of a file: its line from the editor's line index when there is
 * one (views keep whole lines, so a column is the same in the view and in the editor).
 */
function editorPosition(file: PolicyFile, lineOf?: LineOf): (offset: number) => Position {
  return (o) => ({
    line: lineOf ? lineOf(o) : countLineBreaks(file.text, o),
    character: o - startOfLine(file.text, o),
  });
}

function mapRange(range: Range, toLine: (line: number) => number): Range {
  return {
    start: { line: toLine(range.start.line), character: range.start.character },
    end: { line: toLine(range.end.line), character: range.end.character },
  };
}

function mapItem(item: CompletionItem, toLine: (line: number) => number): void {
  const edit = item.textEdit;
  if (edit) {
    if ('range' in edit) edit.range = mapRange(edit.range, toLine);
    else {
      edit.insert = mapRange(edit.insert, toLine);
      edit.replace = mapRange(edit.replace, toLine);
    }
  }
  if (item.additionalTextEdits) for (const e of item.additionalTextEdits) e.range = mapRange(e.range, toLine);
}

/** Line breaks before an offset, counted as LSP does (`\r\n`, `\n` and a lone `\r` each end a line). */
export function countLineBreaks(text: string, end: number): number {
  let n = 0;
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) n++;
    else if (c === 13) {
      n++;
      if (text.charCodeAt(i + 1) === 10 && i + 1 < end) i++;
    }
  }
  return n;
}

/**
 * The text yaml-language-server sees: from `lineStart` to `end`, with the characters before `start`
 * on the first line blanked (so columns stay the same) and modelines blanked (so no other schema
 * is loaded).
 */
export function virtualText(text: string, lineStart: number, start: number, end: number): string {
  const kept = text.slice(start, end).replace(MODELINE, (m) => ' '.repeat(m.length));
  return ' '.repeat(start - lineStart) + kept;
}

/**
 * The document an offset belongs to, with the region it owns: from its start (the file start for
 * the first document, else its `---`) to the start of the next document. Blank lines after a
 * document's content belong to it, which is where a user types the next key.
 */
export function documentAt(
  file: PolicyFile,
  offset: number,
): { doc: PolicyDocument; start: number; end: number } | undefined {
  const docs = file.documents;
  for (let i = 0; i < docs.length; i++) {
    const start = i === 0 ? 0 : docs[i]!.span.start;
    const end = i + 1 < docs.length ? docs[i + 1]!.span.start : file.text.length;
    if (offset >= start && (offset < end || (i === docs.length - 1 && offset <= end)))
      return { doc: docs[i]!, start, end };
  }
  return undefined;
}

/** The kinds whose schema is present in a set of schema files. */
export function kindsWithSchemas(files: SchemaFiles): (KindInfo & { readonly schemaPath: string })[] {
  return KINDS.filter(isValidated).filter((k) => files[k.schemaPath] !== undefined);
}
