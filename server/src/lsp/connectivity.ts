// SPDX-License-Identifier: Apache-2.0
/**
 * Connectivity in the editor: the requests of `protocol.ts` that run PolicyTests, judge one flow,
 * list what a flow can name, add a case to a PolicyTest, compute a policy's connectivity matrix
 * and a workload's effective policy; the diagnostics of PolicyTest documents that need the
 * inventory (a case whose endpoint does not exist, a port name the destination lacks, a path that
 * names nothing); completion and hover inside PolicyTests from the inventory; and the
 * effective-policy hover over a workload manifest. Verdicts come from the engines of
 * {@link VerdictService}; this module only turns them into wire shapes with editor locations.
 */
import { fileURLToPath } from 'node:url';
import { ErrorCodes, ResponseError, type CompletionList, type Connection, type Hover } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { isObj } from '../core/data.js';
import { entityMeaning } from '../core/cilium/entities.js';
import { locate, nodeSpan, parseFile, type PolicyDocument, type PolicyFile } from '../core/document.js';
import { markdownCode, markdownText } from '../core/display-text.js';
import type { Finding, Span } from '../core/findings.js';
import type { Endpoint } from '../core/inventory.js';
import { networkPolicyKind } from '../core/kinds.js';
import { appendItem, insertEntry, lineEnding } from '../core/yaml-edits.js';
import { readTextFile } from '../io/workspace-files.js';
import {
  AddTestCaseRequest,
  CheckFlowRequest,
  ConnectivityEndpointsRequest,
  ConnectivityMatrixRequest,
  CoverageRequest,
  EffectivePolicyRequest,
  PolicyTestsRequest,
  RunPolicyTestsRequest,
  type WireCaseResult,
  type WireDirectionVerdict,
  type WireEffectivePolicy,
  type WireEndpointDirection,
  type WireFlow,
  type WireFlowVerdict,
  type WireMatrixEnd,
  type WirePolicyRef,
  type WireRange,
  type WireRuleRef,
  type WireTestItem,
  type WireTestProblem,
  type WireTestRun,
  type WireVerdictContext,
} from '../protocol.js';
import { coverage, unprotected } from '../semantics/coverage.js';
import { ENDPOINT_ENTITIES, type FlowEnd } from '../semantics/endpoints.js';
import {
  isInputError,
  type DirectionVerdict,
  type EffectivePolicy,
  type EndpointDirection,
  type Flow,
  type FlowVerdict,
} from '../semantics/engine.js';
import { connectivityMatrix, portsOf, updateMatrix, type MatrixCell } from '../semantics/matrix.js';
import type { PolicyRef, RuleRef, SubjectRef } from '../semantics/model.js';
import {
  caseFlow,
  endpointProblems,
  readPolicyTest,
  runCase,
  type PolicyTest,
  type TestProblem,
} from '../semantics/policy-test.js';
import {
  inventoryNamespaces,
  policyTestCompletions,
  policyTestHover,
  workloadRefs,
} from '../semantics/policy-test-assist.js';
import { toCompletionList } from './convert.js';
import { checked, guardAsync, is, params } from './guard.js';
import { canonicalUri } from './inventory-manager.js';
import type { AssistProvider } from './assist.js';
import type { PreviewService } from './preview-service.js';
import type { Session } from './session.js';
import { lineIndexOf, type FedEngine, type TestEnvironment, describeAgent, VerdictService } from './verdict-service.js';

/** Problems of a PolicyTest only the inventory or the engine can find; the schema cannot say them. */
const ENGINE_CODES = new Set([
  'policy-test/duplicate',
  'policy-test/endpoint-not-found',
  'policy-test/invalid-case',
  'policy-test/path',
]);

/** The workload kinds a manifest hover explains. */
const WORKLOAD_KINDS = new Set(['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob']);

/** The most endpoints a matrix shows (a namespace of hundreds is cut, and says so). */
export const MATRIX_MAX_ENDPOINTS = 40;

function invalid(message: string): ResponseError<void> {
  // `policyTests: …` → `cilium-policy: ciliumPolicy/policyTests: …`, as guard.ts words InvalidParams.
  return new ResponseError(ErrorCodes.InvalidParams, `cilium-policy: ciliumPolicy/${message}`);
}

function uriOf(params: unknown): string | undefined {
  const td = isObj(params) ? params['textDocument'] : undefined;
  const uri = isObj(td) ? td['uri'] : undefined;
  return typeof uri === 'string' && uri !== '' ? uri : undefined;
}

/** A file as the requests read it: an open document, or the disk. */
interface Source {
  readonly uri: string;
  readonly file: PolicyFile;
  readonly version: number | null;
}

