// SPDX-License-Identifier: Apache-2.0
/**
 * "Lint Workspace": lints files that are not open, as `ciliumPolicy/lintFiles` names them, and
 * publishes their diagnostics so the Problems panel lists every policy file of the workspace.
 * Linting is `lintFile` with what an open document's lint sees (settings of its folder, the
 * inventory, the policies in scope, the binaries it names); files without a policy get nothing,
 * so other YAML files are never touched. An open document is skipped: the lint scheduler owns it.
 *
 * The results then follow the files until `ciliumPolicy/clearLintFiles`: a covered file that
 * changes on disk (`workspace/didChangeWatchedFiles`) is linted again, a deleted one loses its
 * results, a covered document that is closed is linted from the disk again (the scheduler clears
 * a closed document's diagnostics; a workspace lint's results outlive the editor), and a change of
 * the settings, of workspace trust or of a `.cilium-policy.yaml` lints every covered file again.
 * So does a change of what cross-document rules read (the inventory, the workspace's policy files
 * on disk), once those changes pause ({@link INPUTS_SETTLE_MS}): a closed file's
 * `cilium/selects-nothing` goes when an opened manifest adds the workload it names. Only files whose
 * last lint saw other inputs are linted, one at a time, and a newer change stops an older pass.
 */
import { fileURLToPath } from 'node:url';
import type { Connection } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { parseFile, type PolicyFile } from '../core/document.js';
import type { Finding } from '../core/findings.js';
import type { EndpointIndex } from '../core/preview.js';
import type { SchemaValidator } from '../core/schema-validation.js';
import { withBinaries } from '../io/binaries.js';
import { readTextFile } from '../io/workspace-files.js';
import { lintFile } from '../lint/lint.js';
import type { LintScope } from '../lint/scope.js';
import { ClearLintFilesRequest, LintFilesRequest } from '../protocol.js';
import { toDiagnostic } from './convert.js';
import { checked, is } from './guard.js';
import { canonicalUri } from './inventory-manager.js';
import type { Session } from './session.js';

/**
 * How long the inventory and the workspace's policy files must stay unchanged before covered files
 * are linted again: typing in an open manifest changes them at every pause, and a pass over every
 * covered file then would redo the same work over and over.
 */
export const INPUTS_SETTLE_MS = 750;

/** Most URIs one request may name: the client sends batches, so one request stays short. */
export const MAX_LINT_FILES = 200;

/** What a workspace lint reads besides the file. */
export interface WorkspaceLintInputs {
  inventory(): EndpointIndex | undefined;
  scope(uri: string): { scope: LintScope; source: string };
  /** Changes whenever the workspace's policy files on disk change. */
  scopeGeneration(): number;
  /** Findings of other features on the file (the flow replay's warnings, PolicyTest problems), as an open document gets. */
  extraFindings?(uri: string, file: PolicyFile, found: readonly Finding[]): readonly Finding[];
}

/** What the server's other parts tell the workspace lint. */
export interface WorkspaceLintHandle {
  /** `workspace/didChangeWatchedFiles`: covered files are linted again (changed) or cleared (deleted). */
  filesChanged(changes: readonly { uri: string; type: number }[]): void;
  /** Settings, trust or a project file changed: every covered closed file is linted again, in the background. */
  relintAll(): void;
  /**
   * The inventory or the workspace's policy files changed: once changes pause, the covered closed
   * files whose last lint saw other ones are linted again.
   */
  inputsChanged(): void;
}

type FileResult = LintFilesRequest.Result['files'][number];

