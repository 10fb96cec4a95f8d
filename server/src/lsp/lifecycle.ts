// SPDX-License-Identifier: Apache-2.0
/**
 * The server's life cycle and the events several modules share: `initialize` (capabilities, where
 * settings come from, the workspace folders), `initialized` (warm-up, file watchers, dynamic
 * registration), configuration changes and watched files.
 */
import {
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  TextDocumentSyncKind,
  type Connection,
  type InitializeParams,
  type InitializeResult,
} from 'vscode-languageserver';
import { CONFIG_FILE_NAME } from '../config.js';
import { WorkspaceTrustNotification, type InitializationOptions } from '../protocol.js';
import type { SchemaValidator } from '../core/schema-validation.js';
import { assistCapabilities } from './assist.js';
import { codeActionCapabilities } from './code-actions.js';
import { notify } from './guard.js';
import type { LintScheduler } from './lint-scheduler.js';
import type { PreviewService } from './preview-service.js';
import type { Session } from './session.js';
import { CONFIG_SECTION, SettingsStore } from './settings-store.js';
import type { Symbols } from './symbols.js';
import type { WorkspaceLintHandle } from './workspace-lint.js';
import type { YamlFeatures } from './yaml-service.js';
import { warmUp, type Step } from './warm-up.js';

/** The server's name and version as reported in `initialize`. */
export interface ServerInfo {
  readonly name: string;
  readonly version: string;
}

/** The modules the life-cycle events are forwarded to. */
export interface LifecycleParts {
  readonly session: Session;
  readonly validator: SchemaValidator;
  readonly yaml: YamlFeatures;
  readonly lint: LintScheduler;
  readonly preview: PreviewService;
  readonly symbols: Symbols;
  readonly info?: ServerInfo;
  /** Lint Workspace: follows the files it linted on disk. */
  readonly workspaceLint?: WorkspaceLintHandle;
  /** One-time work of other features for the start-up warm-up. */
  readonly warmSteps?: readonly Step[];
}

/** Registers `initialize`, `initialized`, `workspace/didChangeConfiguration` and `workspace/didChangeWatchedFiles`. */
export function registerLifecycle(connection: Connection, parts: LifecycleParts): void {
  const { session, lint, preview } = parts;
  const { log, projectConfigs } = session;
  let watchConfigFiles = false;

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    const caps = params.capabilities;
    const lookupProject = (uri: string) => projectConfigs.lookup(uri);
    if (caps.workspace?.configuration) {
      session.settings = new SettingsStore(
        async (uri) => {
          const [section] = (await connection.workspace.getConfiguration([
            { scopeUri: uri, section: CONFIG_SECTION },
          ])) as unknown[];
          return section;
        },
        log,
        lookupProject,
      );
    }
    const init = params.initializationOptions as InitializationOptions | null | undefined;
    const pushed = init?.settings;
    if (pushed !== undefined) session.settings.changed({ settings: pushed });
    projectConfigs.setTrusted(init?.workspaceTrusted === true);
    const folders = params.workspaceFolders?.map((f) => f.uri) ?? (params.rootUri ? [params.rootUri] : []);
    projectConfigs.setRoots(folders);
    watchConfigFiles = caps.workspace?.didChangeWatchedFiles?.dynamicRegistration === true;
    preview.initialize(params);
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
        ...assistCapabilities(),
        ...codeActionCapabilities(),
        ...parts.symbols.initialize(params),
        ...preview.capabilities(),
      },
      serverInfo: parts.info ?? { name: 'cilium-policy-language-server', version: '0.0.0' },
    };
  });

  connection.onInitialized(() => {
    warmUp(parts.validator, parts.yaml, parts.session, parts.lint, parts.warmSteps);
    if (watchConfigFiles) {
      connection.client
        .register(DidChangeWatchedFilesNotification.type, {
          watchers: [{ globPattern: `**/${CONFIG_FILE_NAME}` }, ...preview.watchers()],
        })
        .catch(() => {
          /* no file watching: the file is read once per folder */
        });
    }
    preview.initialized();
    // VS Code only sends didChangeConfiguration to servers that register for it.
    if (session.settings.pulls) {
      connection.client.register(DidChangeConfigurationNotification.type, { section: CONFIG_SECTION }).catch(() => {
        /* the client cannot register dynamically; pushed settings still arrive */
      });
    }
  });

  connection.onDidChangeConfiguration(
    notify(
      'workspace/didChangeConfiguration',
      (params) => {
        session.settings.changed(params);
        lint.lintAll();
        parts.workspaceLint?.relintAll();
        void preview.configurationChanged();
      },
      log,
    ),
  );

  connection.onNotification(
    WorkspaceTrustNotification.type,
    notify(
      WorkspaceTrustNotification.method,
      (params: WorkspaceTrustNotification.Params | null) => {
        if (!projectConfigs.setTrusted(params?.trusted === true)) return;
        session.settings.invalidate();
        lint.lintAll();
        parts.workspaceLint?.relintAll();
      },
      log,
    ),
  );

  connection.onDidChangeWatchedFiles(
    notify(
      'workspace/didChangeWatchedFiles',
      (params) => {
        preview.filesChanged(params.changes);
        parts.workspaceLint?.filesChanged(params.changes);
        if (!params.changes.some((c) => c.uri.endsWith(CONFIG_FILE_NAME))) return;
        projectConfigs.reset();
        session.settings.invalidate();
        lint.lintAll();
        parts.workspaceLint?.relintAll();
      },
      log,
    ),
  );
}
