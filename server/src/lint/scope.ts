// SPDX-License-Identifier: Apache-2.0
/**
 * The policies a cross-document rule may consult beyond the file being linted: every input of a
 * CLI run, or the workspace's policy files in the editor. A DNS rule that lives in another file
 * (a clusterwide policy for every pod, a namespace-wide DNS policy) covers the FQDN rules of the
 * file at hand just as one in the same file does.
 *
 * Pure, like the rest of the engine: the adapters read the files and hand the parsed documents
 * over; the scope only keeps what the rules read (kind, name, namespace, data), not the YAML trees.
 */
import type { PolicyDocument, PolicyFile } from '../core/document.js';
import type { PolicyKindName } from '../core/kinds.js';

/** One policy document in scope, with the file it comes from. */
export interface ScopeDocument {
  /** The file it comes from, as the adapter names files (a path as shown, or a URI). */
  readonly source: string;
  readonly kind: PolicyKindName;
  readonly name: string | undefined;
  readonly namespace: string | undefined;
  /** The document as plain data. */
  readonly data: unknown;
}

/** The policies in scope of a lint run, of every file (the one being linted included or not). */
export interface LintScope {
  readonly documents: readonly ScopeDocument[];
}

/** The documents of a parsed file that can take part in a scope: policies of ours with data, not templates. */
export function scopeDocuments(source: string, file: PolicyFile): ScopeDocument[] {
  const out: ScopeDocument[] = [];
  for (const d of file.documents) {
    const doc = scopeDocument(source, d);
    if (doc) out.push(doc);
  }
  return out;
}

/** One document as a scope entry, or undefined when it is not one of our policies with usable data. */
export function scopeDocument(source: string, d: PolicyDocument): ScopeDocument | undefined {
  if (!d.kind || d.templated || d.data === undefined || d.data === null || typeof d.data !== 'object') return undefined;
  return { source, kind: d.kind.kind, name: d.name, namespace: d.namespace, data: d.data };
}

/** Builds a scope from parsed files (the CLI's inputs, the workspace's policy files). */
export function buildScope(files: Iterable<{ readonly source: string; readonly file: PolicyFile }>): LintScope {
  const documents: ScopeDocument[] = [];
  for (const f of files) documents.push(...scopeDocuments(f.source, f.file));
  return { documents };
}

/**
 * The scope's documents from files other than the one being linted (`source`, in the scope's
 * terms): the linted file's own documents come from its current text, which may be newer than
 * what the scope holds for it.
 */
export function* otherFiles(scope: LintScope | undefined, source: string | undefined): Iterable<ScopeDocument> {
  if (!scope) return;
  for (const d of scope.documents) if (source === undefined || d.source !== source) yield d;
}