/** Registers `ciliumPolicy/lintFiles` and `ciliumPolicy/clearLintFiles`. */
export function registerWorkspaceLint(
  connection: Connection,
  session: Session,
  validator: SchemaValidator,
  inputs: WorkspaceLintInputs,
): WorkspaceLintHandle {
  /** Files a workspace lint named, by canonical URI, with the URI as the client spelled it. */
  const covered = new Map<string, string>();
  /** Covered files whose diagnostics this module published (non-empty or not). */
  const published = new Set<string>();
  /** Per file, a counter: a later lint of the same file makes an earlier one drop its result. */
  const runs = new Map<string, number>();
  /** Per covered file, the inventory and the policy-file generation its last published lint saw. */
  const seen = new Map<string, { inventory: EndpointIndex | undefined; generation: number } | 'no-policy'>();

  const isOpen = (key: string): boolean => session.documents.all().some((d) => canonicalUri(d.uri) === key);

  /** Lints one closed file and publishes; `unreadable` when it cannot be read, `none` without a policy. */
  async function lintOne(uri: string): Promise<FileResult | 'unreadable' | 'none' | 'open'> {
    const key = canonicalUri(uri);
    const run = (runs.get(key) ?? 0) + 1;
    runs.set(key, run);
    let path: string;
    try {
      path = fileURLToPath(uri);
    } catch {
      return 'unreadable';
    }
    const text = await readTextFile(path);
    if (text === undefined) return 'unreadable';
    const file = parseFile(text);
    const hasPolicy = file.documents.some((d) => d.kind);
    if (!hasPolicy) {
      // Nothing in it reads the inventory: only a change of the file itself lints it again.
      seen.set(key, 'no-policy');
      // A file that held a policy before the change: its old results go.
      if (published.delete(key) && !isOpen(key)) await connection.sendDiagnostics({ uri, diagnostics: [] });
      return 'none';
    }
    const current = await session.settings.get(uri);
    const inventory = inputs.inventory();
    const generation = inputs.scopeGeneration();
    const findings = await withBinaries(session.binariesFor(uri, current), () =>
      lintFile(file, {
        validator,
        settings: current,
        inventory,
        ...inputs.scope(uri),
        binaries: session.binariesFor(uri, current),
        ...(inputs.extraFindings
          ? { extra: (f: PolicyFile, found: readonly Finding[]) => inputs.extraFindings!(uri, f, found) }
          : {}),
      }),
    );
    // Opened meanwhile: the scheduler's diagnostics for the live text win; a newer lint wins too.
    if (isOpen(key)) return 'open';
    if (runs.get(key) !== run) return 'none';
    const doc = TextDocument.create(uri, 'yaml', 0, text);
    published.add(key);
    seen.set(key, { inventory, generation });
    await connection.sendDiagnostics({ uri, diagnostics: findings.map((f) => toDiagnostic(doc, f)) });
    return {
      uri,
      errors: findings.filter((f) => f.severity === 'error').length,
      warnings: findings.filter((f) => f.severity === 'warning').length,
      other: findings.filter((f) => f.severity !== 'error' && f.severity !== 'warning').length,
    };
  }

  /** Forgets a covered file; clears its results unless it is open (the scheduler owns those). */
  async function clear(key: string): Promise<boolean> {
    const uri = covered.get(key);
    if (uri === undefined) return false;
    covered.delete(key);
    runs.set(key, (runs.get(key) ?? 0) + 1); // a lint under way publishes nothing
    seen.delete(key);
    const had = published.delete(key);
    if (had && !isOpen(key)) await connection.sendDiagnostics({ uri, diagnostics: [] });
    return had;
  }

  const log = (what: string, e: unknown): void =>
    session.log(`cilium-policy: ${what} failed: ${(e as Error)?.message ?? String(e)}`);

  connection.onRequest(
    LintFilesRequest.type,
    checked(
      LintFilesRequest.method,
      is.object({ uris: is.array(is.string) }),
      async (params: LintFilesRequest.Params): Promise<LintFilesRequest.Result> => {
        const result: LintFilesRequest.Result = { files: [], unreadable: [] };
        const uris = Array.isArray(params?.uris) ? params.uris.filter((u) => typeof u === 'string') : [];
        for (const uri of uris.slice(0, MAX_LINT_FILES)) {
          const key = canonicalUri(uri);
          if (!uri.startsWith('file:')) {
            result.unreadable.push(uri);
            continue;
          }
          covered.set(key, uri);
          if (isOpen(key)) continue;
          const r = await lintOne(uri);
          if (r === 'unreadable') {
            result.unreadable.push(uri);
            covered.delete(key);
          } else if (typeof r === 'object') result.files.push(r);
        }
        return result;
      },
      session.log,
    ),
  );

  connection.onRequest(
    ClearLintFilesRequest.type,
    checked(
      ClearLintFilesRequest.method,
      is.object({ uris: is.optional(is.array(is.string)) }),
      async (params: ClearLintFilesRequest.Params): Promise<ClearLintFilesRequest.Result> => {
        const named = Array.isArray(params?.uris)
          ? params.uris.filter((u): u is string => typeof u === 'string').map(canonicalUri)
          : [...covered.keys()];
        let cleared = 0;
        for (const key of named) if (await clear(key)) cleared++;
        return { cleared };
      },
      session.log,
    ),
  );

  // A covered document closed: the scheduler cleared its diagnostics; the disk's version counts again.
  session.documents.onDidClose((e) => {
    const key = canonicalUri(e.document.uri);
    const uri = covered.get(key);
    if (uri === undefined) return;
    published.delete(key);
    lintOne(uri).catch((err: unknown) => log(`linting ${uri} after it was closed`, err));
  });

  /** Bumped by each pass over the covered files: a newer pass stops an older one. */
  let pass = 0;
  /** Lints the covered closed files again, those `stale` says need it, one after another. */
  const relintCovered = (stale: (key: string) => boolean): void => {
    const mine = ++pass;
    void (async () => {
      for (const [key, uri] of [...covered]) {
        if (pass !== mine) return;
        if (!covered.has(key) || isOpen(key) || !stale(key)) continue;
        await lintOne(uri).catch((err: unknown) => log(`linting ${uri} again`, err));
      }
    })();
  };
  let settle: ReturnType<typeof setTimeout> | undefined;

  return {
    relintAll() {
      relintCovered(() => true);
    },
    inputsChanged() {
      if (covered.size === 0) return;
      if (settle) clearTimeout(settle);
      settle = setTimeout(() => {
        settle = undefined;
        // Shutting down: nobody will read the results.
        if (session.input.shutdownRequested) return;
        const inventory = inputs.inventory();
        const generation = inputs.scopeGeneration();
        relintCovered((key) => {
          const last = seen.get(key);
          if (last === 'no-policy') return false;
          return !last || last.inventory !== inventory || last.generation !== generation;
        });
      }, INPUTS_SETTLE_MS);
    },

    filesChanged(changes) {
      for (const c of changes) {
        const key = canonicalUri(c.uri);
        const uri = covered.get(key);
        if (uri === undefined) continue;
        if (c.type === 3) {
          clear(key).catch((err: unknown) => log(`clearing ${uri}`, err));
          continue;
        }
        if (isOpen(key)) continue;
        lintOne(uri)
          .then((r) => {
            // Gone or unreadable now: its old results would point at text that is not there.
            if (r === 'unreadable') return clear(key);
            return undefined;
          })
          .catch((err: unknown) => log(`linting ${uri} again`, err));
      }
    },
  };
}
