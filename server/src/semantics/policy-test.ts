// SPDX-License-Identifier: Apache-2.0
/**
 * The PolicyTest document (`cilium-policy.io/v1alpha1`, `kind: PolicyTest`): connectivity cases
 * pinned down beside the policies. This module reads one with positions (every problem is placed
 * at the value it is about, a case's problems at its line), checks its endpoints against an
 * inventory, and runs its cases through a {@link VerdictEngine}. Reading the files its `policies`
 * and `inventory` name is the adapter's business.
 */
import type { Span } from '../core/findings.js';
import { locate, nodeSpan, type PolicyDocument } from '../core/document.js';
import { LineIndex } from '../core/line-index.js';
import { isObj, list, obj, str, type Obj } from '../core/data.js';
import { readAgentOptions, type AgentOptions } from './agent.js';
import { ENDPOINT_ENTITIES, type EndpointSpec } from './endpoints.js';
import type { Flow, FlowProtocol, FlowVerdict, VerdictEngine } from './engine.js';
import { isInputError } from './engine.js';
import type { HttpRequest } from './http.js';
import { icmpTypeNumber } from './icmp.js';
import { parseAddress } from './addresses.js';
import type { DataPath, Verdict } from './model.js';

/** A problem of a PolicyTest, placed in its file. */
export interface TestProblem {
  readonly code: string;
  readonly message: string;
  readonly span: Span;
  /** 1-based line of `span.start`. */
  readonly line: number;
  readonly severity: 'error' | 'warning';
}

/** A path of `spec.policies` or `spec.inventory`, as written, with its place. */
export interface WrittenPath {
  readonly value: string;
  readonly span: Span;
  readonly line: number;
}

/** One case of a PolicyTest. */
export interface PolicyTestCase {
  readonly index: number;
  readonly name: string;
  /** 1-based line of the case's `- name:` item. */
  readonly line: number;
  readonly span: Span;
  readonly from?: EndpointSpec;
  readonly to?: EndpointSpec;
  readonly port?: number | string;
  readonly protocol: FlowProtocol;
  readonly icmpType?: number | string;
  readonly http?: HttpRequest;
  readonly expect?: 'allow' | 'deny';
  /** Problems of the case itself (a wrong form, a missing field); such a case does not run. */
  readonly problems: readonly TestProblem[];
  /** Where `from` and `to` are, for endpoint problems found against the inventory. */
  readonly fromSpan: Span;
  readonly toSpan: Span;
}

/** A PolicyTest document, read. */
export interface PolicyTest {
  readonly file: string;
  readonly name: string;
  readonly line: number;
  readonly span: Span;
  /** `spec.policies`; undefined when omitted (every policy of the workspace or the inputs). */
  readonly policies?: readonly WrittenPath[];
  /** `spec.inventory`; undefined when omitted. */
  readonly inventory?: readonly WrittenPath[];
  /** `spec.agent` options. */
  readonly agent: Partial<AgentOptions>;
  readonly cases: readonly PolicyTestCase[];
  /** Problems of the document outside its cases. */
  readonly problems: readonly TestProblem[];
}

const PROTOCOLS: readonly FlowProtocol[] = ['TCP', 'UDP', 'SCTP', 'ICMP', 'ICMPv6'];
const CASE_KEYS = new Set(['name', 'from', 'to', 'port', 'protocol', 'icmpType', 'http', 'expect']);
const SPEC_KEYS = new Set(['policies', 'inventory', 'agent', 'cases']);
const ENDPOINT_FORMS = ['workload', 'namespace', 'service', 'entity', 'node', 'ip', 'fqdn'] as const;

interface Reader {
  readonly doc: PolicyDocument;
  readonly lines: LineIndex;
}

function spanOf(r: Reader, path: DataPath, key = false): Span {
  const at = locate(r.doc.yaml, path);
  if (key && at.key) return nodeSpan(at.key) ?? r.doc.span;
  return nodeSpan(at.node ?? undefined) ?? nodeSpan(at.nearest) ?? r.doc.span;
}

function lineOf(r: Reader, span: Span): number {
  return r.lines.positionAt(span.start).line + 1;
}

function problem(r: Reader, code: string, message: string, path: DataPath, key = false): TestProblem {
  const span = spanOf(r, path, key);
  return { code, message, span, line: lineOf(r, span), severity: 'error' };
}

