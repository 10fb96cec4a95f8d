// SPDX-License-Identifier: Apache-2.0
/**
 * `cilium-policy lint`: the same core the language server runs (parse, lint, one schema validator
 * for the whole process), with findings placed by `LineIndex` and printed as text, JSON or SARIF.
 */
import { readRegularTextFileSync } from '../io/safe-paths.js';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseFile, wrongApiVersion, type PolicyFile } from '../core/document.js';
import { SEVERITIES, type Severity } from '../core/findings.js';
import { LineIndex } from '../core/line-index.js';
import { lintFile } from '../lint/lint.js';
import { scopeDocuments, type LintScope, type ScopeDocument } from '../lint/scope.js';
import { SchemaValidator } from '../core/schema-validation.js';
import { loadSchemaFiles } from '../io/schema-files.js';
import { binaryLookupFor } from '../io/binaries.js';
import { CONFIG_FILE_NAME, mergeSettings, parseProjectConfig, type ProjectConfig } from '../config.js';
import type { Settings } from '../settings.js';
import { describeError, EXIT, type CliIO, type LintFormat } from './common.js';
import { errorLine, jsonOutput, SOURCE, summaryLine, textLine, type Located } from './format.js';
import { expandInputs, readInputFile, type Input } from './inputs.js';
import { sarifLog } from './sarif.js';
import { EndpointIndex } from '../core/preview.js';
import { nodePools } from '../core/tetragon/targets.js';
import { FileCache, InputFailure, loadInventory } from './test-command.js';

/** Options of one lint run. */
export interface LintOptions {
  readonly format: LintFormat;
  readonly ciliumVersion: string | undefined;
  readonly tetragonVersion: string | undefined;
  /** Fail when more warnings than this were found; undefined for no limit. */
  readonly maxWarnings?: number | undefined;
  /** Report errors only. */
  readonly quiet?: boolean;
  /** The project configuration file to use instead of the nearest `.cilium-policy.yaml`. */
  readonly config?: string | undefined;
  /** Where USDT binaries are read ('' for off); undefined for the project file's setting or `/`. */
  readonly binaryRoot?: string | undefined;
  /** `--inventory` paths: workloads for the inventory rules, Nodes for the kernel targets. */
  readonly inventory?: readonly string[];
  readonly inputs: readonly string[];
}

/**
 * How much input text the first pass keeps parsed for the second (bytes of text); beyond it, files
 * are read and parsed again rather than held in memory all at once.
 */
const KEEP_PARSED_BYTES = 8 * 1024 * 1024;

/** Runs the lint command and returns the exit status. Never throws for bad input. `version` goes into SARIF output. */
export async function runLint(opts: LintOptions, io: CliIO, version = 'unknown'): Promise<number> {
  const expansion = expandInputs(opts.inputs, io.cwd);
  if (expansion.errors.length) {
    // Nothing is linted when an argument is wrong: a partial report would look like a clean one.
    for (const e of expansion.errors) io.stderr(errorLine(e));
    return EXIT.failure;
  }

  let validator: SchemaValidator;
  try {
    validator = new SchemaValidator(loadSchemaFiles());
  } catch (e) {
    io.stderr(errorLine(`cannot load the bundled schemas: ${(e as Error).message}`));
    return EXIT.failure;
  }
  const settings = cliSettings(opts, io);
  if (settings === undefined) return EXIT.failure;
  const binaries = binaryLookupFor(settings.tetragonBinaryRoot);
  let inventory: EndpointIndex | undefined;
  if (opts.inventory && opts.inventory.length > 0) {
    try {
      const inv = loadInventory(opts.inventory, io.cwd, new FileCache(io.cwd), io);
      const pools = nodePools(inv.nodes);
      const n = (x: number, one: string) => `${x} ${one}${x === 1 ? '' : 's'}`;
      io.stderr(
        errorLine(
          `inventory: ${inv.description}: ${n(inv.endpoints.length, 'workload')}, ${n(inv.nodes.length, 'node')}` +
            (pools.length ? ` in ${n(pools.length, 'kernel pool')} (${pools.map((p) => p.name).join(', ')})` : ''),
        ),
      );
      inventory = new EndpointIndex(inv);
    } catch (e) {
      if (!(e instanceof InputFailure)) throw e;
      for (const line of e.message.split('\n')) io.stderr(errorLine(line));
      return EXIT.failure;
    }
  }

  const all: Located[] = [];
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  let files = 0;
  let policyDocuments = 0;
  let filesWithFindings = 0;
  let ioFailed = false;
  // Display name → file, for SARIF's artifact URIs (stdin has none).
  const fileOf = new Map<string, string | undefined>();
  // Warnings are counted for --max-warnings even when --quiet leaves them out of the report.
  let warningsFound = 0;

  // Cross-document rules (a DNS rule in another file covering an FQDN rule) see every input of the
  // run: a first pass reads and parses each input and keeps its policies for the scope.
  const documents: ScopeDocument[] = [];
  const kept = new Map<Input, { text: string; parsed: PolicyFile }>();
  const readable: Input[] = [];
  let keptBytes = 0;
  for (const input of expansion.inputs) {
    let text: string;
    try {
      text = await read(input, io);
    } catch (e) {
      io.stderr(errorLine(`cannot read ${input.display}: ${describeError(e)}`));
      ioFailed = true;
      continue;
    }
    readable.push(input);
    const parsed = parseFile(text);
    documents.push(...scopeDocuments(input.display, parsed));
    // stdin cannot be read twice; files beyond the budget are read again in the second pass.
    if (input.file === undefined || keptBytes + text.length <= KEEP_PARSED_BYTES) {
      kept.set(input, { text, parsed });
      keptBytes += text.length;
    }
  }
  const scope: LintScope = { documents };

  for (const input of readable) {
    let text: string;
    let parsed: PolicyFile;
    const known = kept.get(input);
    if (known) {
      ({ text, parsed } = known);
      kept.delete(input);
    } else {
      try {
        text = await read(input, io);
      } catch (e) {
        io.stderr(`cilium-policy: cannot read ${input.display}: ${describeError(e)}\n`);
        ioFailed = true;
        continue;
      }
      parsed = parseFile(text);
    }
    files++;
    fileOf.set(input.display, input.file);
    // Ours by kind, also with a wrong or missing apiVersion or as an unreadable template: those are
    // reported on, so they were checked.
    policyDocuments += parsed.documents.filter(
      (d) => d.kind !== undefined || d.templatedKind !== undefined || wrongApiVersion(d) !== undefined,
    ).length;
    const allFindings = lintFile(parsed, {
      validator,
      settings,
      ...(binaries ? { binaries } : {}),
      ...(inventory ? { inventory } : {}),
      scope,
      source: input.display,
    });
    warningsFound += allFindings.filter((f) => f.severity === 'warning').length;
    const findings = opts.quiet ? allFindings.filter((f) => f.severity === 'error') : allFindings;
    if (findings.length === 0) continue;
    filesWithFindings++;
    const lines = new LineIndex(text);
    const located = findings
      .map((f): Located => {
        const start = lines.positionAt(f.span.start);
        const end = lines.positionAt(Math.max(f.span.end, f.span.start));
        return {
          file: input.display,
          line: start.line + 1,
          column: start.character + 1,
          endLine: end.line + 1,
          endColumn: end.character + 1,
          severity: f.severity,
          code: f.code,
          source: SOURCE,
          message: f.message,
        };
      })
      .sort((a, b) => a.line - b.line || a.column - b.column);
    for (const f of located) {
      bySeverity[f.severity]++;
      all.push(f);
    }
    // Text goes out file by file, so a long run shows progress.
    if (opts.format === 'text') io.stdout(located.map((f) => `${textLine(f)}\n`).join(''));
  }

  if (opts.format === 'json') io.stdout(jsonOutput(all));
  else if (opts.format === 'sarif') {
    io.stdout(
      sarifLog(all, { version, cwd: io.cwd, absolutePathOf: (d) => fileOf.get(d), executionSuccessful: !ioFailed }),
    );
  } else io.stderr(`${summaryLine({ files, policyDocuments, filesWithFindings, bySeverity })}\n`);

  const tooManyWarnings = opts.maxWarnings !== undefined && warningsFound > opts.maxWarnings;
  if (tooManyWarnings) {
    io.stderr(
      `cilium-policy: ${warningsFound} warning${warningsFound === 1 ? '' : 's'} found, more than --max-warnings ${opts.maxWarnings} allows\n`,
    );
  }
  if (ioFailed) return EXIT.failure;
  return bySeverity.error > 0 || tooManyWarnings ? EXIT.errors : EXIT.ok;
}

