// SPDX-License-Identifier: Apache-2.0
// @ts-check
/**
 * Helpers of the extension-host suite: open fixtures of the test workspace, and wait for
 * diagnostics on `vscode.languages.onDidChangeDiagnostics` (checking the current state first, so
 * an event that fired before the wait began is not missed). Timeouts are safety nets that fail
 * with what was seen.
 */
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const vscode = require('vscode');
const { schemaDescriptions, words } = require('../lib/expectations.js');

const SOURCE = 'cilium-policy';
const EXTENSION_ID = 'cilium-policy.cilium-policy';
const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
/** How long one wait may take: the first one includes the server's start on a busy CI machine. */
const WAIT_MS = 60_000;

/** The test workspace folder (a scratch copy of `test/e2e/workspace/` opened by the runner). */
function workspaceRoot() {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('the runner opened no workspace folder');
  return folder.uri;
}

/** @param {string} rel */
function fileUri(rel) {
  return vscode.Uri.joinPath(workspaceRoot(), ...rel.split('/'));
}

/**
 * Opens a fixture in an editor (which also activates the extension through `onLanguage:yaml`).
 * @param {string} rel
 */
async function openFixture(rel) {
  const doc = await vscode.workspace.openTextDocument(fileUri(rel));
  const editor = await vscode.window.showTextDocument(doc, { preview: false });
  if (doc.languageId !== 'yaml') throw new Error(`${rel} opened as ${doc.languageId}, not yaml`);
  return { doc, editor };
}

/** The diagnostic's code as a string (rule findings carry `{ value, target }` with a docs link). @param {vscode.Diagnostic} d */
function codeOf(d) {
  const c = d.code;
  return typeof c === 'object' && c !== null ? String(c.value) : String(c);
}

/** Our diagnostics on a document. @param {vscode.Uri} uri */
function ours(uri) {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === SOURCE);
}

/** @param {vscode.Diagnostic[]} list */
function describeDiagnostics(list) {
  return JSON.stringify(
    list.map(
      (d) =>
        `${d.source}:${codeOf(d)}@${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character}`,
    ),
  );
}

/**
 * Resolves with all diagnostics of `uri` once `pred` holds for them: now, or after a later
 * diagnostics change of that document.
 * @param {vscode.Uri} uri
 * @param {(all: vscode.Diagnostic[]) => boolean} pred
 * @param {string} what
 * @param {number} [ms]
 * @returns {Promise<vscode.Diagnostic[]>}
 */
function waitForDiagnostics(uri, pred, what, ms = WAIT_MS) {
  return new Promise((resolve, reject) => {
    const key = uri.toString();
    const current = () => vscode.languages.getDiagnostics(uri);
    if (pred(current())) return resolve(current());
    const sub = vscode.languages.onDidChangeDiagnostics((e) => {
      if (!e.uris.some((u) => u.toString() === key)) return;
      const now = current();
      if (pred(now)) {
        clearTimeout(timer);
        sub.dispose();
        resolve(now);
      }
    });
    const timer = setTimeout(() => {
      sub.dispose();
      reject(
        new Error(
          `timed out after ${ms} ms waiting for ${what} on ${path.basename(uri.path)}; diagnostics now ${describeDiagnostics(current())}`,
        ),
      );
    }, ms);
  });
}

/**
 * Waits until our diagnostics include one with `code`.
 * @param {vscode.Uri} uri
 * @param {string} code
 */
function waitForCode(uri, code) {
  return waitForDiagnostics(
    uri,
    (all) => all.some((d) => d.source === SOURCE && codeOf(d) === code),
    `a ${code} diagnostic`,
  );
}

/** @param {vscode.Position} p */
function pos(p) {
  return { line: p.line, character: p.character };
}

/** Hover contents as plain text. @param {vscode.Hover[]} hovers */
function hoverText(hovers) {
  return hovers
    .flatMap((h) => h.contents)
    .map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : ''))
    .join('\n');
}

/** The labels of a completion result. @param {vscode.CompletionList} list */
function completionLabels(list) {
  return list.items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
}

module.exports = {
  SOURCE,
  EXTENSION_ID,
  REPO_ROOT,
  WAIT_MS,
  workspaceRoot,
  fileUri,
  openFixture,
  codeOf,
  ours,
  describeDiagnostics,
  waitForDiagnostics,
  waitForCode,
  pos,
  hoverText,
  words,
  schemaDescriptions,
  completionLabels,
};