/** `Kind ns/name`. */
function policyLabel(p: { kind: string; namespace: string | null; name: string }): string {
  return `${p.kind} ${p.namespace !== null ? `${p.namespace}/` : ''}${p.name}`;
}

const YAML_WORDS =
  /^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|null|Null|NULL|~)$/;

/**
 * A YAML scalar for a generated case: plain where that reads back as the same string (in a flow
 * map, `{workload: shop/api}`, fewer characters are safe than in a block value), else
 * double-quoted (JSON's escapes are YAML's).
 */
export function yamlScalar(v: string | number, block = false): string {
  if (typeof v === 'number') return String(v);
  const safe = block ? /^[A-Za-z_/][A-Za-z0-9_./ ()'-]*[A-Za-z0-9_./)']$|^[A-Za-z_/]$/ : /^[A-Za-z_/][A-Za-z0-9_./-]*$/;
  return safe.test(v) && !YAML_WORDS.test(v) && !/ #|: /.test(v) ? v : JSON.stringify(v);
}

function flowMap(entries: readonly [string, string | number | Readonly<Record<string, string>> | undefined][]): string {
  const parts: string[] = [];
  for (const [k, v] of entries) {
    if (v === undefined) continue;
    if (typeof v === 'object')
      parts.push(
        `${k}: {${Object.entries(v)
          .map(([a, b]) => `${yamlScalar(a)}: ${yamlScalar(b)}`)
          .join(', ')}}`,
      );
    else parts.push(`${k}: ${yamlScalar(v)}`);
  }
  return `{${parts.join(', ')}}`;
}

function endpointYaml(e: WireFlow['from']): string {
  const r = e as Record<string, unknown>;
  const entries: [string, string | Readonly<Record<string, string>> | undefined][] = [];
  for (const k of ['workload', 'namespace', 'service', 'entity', 'node', 'fqdn', 'ip'])
    if (typeof r[k] === 'string') entries.push([k, r[k]]);
  if (isObj(r['labels'])) entries.push(['labels', r['labels'] as Record<string, string>]);
  return flowMap(entries);
}

/** The lines of a case item, as a PolicyTest writes it. */
export function caseYaml(c: AddTestCaseRequest.Params['case']): string {
  const lines = [`name: ${yamlScalar(c.name, true)}`, `from: ${endpointYaml(c.from)}`, `to: ${endpointYaml(c.to)}`];
  if (c.port !== undefined) lines.push(`port: ${yamlScalar(c.port)}`);
  if (c.protocol !== undefined && c.protocol !== 'TCP') lines.push(`protocol: ${c.protocol}`);
  if (c.icmpType !== undefined) lines.push(`icmpType: ${yamlScalar(c.icmpType)}`);
  if (c.http)
    lines.push(
      `http: ${flowMap([
        ['method', c.http.method],
        ['path', c.http.path],
        ['host', c.http.host],
        ['headers', c.http.headers],
      ])}`,
    );
  lines.push(`expect: ${c.expect}`);
  return lines.join('\n');
}

export class Connectivity implements AssistProvider {
  readonly verdicts: VerdictService;
  /** The last matrix per document and policy, to recompute only the cells an edit can change. */
  private readonly matrices = new Map<
    string,
    { key: string; fed: FedEngine; generation: number; ends: FlowEnd[]; cells: MatrixCell[] }
  >();

  constructor(
    private readonly connection: Connection,
    private readonly session: Session,
    private readonly preview: PreviewService,
  ) {
    this.verdicts = new VerdictService(session, preview);
  }

  /** Registers the requests and keeps the engines current. `relint` lints a document again. */
  register(relint: (uri: string) => void): void {
    const { log } = this.session;
    this.verdicts.register();
    // A PolicyTest's diagnostics wait for its own inventory; once it is loaded, lint again.
    this.verdicts.onDidLoadEnvironment((uri) => {
      if (this.session.documents.get(uri)) relint(uri);
    });
    this.session.documents.onDidClose((e) => {
      for (const k of [...this.matrices.keys()]) if (k.startsWith(`${e.document.uri}\u0000`)) this.matrices.delete(k);
    });
    const c = this.connection;
    c.onRequest(
      PolicyTestsRequest.type,
      checked(
        PolicyTestsRequest.method,
        is.object({ textDocument: is.optional(is.object({ uri: is.string })) }),
        (p: PolicyTestsRequest.Params) => this.policyTests(p),
        log,
      ),
    );
    c.onRequest(
      RunPolicyTestsRequest.type,
      guardAsync(RunPolicyTestsRequest.method, (p) => this.runTests(p), log),
    );
    c.onRequest(
      CheckFlowRequest.type,
      guardAsync(CheckFlowRequest.method, (p) => this.checkFlow(p), log),
    );
    c.onRequest(
      ConnectivityEndpointsRequest.type,
      checked(ConnectivityEndpointsRequest.method, params.none, () => this.endpoints(), log),
    );
    c.onRequest(
      AddTestCaseRequest.type,
      guardAsync(AddTestCaseRequest.method, (p) => this.addTestCase(p), log),
    );
    c.onRequest(
      ConnectivityMatrixRequest.type,
      guardAsync(ConnectivityMatrixRequest.method, (p) => this.matrix(p), log),
    );
    c.onRequest(
      EffectivePolicyRequest.type,
      guardAsync(EffectivePolicyRequest.method, (p) => this.effectivePolicyRequest(p), log),
    );
    c.onRequest(
      CoverageRequest.type,
      checked(CoverageRequest.method, params.none, () => this.coverage(), log),
    );
  }