function paths(r: Reader, value: unknown, at: DataPath, problems: TestProblem[]): WrittenPath[] | undefined {
  if (value === undefined || value === null) return undefined;
  const items = typeof value === 'string' ? [value] : Array.isArray(value) ? value : undefined;
  if (!items) {
    problems.push(problem(r, 'policy-test/type', `${at[at.length - 1]} must be a list of paths`, at));
    return undefined;
  }
  const out: WrittenPath[] = [];
  items.forEach((v, i) => {
    const path = typeof value === 'string' ? at : [...at, i];
    if (typeof v !== 'string' || v.trim() === '') {
      problems.push(problem(r, 'policy-test/type', 'a path must be a non-empty string', path));
      return;
    }
    const span = spanOf(r, path);
    out.push({ value: v, span, line: lineOf(r, span) });
  });
  return out;
}

function readEndpoint(
  r: Reader,
  value: unknown,
  at: DataPath,
  problems: TestProblem[],
  asSource: boolean,
): EndpointSpec | undefined {
  const side = at[at.length - 1];
  if (!isObj(value)) {
    problems.push(
      problem(r, 'policy-test/endpoint', `${side} must be a map with one of ${ENDPOINT_FORMS.join(', ')}`, at),
    );
    return undefined;
  }
  const forms = ENDPOINT_FORMS.filter((f) => value[f] !== undefined && value[f] !== null);
  const extra = Object.keys(value).filter(
    (k) => !(ENDPOINT_FORMS as readonly string[]).includes(k) && k !== 'labels' && k !== 'ip',
  );
  for (const k of extra)
    problems.push(problem(r, 'policy-test/unknown-field', `unknown endpoint field "${k}"`, [...at, k], true));
  // `fqdn` comes with `ip`; `namespace` with `labels`.
  const main = forms.filter((f) => !(f === 'ip' && forms.includes('fqdn')));
  if (main.length !== 1) {
    problems.push(
      problem(
        r,
        'policy-test/endpoint',
        main.length === 0
          ? `${side} needs one of ${ENDPOINT_FORMS.join(', ')}`
          : `${side} has ${main.join(' and ')}; an endpoint has exactly one form`,
        at,
      ),
    );
    return undefined;
  }
  const form = main[0]!;
  const text = (k: string): string | undefined => {
    const v = value[k];
    if (typeof v === 'string' && v.trim() !== '') return v.trim();
    problems.push(problem(r, 'policy-test/type', `${k} must be a non-empty string`, [...at, k]));
    return undefined;
  };
  if (value['labels'] !== undefined && form !== 'namespace')
    problems.push(problem(r, 'policy-test/endpoint', 'labels go with namespace', [...at, 'labels'], true));
  switch (form) {
    case 'workload': {
      const w = text('workload');
      if (w === undefined) return undefined;
      const parts = w.split('/');
      if ((parts.length !== 2 && parts.length !== 3) || parts.some((p) => p === '')) {
        problems.push(
          problem(r, 'policy-test/endpoint', `workload "${w}" must be NAMESPACE/NAME or Kind/NAMESPACE/NAME`, [
            ...at,
            'workload',
          ]),
        );
        return undefined;
      }
      return { workload: w };
    }
    case 'namespace': {
      const ns = text('namespace');
      if (ns === undefined) return undefined;
      const labels = value['labels'];
      if (labels === undefined || labels === null) return { namespace: ns };
      if (!isObj(labels)) {
        problems.push(problem(r, 'policy-test/type', 'labels must be a map of label values', [...at, 'labels']));
        return undefined;
      }
      const out: Record<string, string> = {};
      for (const [k, v] of Object.entries(labels)) {
        if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[k] = String(v);
        else problems.push(problem(r, 'policy-test/type', `label ${k} must have a string value`, [...at, 'labels', k]));
      }
      return { namespace: ns, labels: out };
    }
    case 'service': {
      if (asSource) {
        problems.push(
          problem(r, 'policy-test/endpoint', 'a service can only be a destination (to)', [...at, 'service']),
        );
        return undefined;
      }
      const s = text('service');
      if (s === undefined) return undefined;
      if (!/^[^/]+\/[^/]+$/.test(s)) {
        problems.push(problem(r, 'policy-test/endpoint', `service "${s}" must be NAMESPACE/NAME`, [...at, 'service']));
        return undefined;
      }
      return { service: s };
    }
    case 'entity': {
      const e = text('entity');
      if (e === undefined) return undefined;
      if (!(ENDPOINT_ENTITIES as readonly string[]).includes(e)) {
        problems.push(
          problem(r, 'policy-test/endpoint', `entity must be one of ${ENDPOINT_ENTITIES.join(', ')}`, [
            ...at,
            'entity',
          ]),
        );
        return undefined;
      }
      return { entity: e };
    }
    case 'node': {
      const n = text('node');
      return n === undefined ? undefined : { node: n };
    }
    case 'ip': {
      const ip = text('ip');
      if (ip === undefined) return undefined;
      if (!parseAddress(ip)) {
        problems.push(problem(r, 'policy-test/endpoint', `"${ip}" is not an IP address`, [...at, 'ip']));
        return undefined;
      }
      return { ip };
    }
    case 'fqdn': {
      const name = text('fqdn');
      if (name === undefined) return undefined;
      const ip = value['ip'];
      if (ip === undefined || ip === null) return { fqdn: name };
      if (typeof ip !== 'string' || !parseAddress(ip)) {
        problems.push(problem(r, 'policy-test/endpoint', `"${String(ip)}" is not an IP address`, [...at, 'ip']));
        return undefined;
      }
      return { fqdn: name, ip };
    }
  }
}

