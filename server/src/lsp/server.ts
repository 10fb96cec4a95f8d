// SPDX-License-Identifier: Apache-2.0
/**
 * The language server: builds the shared {@link Session} and the feature modules, and lets each
 * register its own handlers on the connection. Diagnostics come from `lintFile` (the same code the
 * CLI runs, `lint-scheduler.ts`), completion and hover from the core and yaml-language-server
 * (`assist.ts`), symbols from the core outline (`symbols.ts`), quick fixes and lenses from
 * `code-actions.ts`, the endpoint preview from `preview-service.ts`, the New Policy wizard's
 * requests from `templates.ts`, connectivity verdicts, PolicyTests and the matrix from
 * `connectivity.ts`; `lifecycle.ts` answers `initialize` and forwards what several modules share. Every handler is guarded: an exception is logged and answered as an error.
 */
import type { Connection } from 'vscode-languageserver';
import type { PolicyFile } from '../core/document.js';
import type { Finding } from '../core/findings.js';
import { SchemaValidator, type SchemaFiles } from '../core/schema-validation.js';
import { loadSchemaFiles } from '../io/schema-files.js';
import { registerAssist } from './assist.js';
import { registerCodeActions } from './code-actions.js';
import { CompareService } from './compare-service.js';
import { Connectivity } from './connectivity.js';
import { DryRunService } from './dryrun-service.js';
import { KernelTargetsService } from './kernel-targets-service.js';
import { ClusterAssist } from './completion.js';
import { registerLifecycle, type ServerInfo } from './lifecycle.js';
import { LintScheduler } from './lint-scheduler.js';
import { PreviewService } from './preview-service.js';
import { ReplayService } from './replay-service.js';
import { Session, type InputMonitor } from './session.js';
import { Symbols } from './symbols.js';
import { registerTemplates } from './templates.js';
import { registerWorkspaceLint } from './workspace-lint.js';
import { YamlFeatures } from './yaml-service.js';

export type { ServerInfo } from './lifecycle.js';

/** Options mostly for tests: the schemas to serve (default: the bundled ones). */
export interface ServerOptions {
  readonly schemaFiles?: SchemaFiles;
  readonly info?: ServerInfo;
  /** The connection's message strategy, when it is an `EditCoalescer` (what the server reads of the input). */
  readonly input?: InputMonitor;
}

/** Registers every handler on the connection and starts listening. */
export function startServer(connection: Connection, options: ServerOptions = {}): void {
  const session = new Session(connection, options.input);

  // One validator and one yaml-language-server per process; schemas are loaded once at start.
  let schemaFiles: SchemaFiles;
  try {
    schemaFiles = options.schemaFiles ?? loadSchemaFiles();
  } catch (e) {
    schemaFiles = {};
    // Logged once the connection is listening (console messages before listen are dropped).
    setImmediate(() => session.log(`cilium-policy: bundled schemas could not be loaded: ${(e as Error).message}`));
  }
  const validator = new SchemaValidator(schemaFiles);
  const yaml = new YamlFeatures(schemaFiles);

  const preview = new PreviewService(connection, session);
  const connectivity = new Connectivity(connection, session, preview);
  // The flow replay's warnings are linted with the document's other findings; it relints when a log comes or goes.
  let relint = (): void => undefined;
  const replay = new ReplayService(connection, session, preview, {
    agentLayers: (uri, inventory) => connectivity.verdicts.agentLayers(uri, inventory),
    relint: () => relint(),
  });
  const extraFindings = (uri: string, file: PolicyFile, found: readonly Finding[]): Finding[] => [
    ...connectivity.findings(uri, file, found),
    ...replay.findings(uri, file),
  ];
  const lint = new LintScheduler(connection, session, validator, {
    inventory: (uri) => preview.lintInventory(uri),
    scope: (uri) => preview.lintScope(uri),
    scopeGeneration: () => preview.scopeGeneration(),
    extraFindings,
  });
  const symbols = new Symbols(connection, session);
  preview.onDidChangeInventory(() => lint.inventoryChanged());

  const workspaceLint = registerWorkspaceLint(connection, session, validator, {
    inventory: () => preview.lintInventory(),
    scope: (uri) => preview.lintScope(uri),
    scopeGeneration: () => preview.scopeGeneration(),
    extraFindings,
  });
  preview.onDidChangeInventory(() => workspaceLint.inputsChanged());
  relint = () => {
    lint.lintAll();
    workspaceLint.relintAll();
  };

  const cluster = new ClusterAssist(session, yaml, { index: (uri) => preview.lintInventory(uri) });
  registerLifecycle(connection, {
    workspaceLint,
    warmSteps: [() => cluster.warm()],
    session,
    validator,
    yaml,
    lint,
    preview,
    symbols,
    ...(options.info ? { info: options.info } : {}),
  });
  // Lint before the inventory hears of a change: an open document is linted at once, and its
  // lint flushes the document into the inventory itself.
  lint.register();
  registerAssist(connection, session, yaml, [connectivity], cluster);
  registerCodeActions(connection, session, lint, preview);
  symbols.register();
  registerTemplates(connection, session);
  preview.register();
  connectivity.register((uri) => lint.relint(uri));
  new DryRunService(connection, session, () => preview.canRefreshCodeLenses).register();
  new KernelTargetsService(connection, session, () => preview.lintInventory()).register();
  replay.register();
  new CompareService(connection, session, preview, replay).register();

  session.documents.listen(connection);
  connection.listen();
}