  // -------------------------------------------------------------------------------------------
  // Wire shapes

  private range(file: PolicyFile, span: Span): WireRange {
    const lines = lineIndexOf(file);
    return { start: lines.positionAt(span.start), end: lines.positionAt(span.end) };
  }

  private context(fed: FedEngine, description?: TestEnvironment['description']): WireVerdictContext {
    return (
      description ?? {
        policies: `the workspace (${fed.files} file${fed.files === 1 ? '' : 's'})`,
        inventory: fed.inventory.description,
        agent: describeAgent(fed.agent),
      }
    );
  }

  private wirePolicy(fed: FedEngine, p: PolicyRef | SubjectRef): WirePolicyRef {
    const out: WirePolicyRef = { kind: p.kind, namespace: p.namespace, name: p.name, file: p.file };
    if ('span' in p) {
      out.line = p.line;
      const location = fed.location(p.file, p.span);
      if (location) out.location = location;
    } else {
      const compiled = fed.engine
        .policies()
        .find(
          (c) =>
            c.ref.file === p.file && c.ref.kind === p.kind && c.ref.name === p.name && c.ref.namespace === p.namespace,
        );
      if (compiled) {
        out.line = compiled.line;
        const rule = compiled.rules[0]?.subjectRef;
        const location = rule ? fed.location(p.file, rule.span) : undefined;
        if (location) out.location = location;
      }
    }
    return out;
  }

  private wireRule(fed: FedEngine, r: RuleRef): WireRuleRef {
    const out: WireRuleRef = {
      kind: r.kind,
      namespace: r.namespace,
      name: r.name,
      file: r.file,
      line: r.line,
      direction: r.direction,
      rule: r.rule,
      spec: r.spec,
    };
    const location = fed.location(r.file, r.span);
    if (location) out.location = location;
    return out;
  }

  private wireDirection(fed: FedEngine, d: DirectionVerdict): WireDirectionVerdict {
    return {
      verdict: d.verdict,
      state: d.state,
      reason: d.reason,
      by: d.by.map((r) => this.wireRule(fed, r)),
      defaultDenyBy: d.defaultDenyBy.map((s) => this.wirePolicy(fed, s)),
      unknowns: d.unknowns.map((u) => ({ code: u.code, message: u.message })),
      ...(d.proxy ? { proxy: d.proxy } : {}),
    };
  }

  wireVerdict(fed: FedEngine, v: FlowVerdict): WireFlowVerdict {
    return {
      verdict: v.verdict,
      reason: v.reason,
      source: v.source,
      destination: v.destination,
      port: v.port,
      egress: this.wireDirection(fed, v.egress),
      ingress: this.wireDirection(fed, v.ingress),
      unknowns: v.unknowns.map((u) => ({ code: u.code, message: u.message })),
    };
  }

  private wireProblem(file: PolicyFile, p: TestProblem): WireTestProblem {
    return { code: p.code, message: p.message, line: p.line, range: this.range(file, p.span) };
  }

  // -------------------------------------------------------------------------------------------
  // Reading files

  /** An open document, or a file read from disk (undefined when it cannot be read). */
  private async source(uri: string): Promise<Source | undefined> {
    const doc = this.session.documents.get(uri) ?? this.openByCanonical(uri);
    if (doc) return { uri: doc.uri, file: this.session.parse(doc), version: doc.version };
    let path: string;
    try {
      path = fileURLToPath(uri);
    } catch {
      return undefined;
    }
    const text = await readTextFile(path);
    return text === undefined ? undefined : { uri, file: parseFile(text), version: null };
  }