/**
 * The settings of a run: defaults, then the project configuration (`--config`, or else the nearest
 * `.cilium-policy.yaml` in the working directory or above it), then the flags. Problems inside the
 * file are reported on stderr and do not stop the run; a `--config` file that cannot be read does
 * (undefined is returned after the reason was printed), since the user named it on purpose.
 */
function cliSettings(opts: LintOptions, io: CliIO): Settings | undefined {
  let project: ProjectConfig | undefined;
  let projectDir = io.cwd;
  if (opts.config !== undefined) {
    const file = path.resolve(io.cwd, opts.config);
    projectDir = path.dirname(file);
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (e) {
      io.stderr(errorLine(`cannot read --config ${opts.config}: ${describeError(e)}`));
      return undefined;
    }
    project = parseProjectConfig(text);
    for (const problem of project.problems) io.stderr(errorLine(`warning: ${opts.config}: ${problem}`));
  }
  const file = opts.config === undefined ? findUp(io.cwd, CONFIG_FILE_NAME) : undefined;
  if (file) {
    try {
      project = parseProjectConfig(readRegularTextFileSync(file));
      projectDir = path.dirname(file);
      for (const problem of project.problems)
        io.stderr(errorLine(`warning: ${path.relative(io.cwd, file) || file}: ${problem}`));
    } catch (e) {
      io.stderr(errorLine(`warning: cannot read ${file}: ${describeError(e)}`));
    }
  }
  // The same merge as the language server's, with the flags in the place of the editor's settings;
  // flags name releases explicitly, so they win over the file.
  const merged = mergeSettings({}, project);
  return {
    ...merged,
    ciliumVersion: opts.ciliumVersion ?? merged.ciliumVersion,
    tetragonVersion: opts.tetragonVersion ?? merged.tetragonVersion,
    // A folder given in the file starts at the file's folder; one given as a flag at the working directory.
    tetragonBinaryRoot:
      opts.binaryRoot !== undefined ? rooted(io.cwd, opts.binaryRoot) : rooted(projectDir, merged.tetragonBinaryRoot),
  };
}

/** An absolute `binaryRoot` ('' stays off). */
function rooted(dir: string, root: string): string {
  return root === '' ? '' : path.resolve(dir, root);
}

/** The path of `name` in `dir` or the nearest folder above it, if any. */
function findUp(dir: string, name: string): string | undefined {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    const candidate = path.join(d, name);
    if (fs.existsSync(candidate)) return candidate;
    if (path.dirname(d) === d) return undefined;
  }
}

async function read(input: Input, io: CliIO): Promise<string> {
  return input.file === undefined ? io.readStdin() : readInputFile(input.file);
}
