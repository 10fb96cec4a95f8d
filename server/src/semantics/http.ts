// SPDX-License-Identifier: Apache-2.0
/**
 * HTTP rules as the proxy applies them: `method`, `path` and `host` are RE2 expressions that must
 * match the whole `:method`, `:path` (query string included) and `:authority`; a `headers` entry
 * `Name: value` requires that exact value and a bare `Name` only the header's presence; a
 * `headerMatches` entry with a `mismatch` action never refuses a request (it logs or rewrites).
 * Header names compare without case, as HTTP/2 lower-cases them.
 */
import { RE2JS } from 're2js';
import { list, obj, str } from '../core/data.js';

/** A request of a flow. Missing method and path are `GET` and `/`. */
export interface HttpRequest {
  readonly method?: string;
  readonly path?: string;
  readonly host?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** One HTTP rule of a policy, compiled. */
export interface HttpRuleSpec {
  readonly method?: string;
  readonly path?: string;
  readonly host?: string;
  /** `headers` entries: a name and, when written, the exact value required. */
  readonly headers: readonly { readonly name: string; readonly value?: string }[];
  readonly headerMatches: readonly {
    readonly name: string;
    readonly value?: string;
    readonly secret: boolean;
    readonly mismatch?: string;
  }[];
}

/** Reads the `http` list of a `rules` object. */
export function readHttpRules(value: unknown): HttpRuleSpec[] {
  const out: HttpRuleSpec[] = [];
  for (const raw of list(value)) {
    const r = obj(raw);
    if (!r) continue;
    const headers: { name: string; value?: string }[] = [];
    for (const h of list(r['headers'])) {
      if (typeof h !== 'string') continue;
      // The agent splits at the first space; a trailing colon on the name is dropped.
      const space = h.indexOf(' ');
      if (space < 0) headers.push({ name: h });
      else headers.push({ name: h.slice(0, space).replace(/:+$/, ''), value: h.slice(space + 1) });
    }
    const headerMatches: { name: string; value?: string; secret: boolean; mismatch?: string }[] = [];
    for (const m of list(r['headerMatches'])) {
      const hm = obj(m);
      const name = str(hm?.['name']);
      if (!hm || name === undefined) continue;
      const value = str(hm['value']);
      const mismatch = str(hm['mismatch']);
      headerMatches.push({
        name,
        ...(value !== undefined ? { value } : {}),
        secret: obj(hm['secret']) !== undefined,
        ...(mismatch !== undefined && mismatch !== '' ? { mismatch } : {}),
      });
    }
    const method = str(r['method']);
    const path = str(r['path']);
    const host = str(r['host']);
    out.push({
      ...(method !== undefined && method !== '' ? { method } : {}),
      ...(path !== undefined && path !== '' ? { path } : {}),
      ...(host !== undefined && host !== '' ? { host } : {}),
      headers,
      headerMatches,
    });
  }
  return out;
}

const regexes = new Map<string, RE2JS | null>();

/** Whole-string RE2 match; undefined when the expression does not compile (the agent rejects it). */
function fullMatch(pattern: string, input: string): boolean | undefined {
  let re = regexes.get(pattern);
  if (re === undefined) {
    try {
      re = RE2JS.compile(pattern);
    } catch {
      re = null;
    }
    if (regexes.size > 5000) regexes.clear();
    regexes.set(pattern, re);
  }
  return re === null ? undefined : re.testExact(input);
}

/** What one rule says about one request: admitted, refused (with the first failing part), or undecidable. */
export type HttpOutcome =
  | { readonly admits: true }
  | { readonly admits: false; readonly why: string }
  | { readonly admits: 'unknown'; readonly why: string };

function header(req: HttpRequest, name: string): string | undefined {
  const want = name.toLowerCase();
  for (const [k, v] of Object.entries(req.headers ?? {})) if (k.toLowerCase() === want) return v;
  return undefined;
}

/** Whether one HTTP rule admits a request. */
export function httpRuleAdmits(rule: HttpRuleSpec, req: HttpRequest): HttpOutcome {
  const method = req.method ?? 'GET';
  const path = req.path ?? '/';
  if (rule.method !== undefined) {
    const m = fullMatch(rule.method, method);
    if (m === undefined) return { admits: false, why: `method pattern ${rule.method} is not a valid expression` };
    if (!m) return { admits: false, why: `method ${method} does not match ${rule.method}` };
  }
  if (rule.path !== undefined) {
    const m = fullMatch(rule.path, path);
    if (m === undefined) return { admits: false, why: `path pattern ${rule.path} is not a valid expression` };
    if (!m) return { admits: false, why: `path ${path} does not match ${rule.path}` };
  }
  if (rule.host !== undefined) {
    const host = req.host ?? header(req, 'host');
    if (host === undefined)
      return { admits: 'unknown', why: `the rule requires host ${rule.host} and the request gives no host` };
    const m = fullMatch(rule.host, host);
    if (m === undefined) return { admits: false, why: `host pattern ${rule.host} is not a valid expression` };
    if (!m) return { admits: false, why: `host ${host} does not match ${rule.host}` };
  }
  for (const h of rule.headers) {
    const v = header(req, h.name);
    if (v === undefined) return { admits: false, why: `header ${h.name} is missing` };
    if (h.value !== undefined && v !== h.value) return { admits: false, why: `header ${h.name} is not "${h.value}"` };
  }
  for (const h of rule.headerMatches) {
    if (h.mismatch !== undefined) continue; // a mismatch is logged or rewritten, never refused
    if (h.secret)
      return { admits: 'unknown', why: `header ${h.name} must equal the value of a Secret, which is not known here` };
    const v = header(req, h.name);
    if (v === undefined) return { admits: false, why: `header ${h.name} is missing` };
    if (h.value !== undefined && v !== h.value) return { admits: false, why: `header ${h.name} is not "${h.value}"` };
  }
  return { admits: true };
}

/** The request as a short text, e.g. `POST /v1/orders`. */
export function describeRequest(req: HttpRequest): string {
  return `${req.method ?? 'GET'} ${req.path ?? '/'}`;
}

/** A rule as a short text, e.g. `GET /public.*`. */
export function describeHttpRule(rule: HttpRuleSpec): string {
  const parts = [rule.method ?? 'any method', rule.path ?? 'any path'];
  if (rule.host !== undefined) parts.push(`host ${rule.host}`);
  for (const h of rule.headers) parts.push(h.value !== undefined ? `${h.name}: ${h.value}` : `header ${h.name}`);
  return parts.join(' ');
}