  private openByCanonical(uri: string): TextDocument | undefined {
    const want = canonicalUri(uri);
    return this.session.documents.all().find((d) => canonicalUri(d.uri) === want);
  }

  private testsOf(src: Source): { doc: PolicyDocument; test: PolicyTest }[] {
    const out: { doc: PolicyDocument; test: PolicyTest }[] = [];
    for (const doc of src.file.documents) {
      if (doc.kind?.language !== 'policy-test' || doc.templated) continue;
      const test = readPolicyTest(doc, this.verdicts.nameOf(src.uri), src.file.text);
      if (test) out.push({ doc, test });
    }
    return out;
  }

  private testItem(src: Source, test: PolicyTest): WireTestItem {
    return {
      name: test.name,
      line: test.line,
      range: this.range(src.file, test.span),
      cases: test.cases.map((c) => ({
        name: c.name,
        index: c.index,
        line: c.line,
        range: this.range(src.file, c.span),
      })),
    };
  }

  // -------------------------------------------------------------------------------------------
  // Requests

  private async policyTests(
    params: PolicyTestsRequest.Params,
  ): Promise<PolicyTestsRequest.Result | ResponseError<void>> {
    if (params?.textDocument !== undefined) {
      const uri = uriOf(params);
      if (!uri) return invalid('policyTests: textDocument.uri must be a non-empty string');
      const src = await this.source(uri);
      if (!src) return { files: [] };
      const tests = this.testsOf(src).map((t) => this.testItem(src, t.test));
      return { files: tests.length > 0 ? [{ uri: src.uri, tests }] : [] };
    }
    const files: PolicyTestsRequest.Result['files'] = [];
    const open = new Set<string>();
    for (const doc of this.session.documents.all()) {
      open.add(canonicalUri(doc.uri));
      const src: Source = { uri: doc.uri, file: this.session.parse(doc), version: doc.version };
      const tests = this.testsOf(src).map((t) => this.testItem(src, t.test));
      if (tests.length > 0) files.push({ uri: doc.uri, tests });
    }
    for (const w of this.preview.inventory.workspacePolicies()) {
      if (open.has(w.uri)) continue;
      const src: Source = { uri: w.uri, file: w.file, version: null };
      const tests = this.testsOf(src).map((t) => this.testItem(src, t.test));
      if (tests.length > 0) files.push({ uri: w.uri, tests });
    }
    return { files };
  }

  private async runTests(
    params: RunPolicyTestsRequest.Params,
  ): Promise<RunPolicyTestsRequest.Result | ResponseError<void>> {
    const uri = uriOf(params);
    if (!uri) return invalid('runPolicyTests: textDocument.uri must be a non-empty string');
    const only = Array.isArray(params.only)
      ? params.only.filter((o) => isObj(o) && typeof o.test === 'string')
      : undefined;
    const src = await this.source(uri);
    if (!src) return { uri, version: null, tests: [] };
    const runs: WireTestRun[] = [];
    for (const { test } of this.testsOf(src)) {
      const wanted = only?.filter((o) => o.test === test.name);
      if (only && wanted?.length === 0) continue;
      const caseNames = wanted?.some((o) => !Array.isArray(o.cases))
        ? undefined
        : wanted && new Set(wanted.flatMap((o) => (o.cases ?? []).filter((n): n is string => typeof n === 'string')));
      const env = await this.verdicts.environment(src.uri, test);
      const cases: WireCaseResult[] = [];
      for (const c of test.cases) {
        if (caseNames && !caseNames.has(c.name)) continue;
        const r = runCase(c, env.fed.engine, src.file.text);
        cases.push({
          name: c.name,
          index: c.index,
          line: c.line,
          range: this.range(src.file, c.span),
          expect: c.expect ?? null,
          outcome: r.outcome,
          pass: r.pass,
          verdict: r.verdict && !isInputError(r.verdict) ? this.wireVerdict(env.fed, r.verdict) : null,
          problems: r.problems.map((p) => this.wireProblem(src.file, p)),
        });
      }
      runs.push({
        name: test.name,
        line: test.line,
        range: this.range(src.file, test.span),
        problems: [...test.problems, ...env.problems].map((p) => this.wireProblem(src.file, p)),
        context: this.context(env.fed, env.description),
        cases,
      });
    }
    return { uri: src.uri, version: src.version, tests: runs };
  }