function readHttp(r: Reader, value: unknown, at: DataPath, problems: TestProblem[]): HttpRequest | undefined {
  if (!isObj(value)) {
    problems.push(problem(r, 'policy-test/type', 'http must be a map with method, path, host and headers', at));
    return undefined;
  }
  for (const k of Object.keys(value))
    if (!['method', 'path', 'host', 'headers'].includes(k))
      problems.push(problem(r, 'policy-test/unknown-field', `unknown http field "${k}"`, [...at, k], true));
  const out: { method?: string; path?: string; host?: string; headers?: Record<string, string> } = {};
  for (const k of ['method', 'path', 'host'] as const) {
    const v = value[k];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'string') problems.push(problem(r, 'policy-test/type', `${k} must be a string`, [...at, k]));
    else out[k] = v;
  }
  const headers = value['headers'];
  if (headers !== undefined && headers !== null) {
    if (!isObj(headers)) problems.push(problem(r, 'policy-test/type', 'headers must be a map', [...at, 'headers']));
    else {
      out.headers = {};
      for (const [k, v] of Object.entries(headers)) {
        if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out.headers[k] = String(v);
        else problems.push(problem(r, 'policy-test/type', `header ${k} must be a string`, [...at, 'headers', k]));
      }
    }
  }
  return out;
}

