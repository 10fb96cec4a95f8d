// SPDX-License-Identifier: Apache-2.0
/** Builds the language client that runs the bundled server (`dist/server.js`) over Node IPC. */
import * as vscode from 'vscode';
import {
  LanguageClient,
  TransportKind,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';

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

/** Creates (but does not start) the language client. */
export function createClient(context: vscode.ExtensionContext, output: vscode.OutputChannel): LanguageClient {
  const module = context.asAbsolutePath('dist/server.js');
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', `--inspect=${DEBUG_PORT}`] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: DOCUMENT_SELECTOR,
    synchronize: { configurationSection: CONFIG_SECTION },
    outputChannel: output,
    diagnosticCollectionName: 'cilium-policy',
  };
  return new LanguageClient(CLIENT_ID, 'Cilium Policy', serverOptions, clientOptions);
}