  private async checkFlow(params: CheckFlowRequest.Params): Promise<CheckFlowRequest.Result | ResponseError<void>> {
    const flow = params?.flow;
    if (!isObj(flow) || !isObj(flow.from) || !isObj(flow.to))
      return invalid('checkFlow: flow needs from and to, each an endpoint map');
    if (flow.port !== undefined && typeof flow.port !== 'number' && typeof flow.port !== 'string')
      return invalid('checkFlow: flow.port must be a number or a port name');
    const uri = uriOf(params);
    await this.verdicts.settle(uri);
    const fed = this.verdicts.workspace(uri);
    const v = fed.engine.evaluate(flow as unknown as Flow);
    if (isInputError(v)) return { verdict: null, problem: v.reason, context: this.context(fed) };
    return { verdict: this.wireVerdict(fed, v), context: this.context(fed) };
  }

  private async endpoints(): Promise<ConnectivityEndpointsRequest.Result> {
    await this.verdicts.settle();
    const fed = this.verdicts.workspace();
    const inventory = fed.inventory;
    const refs = workloadRefs(inventory);
    return {
      inventory: this.preview.inventory.status(),
      workloads: [...inventory.endpoints]
        .sort((a, b) => (refs.get(a)! < refs.get(b)! ? -1 : 1))
        .map((e) => ({
          ref: refs.get(e)!,
          kind: e.kind,
          namespace: e.namespace,
          name: e.name,
          labels: { ...e.labels },
          ports: portsOf(fed.engine.resolver.podOf(e)).map((p) => ({
            port: p.port,
            protocol: p.protocol === 'ICMP' || p.protocol === 'ICMPv6' ? 'TCP' : p.protocol,
            ...(p.name !== undefined ? { name: p.name } : {}),
          })),
        })),
      services: inventory.services.map((s) => ({
        ref: `${s.namespace}/${s.name}`,
        namespace: s.namespace,
        name: s.name,
        ports: s.ports.map((p) => ({ port: p.port, protocol: p.protocol, ...(p.name ? { name: p.name } : {}) })),
      })),
      namespaces: inventoryNamespaces(inventory),
      nodes: inventory.nodes.map((n) => n.name).sort(),
      entities: ENDPOINT_ENTITIES.map((name) => ({ name, meaning: entityMeaning(name) ?? name })),
    };
  }

  private async addTestCase(
    params: AddTestCaseRequest.Params,
  ): Promise<AddTestCaseRequest.Result | ResponseError<void>> {
    const uri = uriOf(params);
    const c = params?.case;
    if (!uri) return invalid('addTestCase: textDocument.uri must be a non-empty string');
    if (
      !isObj(c) ||
      typeof c.name !== 'string' ||
      c.name.trim() === '' ||
      !isObj(c.from) ||
      !isObj(c.to) ||
      (c.expect !== 'allow' && c.expect !== 'deny')
    )
      return invalid('addTestCase: case needs a name, from, to and expect (allow or deny)');
    const src = (await this.source(uri)) ?? { uri, file: parseFile(''), version: null };
    const file = src.file;
    const item = caseYaml(c);
    const eol = lineEnding(file.text);
    const tests = this.testsOf(src);
    const target =
      (typeof params.test === 'string' ? tests.find((t) => t.test.name === params.test) : undefined) ?? tests[0];
    let edit: { start: number; end: number; newText: string } | undefined;
    if (target) {
      edit = appendItem(file, target.doc, ['spec', 'cases'], item);
      if (!edit) {
        const indented = item
          .split('\n')
          .map((l, i) => (i === 0 ? `- ${l}` : `  ${l}`))
          .join('\n');
        edit = insertEntry(file, target.doc, ['spec'], 'cases', indented);
      }
      if (!edit) return null;
    } else {
      if (file.skipped) return null;
      const body = [
        'apiVersion: cilium-policy.io/v1alpha1',
        'kind: PolicyTest',
        'metadata:',
        '  name: connectivity',
        'spec:',
        '  cases:',
        ...item.split('\n').map((l, i) => (i === 0 ? `    - ${l}` : `      ${l}`)),
      ].join(eol);
      const text = file.text;
      const sep = text.trim() === '' ? '' : `${/\r?\n$/.test(text) ? '' : eol}---${eol}`;
      edit = { start: text.length, end: text.length, newText: `${sep}${body}${eol}` };
    }
    const newText = edit.newText.replace(/\r?\n/g, eol);
    const after = file.text.slice(0, edit.start) + newText;
    // The case's line: the line of its `- name:` item (the first line the edit adds that holds it).
    const nameAt = after.lastIndexOf('- name:');
    const line = nameAt >= 0 ? after.slice(0, nameAt).split(/\r\n|\r|\n/).length : 1;
    return { uri: src.uri, edits: [{ range: this.range(file, { start: edit.start, end: edit.end }), newText }], line };
  }

