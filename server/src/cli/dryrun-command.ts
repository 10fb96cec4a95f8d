// SPDX-License-Identifier: Apache-2.0
/**
 * `cilium-policy dryrun --events FILE [--format text|json] POLICY-FILE...`: replays Tetragon events
 * recorded with `tetra getevents -o json` against candidate TracingPolicies, with the dry-run engine
 * (`server/src/dryrun`). Events stream through the bounded JSON-lines reader (`io/json-lines.ts`:
 * one line in memory at a time, long lines, NUL bytes, invalid UTF-8 and nesting bombs counted and
 * skipped, a growing file read up to its size at the start); results are written as they are found. Exit status: 0 when no event would meet an enforcing action (Sigkill, Signal,
 * Override, NotifyEnforcer), 1 when at least one would, 2 on a usage error or unreadable input.
 */
import * as fs from 'node:fs';
import { parseFile } from '../core/document.js';
import { SchemaValidator } from '../core/schema-validation.js';
import { LineIndex } from '../core/line-index.js';
import { loadSchemaFiles } from '../io/schema-files.js';
import { readJsonLines, describeJsonLinesSummary, type JsonLinesSummary } from '../io/json-lines.js';
import { lintFile } from '../lint/lint.js';
import { DEFAULT_SETTINGS } from '../settings.js';
import { DryRun, enforces, type DryRunResult, type PolicyInput } from '../dryrun/index.js';
import { errorLine, printable } from './format.js';
import { expandInputs, readInputFile, STDIN_NAME } from './inputs.js';
import { describeError, EXIT, UsageError, type CliIO, type OutputFormat } from './common.js';
import { splitOptions } from './options.js';

/** Options of one dry run. */
export interface DryrunOptions {
  readonly kind: 'dryrun';
  /** The events file; `-` reads standard input. */
  readonly events: string;
  readonly format: OutputFormat;
  readonly inputs: readonly string[];
}

/** The `dryrun` part of `--help`. */
export const DRYRUN_HELP = `cilium-policy dryrun --events FILE [--format text|json] POLICY-FILE...
  Replays Tetragon events against TracingPolicies before they enforce: for every
  recorded hook event and every hook of the policies that names the same hook,
  would the selectors match, and what would the actions do?
  --events FILE      events as \`tetra getevents -o json\` prints them (one JSON
                     object per line; - for standard input)
  --format FORMAT    text (default) or json
  Exit status: 0 no event would meet an enforcing action (Sigkill, Signal,
  Override, NotifyEnforcer), 1 at least one would, 2 usage or I/O error.
`;

/** The options of `dryrun`, for `util.parseArgs`. */
const DRYRUN_OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  events: { type: 'string' },
  format: { type: 'string' },
} as const;

/** Parses the arguments after `dryrun`. Throws `UsageError`. */
export function parseDryrunArgs(rest: readonly string[]): DryrunOptions | { readonly kind: 'help' } {
  let events: string | undefined;
  let format: OutputFormat = 'text';
  const args = splitOptions(rest, DRYRUN_OPTIONS);
  for (const { name, value } of args.options) {
    switch (name) {
      case 'help':
        return { kind: 'help' };
      case 'events':
        if (value === undefined || value === '')
          throw new UsageError('--events needs a file of events (or - for standard input)');
        events = value;
        break;
      case 'format':
        if (value !== 'text' && value !== 'json')
          throw new UsageError(`--format must be text or json${value === undefined ? '' : `, not "${value}"`}`);
        format = value;
        break;
      default:
        throw new UsageError(`unknown option ${name} for dryrun`);
    }
  }
  const inputs = args.inputs;
  if (events === undefined)
    throw new UsageError('dryrun needs --events FILE (the events recorded with tetra getevents -o json)');
  if (inputs.length === 0) throw new UsageError('no policy file given; pass the TracingPolicy files to dry-run');
  if (events === '-' && inputs.includes('-'))
    throw new UsageError('standard input cannot hold both the events and a policy');
  return { kind: 'dryrun', events, format, inputs };
}

/** The longest event line read (longer ones are counted as `too-long` and skipped). */
export const MAX_EVENT_LINE_BYTES = 16 * 1024 * 1024;

/** The deepest nesting of an event line (Tetragon's events nest a few levels; deeper is hostile). */
export const MAX_EVENT_DEPTH = 64;

/**
 * Where the events come from, for `readJsonLines`: a regular file by path (read up to its size when
 * reading starts), standard input, or a pipe or device the user named (`<(tetra getevents …)`) as
 * a stream. Either way one line is held at most, and at most 16 MiB of it: a longer line is
 * counted and skipped, never buffered.
 */