function readCase(r: Reader, value: unknown, index: number, used: Set<string>): PolicyTestCase {
  const at: DataPath = ['spec', 'cases', index];
  const span = spanOf(r, at);
  const line = lineOf(r, span);
  const problems: TestProblem[] = [];
  const c: Obj = obj(value) ?? {};
  if (!isObj(value)) problems.push(problem(r, 'policy-test/type', 'a case must be a map', at));
  for (const k of Object.keys(c))
    if (!CASE_KEYS.has(k))
      problems.push(problem(r, 'policy-test/unknown-field', `unknown case field "${k}"`, [...at, k], true));
  const name = str(c['name']);
  if (name === undefined || name.trim() === '')
    problems.push(problem(r, 'policy-test/required', 'a case needs a name', at));
  else if (used.has(name))
    problems.push(problem(r, 'policy-test/duplicate', `another case is named "${name}"`, [...at, 'name']));
  else used.add(name);
  const from = c['from'] === undefined ? undefined : readEndpoint(r, c['from'], [...at, 'from'], problems, true);
  const to = c['to'] === undefined ? undefined : readEndpoint(r, c['to'], [...at, 'to'], problems, false);
  if (c['from'] === undefined) problems.push(problem(r, 'policy-test/required', 'a case needs from', at));
  if (c['to'] === undefined) problems.push(problem(r, 'policy-test/required', 'a case needs to', at));
  let protocol: FlowProtocol = 'TCP';
  if (c['protocol'] !== undefined) {
    const p = c['protocol'];
    const found = PROTOCOLS.find((x) => typeof p === 'string' && x.toLowerCase() === p.toLowerCase());
    if (found) protocol = found;
    else
      problems.push(
        problem(r, 'policy-test/enum', `protocol must be one of ${PROTOCOLS.join(', ')}`, [...at, 'protocol']),
      );
  }
  const icmp = protocol === 'ICMP' || protocol === 'ICMPv6';
  let port: number | string | undefined;
  const rawPort = c['port'];
  if (rawPort !== undefined && rawPort !== null) {
    if (icmp) problems.push(problem(r, 'policy-test/port', `${protocol} has no ports; use icmpType`, [...at, 'port']));
    else if (typeof rawPort === 'number') {
      if (!Number.isInteger(rawPort) || rawPort < 1 || rawPort > 65535)
        problems.push(problem(r, 'policy-test/port', 'port must be between 1 and 65535', [...at, 'port']));
      else port = rawPort;
    } else if (typeof rawPort === 'string' && /^[0-9]+$/.test(rawPort)) {
      const n = Number(rawPort);
      if (n < 1 || n > 65535)
        problems.push(problem(r, 'policy-test/port', 'port must be between 1 and 65535', [...at, 'port']));
      else port = n;
    } else if (typeof rawPort === 'string' && rawPort !== '') port = rawPort;
    else problems.push(problem(r, 'policy-test/port', 'port must be a number or a port name', [...at, 'port']));
  } else if (!icmp) problems.push(problem(r, 'policy-test/required', `a ${protocol} case needs a port`, at));
  let icmpType: number | string | undefined;
  if (c['icmpType'] !== undefined) {
    if (!icmp)
      problems.push(problem(r, 'policy-test/icmp', 'icmpType goes with protocol ICMP or ICMPv6', [...at, 'icmpType']));
    else if (icmpTypeNumber(c['icmpType'], protocol === 'ICMP' ? 4 : 6) === undefined)
      problems.push(
        problem(r, 'policy-test/icmp', `icmpType is not an ${protocol} type number or name`, [...at, 'icmpType']),
      );
    else icmpType = c['icmpType'] as number | string;
  }
  let http: HttpRequest | undefined;
  if (c['http'] !== undefined) {
    if (protocol !== 'TCP')
      problems.push(problem(r, 'policy-test/http', 'http goes with protocol TCP', [...at, 'http']));
    else http = readHttp(r, c['http'], [...at, 'http'], problems);
  }
  const expect = c['expect'];
  if (expect === undefined)
    problems.push(problem(r, 'policy-test/required', 'a case needs expect (allow or deny)', at));
  else if (expect !== 'allow' && expect !== 'deny')
    problems.push(problem(r, 'policy-test/enum', 'expect must be allow or deny', [...at, 'expect']));
  return {
    index,
    name: name ?? `case ${index + 1}`,
    line,
    span,
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
    ...(port !== undefined ? { port } : {}),
    protocol,
    ...(icmpType !== undefined ? { icmpType } : {}),
    ...(http ? { http } : {}),
    ...(expect === 'allow' || expect === 'deny' ? { expect } : {}),
    problems,
    fromSpan: spanOf(r, [...at, 'from']),
    toSpan: spanOf(r, [...at, 'to']),
  };
}

/**
 * Reads a PolicyTest document, or returns undefined when the document is not one. `text` is the
 * whole file the document belongs to (for line numbers). Never throws.
 */