  /** The network policy of an open document at a position (the first one when no position is given). */
  private policyAt(
    doc: TextDocument,
    position: ConnectivityMatrixRequest.Params['position'],
  ): PolicyDocument | undefined {
    const file = this.session.parse(doc);
    const policies = file.documents.filter((d) => networkPolicyKind(d.kind) !== undefined && !d.templated);
    if (!position || typeof position.line !== 'number' || typeof position.character !== 'number') return policies[0];
    const offset = doc.offsetAt(position);
    const inside = policies.filter((d) => d.span.start <= offset && offset <= d.span.end);
    return inside[inside.length - 1];
  }

  private async matrix(
    params: ConnectivityMatrixRequest.Params,
  ): Promise<ConnectivityMatrixRequest.Result | ResponseError<void>> {
    const uri = uriOf(params);
    if (!uri) return invalid('connectivityMatrix: textDocument.uri must be a non-empty string');
    await this.verdicts.settle(uri);
    const doc = this.session.documents.get(uri);
    if (!doc) return null;
    const policy = this.policyAt(doc, params.position);
    if (!policy) return null;
    const fed = this.verdicts.workspace(uri);
    const inventory = fed.inventory;
    // The workloads of the policy's namespace, and the ones its selectors name (subjects and peers).
    const details = this.preview.details(doc).find((d) => d.span.start === policy.span.start);
    const namespace = details?.preview.namespace ?? null;
    const named = new Set<string>();
    for (const s of details?.selections ?? [])
      for (const e of s.endpoints) if (e.kind !== 'Node') named.add(`${e.kind}/${e.namespace}/${e.name}`);
    const chosen = inventory.endpoints.filter(
      (e) => (namespace !== null && e.namespace === namespace) || named.has(`${e.kind}/${e.namespace}/${e.name}`),
    );
    chosen.sort(
      (a, b) =>
        Number(b.namespace === namespace) - Number(a.namespace === namespace) ||
        a.namespace.localeCompare(b.namespace) ||
        a.name.localeCompare(b.name) ||
        a.kind.localeCompare(b.kind),
    );
    const total = chosen.length;
    const shown = chosen.slice(0, MATRIX_MAX_ENDPOINTS);
    const refs = workloadRefs(inventory);
    const ends: FlowEnd[] = [];
    const endpoints: WireMatrixEnd[] = [];
    for (const e of shown) {
      const r = fed.engine.resolve({ workload: `${e.kind}/${e.namespace}/${e.name}` });
      if (!r.ok) continue;
      ends.push(r.end);
      const location = this.preview.inventory.location(e.source);
      endpoints.push({
        ref: refs.get(e)!,
        kind: e.kind,
        namespace: e.namespace,
        name: e.name,
        ports: portsOf(r.end).map((p) => ({
          port: p.port,
          protocol: p.protocol === 'UDP' || p.protocol === 'SCTP' ? p.protocol : 'TCP',
          ...(p.name !== undefined ? { name: p.name } : {}),
        })),
        local: namespace === null || e.namespace === namespace,
        ...(location ? { location } : {}),
      });
    }
    // Recompute only what an edit can change: the cells whose ends' rules changed since the last answer.
    const cacheKey = `${doc.uri}\u0000${policy.span.start}`;
    const key = endpoints.map((e) => e.ref).join('\n');
    const last = this.matrices.get(cacheKey);
    const sameEnds = last && last.key === key && last.fed === fed && last.ends.every((x, i) => x === ends[i]);
    const generation = fed.engine.generation;
    const cells = sameEnds
      ? updateMatrix(fed.engine, last.cells, last.generation, ends, ends)
      : connectivityMatrix(fed.engine, ends, ends);
    this.matrices.set(cacheKey, { key, fed, generation, ends, cells });
    const kind = policy.kind?.kind ?? 'NetworkPolicy';
    return {
      uri: doc.uri,
      documentVersion: doc.version,
      policy: {
        kind,
        namespace: policy.kind?.namespaced ? (policy.namespace ?? namespace) : null,
        name: policy.name ?? null,
        range: this.range(this.session.parse(doc), policy.span),
      },
      endpoints,
      // A workload reaching itself is not a flow between two endpoints: left out.
      cells: cells
        .filter((x) => x.from !== x.to)
        .map((x) => ({ from: x.from, to: x.to, port: x.port.port, protocol: x.port.protocol, verdict: x.verdict })),
      ...(total > shown.length ? { truncated: { shown: shown.length, total } } : {}),
      context: this.context(fed),
    };
  }

  private wireEndpointDirection(fed: FedEngine, d: EndpointDirection): WireEndpointDirection {
    return {
      state: d.state,
      reason: d.reason,
      policies: d.policies.map((p) => this.wirePolicy(fed, p)),
      defaultDenyBy: d.defaultDenyBy.map((p) => this.wirePolicy(fed, p)),
    };
  }