function eventSource(file: string | undefined, stat: fs.Stats | undefined): string | NodeJS.ReadableStream {
  if (file === undefined) return process.stdin;
  return stat?.isFile() === false ? fs.createReadStream(file) : file;
}

// ---------------------------------------------------------------------------------------------
// Output

/**
 * One result as JSON text, in the shape the issue specifies: `line` first (the event's line) and,
 * for a match, `selector` and `line` again (the selector's line in the policy file). JSON parsers
 * keep only the last of two equal keys, so the same numbers are also given as `eventLine` and
 * `selectorLine`.
 */
export function resultJson(r: DryRunResult): string {
  const parts: string[] = [`"line":${r.eventLine}`, `"eventLine":${r.eventLine}`];
  const put = (k: string, v: unknown) => {
    if (v !== undefined) parts.push(`${JSON.stringify(k)}:${JSON.stringify(v)}`);
  };
  put('time', r.time);
  put('node', r.node);
  put('hook', r.hook);
  put('process', r.process);
  put('policy', r.policy);
  put('hookLine', r.hookLine);
  put('match', r.match);
  if (r.selector !== undefined) {
    put('selector', r.selector);
    parts.push(`"line":${r.selectorLine}`);
    put('selectorLine', r.selectorLine);
  }
  put('actions', r.actions);
  put('reason', r.reason);
  return `{${parts.join(',')}}`;
}

/** One result as a line of text (matches and unknowns; no-matches are only counted). */
export function resultText(r: DryRunResult, eventsName: string): string {
  const where = r.selector !== undefined ? `${r.policy.file}:${r.selectorLine}` : `${r.policy.file}:${r.hookLine}`;
  const actions = r.actions
    .map(
      (a) =>
        `${a.action}${a.argError !== undefined ? `(${a.argError})` : ''}${a.argSig !== undefined ? `(${a.argSig})` : ''}${a.performed === false ? ' [not performed]' : ''}${a.rateLimited ? ' [rate-limited]' : ''}`,
    )
    .join(', ');
  const proc = [
    r.process.binary ?? '?',
    r.process.arguments,
    r.process.pod !== undefined ? `pod ${r.process.pod}` : undefined,
    r.process.pid !== undefined ? `pid ${r.process.pid}` : undefined,
  ]
    .filter((x) => x !== undefined && x !== '')
    .join(' ');
  const verdict =
    r.match === 'match'
      ? `match ${r.policy.name} selector ${r.selector ?? '-'}${actions ? ` → ${actions}` : ''}`
      : `unknown ${r.policy.name}: ${r.reason}${actions ? ` (would run ${actions})` : ''}`;
  const event = `${eventsName}:${r.eventLine}${r.node ? ` ${r.node}` : ''} ${r.hook.kind} ${r.hook.name}: ${proc}`;
  return printable(`${where}: ${verdict}; ${event}`);
}

// ---------------------------------------------------------------------------------------------
// The command

class Failure extends Error {}

/** Reads the candidate policies; warns about lint errors and hooks the dry run skips. */
async function readPolicies(opts: DryrunOptions, io: CliIO): Promise<PolicyInput[]> {
  const expansion = expandInputs(opts.inputs, io.cwd);
  if (expansion.errors.length) throw new Failure(expansion.errors.join('\n'));
  let validator: SchemaValidator | undefined;
  try {
    validator = new SchemaValidator(loadSchemaFiles());
  } catch {
    // Lint is a courtesy here; the dry run does not need the schemas.
  }
  const out: PolicyInput[] = [];
  for (const input of expansion.inputs) {
    let text: string;
    try {
      text = input.file === undefined ? await io.readStdin() : readInputFile(input.file);
    } catch (e) {
      throw new Failure(`cannot read ${input.display}: ${describeError(e)}`);
    }
    const file = parseFile(text);
    const lines = new LineIndex(text);
    const findings = validator ? lintFile(file, { validator, settings: DEFAULT_SETTINGS }) : [];
    for (const doc of file.documents) {
      if (doc.kind?.kind !== 'TracingPolicy' && doc.kind?.kind !== 'TracingPolicyNamespaced') continue;
      const line = lines.positionAt(doc.span.start).line + 1;
      const errors = findings.filter(
        (f) => f.severity === 'error' && f.span.start >= doc.span.start && f.span.start <= doc.span.end,
      ).length;
      if (doc.templated || doc.data === undefined) {
        io.stderr(
          `cilium-policy: warning: ${printable(input.display)}:${line}: ${doc.kind.kind} could not be read (template or broken YAML); skipped\n`,
        );
        continue;
      }
      if (errors > 0)
        io.stderr(
          `cilium-policy: warning: ${printable(input.display)}:${line}: ${doc.kind.kind} ${printable(doc.name ?? '')} has ${errors} lint error${errors === 1 ? '' : 's'} (see cilium-policy lint); dry-run where it can be\n`,
        );
      out.push({ file: input.display, text, doc });
    }
  }
  return out;
}