export function readPolicyTest(doc: PolicyDocument, file: string, text: string): PolicyTest | undefined {
  if (doc.kind?.language !== 'policy-test') return undefined;
  const r: Reader = { doc, lines: new LineIndex(text) };
  const problems: TestProblem[] = [];
  const data = obj(doc.data) ?? {};
  const line = lineOf(r, doc.span);
  const name = doc.name ?? '';
  if (name === '') problems.push(problem(r, 'policy-test/required', 'a PolicyTest needs metadata.name', ['metadata']));
  const spec = obj(data['spec']);
  if (!spec) {
    problems.push(problem(r, 'policy-test/required', 'a PolicyTest needs spec with cases', ['kind']));
    return { file, name, line, span: doc.span, agent: {}, cases: [], problems };
  }
  for (const k of Object.keys(spec))
    if (!SPEC_KEYS.has(k))
      problems.push(problem(r, 'policy-test/unknown-field', `unknown spec field "${k}"`, ['spec', k], true));
  const policies = paths(r, spec['policies'], ['spec', 'policies'], problems);
  const inventory = paths(r, spec['inventory'], ['spec', 'inventory'], problems);
  const agentRead = readAgentOptions(spec['agent']);
  for (const p of agentRead.problems)
    problems.push(
      problem(r, 'policy-test/agent', p.message, p.key === '' ? ['spec', 'agent'] : ['spec', 'agent', p.key]),
    );
  const used = new Set<string>();
  const rawCases = spec['cases'];
  if (!Array.isArray(rawCases) || rawCases.length === 0)
    problems.push(
      problem(
        r,
        'policy-test/required',
        'spec.cases needs at least one case',
        rawCases === undefined ? ['spec'] : ['spec', 'cases'],
      ),
    );
  const cases = list(rawCases).map((c, i) => readCase(r, c, i, used));
  return {
    file,
    name,
    line,
    span: doc.span,
    ...(policies ? { policies } : {}),
    ...(inventory ? { inventory } : {}),
    agent: agentRead.values,
    cases,
    problems,
  };
}

/** The result of one case. */
export interface CaseResult {
  readonly case: PolicyTestCase;
  /** The verdict; undefined when the case could not run (see `problems`). */
  readonly verdict?: FlowVerdict;
  /** What was found: `allow`, `deny` or `unknown` (also for a case that could not run). */
  readonly outcome: Verdict;
  /** True when the verdict is the expected one. An unknown never passes. */
  readonly pass: boolean;
  /** Problems that kept the case from running (its own, or an endpoint missing from the inventory). */
  readonly problems: readonly TestProblem[];
}

/** The flow a case describes (for a case without problems). */
export function caseFlow(c: PolicyTestCase): Flow | undefined {
  if (!c.from || !c.to) return undefined;
  return {
    from: c.from,
    to: c.to,
    ...(c.port !== undefined ? { port: c.port } : {}),
    protocol: c.protocol,
    ...(c.icmpType !== undefined ? { icmpType: c.icmpType } : {}),
    ...(c.http ? { http: c.http } : {}),
  };
}

/**
 * The problems of a case's endpoints against the engine's inventory (a workload that does not
 * exist, a port name the destination does not have), placed at the endpoint.
 */
export function endpointProblems(c: PolicyTestCase, engine: VerdictEngine, text: string): TestProblem[] {
  const lines = new LineIndex(text);
  const out: TestProblem[] = [];
  const place = (span: Span, message: string): void => {
    out.push({
      code: 'policy-test/endpoint-not-found',
      message,
      span,
      line: lines.positionAt(span.start).line + 1,
      severity: 'error',
    });
  };
  if (c.from) {
    const r = engine.resolve(c.from, true);
    if (!r.ok) place(c.fromSpan, r.message);
  }
  if (c.to) {
    const r = engine.resolve(c.to, false);
    if (!r.ok) place(c.toSpan, r.message);
  }
  return out;
}

/** Runs one case. `text` is its file's text (to place endpoint problems). */
export function runCase(c: PolicyTestCase, engine: VerdictEngine, text: string): CaseResult {
  const problems = [...c.problems, ...(c.problems.length === 0 ? endpointProblems(c, engine, text) : [])];
  const flow = caseFlow(c);
  if (problems.length > 0 || !flow) return { case: c, outcome: 'unknown', pass: false, problems };
  const verdict = engine.evaluate(flow);
  if (isInputError(verdict)) {
    // A port name the destination lacks, and the like: the case's fault, shown at the case.
    const lines = new LineIndex(text);
    const span = c.span;
    return {
      case: c,
      verdict,
      outcome: 'unknown',
      pass: false,
      problems: [
        {
          code: 'policy-test/invalid-case',
          message: verdict.reason,
          span,
          line: lines.positionAt(span.start).line + 1,
          severity: 'error',
        },
      ],
    };
  }
  return { case: c, verdict, outcome: verdict.verdict, pass: verdict.verdict === c.expect, problems: [] };
}

/** Runs every case of a test. */
export function runPolicyTest(test: PolicyTest, engine: VerdictEngine, text: string): CaseResult[] {
  return test.cases.map((c) => runCase(c, engine, text));
}