  private wireEffective(fed: FedEngine, eff: EffectivePolicy): WireEffectivePolicy {
    return {
      ingress: this.wireEndpointDirection(fed, eff.ingress),
      egress: this.wireEndpointDirection(fed, eff.egress),
      policies: eff.policies.map((p) => this.wirePolicy(fed, p)),
    };
  }

  /** The effective policy of an inventory workload, or undefined when the inventory lacks it. */
  private effective(
    fed: FedEngine,
    want: { kind: string; namespace: string; name: string },
  ): { endpoint: Endpoint; policy: WireEffectivePolicy } | undefined {
    const endpoint = fed.inventory.endpoints.find(
      (e) => e.kind === want.kind && e.namespace === want.namespace && e.name === want.name,
    );
    if (!endpoint) return undefined;
    const r = fed.engine.resolve({ workload: `${endpoint.kind}/${endpoint.namespace}/${endpoint.name}` });
    if (!r.ok) return undefined;
    return { endpoint, policy: this.wireEffective(fed, fed.engine.effectivePolicy(r.end)) };
  }

  private async effectivePolicyRequest(
    params: EffectivePolicyRequest.Params,
  ): Promise<EffectivePolicyRequest.Result | ResponseError<void>> {
    const want = params?.endpoint;
    if (
      !isObj(want) ||
      typeof want.kind !== 'string' ||
      typeof want.namespace !== 'string' ||
      typeof want.name !== 'string'
    )
      return invalid('effectivePolicy: endpoint needs kind, namespace and name');
    const uri = uriOf(params);
    await this.verdicts.settle(uri);
    const fed = this.verdicts.workspace(uri);
    const found = this.effective(fed, want);
    return found ? { ...found.policy, context: this.context(fed) } : null;
  }

  private async coverage(): Promise<CoverageRequest.Result> {
    await this.verdicts.settle();
    const fed = this.verdicts.workspace();
    return {
      workloads: coverage(fed.engine).map(({ entry, ingressReason, egressReason }) => ({
        kind: entry.kind,
        namespace: entry.namespace,
        name: entry.name,
        ingress: entry.ingress,
        egress: entry.egress,
        unprotected: unprotected(entry),
        ingressReason,
        egressReason,
        policies: entry.policies.map((p) => ({ kind: p.kind, namespace: p.namespace, name: p.name })),
      })),
    };
  }

  // -------------------------------------------------------------------------------------------
  // Diagnostics

  /**
   * The PolicyTest problems of a file that the schema cannot find (a case whose endpoint the
   * inventory lacks, a port name the destination does not declare, a duplicate case name, a path
   * that names nothing), and, where the schema found nothing in a document, the reader's own
   * problems (an endpoint with two forms, say). `found` are the lint's findings so far.
   */
  findings(uri: string, file: PolicyFile, found: readonly Finding[]): Finding[] {
    const out: Finding[] = [];
    const asFinding = (p: TestProblem): Finding => ({
      code: p.code,
      severity: p.severity,
      message: p.message,
      span: p.span,
    });
    for (const doc of file.documents) {
      if (doc.kind?.language !== 'policy-test' || doc.templated || doc.data === undefined) continue;
      const test = readPolicyTest(doc, this.verdicts.nameOf(uri), file.text);
      if (!test) continue;
      const schemaSaid = found.some(
        (f) => f.code.startsWith('schema/') && f.span.start >= doc.span.start && f.span.start <= doc.span.end,
      );
      const keep = (p: TestProblem): boolean => !schemaSaid || ENGINE_CODES.has(p.code);
      out.push(...test.problems.filter(keep).map(asFinding));
      for (const c of test.cases) out.push(...c.problems.filter(keep).map(asFinding));
      const env = this.verdicts.peekEnvironment(uri, test);
      if (!env) continue;
      out.push(...env.problems.map(asFinding));
      for (const c of test.cases) {
        if (c.problems.length > 0) continue;
        const missing = endpointProblems(c, env.fed.engine, file.text);
        if (missing.length > 0) {
          out.push(...missing.map(asFinding));
          continue;
        }
        // A port name is checked against the destination by judging the flow (cheap: one verdict).
        if (typeof c.port === 'string') {
          const flow = caseFlow(c);
          const v = flow && env.fed.engine.evaluate(flow);
          if (v && isInputError(v))
            out.push({ code: 'policy-test/invalid-case', severity: 'error', message: v.reason, span: c.span });
        }
      }
    }
    return out;
  }

  // -------------------------------------------------------------------------------------------
  // Completion and hover