/** Runs the dryrun command and returns the exit status. Never throws for bad input. */
export async function runDryrun(opts: DryrunOptions, io: CliIO): Promise<number> {
  let dr: DryRun;
  let stat: fs.Stats | undefined;
  const eventsFile = opts.events === '-' ? undefined : opts.events;
  const eventsName = eventsFile ?? STDIN_NAME;
  try {
    const policies = await readPolicies(opts, io);
    dr = new DryRun(policies);
    if (dr.policies.length === 0)
      throw new Failure('no TracingPolicy or TracingPolicyNamespaced found in the policy files');
    for (const p of dr.policies) {
      for (const s of p.skipped)
        io.stderr(errorLine(`warning: ${p.file}:${s.line}: ${s.label} is skipped: ${s.reason}`));
      for (const a of p.assumptions) io.stderr(errorLine(`note: ${p.file}: ${p.kind} ${p.name}: ${a}`));
      for (const r of p.refused)
        io.stderr(
          errorLine(`warning: ${p.file}: ${p.kind} ${p.name}: the agent would refuse it (${r}); dry-run anyway`),
        );
    }
    if (eventsFile !== undefined) {
      try {
        stat = fs.statSync(eventsFile);
      } catch (e) {
        throw new Failure(`cannot read ${eventsFile}: ${describeError(e)}`);
      }
      if (stat.isDirectory()) throw new Failure(`cannot read ${eventsFile}: is a directory`);
    }
  } catch (e) {
    if (!(e instanceof Failure)) throw e;
    for (const line of e.message.split('\n')) io.stderr(errorLine(line));
    return EXIT.failure;
  }

  const json = opts.format === 'json';
  let first = true;
  let enforcingHits = 0;
  // Results are written as they come, so memory stays flat whatever the size of the events file;
  // the counts follow the results in the JSON object.
  if (json) io.stdout('{"results":[');
  let summary: JsonLinesSummary;
  try {
    summary = await readJsonLines(
      eventSource(eventsFile, stat),
      (value, lineNo) => {
        for (const r of dr.feedValue(value, lineNo)) {
          if (r.match === 'match' && enforces(r.actions)) enforcingHits++;
          if (json) {
            io.stdout(`${first ? '\n' : ',\n'}${resultJson(r)}`);
            first = false;
          } else if (r.match !== 'no-match') io.stdout(`${resultText(r, eventsName)}\n`);
        }
      },
      {
        maxLineBytes: MAX_EVENT_LINE_BYTES,
        maxDepth: MAX_EVENT_DEPTH,
        onProblem: (p) => dr.countUnreadable(p.kind),
      },
    );
  } catch (e) {
    if (json) io.stdout('\n]}\n');
    io.stderr(errorLine(`cannot read ${eventsName}: ${describeError(e)}`));
    return EXIT.failure;
  }
  const c = dr.counts;
  const skipped = { otherType: c.otherType, unparsable: c.unparsable, unknownType: c.unknownType };
  const reading = {
    lines: summary.lines,
    empty: summary.empty,
    problems: Object.fromEntries(Object.entries(summary.problems).filter(([, n]) => n > 0)),
    grew: summary.grew,
  };
  if (json)
    io.stdout(
      `${first ? '' : '\n'}],"events":${c.events},"skipped":${JSON.stringify(skipped)},"reading":${JSON.stringify(reading)}}\n`,
    );
  const unknownTypes = [...c.unknownTypes].map(([t, n]) => `${t} ×${n}`).join(', ');
  const unreadable = [...c.unreadable].map(([k, n]) => `${n} ${k.replace(/-/g, ' ')}`).join(', ');
  io.stderr(
    `${c.events} event${c.events === 1 ? '' : 's'} read (${c.hookEvents} hook events; skipped: ${c.otherType} of other types, ${c.unknownType} of unknown types${unknownTypes ? ` (${printable(unknownTypes)})` : ''}, ${c.unparsable} unparsable${unreadable ? ` (${unreadable})` : ''}); ` +
      `${c.match} match${c.match === 1 ? '' : 'es'} (${enforcingHits} enforcing), ${c.unknown} unknown, ${c.noMatch} no-match\n`,
  );
  // Lines the reader could not use are named by kind, with where the first one is (never quoted).
  const firstUnusable = summary.firstProblems[0];
  if (summary.grew || firstUnusable)
    io.stderr(
      errorLine(
        `note: ${eventsName}: ${describeJsonLinesSummary(summary)}${firstUnusable ? `; first unusable at line ${firstUnusable.line}` : ''}`,
      ),
    );
  return enforcingHits > 0 ? EXIT.errors : EXIT.ok;
}
