// SPDX-License-Identifier: Apache-2.0
/** Builds the language client that runs the bundled server (`dist/server.js`) over Node IPC. */
import * as vscode from 'vscode';
import {
  CloseAction,
  ErrorAction,
  LanguageClient,
  TransportKind,
  type ErrorHandler,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import { COMMANDS } from './commands.js';
import { connectionErrorAction, gaveUpMessage, restartingMessage, RestartBudget } from './crash-policy.js';

/** The client id: also the prefix of the `ciliumPolicy.trace.server` setting the library reads. */
export const CLIENT_ID = 'ciliumPolicy';

/** The configuration section the server pulls per document and is told about on change. */
export const CONFIG_SECTION = 'ciliumPolicy';

/** Port of the Node inspector in the debug variant, fixed so a launch config can attach. */
export const DEBUG_PORT = 6011;

/**
 * YAML on disk and in unsaved editors. Other schemes (git diffs, remote file systems) are left
 * out on purpose: the server works on the text it is sent, but those views are read-only copies.
 */
export const DOCUMENT_SELECTOR = [
  { scheme: 'file', language: 'yaml' },
  { scheme: 'untitled', language: 'yaml' },
];

/**
 * What happens when the server dies: it is started again, at most four times in three minutes
 * (the figures of vscode-languageclient's default, made explicit here so the limit is ours and
 * tested); the next crash stops the restarts and says so in our words, with the way out.
 * Every client gets a fresh budget, so the Restart command after giving up starts over.
 */
export function createErrorHandler(output: vscode.OutputChannel, now: () => number = Date.now): ErrorHandler {
  const budget = new RestartBudget();
  return {
    error: (error, _message, count) => {
      const action = connectionErrorAction(error, count);
      // The server died with messages on their way: `closed` follows and applies the budget.
      if (action === 'wait')
        return {
          action: ErrorAction.Continue,
          message: `cilium-policy: a message could not reach the server (${error.message}); it has stopped.`,
          handled: true,
        };
      return { action: action === 'continue' ? ErrorAction.Continue : ErrorAction.Shutdown };
    },
    closed: () => {
      if (budget.crashed(now())) {
        // `handled`: logged to the output channel only; a single crash is not worth a pop-up.
        return { action: CloseAction.Restart, message: restartingMessage(budget.recent), handled: true };
      }
      // The library writes `message` to the output channel too (as it does for restarts).
      const message = gaveUpMessage(budget.recent);
      // Not awaited: the library waits for this handler, and the user may never answer.
      void vscode.window.showErrorMessage(message, 'Show Output', 'Restart Server').then((choice) => {
        if (choice === 'Show Output') output.show(true);
        else if (choice === 'Restart Server') void vscode.commands.executeCommand(COMMANDS.restartServer);
      });
      // `handled`: the message above replaces the library's own, which has no buttons.
      return { action: CloseAction.DoNotRestart, message, handled: true };
    },
  };
}

/** Node flags the server runs with; `scripts/bench.mjs` starts it the same way. */
export const SERVER_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=4'];

/** Creates (but does not start) the language client. */
export function createClient(context: vscode.ExtensionContext, output: vscode.OutputChannel): LanguageClient {
  const module = context.asAbsolutePath('dist/server.js');
  const serverOptions: ServerOptions = {
    // A smaller young generation: the server's garbage is short-lived parse trees, and this keeps
    // its peak memory near half of yaml-language-server's at the same CPU per edit (docs/performance.md).
    run: { module, transport: TransportKind.ipc, options: { execArgv: [...SERVER_NODE_FLAGS] } },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', `--inspect=${DEBUG_PORT}`] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: DOCUMENT_SELECTOR,
    synchronize: { configurationSection: CONFIG_SECTION },
    outputChannel: output,
    diagnosticCollectionName: 'cilium-policy',
    errorHandler: createErrorHandler(output),
    // Evaluated at every (re)start: the server lets `.cilium-policy.yaml` set the keys that read
    // other files only in a trusted workspace; a later grant is sent as `ciliumPolicy/workspaceTrust`.
    initializationOptions: () => ({ workspaceTrusted: vscode.workspace.isTrusted }),
  };
  return new LanguageClient(CLIENT_ID, 'Cilium Policy', serverOptions, clientOptions);
}