  wants(doc: PolicyDocument | undefined): boolean {
    if (!doc || doc.templated) return false;
    return doc.kind?.language === 'policy-test' || (doc.kind === undefined && WORKLOAD_KINDS.has(doc.kindName ?? ''));
  }

  complete(file: PolicyFile, doc: PolicyDocument, offset: number, text: TextDocument): CompletionList | undefined {
    if (doc.kind?.language !== 'policy-test' || doc.templated) return undefined;
    const test = readPolicyTest(doc, this.verdicts.nameOf(text.uri), file.text);
    const fed = test
      ? (this.verdicts.peekEnvironment(text.uri, test)?.fed ?? this.verdicts.workspace(text.uri))
      : undefined;
    if (!fed) return undefined;
    const assist = policyTestCompletions(file, doc, offset, fed.engine);
    return assist ? toCompletionList(text, assist, offset) : undefined;
  }

  async hover(
    file: PolicyFile,
    doc: PolicyDocument | undefined,
    offset: number,
    text: TextDocument,
  ): Promise<Hover | undefined> {
    if (!doc || doc.templated) return undefined;
    if (doc.kind?.language === 'policy-test') {
      const test = readPolicyTest(doc, this.verdicts.nameOf(text.uri), file.text);
      if (!test) return undefined;
      await this.verdicts.settle(text.uri);
      const fed = (await this.verdicts.environment(text.uri, test)).fed;
      const h = policyTestHover(file, doc, offset, fed.engine);
      return h ? { contents: { kind: 'markdown', value: h.markdown }, range: this.range(file, h.span) } : undefined;
    }
    if (doc.kind === undefined) return this.workloadHover(file, doc, offset, text);
    return undefined;
  }

  /** Over a workload manifest's `kind` or `metadata.name`: its effective policy. */
  private async workloadHover(
    file: PolicyFile,
    doc: PolicyDocument,
    offset: number,
    text: TextDocument,
  ): Promise<Hover | undefined> {
    const kind = doc.kindName;
    if (kind === undefined || !WORKLOAD_KINDS.has(kind) || doc.name === undefined) return undefined;
    const spans: Span[] = [];
    for (const path of [['kind'], ['metadata', 'name']]) {
      const at = locate(doc.yaml, path);
      const key = nodeSpan(at.key);
      const value = nodeSpan(at.node ?? undefined);
      if (key && value) spans.push({ start: key.start, end: value.end });
    }
    const hit = spans.find((s) => s.start <= offset && offset <= s.end);
    if (!hit) return undefined;
    await this.verdicts.settle(text.uri);
    const fed = this.verdicts.workspace(text.uri);
    const namespace = doc.namespace ?? 'default';
    const found = this.effective(fed, { kind, namespace, name: doc.name });
    const title = `**Effective policy** of ${markdownCode(kind)} ${markdownCode(`${namespace}/${doc.name}`)}`;
    if (!found)
      return {
        contents: {
          kind: 'markdown',
          value: `${title}\n\nNot in the current inventory (${markdownText(fed.inventory.description)}).`,
        },
        range: this.range(file, hit),
      };
    return {
      contents: { kind: 'markdown', value: `${title}\n\n${effectiveMarkdown(found.policy, this.context(fed))}` },
      range: this.range(file, hit),
    };
  }
}

/** A Markdown link to a policy (or plain text when it has no location). */
function policyLink(p: WirePolicyRef): string {
  const text = markdownText(policyLabel(p));
  if (!p.location) return text;
  const line = p.location.range.start.line + 1;
  return `[${text}](${p.location.uri}#L${line})`;
}

/** An effective policy in Markdown: each direction's state and the policies behind it. */
export function effectiveMarkdown(eff: WireEffectivePolicy, context: WireVerdictContext): string {
  const direction = (name: string, d: WireEndpointDirection): string => {
    const because =
      d.state === 'allow-all'
        ? markdownText(d.reason)
        : d.defaultDenyBy.length > 0
          ? `because of ${d.defaultDenyBy.map(policyLink).join(', ')}`
          : markdownText(d.reason);
    return `- ${name}: **${d.state}**, ${because}`;
  };
  const lines = [direction('Ingress', eff.ingress), direction('Egress', eff.egress)];
  if (eff.ingress.state !== 'default-deny' && eff.egress.state !== 'default-deny')
    lines.push('', 'No policy protects it: everything not denied is allowed.');
  lines.push(
    '',
    `_${markdownText(`Policies: ${context.policies}. Inventory: ${context.inventory}. Agent: ${context.agent}.`)}_`,
  );
  return lines.join('\n');
}
